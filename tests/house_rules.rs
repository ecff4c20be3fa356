#![cfg(not(target_arch = "wasm32"))]
//! House rules of the source tree (docs/architecture.md): files stay short,
//! functions stay short unless they are one flat table, and no comment sends
//! a reader to a file the repository does not hold.

use std::fs;
use std::path::{Path, PathBuf};

/// Most lines in one source file.
const MAX_FILE_LINES: usize = 600;
/// Most lines in one function, unless marked as a flat table.
const MAX_FN_LINES: usize = 80;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    sources(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path(),
        &mut paths,
    );
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).expect("utf-8 source");
            let name = p
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&p)
                .display()
                .to_string();
            (name, text)
        })
        .collect()
}

/// The `fn` on this line, if the line starts one: (indent, name).
fn fn_start(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start().len();
    let mut rest = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let name = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    Some((indent, name))
}

/// Functions longer than the limit: (file:line name, lines). rustfmt's layout
/// is relied on: a body ends at the first `}` at the `fn`'s own indent.
fn long_functions(name: &str, text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, fn_name)) = fn_start(line) else {
            continue;
        };
        // A declaration without a body (a trait method) ends in `;`.
        let Some(open) = (i..lines.len()).find(|&k| {
            let l = lines[k].trim_end();
            l.ends_with('{') || l.ends_with(';') || l.ends_with('}')
        }) else {
            continue;
        };
        if !lines[open].trim_end().ends_with('{') {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        let Some(end) = (open..lines.len()).find(|&k| lines[k].trim_end() == close) else {
            continue;
        };
        let length = end - i + 1;
        // Up through doc comments and attributes: a `flat table` marker there.
        let marked = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with("//") || t.starts_with("#[")
            })
            .any(|l| l.contains("flat table"));
        if length > MAX_FN_LINES && !marked {
            long.push((format!("{name}:{} {fn_name}", i + 1), length));
        }
    }
    long
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<(String, usize)> = all_sources()
        .into_iter()
        .map(|(name, text)| (name, text.lines().count()))
        .filter(|(_, n)| *n > MAX_FILE_LINES)
        .collect();
    assert!(long.is_empty(), "split by responsibility: {long:?}");
}

#[test]
fn no_function_is_over_80_lines_unless_it_is_a_flat_table() {
    let long: Vec<(String, usize)> = all_sources()
        .iter()
        .flat_map(|(name, text)| long_functions(name, text))
        .collect();
    assert!(
        long.is_empty(),
        "split, or mark a true flat table: {long:?}"
    );
}

#[test]
fn the_length_check_finds_a_long_function_and_honours_the_marker() {
    let body = "    let x = 1;\n".repeat(MAX_FN_LINES);
    let plain = format!("/// Doc.\npub fn long() {{\n{body}}}\n");
    assert_eq!(long_functions("f.rs", &plain).len(), 1);
    let marked = format!(
        "/// Doc.\n// A flat table: one arm per code.\n#[allow(x)]\nfn long() {{\n{body}}}\n"
    );
    assert!(long_functions("f.rs", &marked).is_empty());
    let short = "fn short() {\n    1\n}\ntrait T {\n    fn f(&self);\n}\n";
    assert!(long_functions("f.rs", short).is_empty());
}

#[test]
fn no_comment_points_outside_the_repository() {
    let outside = [
        "../shared",
        "DESIGN.md",
        "STYLE.md",
        "TOOLCHAIN.md",
        "the seeds",
    ];
    let found: Vec<String> = all_sources()
        .iter()
        .flat_map(|(name, text)| {
            text.lines().enumerate().filter_map(move |(i, line)| {
                let comment = line.trim_start().starts_with("//");
                outside
                    .iter()
                    .any(|o| comment && line.contains(o))
                    .then(|| format!("{name}:{}", i + 1))
            })
        })
        .collect();
    assert!(found.is_empty(), "{found:?}");
}
