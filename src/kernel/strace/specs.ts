// How --strace prints each call's arguments. Kinds name a decoder; flag sets come from
// the same constant tables the handlers use (src/kernel/abi.ts, the arch's OPEN_FLAGS).
import type { ArchSpec } from '../../arch/arch.js';
import { AT, CLOCK, FCNTL, GRND, IOCTL, MAP, PROT, RLIMIT, SEEK } from '../abi.js';

export type ArgKind =
  | 'int' | 'long' | 'uint' | 'hex' | 'ptr' | 'oct' | 'fd' | 'dirfd' | 'path' | 'str' | 'ibuf' | 'obuf' | 'iov' | 'oiov'
  | 'oflags' | 'prot' | 'mapflags' | 'atflags' | 'whence' | 'clock' | 'fcntl' | 'ioctl' | 'arch_prctl' | 'rlimit'
  | 'grnd' | 'access';

export interface Spec { args: ArgKind[]; ret?: 'hex' | 'int' }

export const SPECS: Record<string, Spec> = {
  read: { args: ['fd', 'obuf', 'uint'] },
  write: { args: ['fd', 'ibuf', 'uint'] },
  pread64: { args: ['fd', 'obuf', 'uint', 'long'] },
  pwrite64: { args: ['fd', 'ibuf', 'uint', 'long'] },
  readv: { args: ['fd', 'oiov', 'int'] },
  writev: { args: ['fd', 'iov', 'int'] },
  open: { args: ['path', 'oflags', 'oct'] },
  openat: { args: ['dirfd', 'path', 'oflags', 'oct'] },
  creat: { args: ['path', 'oct'] },
  close: { args: ['fd'] },
  lseek: { args: ['fd', 'long', 'whence'], ret: 'int' },
  getdents64: { args: ['fd', 'ptr', 'uint'] },
  newfstatat: { args: ['dirfd', 'path', 'ptr', 'atflags'] },
  fstat: { args: ['fd', 'ptr'] },
  stat: { args: ['path', 'ptr'] },
  lstat: { args: ['path', 'ptr'] },
  statx: { args: ['dirfd', 'path', 'atflags', 'hex', 'ptr'] },
  dup: { args: ['fd'] },
  dup2: { args: ['fd', 'fd'] },
  dup3: { args: ['fd', 'fd', 'oflags'] },
  fcntl: { args: ['fd', 'fcntl', 'hex'] },
  ioctl: { args: ['fd', 'ioctl', 'ptr'] },
  getcwd: { args: ['ptr', 'uint'] },
  chdir: { args: ['path'] },
  fchdir: { args: ['fd'] },
  mkdir: { args: ['path', 'oct'] },
  mkdirat: { args: ['dirfd', 'path', 'oct'] },
  unlink: { args: ['path'] },
  rmdir: { args: ['path'] },
  unlinkat: { args: ['dirfd', 'path', 'atflags'] },
  rename: { args: ['path', 'path'] },
  renameat2: { args: ['dirfd', 'path', 'dirfd', 'path', 'hex'] },
  access: { args: ['path', 'access'] },
  faccessat: { args: ['dirfd', 'path', 'access'] },
  faccessat2: { args: ['dirfd', 'path', 'access', 'atflags'] },
  readlink: { args: ['path', 'obuf', 'uint'] },
  readlinkat: { args: ['dirfd', 'path', 'obuf', 'uint'] },
  symlink: { args: ['path', 'path'] },
  symlinkat: { args: ['path', 'dirfd', 'path'] },
  brk: { args: ['ptr'], ret: 'hex' },
  mmap: { args: ['ptr', 'uint', 'prot', 'mapflags', 'fd', 'hex'], ret: 'hex' },
  munmap: { args: ['ptr', 'uint'] },
  mprotect: { args: ['ptr', 'uint', 'prot'] },
  mremap: { args: ['ptr', 'uint', 'uint', 'hex', 'ptr'], ret: 'hex' },
  madvise: { args: ['ptr', 'uint', 'int'] },
  arch_prctl: { args: ['arch_prctl', 'hex'] },
  set_tid_address: { args: ['ptr'] },
  set_robust_list: { args: ['ptr', 'uint'] },
  rseq: { args: ['ptr', 'uint', 'int', 'hex'] },
  prlimit64: { args: ['int', 'rlimit', 'ptr', 'ptr'] },
  getrlimit: { args: ['rlimit', 'ptr'] },
  getrandom: { args: ['obuf', 'uint', 'grnd'] },
  uname: { args: ['ptr'] },
  exit: { args: ['int'] },
  exit_group: { args: ['int'] },
  clock_gettime: { args: ['clock', 'ptr'] },
  clock_getres: { args: ['clock', 'ptr'] },
  clock_nanosleep: { args: ['clock', 'int', 'ptr', 'ptr'] },
  nanosleep: { args: ['ptr', 'ptr'] },
  gettimeofday: { args: ['ptr', 'ptr'] },
  time: { args: ['ptr'] },
  getpid: { args: [] }, getppid: { args: [] }, gettid: { args: [] }, getuid: { args: [] }, geteuid: { args: [] },
  getgid: { args: [] }, getegid: { args: [] }, sched_yield: { args: [] },
  umask: { args: ['oct'], ret: 'int' },
  ftruncate: { args: ['fd', 'long'] },
  fsync: { args: ['fd'] },
};

function bits(v: number, table: Record<string, number>, zero?: string): string {
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [name, bit] of Object.entries(table)) {
    if (bit !== 0 && (rest & bit) === bit) { parts.push(name); rest = (rest & ~bit) >>> 0; }
  }
  if (rest) parts.push('0x' + rest.toString(16));
  return parts.length ? parts.join('|') : (zero ?? '0');
}

function named(v: number, table: Record<string, number>): string {
  for (const [name, val] of Object.entries(table)) if (val === v) return name;
  return String(v);
}

const pick = (o: Record<string, number>, prefix: string, skip: string[] = []) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith(prefix) && !skip.includes(k)));

export function flagNames(kind: ArgKind, v: number, arch: ArchSpec): string {
  switch (kind) {
    case 'oflags': {
      const o = arch.o;
      const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '3'][v & 3];
      const rest = { ...o } as Record<string, number>;
      for (const k of ['O_ACCMODE', 'O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_NDELAY', '__O_SYNC', '__O_TMPFILE', 'O_SYNC', 'O_TMPFILE', 'FASYNC', 'O_LARGEFILE']) delete rest[k];
      const r = bits(v & ~3, rest, '');
      return r ? `${acc}|${r}` : acc;
    }
    case 'prot': return bits(v, pick(PROT, 'PROT_', ['PROT_NONE']), 'PROT_NONE');
    case 'mapflags': {
      const type = named(v & MAP.MAP_TYPE, { MAP_SHARED: 1, MAP_PRIVATE: 2, MAP_SHARED_VALIDATE: 3 });
      const r = bits(v & ~MAP.MAP_TYPE, pick(MAP, 'MAP_', ['MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE', 'MAP_TYPE']), '');
      return r ? `${type}|${r}` : type;
    }
    case 'atflags': return bits(v, { AT_SYMLINK_NOFOLLOW: AT.AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR: AT.AT_REMOVEDIR, AT_SYMLINK_FOLLOW: AT.AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT: AT.AT_NO_AUTOMOUNT, AT_EMPTY_PATH: AT.AT_EMPTY_PATH });
    case 'whence': return named(v, SEEK);
    case 'clock': return named(v, pick(CLOCK, 'CLOCK_'));
    case 'fcntl': return named(v, pick(FCNTL, 'F_', ['F_RDLCK', 'F_WRLCK', 'F_UNLCK', 'F_SEAL_SEAL', 'F_SEAL_SHRINK', 'F_SEAL_GROW', 'F_SEAL_WRITE', 'F_SEAL_FUTURE_WRITE']));
    case 'ioctl': { const n = named(v >>> 0, IOCTL); return n === String(v >>> 0) ? '0x' + (v >>> 0).toString(16) : n; }
    case 'arch_prctl': return named(v, { ARCH_SET_GS: 0x1001, ARCH_SET_FS: 0x1002, ARCH_GET_FS: 0x1003, ARCH_GET_GS: 0x1004 });
    case 'rlimit': return named(v, pick(RLIMIT, 'RLIMIT_'));
    case 'grnd': return bits(v, GRND);
    case 'access': return v === 0 ? 'F_OK' : bits(v, { R_OK: 4, W_OK: 2, X_OK: 1 });
    default: return String(v);
  }
}
