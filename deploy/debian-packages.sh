#!/usr/bin/env bash
# Installs each named Debian package whose program is missing. The program has the package's
# name (chromium, nginx), looked for on PATH and in /usr/sbin, where Debian puts nginx.
set -euo pipefail
missing=()
for package in "$@"; do
  command -v "$package" >/dev/null || test -x "/usr/sbin/$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Golden Thread needs Debian's ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian's ${missing[*]} (apt-get)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
