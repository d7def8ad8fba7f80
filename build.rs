//! Checks the Fluent resources (`locales/*/impact.ftl`) before the crate compiles:
//! each parses, both languages hold the same messages with the same blanks, and
//! they hold exactly the messages the code names (`Phrase::id("…")`,
//! `Template::id("…")`, `Plural::id("…")`, and each list's `lists-title-<name>` and
//! `lists-about-<name>`, which `i18n::lists` finds by the names of
//! `metrics::rooms::LISTS`). A `Phrase` (shown by `text`) must have
//! no blanks and a `Template` or `Plural` (shown by `fill`) must have some, so no
//! sentence can reach a reader with a blank unfilled. A phrase missing from a
//! language, a blank spelt two ways, a message of the wrong kind or one nobody uses
//! stops the build with its name, as an unknown Rust name would.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use fluent_syntax::ast;

const LANGUAGES: [&str; 2] = ["en", "id"];

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=src");
    let mut problems = Vec::new();
    let catalogs: Vec<BTreeMap<String, BTreeSet<String>>> = LANGUAGES
        .iter()
        .map(|lang| messages(lang, &mut problems))
        .collect();
    let (english, indonesian) = (&catalogs[0], &catalogs[1]);
    for (id, blanks) in english {
        match indonesian.get(id) {
            None => problems.push(format!("{id} is in en but not in id")),
            Some(other) if other != blanks => problems.push(format!(
                "{id} has the blanks {blanks:?} in en but {other:?} in id"
            )),
            Some(_) => {}
        }
    }
    for id in indonesian.keys().filter(|id| !english.contains_key(*id)) {
        problems.push(format!("{id} is in id but not in en"));
    }
    let mut named = named_in_code(Path::new("src"));
    named.extend(list_words(Path::new("src/metrics/rooms.rs")));
    for (id, kind) in &named {
        match english.get(id) {
            None => problems.push(format!(
                "the code names {id}, which locales/en/impact.ftl lacks"
            )),
            Some(blanks) if *kind == "Phrase" && !blanks.is_empty() => problems.push(format!(
                "{id} has blanks {blanks:?}: name it with Template::id, and fill them"
            )),
            Some(blanks) if *kind != "Phrase" && blanks.is_empty() => {
                problems.push(format!("{id} has no blanks: name it with Phrase::id"))
            }
            Some(_) => {}
        }
    }
    // A term is named by the messages that use it, not by the code.
    for id in english
        .keys()
        .filter(|id| !id.starts_with('-') && !named.contains_key(*id))
    {
        problems.push(format!(
            "{id} is in the resources but the code never names it"
        ));
    }
    if !problems.is_empty() {
        panic!(
            "the Fluent resources do not match:\n  {}",
            problems.join("\n  ")
        );
    }
}

/// Each message of a language's file, with the blanks (variables) it uses, and
/// each term (`-name`, words other messages share), so both languages hold both.
fn messages(lang: &str, problems: &mut Vec<String>) -> BTreeMap<String, BTreeSet<String>> {
    let path = format!("locales/{lang}/impact.ftl");
    let source = match fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            problems.push(format!("{path}: {error}"));
            return BTreeMap::new();
        }
    };
    let resource =
        fluent_syntax::parser::parse(source.as_str()).unwrap_or_else(|(resource, errors)| {
            for error in errors {
                problems.push(format!("{path}: {error:?}"));
            }
            resource
        });
    let mut found = BTreeMap::new();
    for entry in &resource.body {
        if let ast::Entry::Message(message) = entry {
            let mut blanks = BTreeSet::new();
            if let Some(pattern) = &message.value {
                pattern_blanks(pattern, &mut blanks);
            } else {
                problems.push(format!("{path}: {} has no words", message.id.name));
            }
            if found.insert(message.id.name.to_string(), blanks).is_some() {
                problems.push(format!("{path}: {} is there twice", message.id.name));
            }
        }
        if let ast::Entry::Term(term) = entry {
            let mut blanks = BTreeSet::new();
            pattern_blanks(&term.value, &mut blanks);
            if found.insert(format!("-{}", term.id.name), blanks).is_some() {
                problems.push(format!("{path}: -{} is there twice", term.id.name));
            }
        }
    }
    found
}

fn pattern_blanks(pattern: &ast::Pattern<&str>, blanks: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_blanks(expression, blanks);
        }
    }
}

fn expression_blanks(expression: &ast::Expression<&str>, blanks: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_blanks(inline, blanks),
        ast::Expression::Select { selector, variants } => {
            inline_blanks(selector, blanks);
            for variant in variants {
                pattern_blanks(&variant.value, blanks);
            }
        }
    }
}

fn inline_blanks(inline: &ast::InlineExpression<&str>, blanks: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            blanks.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_blanks(expression, blanks),
        _ => {}
    }
}

/// The words every list of `LISTS` is shown with (`i18n::lists`): its title and
/// its one sentence, each a `Phrase` named after the list.
fn list_words(rooms: &Path) -> BTreeMap<String, &'static str> {
    let text = fs::read_to_string(rooms).unwrap_or_default();
    let Some(start) = text.find("pub const LISTS") else {
        return BTreeMap::new();
    };
    let lists = &text[start..];
    let lists = &lists[..lists.find("\n];").unwrap_or(lists.len())];
    let marker = "name: \"";
    lists
        .match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &lists[at + marker.len()..];
            rest.find('"').map(|end| rest[..end].replace('_', "-"))
        })
        .flat_map(|name| ["title", "about"].map(|kind| (format!("lists-{kind}-{name}"), "Phrase")))
        .collect()
}

/// Every message id the Rust code names, with the kind that names it (`Phrase`,
/// `Template` or `Plural`).
fn named_in_code(dir: &Path) -> BTreeMap<String, &'static str> {
    let mut named = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return named;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            named.extend(named_in_code(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = fs::read_to_string(&path).unwrap_or_default();
            for kind in ["Phrase", "Template", "Plural"] {
                let marker = format!("{kind}::id(\"");
                for (at, _) in text.match_indices(&marker) {
                    let rest = &text[at + marker.len()..];
                    if let Some(end) = rest.find('"') {
                        named.insert(rest[..end].to_string(), kind);
                    }
                }
            }
        }
    }
    named
}
