//! The directory importer on any bytes, read as CSV (UTF-8 or
//! Windows-1252): it must return a directory or problems, never panic, and
//! a directory it accepts must survive both exports (see `src/lib.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use relais::directory::import::Format;

fuzz_target!(|bytes: &[u8]| {
    relais_fuzz::check_directory_file(bytes, Format::Csv);
});
