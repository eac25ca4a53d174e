#!/usr/bin/env bash
# Build ucrun's small native helper (native/*.c -> dist/native/libucrun_native.so) with the
# gcc the set-up installs. Loaded with koffi by src/engine/watchdog.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/native/libucrun_native.so
mkdir -p dist/native
if [ -f "$out" ] && [ "$out" -nt native/watchdog.c ] && [ "$out" -nt "$0" ]; then exit 0; fi
gcc -O2 -Wall -Wextra -shared -fPIC -pthread -o "$out.tmp" native/*.c -ldl
mv -f "$out.tmp" "$out"
