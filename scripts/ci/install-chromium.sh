#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/web/), which drive /usr/bin/chromium
# with playwright-core. Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (CI and the developers' machines run as root) and Debian's package archive.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing and this is not root; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "install-chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
