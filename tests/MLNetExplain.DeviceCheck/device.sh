#!/usr/bin/env bash
# Runs the device check on the GPU machine, from the repository root, with .device/ (made by pack.sh) carried:
#   1. prints the toolchain and GPU it finds;
#   2. unpacks .device/devicecheck.tar.gz into $WORK (/tmp/mlx-devicecheck);
#   3. builds the native shim against that machine's libtorch (Python torch's CMake config), printing every compile
#      error in full; if CMake cannot configure or build (e.g. torch's CUDA config wants a CUDA toolkit that is not
#      there), builds the same sources with g++ directly against torch's headers and libraries;
#   4. replaces the packed CPU libmlx_torch.so with it and runs the check with --device $DEVICE.
# Arguments go to the check (e.g. --only a,b or --quick). The log is teed to $OUT/device-check.log when $OUT is set.
#
# Settings (environment): PYTHON (python3), DEVICE (cuda), WORK (/tmp/mlx-devicecheck), SHIM_BUILD (/tmp/shim),
# TORCH_PREFIX (torch.utils.cmake_prefix_path), BUILD_MODE (cmake: CMake then direct g++ if it fails; direct: g++ only).
# To rehearse on a CPU machine with Debian's libtorch:
#   PYTHON=/usr/bin/python3 TORCH_PREFIX=/usr/lib/x86_64-linux-gnu/cmake DEVICE=cpu tests/MLNetExplain.DeviceCheck/device.sh --quick
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
WORK=${WORK:-/tmp/mlx-devicecheck}
SHIM_BUILD=${SHIM_BUILD:-/tmp/shim}
BUILD_MODE=${BUILD_MODE:-cmake}
tarball=.device/devicecheck.tar.gz

phase() { echo; echo "== device.sh: $* ($(date +%T), ${SECONDS}s)"; }

# Prints a log in full (compile errors must not be cut), also into $OUT when set. A long log's first errors are
# repeated after it, so the end of the output (which is what a remote run returns) still shows where it started.
show_log() {
  cat "$1"
  if [[ -n "${OUT:-}" ]]; then cp "$1" "$OUT/$(basename "$1")"; fi
  if (($(wc -l <"$1") > 100)); then
    echo "---- first error lines of $1 ($(wc -l <"$1") lines in all):"
    grep -n -m 60 -E 'error|Error|undefined reference' "$1" | cut -c 1-600
  fi
}

build_cmake() {
  rm -rf "$SHIM_BUILD"
  echo "cmake -S $WORK/devicecheck/native -B $SHIM_BUILD -DCMAKE_PREFIX_PATH=$TORCH_PREFIX -DCMAKE_BUILD_TYPE=Release"
  if ! cmake -S "$WORK/devicecheck/native" -B "$SHIM_BUILD" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" \
      -DCMAKE_BUILD_TYPE=Release >"$WORK/shim-configure.log" 2>&1; then
    echo "CMake configure FAILED; its full output:"
    show_log "$WORK/shim-configure.log"
    return 1
  fi
  grep -iE 'torch|cuda|caffe2' "$WORK/shim-configure.log" | grep -v '^--.*Looking for' | head -n 30
  if ! cmake --build "$SHIM_BUILD" -j 16 -- VERBOSE=1 >"$WORK/shim-build.log" 2>&1; then
    echo "CMake build FAILED; its full output:"
    show_log "$WORK/shim-build.log"
    return 1
  fi
  grep -m 1 -E 'c\+\+|g\+\+' "$WORK/shim-build.log" | cut -c 1-1500 || true
  shim="$SHIM_BUILD/libmlx_torch.so"
}

# The same sources with g++ directly: libtorch's flags (ABI, standard) from the Python package.
build_direct() {
  local root inc lib abi std cuda=()
  root=$("$PYTHON" -c 'import torch, os; print(os.path.dirname(torch.__file__))') || return 1
  inc="$root/include"
  lib="$TORCH_LIB"
  abi=$("$PYTHON" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))') || return 1
  # Torch 2.12 and later require C++20 in their headers; the shim itself is C++17.
  std=$("$PYTHON" -c 'import torch; v = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]); print(20 if v >= (2, 12) else 17)')
  # libtorch_cuda registers CUDA with libtorch when loaded: link it even though no symbol of it is used.
  if [[ -e "$lib/libtorch_cuda.so" ]]; then cuda=(-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed); fi
  local dir="$WORK/shim-direct" failed=0 src
  mkdir -p "$dir"
  local flags=(-std=c++$std -O2 -fPIC -fvisibility=hidden -D_GLIBCXX_USE_CXX11_ABI=$abi
    -I "$WORK/devicecheck/native" -I "$inc" -I "$inc/torch/csrc/api/include")
  echo "g++ ${flags[*]} -c <each source>   (in parallel)"
  for src in "$WORK"/devicecheck/native/*.cpp; do
    g++ "${flags[@]}" -c "$src" -o "$dir/$(basename "$src" .cpp).o" >"$dir/$(basename "$src" .cpp).log" 2>&1 &
  done
  wait
  for src in "$WORK"/devicecheck/native/*.cpp; do
    if [[ ! -f "$dir/$(basename "$src" .cpp).o" ]]; then
      failed=1
      echo "g++ FAILED on $(basename "$src"); its full output:"
      show_log "$dir/$(basename "$src" .cpp).log"
    fi
  done
  ((failed == 0)) || return 1
  local link=(g++ -shared -o "$dir/libmlx_torch.so" "$dir"/*.o -L "$lib" -Wl,-rpath,"$lib" "${cuda[@]}" -ltorch -ltorch_cpu -lc10)
  echo "${link[*]}"
  if ! "${link[@]}" >"$dir/link.log" 2>&1; then
    echo "link FAILED; its full output:"
    show_log "$dir/link.log"
    return 1
  fi
  shim="$dir/libmlx_torch.so"
}

main() {
  phase "machine"
  echo "which g++ c++ cmake nvcc:"; which g++ c++ cmake nvcc
  g++ --version | head -n 1; cmake --version | head -n 1
  if command -v nvcc >/dev/null; then nvcc --version | tail -n 2; fi
  if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; fi
  echo "python: $(command -v "$PYTHON")"
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(),
      "cxx11 abi", torch._C._GLIBCXX_USE_CXX11_ABI)' || { echo "FAIL: $PYTHON cannot import torch"; return 1; }
  TORCH_PREFIX=${TORCH_PREFIX:-$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')}
  TORCH_LIB=$("$PYTHON" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  echo "TORCH_PREFIX=$TORCH_PREFIX"
  echo "TORCH_LIB=$TORCH_LIB"

  phase "unpack $tarball into $WORK"
  [[ -f $tarball ]] || { echo "FAIL: $tarball is missing (run tests/MLNetExplain.DeviceCheck/pack.sh and carry .device)"; return 1; }
  rm -rf "$WORK" && mkdir -p "$WORK" && tar -xzf "$tarball" -C "$WORK" || { echo "FAIL: cannot unpack $tarball"; return 1; }
  cat "$WORK/devicecheck/BUILD_INFO"

  phase "build the native shim against this libtorch ($BUILD_MODE)"
  shim=""
  if [[ $BUILD_MODE == cmake ]]; then
    build_cmake || { phase "CMake failed: building with g++ directly"; build_direct; } || true
  else
    build_direct || true
  fi
  [[ -n $shim && -f $shim ]] || { echo "FAIL: the shim did not build (errors above)"; return 1; }
  echo "built $shim; NEEDED:"
  readelf -d "$shim" | grep NEEDED
  if [[ $DEVICE == cuda* ]] && ! readelf -d "$shim" | grep -q 'libtorch_cuda'; then
    echo "NOTE: libtorch_cuda.so is not a direct dependency; CUDA registers only if libtorch.so pulls it in."
  fi

  local app="$WORK/devicecheck/app"
  cp "$shim" "$app/libmlx_torch.so"
  export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "resolved (ldd):"
  ldd "$app/libmlx_torch.so" | grep -E 'torch|c10|cuda|cudart|not found'
  if ldd "$app/libmlx_torch.so" | grep -q 'not found'; then echo "FAIL: unresolved libraries (above)"; return 1; fi

  phase "run the check: --device $DEVICE $*"
  local run=("$app/MLNetExplain.DeviceCheck")
  [[ -x "$app/run.sh" ]] && run=("$app/run.sh")   # the framework-dependent pack
  "${run[@]}" --device "$DEVICE" --python "$PYTHON" "$@"
  local rc=$?
  phase "done: the check exited with $rc"
  return $rc
}

if [[ -n "${OUT:-}" ]]; then
  mkdir -p "$OUT"
  main "$@" 2>&1 | tee "$OUT/device-check.log"
  exit "${PIPESTATUS[0]}"
fi
main "$@"
