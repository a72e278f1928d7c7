//! axe-core on every public and back-office page, in French and Arabic,
//! with and without JavaScript: no violation.
