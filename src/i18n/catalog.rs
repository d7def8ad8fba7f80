//! The phrases' words, read once from the Fluent resources compiled into the
//! binary (`locales/*/impact.ftl`). Fluent is Mozilla's format for translations:
//! translators edit plain text files, and a count's words are chosen by the
//! language's own plural rules. `build.rs` has already checked that both files
//! parse and hold the same messages with the same blanks.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{format_count, Lang};

const SOURCES: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../../locales/en/impact.ftl")),
    (Lang::Id, include_str!("../../locales/id/impact.ftl")),
];

/// One language's messages, and the words of those without blanks, rendered once
/// so that `Phrase::text` can lend them for the life of the program.
struct Language {
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
}

fn languages() -> &'static [Language; 2] {
    static LANGUAGES: OnceLock<[Language; 2]> = OnceLock::new();
    LANGUAGES.get_or_init(|| SOURCES.map(|(lang, source)| load(lang, source)))
}

fn language(lang: Lang) -> &'static Language {
    let [en, id] = languages();
    match lang {
        Lang::En => en,
        Lang::Id => id,
    }
}

fn load(lang: Lang, source: &str) -> Language {
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, errors)| {
            // The build refuses a file that does not parse; this keeps what did.
            tracing::error!(
                lang = lang.code(),
                ?errors,
                "a Fluent resource did not parse"
            );
            resource
        });
    let ids: Vec<String> = resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect();
    let locale = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // The text goes into HTML, CSV and terminals, not into a bidirectional UI
    // toolkit: no invisible isolation marks around the blanks.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::En => whole_counts::<false, _>,
        Lang::Id => whole_counts::<true, _>,
    }));
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            lang = lang.code(),
            ?errors,
            "a Fluent resource repeats a message"
        );
    }
    let plain = ids
        .into_iter()
        .filter_map(|id| {
            let pattern = bundle.get_message(&id)?.value()?;
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors);
            // A message with blanks has no plain words; `fill` renders it.
            errors.is_empty().then(|| (id.clone(), text.into_owned()))
        })
        .collect();
    Language { bundle, plain }
}

/// Counts are written as the bundle's language writes them (`format_count`). A
/// formatter is a plain function, so the language is a parameter of its type.
fn whole_counts<const INDONESIAN: bool, M>(value: &FluentValue, _: &M) -> Option<String> {
    let lang = if INDONESIAN { Lang::Id } else { Lang::En };
    match value {
        FluentValue::Number(number) if number.value.fract() == 0.0 => {
            Some(format_count(number.value as i64, lang))
        }
        _ => None,
    }
}

/// The words of the phrase `id`, or the id itself where there are none (the build
/// checks every id the code names; `find` is for a name made at run time).
pub(super) fn text(id: &'static str, lang: Lang) -> &'static str {
    find(id, lang).unwrap_or_else(|| {
        debug_assert!(false, "phrase {id} has blanks or does not exist: use fill");
        id
    })
}

/// The words of the phrase `id`, if it has words without blanks.
pub(super) fn find(id: &str, lang: Lang) -> Option<&'static str> {
    language(lang).plain.get(id).map(String::as_str)
}

pub(super) fn fill(id: &'static str, lang: Lang, values: &[(&str, String)]) -> String {
    let language = language(lang);
    let Some(pattern) = language.bundle.get_message(id).and_then(|m| m.value()) else {
        debug_assert!(false, "phrase {id} does not exist");
        return id.to_string();
    };
    let mut args = FluentArgs::with_capacity(values.len());
    for (name, value) in values {
        match whole_count(value, lang) {
            Some(count) => args.set(*name, count),
            None => args.set(*name, value.as_str()),
        }
    }
    let mut errors = Vec::new();
    let text = language
        .bundle
        .format_pattern(pattern, Some(&args), &mut errors)
        .into_owned();
    if !errors.is_empty() {
        debug_assert!(false, "phrase {id}: {errors:?}");
        tracing::warn!(id, ?errors, "a phrase was filled without all its blanks");
    }
    text
}

/// A value that is a count as `format_count` writes it in `lang`, as that count: it
/// then chooses plural forms, and `whole_counts` writes it back exactly as it came.
/// Anything else (a room id, a year, a percentage) stays text.
fn whole_count(value: &str, lang: Lang) -> Option<i64> {
    let digits: String = value
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let count: i64 = digits.parse().ok()?;
    (format_count(count, lang) == value).then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_counts_written_our_way_become_numbers() {
        assert_eq!(whole_count("1.250", Lang::Id), Some(1250));
        assert_eq!(whole_count("1,250", Lang::En), Some(1250));
        assert_eq!(whole_count("1.250", Lang::En), None, "not English's way");
        assert_eq!(whole_count("7", Lang::En), Some(7));
        assert_eq!(whole_count("-1.234", Lang::Id), Some(-1234));
        assert_eq!(whole_count("2026", Lang::Id), None, "a year is text");
        assert_eq!(whole_count("1250", Lang::En), None);
        assert_eq!(whole_count("48%", Lang::En), None);
        assert_eq!(whole_count("1,7", Lang::Id), None);
        assert_eq!(whole_count("r14", Lang::En), None);
    }

    #[test]
    fn every_message_exists_in_both_languages_and_renders() {
        for (lang, _) in SOURCES {
            assert!(language(lang).plain.len() > 200, "{lang:?} loaded");
        }
        assert_eq!(
            languages()[0]
                .plain
                .keys()
                .filter(|id| !languages()[1].plain.contains_key(*id))
                .count(),
            0
        );
    }
}
