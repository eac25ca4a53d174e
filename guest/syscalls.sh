#!/usr/bin/env bash
# guest/syscalls.sh - list the syscalls each guest build makes, per arch, and flag any
# that are not in the emulator's implemented list below.
#
# Runs the builds under qemu-x86_64 / qemu-aarch64 -strace: qemu-user (7.x) gives the
# guest no vDSO, so clock_gettime & co. show up as real syscalls, as they will under ucrun.
# Usage: bash guest/syscalls.sh [-v]    (-v: print every program's syscall list)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/build
verbose=0
[ "${1:-}" = -v ] && verbose=1

allowed=" brk mmap munmap mprotect mremap arch_prctl set_tid_address set_robust_list rseq
 prlimit64 readlinkat getrandom uname getpid getppid getuid geteuid getgid getegid gettid
 clock_gettime gettimeofday nanosleep clock_nanosleep sched_yield exit exit_group openat
 close read write readv writev pread64 pwrite64 lseek newfstatat fstat statx getdents64
 fcntl dup dup2 dup3 ioctl getcwd chdir mkdirat unlinkat renameat2 faccessat time "
allowed=$(echo $allowed) # squeeze whitespace
allowed=" $allowed "

declare -A argv_of=([args]="one two" [bench_syscall]=1000)
bad=0
for arch in x86_64 aarch64; do
  all=""
  for bin in "$build/$arch"/*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    name=$(basename "$bin")
    # shellcheck disable=SC2086
    calls=$(UCRUN_TEST=yes "qemu-$arch" -strace "$bin" ${argv_of[$name]:-} 2>&1 >/dev/null |
      sed -nE 's/^[0-9]+ ([a-z_0-9]+)\(.*/\1/p; s/^[0-9]+ Unknown syscall ([0-9]+).*/#\1/p' |
      sed -E "s/^#(334|293)$/rseq/; s/^#([0-9]+)$/syscall_\1/" | sort -u | tr '\n' ' ')
    all="$all $calls"
    extra=""
    for c in $calls; do
      case $allowed in *" $c "*) ;; *) extra="$extra $c" ;; esac
    done
    [ "$verbose" = 1 ] && echo "$arch/$name: $calls"
    if [ -n "$extra" ]; then
      echo "NOT IN LIST: $arch/$name:$extra"
      bad=1
    fi
  done
  echo "$arch uses: $(echo $all | tr ' ' '\n' | sort -u | tr '\n' ' ')"
done
exit $bad
