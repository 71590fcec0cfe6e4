#!/usr/bin/env bash
# Runs every check the project has: formatting, lints, the Rust test suite, the Python
# package's tests (once crates/newsbait-py/run-tests.sh exists) and the report notebook.
#
# What it needs, checked first (it stops with a message naming what is missing):
#   - the Rust toolchain (cargo, rustc) with the rustfmt and clippy components
#     (`rustup component add rustfmt clippy`);
#   - python3 with the venv module (Debian/Ubuntu: `apt-get install python3-venv`), for the
#     notebook's virtual environment;
#   - reachable package registries: crates.io for the first build, PyPI for the notebook's
#     pinned requirements (notebooks/requirements.txt) and the Python package's tests;
#   - Java 17 or newer (`java` on PATH, or JAVA_HOME) for the PySpark tests of the Python
#     package; needed only once crates/newsbait-py/run-tests.sh exists;
#   - the shared corpus at ../shared/corpus for the full notebook (without it the notebook
#     runs on training-data/sample.jsonl).
#
# Works with CARGO_TARGET_DIR set (nothing assumes target/release) and with RUST_BACKTRACE
# set. SKIP_NOTEBOOK=1 leaves out the notebook (it builds a venv and a release binary).
set -euo pipefail
cd "$(dirname "$0")/.."

PY_TESTS="crates/newsbait-py/run-tests.sh"

missing=()
need() { # need WHAT COMMAND...: runs COMMAND quietly, notes WHAT when it fails
    local what="$1"
    shift
    if ! "$@" >/dev/null 2>&1; then
        missing+=("$what")
    fi
}
need "cargo (the Rust toolchain: https://rustup.rs)" cargo --version
need "rustfmt (rustup component add rustfmt)" cargo fmt --version
need "clippy (rustup component add clippy)" cargo clippy --version
need "python3" python3 --version
need "the python3 venv module (apt-get install python3-venv)" python3 -m venv --help
if [ -f "$PY_TESTS" ]; then
    java_ok() {
        local java="java"
        [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
        local v
        v="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
        [ -n "$v" ] && [ "$v" -ge 17 ]
    }
    need "Java 17 or newer for the PySpark tests (apt-get install openjdk-17-jre-headless)" java_ok
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "scripts/test.sh: missing what the checks need:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi
if [ ! -d ../shared/corpus ]; then
    echo "scripts/test.sh: note: no ../shared/corpus; the notebook will run on training-data/sample.jsonl" >&2
fi

step() { echo "== $*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --release --all-targets -- -D warnings

# The core as a Python extension or a Spark job links it: without the CLI
# feature, nothing may be left unused.
step "cargo clippy --no-default-features"
cargo clippy --release -p newsbait --no-default-features -- -D warnings
step "cargo test --release"
cargo test --release

# >>> Python package tests (issue 11/12: crates/newsbait-py). Called only once the script
# exists; it builds the extension and runs its tests, PySpark ones included (Java 17).
if [ -f "$PY_TESTS" ]; then
    step "$PY_TESTS"
    bash "$PY_TESTS"
else
    step "no $PY_TESTS yet: Python package tests skipped"
fi
# <<< Python package tests

if [ "${SKIP_NOTEBOOK:-0}" = 1 ]; then
    step "SKIP_NOTEBOOK=1: notebook skipped"
else
    step "notebooks/run.sh"
    bash notebooks/run.sh
fi
step "all checks passed"
