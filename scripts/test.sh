#!/usr/bin/env bash
# Runs every check the project has, on a fresh machine: formatting, lints and
# the test suite. Needs only the Rust toolchain; anything else it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --release --all-targets -- -D warnings
cargo test --release
bash notebooks/run.sh
