#!/usr/bin/env bash
# Runs the side-by-side benchmark (MLNetExplain on TorchSharp vs Python PyTorch) in Release.
# The Python side is Debian's python3-torch (/usr/bin/python3); when it lacks torch this installs python3-torch
# (needs root or sudo) or, failing that, the runner shows our numbers only. Arguments go to the runner, e.g.
#   tests/MLNetExplain.Benchmarks/run.sh --rounds 3 --only interop,resnet
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3

if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    sudo=()
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    fi
    if [ "$(id -u)" -eq 0 ] || [ "${#sudo[@]}" -gt 0 ]; then
        echo "run.sh: installing python3-torch and libopenblas0-openmp (apt-get) ..." >&2
        "${sudo[@]}" apt-get update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch libopenblas0-openmp
    else
        echo "run.sh: /usr/bin/python3 has no torch and this is not root (no sudo); showing our numbers only." >&2
    fi
fi

dotnet build "$here/MLNetExplain.Benchmarks.csproj" -c Release --nologo -v quiet
exec dotnet "$here/bin/Release/net10.0/linux-x64/MLNetExplain.Benchmarks.dll" --python "$python" "$@"
