#!/usr/bin/env bash
# Create (idempotently) the Python virtual environment for the peer baselines
# (fastText, scikit-learn MultinomialNB / ComplementNB, jieba; trafilatura for the
# HTML pages).
#
#   PEERS_VENV    venv location (default: <project root>/target/peers-venv)
#   PEERS_PYTHON  interpreter used to create it (default: python3)
#
# A stamp file inside the venv records a hash of the pinned requirements; when it
# matches, the script only checks the imports and exits (a second run takes ~1 s).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
VENV="${PEERS_VENV:-$ROOT/target/peers-venv}"
PYTHON="${PEERS_PYTHON:-python3}"
REQUIREMENTS="$SCRIPT_DIR/requirements.txt"

# fasttext 0.9.3 has no wheel on PyPI: pip compiles it (needs g++, ~2 min on 2 cores).
# fasttext-wheel 0.9.2 ships prebuilt wheels that provide the same `fasttext` module.
FASTTEXT_SPEC="fasttext==0.9.3"
FASTTEXT_FALLBACK="fasttext-wheel==0.9.2"

log() { echo "[peers/setup] $*" >&2; }

# Install Debian packages that are missing (only possible as root with apt-get).
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
        log "missing system packages ($*) and cannot apt-get install them; continuing"
        return 0
    fi
    log "apt-get install -y $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_system_packages() {
    local missing=()
    command -v "$PYTHON" >/dev/null 2>&1 || missing+=(python3)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)   # to compile fasttext
    if command -v "$PYTHON" >/dev/null 2>&1 \
        && ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        missing+=(python3-venv)                        # Debian's python3 splits venv out
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

requirements_hash() {
    { cat "$REQUIREMENTS"; echo "$FASTTEXT_SPEC $FASTTEXT_FALLBACK"; } | sha256sum | cut -d' ' -f1
}

check_imports() {
    "$VENV/bin/python" - <<'PY'
import fasttext, jieba, numpy, sklearn, trafilatura, lxml_html_clean
assert numpy.__version__.startswith("1."), "fasttext predict needs numpy<2"
print(f"[peers/setup] ok: numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, "
      f"jieba {jieba.__version__}, trafilatura {trafilatura.__version__}, "
      f"fasttext module from {fasttext.__file__}")
PY
}

install_requirements() {
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
    "${pip[@]}" install -q -r "$REQUIREMENTS"
    log "installing $FASTTEXT_SPEC (compiles from source)"
    if ! "${pip[@]}" install -q "$FASTTEXT_SPEC"; then
        log "$FASTTEXT_SPEC failed to build; installing $FASTTEXT_FALLBACK instead"
        "${pip[@]}" install -q "$FASTTEXT_FALLBACK"
    fi
}

main() {
    local want stamp="$VENV/.peers-requirements.sha256"
    want="$(requirements_hash)"
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        check_imports
        return 0
    fi
    ensure_system_packages
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating venv at $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    install_requirements
    check_imports
    echo "$want" > "$stamp"
    log "done"
}

main "$@"
