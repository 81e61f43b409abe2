#!/usr/bin/env bash
# Runs the GPU benchmark (services/inference/bench/gpu-bench.ts) on the GPU machine after
# build-cuda.sh: the sidecar with INFERENCE_GPU=cuda, the shipped adapter and grounded decoding
# (the sidecar's defaults), over the carried documents; writes the report into $OUT.
#
#   bash services/inference/gpu/run-bench.sh [--deadline-at EPOCH_S | --deadline-s N] [--cpu]
#       [--root DIR] [-- gpu-bench options...]
#
# The whole run ends by the deadline (default: 540 s from now): the bench shrinks its windows to
# fit, and is stopped (SIGTERM, then SIGKILL) 10 s after it if it has not ended; the report is
# rewritten after every step. --cpu runs the same on CPU (INFERENCE_GPU=off), to rehearse here.
# Writes gpu-bench.json, gpu-bench.md and gpu-bench.log into $OUT (default .cache/gpu-bench).
# Environment passed through: INFERENCE_* (e.g. INFERENCE_BATCH_SIZE), UV_THREADPOOL_SIZE
# (default: the number of cores, so that llama.cpp's sampling workers of many sequences are not
# queued behind libuv's 4 threads), LOG_LEVEL (default warn).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
usage() {
  sed -n '6,7p' "$here/run-bench.sh" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() {
  echo "run-bench.sh: $*" >&2
  exit 1
}

deadline_at=""
deadline_s=540
gpu=cuda
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --deadline-at) deadline_at="${2:?--deadline-at needs a value}"; shift 2 ;;
    --deadline-s) deadline_s="${2:?--deadline-s needs a value}"; shift 2 ;;
    --cpu) gpu=off; shift ;;
    --root) root="$(cd "${2:?--root needs a value}" && pwd)"; shift 2 ;;
    -h | --help) usage ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run-bench.sh: unknown argument: $1" >&2; usage ;;
  esac
done
now=$(date +%s)
if [ -n "$deadline_at" ]; then
  [[ "$deadline_at" =~ ^[0-9]+$ ]] || die "--deadline-at: expected epoch seconds, got '$deadline_at'"
else
  [[ "$deadline_s" =~ ^[0-9]+$ ]] || die "--deadline-s: expected seconds, got '$deadline_s'"
  deadline_at=$((now + deadline_s))
fi
left=$((deadline_at - now))
[ "$left" -ge 60 ] || die "only $left s left before the deadline; the bench needs at least 60"

node="$root/.cache/gpu-run/node/bin/node"
[ -x "$node" ] || node="$(command -v node || true)"
[ -n "$node" ] || die "no Node binary (build-cuda.sh unpack installs it into .cache/gpu-run/node)"
[ -d "$root/node_modules/node-llama-cpp" ] || die "$root/node_modules is missing node-llama-cpp (build-cuda.sh unpack)"
docs="$root/.cache/gpu-run/documents.jsonl"
[ -s "$docs" ] || die "$docs is missing (build-cuda.sh unpack)"
model="${INFERENCE_MODEL_PATH:-$root/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
[ -f "$model" ] || die "$model is missing (build-cuda.sh join)"

out="${OUT:-$root/.cache/gpu-bench}"
mkdir -p "$out"
export INFERENCE_GPU="$gpu"
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-$(nproc)}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
if [ "$gpu" = cuda ]; then
  nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
  if [ -x "$nvcc" ]; then export LD_LIBRARY_PATH="$(dirname "$(dirname "$(readlink -f "$nvcc")")")/lib64:${LD_LIBRARY_PATH:-}"; fi
fi

echo "run-bench.sh: $(basename "$node") $("$node" --version), INFERENCE_GPU=$INFERENCE_GPU, UV_THREADPOOL_SIZE=$UV_THREADPOOL_SIZE, $left s to the deadline, report in $out" >&2
set +e
(cd "$root" && timeout --signal=TERM --kill-after=10 "$((left + 10))" \
  "$node" services/inference/bench/gpu-bench.ts --file "$docs" --deadline-at "$deadline_at" --out "$out" "${extra[@]}") 2>&1 | tee "$out/gpu-bench.log"
rc=${PIPESTATUS[0]}
set -e
[ -f "$out/gpu-bench.md" ] && cat "$out/gpu-bench.md"
[ "$rc" -eq 0 ] || die "the bench ended with exit code $rc (124/137: stopped at the deadline); the report above is what it measured"
