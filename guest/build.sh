#!/usr/bin/env bash
# guest/build.sh - build the guest test programs for x86_64 and aarch64.
#
#   guest/*.c  --gcc -static -O2-->                    guest/build/x86_64/<name>
#              --aarch64-linux-gnu-gcc -static -O2-->  guest/build/aarch64/<name>
#   guest/*.cc --g++ -static -pthread -O2-->           guest/build/x86_64/<name>
#              --aarch64-linux-gnu-g++ ... -->         guest/build/aarch64/<name>
#   hello.c    --musl (static)-->                      guest/build/{x86_64,aarch64}/hello_musl
#
# thread_*.c and deadlock_threads.c also get -pthread; *_omp.c get -fopenmp (static libgomp:
# x86_64 from libgcc-12-dev, aarch64 from libgcc-12-dev-arm64-cross).
#
# Incremental: an output is rebuilt only when it is older than its source, any guest/*.h
# or this script. aarch64 musl (headers, crt*.o, libc.a) comes from Debian's arm64 musl-dev,
# extracted into vendor/musl-arm64 by scripts/fetch-deb.sh on first use.
# Usage: bash guest/build.sh [-B]     (-B: rebuild everything)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out=$here/build
force=0
[ "${1:-}" = "-B" ] && force=1

die() { echo "guest/build.sh: $*" >&2; exit 1; }
need() {
  command -v "$1" >/dev/null 2>&1 ||
    die "'$1' not found - install it (apt-get install $2)"
}
need gcc gcc
need aarch64-linux-gnu-gcc "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
need musl-gcc musl-tools
need g++ g++
need aarch64-linux-gnu-g++ g++-aarch64-linux-gnu

CFLAGS=(-static -O2 -Wall -Wextra -g0)
CXXFLAGS=(-static -pthread -O2 -Wall -Wextra -g0)

# extra flags by source name
extra_flags() { # source
  local b
  b=$(basename "$1")
  case $b in thread_*.c | deadlock_threads.c) printf '%s\n' -pthread ;; esac
  # libgomp.a's offloading/profiling code calls dlopen: silence ld's static-dlopen warning
  case $b in *_omp.c) printf '%s\n' -fopenmp -Wl,--no-warnings ;; esac
}

# ---- aarch64 musl sysroot ----
musl_a64=$root/vendor/musl-arm64
musl_lib=$musl_a64/usr/lib/aarch64-linux-musl
musl_inc=$musl_a64/usr/include/aarch64-linux-musl
if [ ! -f "$musl_lib/libc.a" ] || [ ! -f "$musl_inc/stdio.h" ]; then
  suite=bookworm
  if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  fi
  echo "guest/build.sh: fetching arm64 musl-dev ($suite) into vendor/musl-arm64" >&2
  bash "$root/scripts/fetch-deb.sh" "$suite" arm64 musl-dev "$musl_a64" ||
    die "could not fetch arm64 musl-dev"
  [ -f "$musl_lib/libc.a" ] || die "arm64 musl-dev has no $musl_lib/libc.a"
fi
a64_gcc_inc=$(aarch64-linux-gnu-gcc -print-file-name=include)
a64_crtbegin=$(aarch64-linux-gnu-gcc -print-file-name=crtbeginT.o)
a64_crtend=$(aarch64-linux-gnu-gcc -print-file-name=crtend.o)
a64_libgcc=$(aarch64-linux-gnu-gcc -print-libgcc-file-name)

mkdir -p "$out/x86_64" "$out/aarch64"

# ---- job list: "output<TAB>source<TAB>kind" ----
jobs_list=()
for src in "$here"/*.c; do
  name=$(basename "$src" .c)
  jobs_list+=("$out/x86_64/$name	$src	gnu-x86_64")
  jobs_list+=("$out/aarch64/$name	$src	gnu-aarch64")
done
for src in "$here"/*.cc; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .cc)
  jobs_list+=("$out/x86_64/$name	$src	gxx-x86_64")
  jobs_list+=("$out/aarch64/$name	$src	gxx-aarch64")
done
jobs_list+=("$out/x86_64/hello_musl	$here/hello.c	musl-x86_64")
jobs_list+=("$out/aarch64/hello_musl	$here/hello.c	musl-aarch64")

headers=("$here"/*.h)
up_to_date() { # output source
  [ "$force" = 0 ] && [ -f "$1" ] && [ "$1" -nt "$2" ] && [ "$1" -nt "$here/build.sh" ] || return 1
  local h
  for h in "${headers[@]}"; do [ "$1" -nt "$h" ] || return 1; done
}

compile() { # output source kind ; writes to a temp file, then renames
  local o=$1 s=$2 k=$3 tmp="$1.tmp.$$" extra=()
  mapfile -t extra < <(extra_flags "$s")
  case $k in
    gnu-x86_64) gcc "${CFLAGS[@]}" "${extra[@]}" -o "$tmp" "$s" ;;
    gnu-aarch64) aarch64-linux-gnu-gcc "${CFLAGS[@]}" "${extra[@]}" -o "$tmp" "$s" ;;
    gxx-x86_64) g++ "${CXXFLAGS[@]}" -o "$tmp" "$s" ;;
    gxx-aarch64) aarch64-linux-gnu-g++ "${CXXFLAGS[@]}" -o "$tmp" "$s" ;;
    musl-x86_64) musl-gcc "${CFLAGS[@]}" -o "$tmp" "$s" ;;
    musl-aarch64)
      aarch64-linux-gnu-gcc "${CFLAGS[@]}" -nostdinc -nostdlib \
        -isystem "$musl_inc" -isystem "$a64_gcc_inc" \
        -o "$tmp" "$musl_lib/crt1.o" "$musl_lib/crti.o" "$a64_crtbegin" "$s" \
        -Wl,--start-group "$musl_lib/libc.a" "$a64_libgcc" -Wl,--end-group \
        "$a64_crtend" "$musl_lib/crtn.o" ;;
    *) die "unknown kind $k" ;;
  esac || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$o"
}

# ---- run the stale jobs, as many at once as there are CPUs ----
max=$(nproc 2>/dev/null || echo 2)
pids=() names=() built=0 skipped=0 failed=0
reap() { # wait for the oldest job
  if wait "${pids[0]}"; then built=$((built + 1)); else
    failed=$((failed + 1)); echo "guest/build.sh: FAILED: ${names[0]}" >&2; fi
  pids=("${pids[@]:1}") names=("${names[@]:1}")
}
for job in "${jobs_list[@]}"; do
  IFS=$'\t' read -r o s k <<<"$job"
  if up_to_date "$o" "$s"; then skipped=$((skipped + 1)); continue; fi
  [ "${#pids[@]}" -ge "$max" ] && reap
  compile "$o" "$s" "$k" &
  pids+=($!) names+=("${o#"$root"/}")
done
while [ "${#pids[@]}" -gt 0 ]; do reap; done

echo "guest/build.sh: built $built, up to date $skipped, failed $failed" >&2
[ "$failed" = 0 ] || exit 1
