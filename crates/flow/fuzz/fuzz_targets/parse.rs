//! `Flow::parse` on any text: it must return a flow or problems, never
//! panic, and a flow it returns must be usable.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    if let Ok(flow) = flow::Flow::parse(source, flow::NEEDS) {
        let _ = flow.mermaid();
        assert!(flow::position(&flow, &flow::Progress::default()).is_ok());
    }
});
