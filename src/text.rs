//! Bounding text that comes from outside before it reaches a log line or a message.

/// At most this many bytes of any input go into one log line or message.
pub const MAX_EXCERPT_BYTES: usize = 2048;

/// `text` cut to at most `MAX_EXCERPT_BYTES` bytes (on a character boundary), with a
/// note of how much was left out. A 10 MB bad line must not become a 10 MB log line.
pub fn excerpt(text: &str) -> String {
    if text.len() <= MAX_EXCERPT_BYTES {
        return text.to_string();
    }
    let mut end = MAX_EXCERPT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} more bytes left out)",
        &text[..end],
        text.len() - end
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(MAX_EXCERPT_BYTES);
        let cut = excerpt(&long);
        assert!(cut.len() < MAX_EXCERPT_BYTES + 64);
        assert!(cut.ends_with(&format!("({} more bytes left out)", MAX_EXCERPT_BYTES)));
    }
}
