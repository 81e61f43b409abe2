#!/usr/bin/env bash
# Builds node-llama-cpp's native addon with CUDA on a GPU machine that has nvcc and CMake but no
# Node.js and no registry, from what pack.sh carried there, and places it where node-llama-cpp
# looks for a local build, so that the sidecar's getLlama({ gpu: "cuda", build: "never" }) loads it.
#
#   bash services/inference/gpu/build-cuda.sh [options] STEP...
#
# Steps, run in the order given:
#   unpack   verify each carry folder's SHA256SUMS, then install what it holds: Node into
#            .cache/gpu-run/node, node_modules into the repository root, the llama.cpp source,
#            the documents, the GGUF parts (staged)
#   join     join the GGUF parts into .cache/models/ and check the whole file's sha256
#   build    configure and compile the addon (CUDA; --cpu: the same addon without CUDA), then place
#   wait     wait for a build started with --detach
#   place    put the build's outputs into node_modules/node-llama-cpp/llama/localBuilds/<name>/
#   check    getLlama({ gpu, build: "never" }) must load that local build (and run the model if joined)
#   all      unpack join build check
#
# Options:
#   --root DIR          repository root to work in (default: this checkout)
#   --carry DIR         where pack.sh's call-N folders are (default ROOT/.cache/gpu-carry)
#   --from DIR          unpack only this carry folder (repeatable; default: every call-N under --carry)
#   --cpu               build and check the CPU addon (no CUDA): the same steps, runnable anywhere
#   --cuda-arch N       CUDA architecture, e.g. 90 (default: nvidia-smi's compute_cap, else 90)
#   --jobs N            parallel compile jobs (default: all cores)
#   --node FILE         Node binary to run the helper scripts with (default: the unpacked one, else PATH)
#   --built DIR         place: take the outputs from DIR instead of the build folder
#   --detach            build: run in a new session in the background (log .cache/gpu-run/build-<gpu>.log)
#   --wait-timeout S    wait: give up after S seconds (default 480)
#   --dry-run           build: print the cmake commands instead of running them
#   --force             unpack: replace a node_modules that pack.sh did not put there
#   --skip-model        check: load the binary only, not the joined model
# Environment: BUILD_CUDA_EXTRA_CMAKE (extra -D options, space-separated), OUT (device result
# folder: logs and build info are copied there), BUILD_CUDA_NO_XZ=1 (decompress with python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/$(basename "${BASH_SOURCE[0]}")"

usage() {
  sed -n '6,34p' "$script" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() {
  echo "build-cuda.sh: $*" >&2
  exit 1
}
log() { echo "build-cuda.sh: $*" >&2; }

root="$(cd "$here/../../.." && pwd)"
carry=""
froms=()
gpu="cuda"
cuda_arch=""
jobs="$(nproc)"
node_arg=""
built=""
detach=0
wait_timeout=480
dry_run=0
force=0
skip_model=0
steps=()
passthrough=()

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a value}"; passthrough+=("$1" "$2"); shift 2 ;;
    --carry) carry="${2:?--carry needs a value}"; passthrough+=("$1" "$2"); shift 2 ;;
    --from) froms+=("${2:?--from needs a value}"); shift 2 ;;
    --cpu) gpu="false"; passthrough+=("$1"); shift ;;
    --cuda-arch) cuda_arch="${2:?--cuda-arch needs a value}"; passthrough+=("$1" "$2"); shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a value}"; passthrough+=("$1" "$2"); shift 2 ;;
    --node) node_arg="${2:?--node needs a value}"; passthrough+=("$1" "$2"); shift 2 ;;
    --built) built="${2:?--built needs a value}"; shift 2 ;;
    --detach) detach=1; shift ;;
    --wait-timeout) wait_timeout="${2:?--wait-timeout needs a value}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --force) force=1; shift ;;
    --skip-model) skip_model=1; shift ;;
    -h | --help) usage ;;
    unpack | join | build | wait | place | check) steps+=("$1"); shift ;;
    all) steps+=(unpack join build check); shift ;;
    -*) echo "build-cuda.sh: unknown option: $1" >&2; usage ;;
    *) echo "build-cuda.sh: unknown step: $1 (unpack, join, build, wait, place, check, all)" >&2; usage ;;
  esac
done
[ ${#steps[@]} -gt 0 ] || { echo "build-cuda.sh: no step given" >&2; usage; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive whole number, got '$jobs'"
[[ "$wait_timeout" =~ ^[0-9]+$ ]] || die "--wait-timeout: expected seconds, got '$wait_timeout'"
if [ -n "$cuda_arch" ]; then
  [[ "$cuda_arch" =~ ^[1-9][0-9]{1,2}[af]?$ ]] || die "--cuda-arch: expected e.g. 90 or 120a, got '$cuda_arch'"
  [ "$gpu" = cuda ] || die "--cuda-arch does not go with --cpu"
fi
[ -d "$root" ] || die "--root: $root is not a directory"
root="$(cd "$root" && pwd)"
carry="${carry:-$root/.cache/gpu-carry}"
run="$root/.cache/gpu-run"
modules="$root/node_modules"
label=$([ "$gpu" = cuda ] && echo cuda || echo cpu)
mkdir -p "$run"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# xz -dc, or Python's lzma where xz is not installed (BUILD_CUDA_NO_XZ=1 forces that path).
unxz() {
  if [ -z "${BUILD_CUDA_NO_XZ:-}" ] && command -v xz >/dev/null; then
    xz -dc "$1"
  else
    command -v python3 >/dev/null || die "neither xz nor python3 to decompress $1"
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer, 1 << 20)' "$1"
  fi
}
to_out() { if [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ]; then cp "$@" "$OUT/" 2>/dev/null || true; fi; }

node_bin() {
  if [ -n "$node_arg" ]; then echo "$node_arg"
  elif [ -x "$run/node/bin/node" ]; then echo "$run/node/bin/node"
  elif command -v node >/dev/null; then command -v node
  else die "no Node binary: unpack the carry folder that holds node-linux-x64.xz first"
  fi
}

cuda_home() {
  local nvcc
  nvcc="$(command -v nvcc || true)"
  [ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; }
  [ -n "$nvcc" ] || return 1
  dirname "$(dirname "$(readlink -f "$nvcc")")"
}

# --- unpack -----------------------------------------------------------------------------------
step_unpack() {
  local dirs=("${froms[@]}")
  if [ ${#dirs[@]} -eq 0 ]; then
    shopt -s nullglob
    dirs=("$carry"/call-*)
    shopt -u nullglob
  fi
  [ ${#dirs[@]} -gt 0 ] || die "unpack: no carry folder (no call-N under $carry; pass --from DIR)"
  local d f out bad
  for d in "${dirs[@]}"; do
    [ -f "$d/SHA256SUMS" ] || die "unpack: $d has no SHA256SUMS (not a folder written by pack.sh)"
    if ! out="$(cd "$d" && sha256sum -c SHA256SUMS 2>&1)"; then
      bad="$(echo "$out" | grep -v ': OK$' | sed 's/^/  /')"
      die "unpack: refusing $d: files do not match their sha256 (corrupt or incomplete in transit; pack and send this call again):
$bad"
    fi
    log "unpack: $d verified ($(grep -c . "$d/SHA256SUMS") files)"
    while read -r _ f; do
      case "$f" in
        node-linux-x64.xz) unpack_node "$d" ;;
        node_modules.tar.xz) unpack_modules "$d/$f" ;;
        llama-src.tar.xz) unpack_llama "$d/$f" ;;
        documents.jsonl) cp "$d/$f" "$run/documents.jsonl"; log "unpack: documents ($(grep -c . "$run/documents.jsonl"))" ;;
        node.sha256) ;;
        *.part-[0-9][0-9]-of-[0-9][0-9] | *.gguf.sha256)
          mkdir -p "$run/parts"
          ln -f "$d/$f" "$run/parts/$f" 2>/dev/null || cp "$d/$f" "$run/parts/$f"
          ;;
        *) log "unpack: $f: not an artifact this script knows; left in $d" ;;
      esac
    done <"$d/SHA256SUMS"
    if [ -d "$run/parts" ]; then
      log "unpack: GGUF parts staged: $(cd "$run/parts" && ls | grep -c '\.part-' || true)"
    fi
  done
}

unpack_node() {
  local d="$1" expected
  [ -f "$d/node.sha256" ] || die "unpack: $d/node.sha256 missing"
  expected="$(cut -d' ' -f1 "$d/node.sha256")"
  if [ -x "$run/node/bin/node" ] && [ "$(sha "$run/node/bin/node")" = "$expected" ]; then
    log "unpack: node already in place"
    return
  fi
  mkdir -p "$run/node/bin"
  unxz "$d/node-linux-x64.xz" >"$run/node/bin/node.tmp"
  [ "$(sha "$run/node/bin/node.tmp")" = "$expected" ] || { rm -f "$run/node/bin/node.tmp"; die "unpack: the decompressed Node binary does not match node.sha256"; }
  chmod +x "$run/node/bin/node.tmp"
  mv "$run/node/bin/node.tmp" "$run/node/bin/node"
  log "unpack: node $("$run/node/bin/node" --version) -> $run/node/bin/node"
}

unpack_modules() {
  local tarball="$1" key
  key="$(sha "$tarball")"
  if [ -f "$modules/.gpu-carry" ] && [ "$(cat "$modules/.gpu-carry")" = "$key" ]; then
    log "unpack: node_modules already in place"
    return
  fi
  if [ -d "$modules" ] && [ ! -f "$modules/.gpu-carry" ] && [ "$force" -ne 1 ]; then
    die "unpack: $modules exists and was not unpacked by this script; refusing to replace it (--force to replace, --root to unpack elsewhere)"
  fi
  rm -rf "$modules"
  unxz "$tarball" | tar -xf - -C "$root"
  echo "$key" >"$modules/.gpu-carry"
  log "unpack: node_modules ($(ls "$modules" | wc -l) entries) -> $modules"
}

unpack_llama() {
  local tarball="$1" key
  key="$(sha "$tarball")"
  if [ -f "$run/addon-src/.llama-src" ] && [ "$(cat "$run/addon-src/.llama-src")" = "$key" ]; then
    log "unpack: llama.cpp source already in place"
    return
  fi
  rm -rf "$run/addon-src"
  mkdir -p "$run/addon-src"
  unxz "$tarball" | tar -xf - -C "$run/addon-src"
  echo "$key" >"$run/addon-src/.llama-src"
  log "unpack: llama.cpp source $(cat "$run/addon-src/llama.cpp/nlc-source.json") -> $run/addon-src/llama.cpp"
}

# --- join -------------------------------------------------------------------------------------
step_join() {
  shopt -s nullglob
  local sums=("$run"/parts/*.sha256)
  shopt -u nullglob
  [ ${#sums[@]} -gt 0 ] || die "join: no GGUF parts staged (unpack the calls that carry them first)"
  local s name expected count i missing parts target got
  for s in "${sums[@]}"; do
    name="$(basename "$s" .sha256)"
    expected="$(cut -d' ' -f1 "$s")"
    target="$root/.cache/models/$name"
    if [ -f "$target" ] && [ "$(sha "$target")" = "$expected" ]; then
      log "join: $name already joined and verified"
      continue
    fi
    parts=("$run/parts/$name".part-*)
    [ -e "${parts[0]}" ] || die "join: $name: no parts staged"
    count="${parts[0]##*-of-}"
    missing=""
    for ((i = 1; i <= 10#$count; i++)); do
      [ -f "$run/parts/$name.part-$(printf '%02d' "$i")-of-$count" ] || missing="$missing $(printf '%02d' "$i")"
    done
    [ -z "$missing" ] || die "join: $name: have ${#parts[@]} of $count parts; missing:$missing (send the calls that carry them)"
    mkdir -p "$root/.cache/models"
    cat "${parts[@]}" >"$target.tmp"
    got="$(sha "$target.tmp")"
    if [ "$got" != "$expected" ]; then
      rm -f "$target.tmp"
      die "join: refusing $name: the joined file's sha256 is $got, expected $expected (a part is corrupt; send its call again)"
    fi
    mv "$target.tmp" "$target"
    log "join: $name ($(stat -c %s "$target") bytes, sha256 verified) -> $target"
  done
}

# --- build ------------------------------------------------------------------------------------
layout_json() {
  local node
  node="$(node_bin)"
  [ -d "$modules/node-llama-cpp" ] || die "$modules/node-llama-cpp missing (unpack node_modules first)"
  "$node" "$here/addon-layout.ts" --modules "$modules" --gpu "$gpu"
}
json_field() { "$(node_bin)" -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(o[process.argv[1]])' "$1"; }

detect_arch() {
  if [ -n "$cuda_arch" ]; then echo "$cuda_arch"; return; fi
  local cap
  cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .' || true)"
  if [[ "$cap" =~ ^[0-9]{2,3}$ ]]; then echo "$cap"; else log "build: no compute capability from nvidia-smi; using 90 (H100/H200)"; echo 90; fi
}

step_build() {
  local status="$run/build-$label.status" logf="$run/build-$label.log"
  if [ "$detach" -eq 1 ] && [ "$dry_run" -eq 0 ]; then
    command -v setsid >/dev/null || die "build --detach needs setsid"
    echo "started $(date +%s)" >"$status"
    rm -f "$run/build-$label.pid"
    # A new session, so that the build outlives this command (the device keeps such processes).
    setsid nohup bash "$script" "${passthrough[@]}" build >"$logf" 2>&1 </dev/null &
    log "build: started in the background (log $logf); 'wait' waits for it"
    return
  fi
  local node src bld layout folder variant node_version generator arch="" nvcc="" home=""
  node="$(node_bin)"
  command -v cmake >/dev/null || die "build: cmake not found"
  [ -f "$run/addon-src/llama.cpp/CMakeLists.txt" ] || die "build: no llama.cpp source in $run/addon-src (unpack llama-src.tar.xz first)"
  local nlc="$modules/node-llama-cpp/llama"
  [ -f "$nlc/CMakeLists.txt" ] || die "build: $nlc/CMakeLists.txt missing (unpack node_modules first)"
  [ -f "$modules/node-api-headers/include/node_api.h" ] || die "build: node-api-headers missing from $modules"
  [ -f "$modules/node-addon-api/napi.h" ] || die "build: node-addon-api missing from $modules"
  if [ "$gpu" = cuda ]; then
    home="$(cuda_home)" || die "build: nvcc not found: this step builds the CUDA backend (pass --cpu to build the CPU addon)"
    nvcc="$home/bin/nvcc"
    arch="$(detect_arch)"
  fi
  layout="$(layout_json)"
  folder="$(echo "$layout" | json_field folderName)"
  variant="$(echo "$layout" | json_field binVariant)"
  node_version="$("$node" -p 'process.versions.node')"
  src="$run/addon-src"
  bld="$run/build-$label"
  # node-llama-cpp's CMake project (llama/CMakeLists.txt, addon/, cmake/) around the llama.cpp source.
  cp "$nlc/CMakeLists.txt" "$src/"
  rm -rf "$src/addon" "$src/cmake"
  cp -r "$nlc/addon" "$nlc/cmake" "$src/"
  generator="Unix Makefiles"
  command -v ninja >/dev/null && generator="Ninja"
  # The options node-llama-cpp's compileLlamaCpp passes through cmake-js (non-CI build for this machine).
  local defs=(
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CONFIGURATION_TYPES=Release -DCMAKE_JS_VERSION=8.0.0
    "-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=$bld/Release"
    "-DCMAKE_JS_INC=$modules/node-api-headers/include;$modules/node-addon-api"
    -DCMAKE_JS_SRC= -DCMAKE_JS_LIB= -DNODE_RUNTIME=node "-DNODE_RUNTIMEVERSION=$node_version" -DNODE_ARCH=x64
    -DGGML_BUILD_NUMBER=1 -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 "-DNLC_VARIANT=$variant"
    -DGGML_METAL=OFF -DGGML_CCACHE=OFF -DLLAMA_CURL=OFF -DLLAMA_HTTPLIB=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF
    # Not node-llama-cpp's GGML_NATIVE=ON: a -march=native build died with SIGILL on the
    # virtual machine this was tested on (its CPUID offers AMX and AVX512-FP16). The portable
    # AVX2/FMA/F16C level runs on any server CPU, and with every layer on the GPU the CPU
    # backend's SIMD level hardly matters.
    -DGGML_NATIVE=OFF
    # As in node-llama-cpp's prebuilt binaries (the ones every CPU figure so far was measured
    # with): OpenMP's spinning workers would compete with the sampling threads.
    -DGGML_OPENMP=OFF
  )
  if [ "$gpu" = cuda ]; then
    defs+=(-DGGML_CUDA=1 "-DCMAKE_CUDA_ARCHITECTURES=$arch-real" "-DCMAKE_CUDA_COMPILER=$nvcc")
  fi
  # shellcheck disable=SC2206
  if [ -n "${BUILD_CUDA_EXTRA_CMAKE:-}" ]; then defs+=(${BUILD_CUDA_EXTRA_CMAKE}); fi
  local configure=(cmake -S "$src" -B "$bld" -G "$generator" --no-warn-unused-cli "${defs[@]}")
  local compile=(cmake --build "$bld" --config Release --target llama-addon -j "$jobs")
  if [ "$dry_run" -eq 1 ]; then
    echo "folder: $folder (variant $variant)"
    printf '%q ' "${configure[@]}"; echo
    printf '%q ' "${compile[@]}"; echo
    return
  fi
  echo "running $(date +%s)" >"$status"
  echo $$ >"$run/build-$label.pid"
  trap 'rc=$?; [ $rc -eq 0 ] || echo "failed $rc" >"'"$status"'"' EXIT
  export PATH="$(dirname "$node"):$PATH"
  if [ -n "$home" ]; then export PATH="$home/bin:$PATH" CUDA_PATH="$home"; fi
  local t0 t1 t2
  t0=$(date +%s)
  log "build: configuring ($label${arch:+, sm_$arch}, $generator, $jobs jobs)"
  # An earlier build folder is reused (a second try recompiles only what changed); if CMake
  # refuses it, start afresh.
  if ! "${configure[@]}"; then
    log "build: configuring again in an empty folder"
    rm -rf "$bld"
    "${configure[@]}"
  fi
  t1=$(date +%s)
  log "build: compiling"
  "${compile[@]}"
  t2=$(date +%s)
  place_from "$bld" "$layout"
  local nvcc_version="" cmake_version
  if [ -n "$nvcc" ]; then nvcc_version="$("$nvcc" --version | tail -2 | head -1)"; fi
  cmake_version="$(cmake --version | head -1)"
  "$node" -e 'const [f,...a]=process.argv.slice(1);require("fs").writeFileSync(f,JSON.stringify({gpu:a[0],cudaArch:a[1]||null,jobs:+a[2],generator:a[3],configureSeconds:+a[4],compileSeconds:+a[5],folder:a[6],variant:a[7],nvcc:a[8]||null,cmake:a[9],cores:+a[10],extraCmake:a[11]||null},null,2)+"\n")' \
    "$run/build-$label.json" "$label" "$arch" "$jobs" "$generator" $((t1 - t0)) $((t2 - t1)) "$folder" "$variant" "$nvcc_version" "$cmake_version" "$(nproc)" "${BUILD_CUDA_EXTRA_CMAKE:-}"
  echo "ok $((t2 - t0))" >"$status"
  trap - EXIT
  log "build: done in $((t2 - t0)) s (configure $((t1 - t0)) s, compile $((t2 - t1)) s)"
  to_out "$run/build-$label.json"
}

step_wait() {
  local status="$run/build-$label.status" logf="$run/build-$label.log" t0 state last=0
  [ -f "$status" ] || die "wait: no $label build was started (run 'build --detach' first)"
  t0=$(date +%s)
  while :; do
    state="$(cut -d' ' -f1 "$status")"
    case "$state" in
      ok) log "wait: build finished ($(cut -d' ' -f2 "$status") s)"; to_out "$run/build-$label.json"; break ;;
      failed)
        tail -n 60 "$logf" >&2 || true
        to_out "$logf"
        die "wait: the $label build failed (exit $(cut -d' ' -f2 "$status")); log: $logf"
        ;;
    esac
    if [ -f "$run/build-$label.pid" ] && ! kill -0 "$(cat "$run/build-$label.pid")" 2>/dev/null && [ "$(cut -d' ' -f1 "$status")" != ok ]; then
      sleep 1
      [ "$(cut -d' ' -f1 "$status")" = ok ] && continue
      tail -n 60 "$logf" >&2 || true
      to_out "$logf"
      die "wait: the background build (pid $(cat "$run/build-$label.pid")) is gone without finishing; log: $logf"
    fi
    if [ $(($(date +%s) - t0)) -ge "$wait_timeout" ]; then
      to_out "$logf"
      die "wait: the $label build is still running after $wait_timeout s; log: $logf"
    fi
    if [ $(($(date +%s) - last)) -ge 30 ]; then
      last=$(date +%s)
      log "wait: building ($(($(date +%s) - t0)) s): $(tail -n 1 "$logf" 2>/dev/null | cut -c1-120)"
    fi
    sleep 2
  done
  if [ -f "$logf" ]; then
    tail -c 2000000 "$logf" >"$run/build-$label.log.tail"
    to_out "$run/build-$label.log.tail"
  fi
  return 0
}

# --- place ------------------------------------------------------------------------------------
# What compileLlamaCpp's moveBuildFilesToResultDir gathers: <build>/Release plus <build>/bin and
# <build>/llama.cpp/bin (llama.cpp's shared libraries), all into localBuilds/<name>/Release,
# then the build metadata and buildDone.status that getLocalBuildBinaryPath requires.
place_from() {
  local from="$1" layout="$2" release metadata_file folder_dir n=0 d f
  release="$(echo "$layout" | json_field releaseDir)"
  metadata_file="$(echo "$layout" | json_field metadataFile)"
  folder_dir="$(dirname "$release")"
  local sources=()
  if [ -f "$from/llama-addon.node" ]; then sources=("$from")
  else for d in "$from/Release" "$from/bin" "$from/llama.cpp/bin"; do [ -d "$d" ] && sources+=("$d"); done
  fi
  [ ${#sources[@]} -gt 0 ] || die "place: nothing built in $from"
  rm -rf "$folder_dir"
  mkdir -p "$release"
  for d in "${sources[@]}"; do
    for f in "$d"/*; do
      [ -f "$f" ] || continue
      case "$(basename "$f")" in
        *.node | *.so | *.so.*) cp -P "$f" "$release/"; n=$((n + 1)) ;;
      esac
    done
  done
  [ -f "$release/llama-addon.node" ] || die "place: no llama-addon.node in $from"
  echo "$layout" | "$(node_bin)" -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8"));require("fs").writeFileSync(process.argv[1],JSON.stringify(o.metadata))' "$metadata_file"
  : >"$folder_dir/buildDone.status"
  log "place: $n files -> $release"
}

step_place() {
  local from="${built:-$run/build-$label}"
  [ -d "$from" ] || die "place: $from does not exist (build first, or pass --built DIR)"
  place_from "$from" "$(layout_json)"
}

# --- check ------------------------------------------------------------------------------------
step_check() {
  local node args=() s name
  node="$(node_bin)"
  args=(--modules "$modules" --gpu "$gpu" --json "$run/check-$label.json")
  shopt -s nullglob
  for s in "$run"/parts/*.sha256; do
    [ "$skip_model" -eq 0 ] || break
    name="$(basename "$s" .sha256)"
    if [ -f "$root/.cache/models/$name" ]; then args+=(--model "$root/.cache/models/$name"); break; fi
  done
  shopt -u nullglob
  if [ -f "$root/training/artifacts/extraction-lora-v1.gguf" ] && [[ " ${args[*]} " == *" --model "* ]]; then
    args+=(--lora "$root/training/artifacts/extraction-lora-v1.gguf")
  fi
  local home
  if [ "$gpu" = cuda ] && home="$(cuda_home)"; then export LD_LIBRARY_PATH="$home/lib64:${LD_LIBRARY_PATH:-}"; fi
  "$node" "$here/check-load.ts" "${args[@]}"
  to_out "$run/check-$label.json"
}

for s in "${steps[@]}"; do
  "step_$s"
done
