#!/usr/bin/env bash
# Builds one binary of the workspace (release profile) and prints the path of its
# executable as cargo reports it, so that CARGO_TARGET_DIR, a workspace layout or a
# build.target-dir setting all work. Cargo's own messages go to stderr.
#
#   EVAL="$(scripts/release-bin.sh newsbait-eval)"
#
# Needs cargo and python3 (to read cargo's JSON messages).
set -euo pipefail

name="${1:?usage: scripts/release-bin.sh BINARY}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# `--workspace` finds the binary whichever package of the workspace holds it.
exe="$(cd "$ROOT" && cargo build --release --workspace --bin "$name" \
        --message-format=json-render-diagnostics \
    | python3 -c '
import json, sys
exe = ""
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
            and msg["target"]["name"] == sys.argv[1]:
        exe = msg["executable"]
print(exe)
' "$name")"
if [ -z "$exe" ] || [ ! -x "$exe" ]; then
    echo "error: cargo built $name but did not report its executable (got '$exe')" >&2
    exit 1
fi
echo "$exe"
