#!/usr/bin/env bash
# Build ucrun's small native helper (native/*.c -> dist/native/libucrun_native.so) with the
# gcc the set-up installs. Loaded with koffi by src/engine/watchdog.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/native/libucrun_native.so
mkdir -p dist/native
stale=0; for f in native/*.c "$0"; do [ "$out" -nt "$f" ] || stale=1; done; [ -f "$out" ] && [ $stale = 0 ] && exit 0
gcc -O2 -Wall -Wextra -shared -fPIC -pthread -o "$out.tmp" native/*.c -ldl
mv -f "$out.tmp" "$out"
