#!/usr/bin/env bash
# Packs the device check for a GPU machine that has libtorch (inside Python's torch) but no .NET and no network:
# publishes tests/MLNetExplain.DeviceCheck self-contained for linux-x64 and writes .device/devicecheck.tar.gz with
#   devicecheck/app/            the published program (its libmlx_torch.so is this machine's CPU build; device.sh
#                               replaces it with one built there against that machine's libtorch)
#   devicecheck/native/         the shim's sources (src/MLNetExplain.Torch/native)
#   devicecheck/peer_torch.py   the Python peer of the side-by-side section (also inside app/)
#   devicecheck/BUILD_INFO      commit, date and layout
# .device/ is excluded through .git/info/exclude (not .gitignore): it is a local artefact that a device run carries.
#
#   tests/MLNetExplain.DeviceCheck/pack.sh [--framework-dependent]
#
# --framework-dependent packs the program without the runtime and copies this machine's .NET runtime next to it
# (app/dotnet/), run through app/run.sh: the route when the NuGet feed lacks the linux-x64 runtime pack. Without the
# flag that route is taken automatically when the self-contained publish fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
project=tests/MLNetExplain.DeviceCheck/MLNetExplain.DeviceCheck.csproj
out="$repo/.device"
stage="$out/stage/devicecheck"
tarball="$out/devicecheck.tar.gz"
limit_mib=60

mode=self-contained
if [[ "${1:-}" == "--framework-dependent" ]]; then
  mode=framework-dependent
fi

exclude="$(git rev-parse --git-path info/exclude)"
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.device/' "$exclude" 2>/dev/null || echo '/.device/' >>"$exclude"

rm -rf "$out/stage" "$tarball"
mkdir -p "$stage"

publish_log="$out/publish.log"
if [[ $mode == self-contained ]]; then
  echo "pack.sh: dotnet publish (self-contained, linux-x64, untrimmed) ..."
  if ! dotnet publish "$project" -c Release -r linux-x64 --self-contained true -p:PublishTrimmed=false \
      -o "$stage/app" -nologo >"$publish_log" 2>&1; then
    echo "pack.sh: the self-contained publish failed; its errors:" >&2
    grep -E 'error|NU1' "$publish_log" | sort -u >&2 || tail -n 40 "$publish_log" >&2
    echo "pack.sh: falling back to framework-dependent + this machine's runtime." >&2
    rm -rf "$stage/app"
    mode=framework-dependent
  fi
fi

if [[ $mode == framework-dependent ]]; then
  echo "pack.sh: dotnet publish (framework-dependent) + local .NET runtime ..."
  dotnet publish "$project" -c Release --self-contained false -o "$stage/app" -nologo >"$publish_log" 2>&1 \
    || { cat "$publish_log" >&2; exit 1; }
  # The runtime this SDK runs on: dotnet root = the folder of the host that `dotnet --list-runtimes` reports under.
  runtime_line="$(dotnet --list-runtimes | grep '^Microsoft.NETCore.App 10\.' | tail -n 1)"
  version="$(awk '{print $2}' <<<"$runtime_line")"
  shared="$(sed -E 's/.*\[(.*)\]$/\1/' <<<"$runtime_line")"   # .../shared/Microsoft.NETCore.App
  root="$(dirname "$(dirname "$shared")")"
  mkdir -p "$stage/app/dotnet/shared/Microsoft.NETCore.App"
  cp -a "$root/dotnet" "$root/host" "$stage/app/dotnet/"
  cp -a "$shared/$version" "$stage/app/dotnet/shared/Microsoft.NETCore.App/"
  cat >"$stage/app/run.sh" <<'EOF'
#!/usr/bin/env bash
# Runs the device check on the .NET runtime packed next to it.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DOTNET_ROOT="$here/dotnet"
exec "$here/dotnet/dotnet" "$here/MLNetExplain.DeviceCheck.dll" "$@"
EOF
  chmod +x "$stage/app/run.sh"
fi

cp -a src/MLNetExplain.Torch/native "$stage/native"
cp tests/MLNetExplain.Benchmarks/peer_torch.py "$stage/peer_torch.py"
{
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- src tests || echo ' (with uncommitted changes)')"
  echo "packed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "mode: $mode"
  echo "dotnet sdk: $(dotnet --version)"
} >"$stage/BUILD_INFO"

echo "pack.sh: compressing ..."
tar -C "$out/stage" -cf - devicecheck | gzip -9 >"$tarball"
rm -rf "$out/stage"

bytes=$(stat -c %s "$tarball")
mib=$(( (bytes + 1048575) / 1048576 ))
echo "pack.sh: $tarball: $mib MiB ($mode)"
du -sh "$out"
if (( mib > limit_mib )); then
  echo "pack.sh: the tarball exceeds $limit_mib MiB; a device run carries at most 64 MiB in all." >&2
  exit 1
fi
