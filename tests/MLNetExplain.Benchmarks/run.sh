#!/usr/bin/env bash
# Runs the side-by-side benchmark (MLNetExplain C# vs Python PyTorch) in Release.
# Installs Debian's python3-torch (the same libtorch 1.13 under Python) first when /usr/bin/python3 lacks torch;
# idempotent, needs root (or sudo) only for that install. Arguments are passed to the runner, e.g.
#   tests/MLNetExplain.Benchmarks/run.sh --only resnet --iterations 10 --threads 2
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3

if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        sudo=()
        echo "run.sh: python3-torch is missing and this is not root (no sudo); the runner will show our numbers only." >&2
    fi
    if [ "$(id -u)" -eq 0 ] || [ "${#sudo[@]}" -gt 0 ]; then
        echo "run.sh: installing python3-torch (apt-get) ..." >&2
        if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch; then
            "${sudo[@]}" apt-get update
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch
        fi
    fi
fi

exec dotnet run -c Release --project "$here/MLNetExplain.Benchmarks.csproj" -- "$@"
