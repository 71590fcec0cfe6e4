#!/usr/bin/env bash
# Set up the peers' venv (idempotent) and run peers.py with the given arguments.
# Works from any directory; paths are resolved relative to this script.
#   benches/peers/run.sh [--quick] [--no-loso] [--peers fasttext,mnb,cnb] [--out DIR] [--corpus DIR]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
VENV="${PEERS_VENV:-$ROOT/target/peers-venv}"

PEERS_VENV="$VENV" "$SCRIPT_DIR/setup.sh"
exec "$VENV/bin/python" "$SCRIPT_DIR/peers.py" "$@"
