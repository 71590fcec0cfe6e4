#!/usr/bin/env bash
# Builds the Python package into its own virtual environment and runs pytest
# over crates/newsbait-py/tests (API, fork, training, datatrove, Spark local[2]).
#
#   bash crates/newsbait-py/run-tests.sh [pytest args...]
#
# NEWSBAIT_PY_VENV: the environment (default: $CARGO_TARGET_DIR or ./target, /py-venv);
# PYTHON: the interpreter that creates it (default: python3).
# Works unattended (CI=true, no stdin); the first run downloads the pinned
# packages of requirements-test.txt (pyspark is about 450 MB).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
venv="${NEWSBAIT_PY_VENV:-$target/py-venv}"
# The extension builds into the project's target directory ($CARGO_TARGET_DIR
# if set): it is a member of the root's workspace (one Cargo.lock), so the
# dependencies `cargo test --release` built are reused, not compiled again.
export CARGO_TARGET_DIR="$target"
python="${PYTHON:-python3}"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi

# Install the pinned test packages once per version of requirements-test.txt.
stamp="$venv/.newsbait-requirements"
if ! cmp -s "$here/requirements-test.txt" "$stamp"; then
    echo "== installing test packages (requirements-test.txt)"
    start=$SECONDS
    "$venv/bin/python" -m pip install -q -r "$here/requirements-test.txt"
    cp "$here/requirements-test.txt" "$stamp"
    echo "   took $((SECONDS - start)) s"
fi

echo "== building newsbait (maturin develop --release)"
start=$SECONDS
(
    cd "$here"
    VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" "$venv/bin/maturin" develop --release
)
echo "   took $((SECONDS - start)) s"

export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
fi

echo "== pytest"
cd "$here"
exec "$venv/bin/python" -m pytest -q "$@" </dev/null
