#!/usr/bin/env bash
# guest/compare.sh - run every guest program for both arches and compare the results.
#
# The x86_64 builds run under $RUN_X86 (default: natively) and the aarch64 builds under
# $RUN_A64 (default: qemu-aarch64). stdout must match line for line, except lines that
# start with "arch:", and the exit statuses must match (segv: 139). Each run must also
# exit with the status the program is expected to have. Examples:
#   bash guest/compare.sh
#   RUN_A64="node bin/ucrun" RUN_X86="node bin/ucrun" bash guest/compare.sh
# Options: -k keep the outputs in guest/build/compare/ (they are always left on failure)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/build
RUN_X86=${RUN_X86:-}
RUN_A64=${RUN_A64:-qemu-aarch64}
logs=$build/compare
rm -rf "$logs"
mkdir -p "$logs"

# program | arguments | expected exit status
progs=(
  "hello||0"
  "hello_musl||0"
  "args|one|two words|0"
  "fileio||0"
  "statdir||0"
  "memory||0"
  "errors||0"
  "segv||139"
  "timecalls||0"
  "uname||0"
  "bench_cpu||0"
  "bench_syscall|20000|0"
)

run() { # runner binary args... ; prints stdout to $out, returns the status
  local runner=$1
  shift
  # shellcheck disable=SC2086
  { UCRUN_TEST=yes $runner "$@" >"$out" 2>"$err"; } 2>/dev/null # no "Segmentation fault" notice
}

pass=0 fail=0
for entry in "${progs[@]}"; do
  name=${entry%%|*}
  want=${entry##*|}
  rest=${entry#*|}
  argstr=${rest%|*}
  args=()
  [ -n "$argstr" ] && IFS='|' read -r -a args <<<"$argstr"
  res=()
  for arch in x86_64 aarch64; do
    bin=$build/$arch/$name
    out=$logs/$name.$arch.out err=$logs/$name.$arch.err
    [ "$arch" = x86_64 ] && runner=$RUN_X86 || runner=$RUN_A64
    if [ ! -x "$bin" ]; then echo "missing $bin (run guest/build.sh)" >"$err"; res+=(127); continue; fi
    run "$runner" "$bin" "${args[@]}"
    res+=($?)
  done
  problems=()
  [ "${res[0]}" = "$want" ] || problems+=("x86_64 exit ${res[0]}, want $want")
  [ "${res[1]}" = "$want" ] || problems+=("aarch64 exit ${res[1]}, want $want")
  if ! diff <(grep -v '^arch:' "$logs/$name.x86_64.out") <(grep -v '^arch:' "$logs/$name.aarch64.out") \
    >"$logs/$name.diff"; then
    problems+=("stdout differs (see ${logs#"$here"/}/$name.diff)")
  fi
  if grep -q '^FAIL' "$logs/$name.x86_64.out" "$logs/$name.aarch64.out"; then
    problems+=("FAIL lines printed")
  fi
  if [ "${#problems[@]}" = 0 ]; then
    pass=$((pass + 1))
    echo "ok   $name (exit $want, $(grep -vc '^arch:' "$logs/$name.x86_64.out") lines)"
  else
    fail=$((fail + 1))
    echo "FAIL $name: $(IFS=';'; echo "${problems[*]}")"
  fi
done
[ "$fail" = 0 ] && [ "${1:-}" != -k ] && rm -rf "$logs"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
