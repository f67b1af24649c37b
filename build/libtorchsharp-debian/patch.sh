#!/usr/bin/env bash
# Makes TorchSharp's libLibTorchSharp.so load where libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04).
# Patches the copy in one build output folder (never the NuGet cache); a no-op where the host's libstdc++
# already has GLIBCXX_3.4.32 or where the folder holds no libLibTorchSharp.so. Idempotent.
# Usage: patch.sh OUTPUT_DIR   (see docs/engine.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: patch.sh OUTPUT_DIR}
required=GLIBCXX_3.4.32
stub=libmlnetexplain_iosinit.so

[[ $(uname -s) == Linux ]] || exit 0
lib=""
for candidate in "$out/libLibTorchSharp.so" "$out/runtimes/linux-x64/native/libLibTorchSharp.so"; do
  [[ -f $candidate ]] && { lib=$candidate; break; }
done
[[ -n $lib ]] || exit 0
# TorchSharp's loader may leave a cpu/ folder of copied natives beside the assembly; a stale one shadows ours.
rm -rf "$out/cpu"

libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
if [[ -n $libstdcxx ]] && grep -q "$required" "$libstdcxx"; then
  exit 0
fi
for tool in patchelf cc python3; do
  command -v "$tool" >/dev/null || { echo "MLNetExplain: $lib needs $required, which this libstdc++ lacks; the fix needs '$tool' (apt-get install patchelf gcc python3), or set MLNetExplainPatchLibTorchSharp=false." >&2; exit 1; }
done
dir=$(dirname "$lib")
if [[ ! -f $dir/$stub ]]; then
  cc -shared -fPIC -O2 -o "$dir/$stub.tmp" "$here/ios_base_stub.c"
  mv "$dir/$stub.tmp" "$dir/$stub"
fi
if ! patchelf --print-needed "$lib" | grep -qx "$stub"; then
  patchelf --add-needed "$stub" "$lib"
  echo "MLNetExplain: $lib: added $stub (defines std::ios_base_library_init for libstdc++ < 13)"
fi
# The loader looks for NEEDED libraries on the library's RUNPATH, which TorchSharp sets to \$ORIGIN.
python3 "$here/mark_weak.py" "$lib" "$required"
