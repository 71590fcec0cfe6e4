//! The integration tests, one binary (as ripgrep does): each file is a module,
//! so the crate and its dependencies are linked once rather than once a file.

mod bad_inputs;
mod cli;
mod common;
mod counts;
mod determinism;
mod eval;
mod eval_pages;
mod flags;
mod fuzz_regressions;
mod inputs;
mod long_inputs;
mod page_model;
mod pipeline;
mod properties;
mod signals;
