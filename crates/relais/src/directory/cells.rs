//! Spreadsheet-safe cells, written by the export and read back by the
//! import: a cell that a spreadsheet would run as a formula is escaped on
//! the way out and read as it was on the way in.

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet must not run it: one starting like a formula
/// (`=HYPERLINK(…)` as an organisation's name, but also `+33…`) gets a
/// leading apostrophe, which spreadsheets show as text (OWASP, "CSV
/// Injection"). So does one that already starts with an apostrophe the
/// importer would take off (`'=x`, `''x`): every value reads back as it was.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || escaped(cell).is_some() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The cell a spreadsheet-safe cell stood for.
pub fn from_spreadsheet_safe(cell: &str) -> &str {
    escaped(cell).unwrap_or(cell)
}

/// What follows the apostrophe [`spreadsheet_safe`] puts: a formula's start
/// or another apostrophe.
fn escaped(cell: &str) -> Option<&str> {
    cell.strip_prefix('\'')
        .filter(|rest| rest.starts_with(FORMULA_STARTS) || rest.starts_with('\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_as_it_was_through_the_spreadsheet_escape() {
        for value in [
            "=x", "'=x", "''=x", "'x", "''x", "'", "''", "\t=x", "+33", "'+33", "plain", "", "-",
        ] {
            let safe = spreadsheet_safe(value);
            assert!(!safe.starts_with(FORMULA_STARTS), "{value:?} → {safe:?}");
            assert_eq!(from_spreadsheet_safe(&safe), value, "{value:?} → {safe:?}");
        }
    }
}
