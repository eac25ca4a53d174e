// x86_64 ABI data that differs from aarch64. Same exported names as
// src/arch/aarch64/abi_data.ts (plus x86-only ARCH_PRCTL); shared constants
// are in src/kernel/abi.ts. Checked against the x86_64 headers by
// test/arch_data.test.ts.

import {
  defineLayout,
  writeField,
  type ArchAbiData,
  type CloneArgOrder,
  type Field,
} from '../../kernel/abi.js';
import { zeroBytes, type Stat } from '../stat.js';
import { SYSCALL_NAMES, SYSCALL_NUMBERS } from './syscall_names.js';

export const ARCH = 'x86_64';

/** sizeof(struct stat): arch/x86/include/uapi/asm/stat.h (the !__i386__ branch). */
export const STAT_SIZE = 144;

/** struct stat: arch/x86/include/uapi/asm/stat.h -- note nlink before mode, 8-byte blksize. */
export const STAT_LAYOUT = defineLayout('struct stat', 'asm/stat.h', STAT_SIZE, {
  st_dev: [0, 8],
  st_ino: [8, 8],
  st_nlink: [16, 8],
  st_mode: [24, 4],
  st_uid: [28, 4],
  st_gid: [32, 4],
  st_rdev: [40, 8],
  st_size: [48, 8],
  st_blksize: [56, 8],
  st_blocks: [64, 8],
  st_atime: [72, 8],
  st_atime_nsec: [80, 8],
  st_mtime: [88, 8],
  st_mtime_nsec: [96, 8],
  st_ctime: [104, 8],
  st_ctime_nsec: [112, 8],
});

const S = STAT_LAYOUT.fields;
const STAT_FIELDS: ReadonlyArray<readonly [Field, keyof Stat]> = [
  [S.st_dev, 'dev'],
  [S.st_ino, 'ino'],
  [S.st_nlink, 'nlink'],
  [S.st_mode, 'mode'],
  [S.st_uid, 'uid'],
  [S.st_gid, 'gid'],
  [S.st_rdev, 'rdev'],
  [S.st_size, 'size'],
  [S.st_blksize, 'blksize'],
  [S.st_blocks, 'blocks'],
  [S.st_atime, 'atimeSec'],
  [S.st_atime_nsec, 'atimeNsec'],
  [S.st_mtime, 'mtimeSec'],
  [S.st_mtime_nsec, 'mtimeNsec'],
  [S.st_ctime, 'ctimeSec'],
  [S.st_ctime_nsec, 'ctimeNsec'],
];

/** Write `struct stat` (STAT_SIZE bytes, little-endian, padding zeroed) at `off`, as cp_new_stat() does. */
export function encodeStat(dv: DataView, off: number, st: Stat): void {
  zeroBytes(dv, off, STAT_SIZE);
  for (const [f, k] of STAT_FIELDS) writeField(dv, off, f, st[k] ?? 0);
}

/**
 * open(2)/fcntl(F_GETFL) flags: include/uapi/asm-generic/fcntl.h (x86 uses it
 * unchanged). These are the KERNEL values: glibc's <fcntl.h> defines
 * O_LARGEFILE as 0 on 64-bit, but the kernel sets 0100000 on every 64-bit open
 * (force_o_largefile) and F_GETFL reports it.
 */
export const OPEN_FLAGS = {
  O_ACCMODE: 0o3,
  O_RDONLY: 0o0,
  O_WRONLY: 0o1,
  O_RDWR: 0o2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_NDELAY: 0o4000,
  O_DSYNC: 0o10000,
  FASYNC: 0o20000,
  O_DIRECT: 0o40000,
  O_LARGEFILE: 0o100000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000,
  __O_SYNC: 0o4000000,
  O_SYNC: 0o4010000,
  O_PATH: 0o10000000,
  __O_TMPFILE: 0o20000000,
  O_TMPFILE: 0o20200000,
} as const;

/** sizeof(struct epoll_event): 12 -- include/uapi/linux/eventpoll.h packs it on x86_64 (EPOLL_PACKED). */
export const EPOLL_EVENT_SIZE = 12;
export const EPOLL_EVENT_LAYOUT = defineLayout('struct epoll_event', 'linux/eventpoll.h', EPOLL_EVENT_SIZE, {
  events: [0, 4],
  data: [4, 8],
});

/** Signal stack sizes: arch/x86/include/uapi/asm/signal.h. */
export const SIGNAL_STACK = {
  MINSIGSTKSZ: 2048,
  SIGSTKSZ: 8192,
} as const;

/** x86-only mmap flag: arch/x86/include/uapi/asm/mman.h. */
export const MMAP_ARCH_FLAGS = {
  MAP_32BIT: 0x40,
} as const;

/** arch_prctl(2) codes (x86 only): arch/x86/include/uapi/asm/prctl.h. */
export const ARCH_PRCTL = {
  ARCH_SET_GS: 0x1001,
  ARCH_SET_FS: 0x1002,
  ARCH_GET_FS: 0x1003,
  ARCH_GET_GS: 0x1004,
  ARCH_GET_CPUID: 0x1011,
  ARCH_SET_CPUID: 0x1012,
  ARCH_GET_XCOMP_SUPP: 0x1021,
  ARCH_GET_XCOMP_PERM: 0x1022,
  ARCH_REQ_XCOMP_PERM: 0x1023,
} as const;

/**
 * clone(2) register order on x86_64 (kernel/fork.c, the default
 * SYSCALL_DEFINE5: flags, newsp, parent_tidptr, child_tidptr, tls).
 */
export const CLONE_ARGS: CloneArgOrder = { flags: 0, newsp: 1, parentTid: 2, childTid: 3, tls: 4 };

/** struct semid64_ds: arch/x86/include/uapi/asm/sembuf.h (a pad word after each time on x86_64). */
export const SEMID64_DS_LAYOUT = defineLayout('struct semid64_ds', 'linux/sem.h', 104, {
  sem_perm: [0, 48], sem_otime: [48, 8], sem_ctime: [64, 8], sem_nsems: [80, 8],
});

/** Everything above as one object, for arch-generic code. */
export const ABI_DATA: ArchAbiData = {
  arch: ARCH,
  SYSCALL_NAMES,
  SYSCALL_NUMBERS,
  STAT_SIZE,
  STAT_LAYOUT,
  encodeStat,
  OPEN_FLAGS,
  EPOLL_EVENT_SIZE,
  EPOLL_EVENT_LAYOUT,
  SIGNAL_STACK,
  MMAP_ARCH_FLAGS,
  CLONE_ARGS,
  SEMID64_DS_LAYOUT,
};
