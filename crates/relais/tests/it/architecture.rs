//! The shape of the code, read from the source tree (ARCHITECTURE.md's
//! invariants): toolkits import no capability, SQL stays in storage files,
//! no capability reaches into another's routes, and the code map names
//! every module there is and none that is not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules that serve a capability's pages and screens, or hold its
/// decisions: everything but the toolkits and the application on top.
const CAPABILITIES: &[&str] = &[
    "accounts",
    "conversation",
    "directory",
    "overview",
    "referral",
    "sheets",
];

/// The toolkits and the bottom layer: they import no capability and not
/// the application.
const TOOLKITS: &[&str] = &["backoffice", "storage", "web"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src`, as a path relative to it.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.sort();
    out
}

/// The top-level module a source file belongs to (`directory` for
/// `directory/communes.rs`, `overview` for `overview.rs`).
fn top_module(path: &Path) -> String {
    let first = path.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// The lines of code of a file, numbered from 1, without comments and
/// without its unit tests.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(src().join(path)).unwrap();
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        lines.push((number + 1, line.to_owned()));
    }
    lines
}

/// `crate::<module>` or `crate::<module>::<sub>` mentioned on a line,
/// as the module path after `crate::` up to the item.
fn crate_paths(line: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let path: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        found.push(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
        rest = after;
    }
    found
}

/// The modules that register routes or screens: `directory::routes`,
/// `accounts::signin`, `overview`…
fn route_modules() -> BTreeSet<Vec<String>> {
    sources()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(src().join(path)).unwrap();
            text.contains("pub fn routes(site: Site<")
                || text.contains("pub fn screens(screens: Screens<")
        })
        .map(|path| {
            let mut module: Vec<String> = path
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|last| last == "mod") {
                module.pop();
            }
            module
        })
        .collect()
}

#[test]
fn the_toolkits_import_no_capability_and_not_the_application() {
    let mut offences = Vec::new();
    for path in sources() {
        if !TOOLKITS.contains(&top_module(&path).as_str()) {
            continue;
        }
        for (number, line) in code_lines(&path) {
            for module in crate_paths(&line) {
                let first = module.first().map_or("", String::as_str);
                if first == "app" || CAPABILITIES.contains(&first) {
                    offences.push(format!("src/{}:{number}: {}", path.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "a toolkit imports a capability or the application:\n{}",
        offences.join("\n")
    );
}

#[test]
fn no_capability_reaches_into_another_capabilitys_routes_or_the_application() {
    let routes = route_modules();
    assert!(
        routes.contains(&vec!["directory".to_owned(), "routes".to_owned()]),
        "the route modules are found: {routes:?}"
    );
    let mut offences = Vec::new();
    for path in sources() {
        let own = top_module(&path);
        if !CAPABILITIES.contains(&own.as_str()) {
            continue;
        }
        for (number, line) in code_lines(&path) {
            for module in crate_paths(&line) {
                let reaches_routes = routes.iter().any(|route| {
                    route.first() != Some(&own) && module.starts_with(route.as_slice())
                });
                if reaches_routes || module.first().is_some_and(|m| m == "app") {
                    offences.push(format!("src/{}:{number}: {}", path.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "a capability imports another's routes, or the application:\n{}",
        offences.join("\n")
    );
}

#[test]
fn sql_is_written_only_in_storage_files() {
    let mut offences = Vec::new();
    for path in sources() {
        let in_storage = path.starts_with("storage") || path.ends_with("storage.rs");
        if in_storage {
            continue;
        }
        for (number, line) in code_lines(&path) {
            if line.contains("sqlx::query") || line.contains("query_as") {
                offences.push(format!("src/{}:{number}: {}", path.display(), line.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "SQL outside a storage file:\n{}",
        offences.join("\n")
    );
}

/// ARCHITECTURE.md's code map: its sections, each with the source
/// directory it describes (when its heading names one) and its text.
fn code_map() -> Vec<(Option<String>, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("## Code map").expect("a code map");
    let end = text[start..]
        .find("\n## ")
        .map_or(text.len(), |at| start + at);
    let mut sections = Vec::new();
    for section in text[start..end].split("\n### ").skip(1) {
        let heading = section.lines().next().unwrap_or("");
        let dir = heading
            .split('`')
            .find_map(|part| part.strip_prefix("crates/relais/src/"))
            .filter(|part| part.ends_with('/'))
            .map(|part| part.trim_end_matches('/').to_owned());
        sections.push((dir, section.to_owned()));
    }
    sections
}

/// The words of a text written between backticks.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_code_map_names_every_module_and_only_modules_that_exist() {
    let sections = code_map();
    let mut missing = Vec::new();
    for path in sources() {
        let relative = path.display().to_string();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let dir = path
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty());
        let named = sections.iter().any(|(section_dir, text)| {
            let words = quoted(text);
            words.iter().any(|w| {
                w.trim_start_matches("crates/relais/src/") == relative
                    || (name == "mod.rs"
                        && dir.as_deref().is_some_and(|d| {
                            w.trim_start_matches("crates/relais/src/")
                                .trim_end_matches('/')
                                == d
                        }))
            }) || (section_dir.is_some() && *section_dir == dir && words.contains(&name.as_str()))
        });
        if !named {
            missing.push(relative);
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {missing:?}"
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut unknown = Vec::new();
    for (section_dir, text) in &sections {
        for word in quoted(text) {
            let is_rust_path = word.ends_with(".rs")
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-'));
            if !is_rust_path {
                continue;
            }
            let mut places = vec![
                root.join(word),
                src().join(word),
                root.join("crates/relais").join(word),
                root.join("crates/flow/src").join(word),
                root.join("crates/relais/tests/it").join(word),
                root.join("xtask/src").join(word),
            ];
            if let Some(dir) = section_dir {
                places.push(src().join(dir).join(word));
            }
            if !places.iter().any(|place| place.exists()) {
                unknown.push(word.to_owned());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "ARCHITECTURE.md's code map names files that do not exist: {unknown:?}"
    );
}

/// A test module takes what it shares from `helpers`, never from another
/// test module: a helper borrowed from `referral.rs` by `bounds.rs` is one
/// nobody knows is shared.
#[test]
fn a_test_module_borrows_nothing_from_another_test_module() {
    // A test module is a file of tests/it, or a folder of them (browser/):
    // its files may share among themselves, never with another module.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut modules: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "main" || name == "helpers" {
            continue;
        }
        if path.is_dir() {
            let files = std::fs::read_dir(&path)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|e| e == "rs"))
                .collect();
            modules.push((name, files));
        } else if path.extension().is_some_and(|e| e == "rs") {
            modules.push((name, vec![path]));
        }
    }
    assert!(modules.iter().any(|(m, _)| m == "referral"), "{modules:?}");
    assert!(
        modules
            .iter()
            .any(|(m, files)| m == "browser" && files.len() > 1),
        "{modules:?}"
    );
    let mut borrowed = Vec::new();
    for (module, files) in &modules {
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for (other, _) in modules.iter().filter(|(other, _)| other != module) {
                    if code.contains(&format!("crate::{other}::"))
                        || code.contains(&format!("crate::{other}}}"))
                        || code.contains(&format!("crate::{other};"))
                    {
                        borrowed.push(format!(
                            "{}:{}: {}",
                            file.strip_prefix(&dir).unwrap().display(),
                            number + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        borrowed.is_empty(),
        "shared helpers belong in tests/it/helpers/: {borrowed:#?}"
    );
}
