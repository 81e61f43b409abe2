#!/usr/bin/env bash
# Side by side with the `eval` command: two sidecars that differ in one setting.
#
#   training/evaluate.sh [--compare adapter|decoding|guided] [--data FILE] [--limit N] [--adapter FILE]
#                        [--out DIR] [--price-per-cpu-hour USD] [--confidence true|false]
#
# --compare adapter (default): the prompted base model (INFERENCE_LORA_PATH=none) against base +
#   adapter, both with grounded decoding; writes DIR/base.json and DIR/finetuned.json.
# --compare decoding: base + adapter with the open grammar (INFERENCE_DECODING=open) against
#   grounded decoding; writes DIR/open.json and DIR/grounded.json.
# --compare guided: grounded decoding against guided decoding (every field the document labels
#   unambiguously fixed to the labelled-field reader's value); writes DIR/grounded.json and DIR/guided.json.
# Both sidecars have the same base GGUF, prompt and greedy decoding, one thread each, and are
# evaluated at once on the same documents (one `eval` process per sidecar, so neither waits for
# the other on a machine with two or more cores). Each sidecar has one core, so a cpu-hour price
# gives the cost of a document on that core. Per-field confidence is on, as in production
# (--confidence false is faster). Also writes DIR/<name>.predictions.jsonl and DIR/comparison.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

compare=adapter
confidence=true
data=.cache/training/corpus/test.jsonl
limit=""
adapter=training/artifacts/extraction-lora-v1.gguf
out=.cache/training/eval
price=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --compare) compare="$2"; shift 2 ;;
    --confidence) confidence="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    --adapter) adapter="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --price-per-cpu-hour) price="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "evaluate: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
node=node_modules/.bin/node
python="${TRAINING_PYTHON:-$here/.venv/bin/python}"
for f in "$data" "$adapter" "$node" "$python"; do
  [[ -e "$f" ]] || { echo "evaluate: $f not found (see training/README.md, set-up)" >&2; exit 2; }
done
mkdir -p "$out"
run_dir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

start_sidecar() { # name lora-path decoding
  INFERENCE_LISTEN_ADDRESS="unix:$run_dir/$1.sock" INFERENCE_LORA_PATH="$2" INFERENCE_DECODING="$3" \
    INFERENCE_THREADS=1 INFERENCE_SEQUENCES=1 INFERENCE_CONFIDENCE="$confidence" LOG_LEVEL=warn \
    "$node" services/inference/src/main.ts >"$out/$1.sidecar.log" 2>&1 &
  pids+=($!)
}
case "$compare" in
  adapter) first=base; second=finetuned; start_sidecar base none grounded; start_sidecar finetuned "$adapter" grounded ;;
  decoding) first=open; second=grounded; start_sidecar open "$adapter" open; start_sidecar grounded "$adapter" grounded ;;
  guided) first=grounded; second=guided; start_sidecar grounded "$adapter" grounded; start_sidecar guided "$adapter" guided ;;
  *) echo "evaluate: --compare adapter|decoding|guided, not $compare" >&2; exit 2 ;;
esac

limit_args=()
[[ -n "$limit" ]] && limit_args=(--limit "$limit")
eval_one() { # name
  # Progress lines (every 10%) go to the terminal and to the log.
  "$node" services/eval/src/cli.ts --data "$data" "${limit_args[@]}" --concurrency 1 \
    --price-per-hour "$price" --price-unit cpu-hour --target "$1=unix://$run_dir/$1.sock" --json "$out/$1.json" --predictions "$out/$1.predictions.jsonl" >"$out/$1.txt" 2> >(tee "$out/$1.eval.log" >&2)
}
echo "evaluate: $first vs $second ($adapter) on $data${limit:+ (first $limit)}; logs in $out/" >&2
eval_one "$first" & first_pid=$!
eval_one "$second" & second_pid=$!
status=0
wait "$first_pid" || status=$?
wait "$second_pid" || status=$?
if [[ $status -ne 0 ]]; then
  echo "evaluate: eval failed ($status); see $out/*.eval.log and $out/*.sidecar.log" >&2
  exit "$status"
fi
PYTHONPATH="$here" "$python" -m liability_training.compare_eval "$out/$first.json" "$out/$second.json" | tee "$out/comparison.md"
