//! The shape of the code, held by a test (rust-analyzer's "tidy" habit): no circle
//! between the crate's top-level modules, none between the server's parts, and the
//! pure core (`metrics`) importing nothing of the crate but `domain`. A folder's
//! `mod.rs` and its own children may use each other; anything else that points both
//! ways is a circle. Tests (`#[cfg(test)]` modules), comments and strings are not
//! code paths and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without comments, string and character literals, and
/// `#[cfg(test)]` items (a test module, or a test-only item).
fn code_of(text: &str) -> String {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            '/' if at(&bytes, i + 1) == '/' => {
                while i < bytes.len() && bytes[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(&bytes, i + 1) == '*' => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == '*' && at(&bytes, i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            'r' if at(&bytes, i + 1) == '#'
                || (at(&bytes, i + 1) == '"' && !is_ident(out.chars().last())) =>
            {
                // A raw string: r"…", r#"…"#, r##"…"##.
                let mut hashes = 0;
                let mut j = i + 1;
                while bytes.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if bytes.get(j) != Some(&'"') {
                    out.push(bytes[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= bytes.len() {
                        break;
                    }
                    if bytes[j] == '"' && (1..=hashes).all(|k| bytes.get(j + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            }
            '"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != '"' {
                    if bytes[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            '\'' if at(&bytes, i + 2) == '\''
                || (at(&bytes, i + 1) == '\\' && at(&bytes, i + 3) == '\'') =>
            {
                // A character literal ('x', '\n'), not a lifetime.
                i += if at(&bytes, i + 1) == '\\' { 4 } else { 3 };
                out.push_str("' '");
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    without_test_items(&out)
}

/// The character at `index`, or a NUL past the end.
fn at(chars: &[char], index: usize) -> char {
    chars.get(index).copied().unwrap_or('\0')
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// `code` without the items marked `#[cfg(test)]`: the attribute and the item up to
/// its `;` or its balanced `{ … }`.
fn without_test_items(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let brace = item.find('{');
        let semicolon = item.find(';');
        let end = match (brace, semicolon) {
            (Some(open), Some(semi)) if semi < open => semi + 1,
            (Some(open), _) => {
                let mut depth = 0;
                let mut end = item.len();
                for (index, c) in item[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + index + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(semi)) => semi + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The module path of a file under `src/`: `src/store/sql.rs` → `["store", "sql"]`,
/// `src/server/view/mod.rs` → `["server", "view"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// Every path of the crate the code names (`crate::a::b`, `super::c`, and each
/// path of a `use crate::{a::b, c}` group), absolute from the crate's root.
fn named_paths(code: &str, module: &[String]) -> BTreeSet<Vec<String>> {
    let mut paths = BTreeSet::new();
    let words = |text: &str| -> Vec<String> {
        text.split("::")
            .map(|w| {
                w.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            })
            .take_while(|w: &String| !w.is_empty())
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().last();
        if is_ident(before) {
            continue;
        }
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let inner = &group[..group.find(';').unwrap_or(group.len())];
            let mut depth = 0;
            let mut item = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        paths.insert(words(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            paths.insert(words(item.trim()));
        } else {
            paths.insert(words(after));
        }
    }
    // `super::x` in module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a::x`.
    let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
    for (at, _) in code.match_indices("super::") {
        if is_ident(code[..at].chars().last()) || code[..at].ends_with("::") {
            continue;
        }
        let mut path = parent.clone();
        path.extend(words(&code[at + "super::".len()..]));
        paths.insert(path);
    }
    paths.retain(|path| !path.is_empty());
    paths
}

/// The edges between units: a unit is a top-level module, or, inside `within`, one
/// of its children.
fn edges(within: Option<&str>) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let units: BTreeSet<String> = std::fs::read_dir(match within {
        Some(folder) => src.join(folder),
        None => src.clone(),
    })
    .expect("read a folder")
    .map(|e| e.expect("entry").path())
    .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
    .map(|p| {
        p.file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned()
    })
    .filter(|name| !["lib", "main", "mod"].contains(&name.as_str()))
    .collect();
    let unit_of = |path: &[String]| -> Option<String> {
        match within {
            Some(folder) => (path.first().map(String::as_str) == Some(folder))
                .then(|| path.get(1).cloned())
                .flatten(),
            None => path.first().cloned(),
        }
        .filter(|unit| units.contains(unit))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let module = module_of(&src, &file);
        let Some(from) = unit_of(&module) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read a file");
        for path in named_paths(&code_of(&text), &module) {
            if let Some(to) = unit_of(&path).filter(|to| *to != from) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// Every circle of `edges`, each as the units it goes through (Tarjan's strongly
/// connected components of more than one unit).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        found: Vec<Vec<String>>,
    }
    fn visit(walk: &mut Walk<'_>, unit: &str) {
        let n = walk.index.len();
        walk.index.insert(unit.to_string(), n);
        walk.low.insert(unit.to_string(), n);
        walk.stack.push(unit.to_string());
        walk.on_stack.insert(unit.to_string());
        let next: Vec<String> = walk
            .edges
            .get(unit)
            .map(|to| to.iter().cloned().collect())
            .unwrap_or_default();
        for to in next {
            if !walk.index.contains_key(&to) {
                visit(walk, &to);
                let low = walk.low[unit].min(walk.low[&to]);
                walk.low.insert(unit.to_string(), low);
            } else if walk.on_stack.contains(&to) {
                let low = walk.low[unit].min(walk.index[&to]);
                walk.low.insert(unit.to_string(), low);
            }
        }
        if walk.low[unit] == walk.index[unit] {
            let mut component = Vec::new();
            while let Some(top) = walk.stack.pop() {
                walk.on_stack.remove(&top);
                let done = top == unit;
                component.push(top);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                walk.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for unit in edges.keys() {
        if !walk.index.contains_key(unit) {
            visit(&mut walk, unit);
        }
    }
    walk.found
}

/// Which edges of `edges` run inside `circle`, for the failure message.
fn inside(edges: &BTreeMap<String, BTreeSet<String>>, circle: &[String]) -> Vec<String> {
    circle
        .iter()
        .flat_map(|from| {
            edges
                .get(from)
                .into_iter()
                .flatten()
                .filter(|to| circle.contains(to))
                .map(move |to| format!("{from} → {to}"))
        })
        .collect()
}

/// Fails with every circle among the units (`edges`'s `within`) and its edges.
fn assert_no_circle(within: Option<&str>) {
    let edges = edges(within);
    let found = circles(&edges);
    assert!(
        found.is_empty(),
        "circles in {}: {:?}",
        within.unwrap_or("the crate"),
        found
            .iter()
            .map(|circle| inside(&edges, circle))
            .collect::<Vec<_>>()
    );
}

#[test]
fn no_circle_between_the_crates_modules() {
    assert_no_circle(None);
}

#[test]
fn no_circle_between_the_servers_parts() {
    assert_no_circle(Some("server"));
}

#[test]
fn no_circle_between_the_stores_parts() {
    assert_no_circle(Some("store"));
}

#[test]
fn the_pure_core_imports_only_the_domain() {
    let edges = edges(None);
    let reached = edges.get("metrics").cloned().unwrap_or_default();
    assert_eq!(
        reached,
        BTreeSet::from(["domain".to_string()]),
        "metrics may use domain and nothing else of the crate"
    );
}

#[test]
fn the_tidy_check_sees_a_circle_and_ignores_what_is_not_code() {
    let code = code_of(
        "// crate::server in a comment\nuse crate::{store::X, text};\nlet s = \"crate::report\";\n#[cfg(test)]\nmod tests { use crate::report::wire; }\nfn f() { super::view::x(); }\n",
    );
    let module = vec!["server".to_string(), "errors".to_string()];
    let named = named_paths(&code, &module);
    let firsts: BTreeSet<String> = named.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        firsts,
        BTreeSet::from([
            "store::X".to_string(),
            "text".to_string(),
            "server::view::x".to_string()
        ])
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circles(&edges), vec![vec!["a", "b", "c"]]);
}
