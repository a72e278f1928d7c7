//! Embeds the information sheets of `content/sheets/<lang>/*.md`: writes
//! `$OUT_DIR/sheets.rs` with one `include_str!` per file, sorted, so that a
//! new sheet needs no change to the code.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time, not with `env!`: a build cache shared by several
    // clones reuses this script, and must read the sheets of the clone
    // being built.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../../content/sheets");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for language in std::fs::read_dir(&root).expect("content/sheets exists") {
        let language = language.expect("a readable entry").path();
        if !language.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&language).expect("a readable language folder") {
            let path = file.expect("a readable entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// (language folder, file name, contents) of every embedded sheet.\npub const FILES: &[(&str, &str, &str)] = &[\n",
    );
    for path in files {
        let language = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .expect("a UTF-8 folder name");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name");
        let absolute = path.canonicalize().expect("an existing file");
        writeln!(
            out,
            "    ({language:?}, {name:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a string");
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("sheets.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
