#!/usr/bin/env bash
# Makes sure the headless browser the dashboard's e2e test drives is installed: Debian's `chromium`
# package at /usr/bin/chromium (playwright-core launches it by path; it downloads no browser itself).
# A no-op when it is there; otherwise installs it with apt-get, which needs root. Exits non-zero when
# the browser is still missing afterwards.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing; installing it with apt-get needs root" >&2
  exit 1
fi

echo "ensure-chromium: $CHROMIUM is missing; running apt-get update"
apt-get update
echo "ensure-chromium: installing Debian's chromium package (no recommended packages)"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
