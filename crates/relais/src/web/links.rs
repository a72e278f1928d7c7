//! Links and redirects built from what a request says stay on this site.
//!
//! A browser follows `//host` and `/\host` (backslashes count as slashes,
//! and tabs and line breaks inside an address are dropped) to another site.
//! Every path that comes from a request and ends up in a link, a redirect
//! or a `suite=` target goes through [`is_local_path`] first.

/// Whether `path` is an address on this site: it starts with one `/`, the
/// next character is neither `/` nor `\`, and it has no backslash nor
/// control character anywhere.
pub fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.chars().any(|c| c == '\\' || c.is_control())
}

/// `path` when it is on this site, else `fallback`.
pub fn local_or<'a>(path: &'a str, fallback: &'a str) -> &'a str {
    if is_local_path(path) { path } else { fallback }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_of_this_site_is_local() {
        for path in [
            "/",
            "/aide",
            "/pro/comptes?suite=%2F%2Fx",
            "/fiches/porter-plainte",
        ] {
            assert!(is_local_path(path), "{path}");
        }
    }

    #[test]
    fn what_a_browser_would_take_to_another_site_is_not() {
        for path in [
            "//evil.example",
            "/\\evil.example",
            "/pro\\..\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "evil.example",
            "",
        ] {
            assert!(!is_local_path(path), "{path:?}");
        }
        assert_eq!(local_or("//evil.example", "/"), "/");
    }
}
