#!/usr/bin/env bash
# Packs the libraries into artifacts/packages, then builds and runs this example against those packages.
# The cached copies of our own packages are dropped first: NuGet would otherwise reuse an older build of the
# same version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
feed=$root/artifacts/packages
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}

rm -rf "$feed" "$cache/mlnetexplain.core" "$cache/mlnetexplain.ml"
dotnet pack "$root/src/MLNetExplain.Core" -c Release -o "$feed" -nologo -v quiet
dotnet pack "$root/src/MLNetExplain.ML" -c Release -o "$feed" -nologo -v quiet
dotnet run -c Release --project "$here/PackageConsumer.csproj" -- "$@"
