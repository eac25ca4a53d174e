#!/usr/bin/env bash
# Install whatever ucrun needs that is missing, then build. Idempotent and quiet when
# everything is there. Needs root (or sudo) only when Debian packages are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(gcc g++ make gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user busybox-static musl-tools strace)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >&2
fi

# Unicorn 2.1.4 from Debian sid (libunicorn2t64 2.1.4-4; needs only libc6 >= 2.34, so it loads on
# bookworm). bookworm's 2.0.1 is ~50x slower on guest stores; 2.1.1 corrupts guest state when a
# run is cut by uc_emu_start's timeout, which preemption relies on (scripts/repro-unicorn-timeout.mjs).
UC_DIR=vendor/libunicorn2t64
if [ ! -f $UC_DIR/usr/lib/x86_64-linux-gnu/libunicorn.so.2 ] ||
   ! zcat $UC_DIR/usr/share/doc/libunicorn2t64/changelog.Debian.gz 2>/dev/null | head -1 | grep -q '(2\.1\.4'; then
  rm -rf $UC_DIR
  bash scripts/fetch-deb.sh sid amd64 libunicorn2t64 $UC_DIR
fi
# Debian's arm64 busybox-static, to run under ucrun's aarch64 side (not committed).
if [ ! -f vendor/busybox-arm64/bin/busybox ]; then
  bash scripts/fetch-deb.sh "$(. /etc/os-release && echo "$VERSION_CODENAME")" arm64 busybox-static vendor/busybox-arm64
fi

# npm ci when node_modules is missing or older than the lock file (its prepare step builds).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
else
  npm run --silent build >&2
fi
bash guest/build.sh >&2
