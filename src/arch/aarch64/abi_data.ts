// aarch64 ABI data that differs from x86_64. Same exported names as
// src/arch/x86_64/abi_data.ts (plus aarch64-only HWCAP/HWCAP2); shared
// constants are in src/kernel/abi.ts. Checked against the aarch64-linux-gnu
// headers by test/arch_data.test.ts.

import {
  defineLayout,
  writeField,
  type ArchAbiData,
  type CloneArgOrder,
  type Field,
} from '../../kernel/abi.js';
import { zeroBytes, type Stat } from '../stat.js';
import { SYSCALL_NAMES, SYSCALL_NUMBERS } from './syscall_names.js';

export const ARCH = 'aarch64';

/** sizeof(struct stat): include/uapi/asm-generic/stat.h (used by arch/arm64). */
export const STAT_SIZE = 128;

/** struct stat: include/uapi/asm-generic/stat.h -- 4-byte mode/nlink, 4-byte blksize. */
export const STAT_LAYOUT = defineLayout('struct stat', 'asm/stat.h', STAT_SIZE, {
  st_dev: [0, 8],
  st_ino: [8, 8],
  st_mode: [16, 4],
  st_nlink: [20, 4],
  st_uid: [24, 4],
  st_gid: [28, 4],
  st_rdev: [32, 8],
  st_size: [48, 8],
  st_blksize: [56, 4],
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
  [S.st_mode, 'mode'],
  [S.st_nlink, 'nlink'],
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
 * open(2)/fcntl(F_GETFL) flags: include/uapi/asm-generic/fcntl.h with the
 * overrides of arch/arm64/include/uapi/asm/fcntl.h (O_DIRECTORY, O_NOFOLLOW,
 * O_DIRECT, O_LARGEFILE -- and hence O_TMPFILE). Kernel values: glibc's
 * <fcntl.h> has O_LARGEFILE = 0, the kernel forces 0400000 on 64-bit opens.
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
  O_DIRECTORY: 0o40000,
  O_NOFOLLOW: 0o100000,
  O_DIRECT: 0o200000,
  O_LARGEFILE: 0o400000,
  O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000,
  __O_SYNC: 0o4000000,
  O_SYNC: 0o4010000,
  O_PATH: 0o10000000,
  __O_TMPFILE: 0o20000000,
  O_TMPFILE: 0o20040000,
} as const;

/** sizeof(struct epoll_event): 16 -- not packed on arm64 (include/uapi/linux/eventpoll.h). */
export const EPOLL_EVENT_SIZE = 16;
export const EPOLL_EVENT_LAYOUT = defineLayout('struct epoll_event', 'linux/eventpoll.h', EPOLL_EVENT_SIZE, {
  events: [0, 4],
  data: [8, 8],
});

/** Signal stack sizes: arch/arm64/include/uapi/asm/signal.h. */
export const SIGNAL_STACK = {
  MINSIGSTKSZ: 5120,
  SIGSTKSZ: 16384,
} as const;

/** arm64-only mmap/mprotect protection bits: arch/arm64/include/uapi/asm/mman.h. */
export const MMAP_ARCH_FLAGS = {
  PROT_BTI: 0x10,
  PROT_MTE: 0x20,
} as const;

/** AT_HWCAP bits (aarch64 only): arch/arm64/include/uapi/asm/hwcap.h. */
export const HWCAP = {
  HWCAP_FP: 1 << 0,
  HWCAP_ASIMD: 1 << 1,
  HWCAP_EVTSTRM: 1 << 2,
  HWCAP_AES: 1 << 3,
  HWCAP_PMULL: 1 << 4,
  HWCAP_SHA1: 1 << 5,
  HWCAP_SHA2: 1 << 6,
  HWCAP_CRC32: 1 << 7,
  HWCAP_ATOMICS: 1 << 8,
  HWCAP_FPHP: 1 << 9,
  HWCAP_ASIMDHP: 1 << 10,
  HWCAP_CPUID: 1 << 11,
  HWCAP_ASIMDRDM: 1 << 12,
  HWCAP_JSCVT: 1 << 13,
  HWCAP_FCMA: 1 << 14,
  HWCAP_LRCPC: 1 << 15,
  HWCAP_DCPOP: 1 << 16,
  HWCAP_SHA3: 1 << 17,
  HWCAP_SM3: 1 << 18,
  HWCAP_SM4: 1 << 19,
  HWCAP_ASIMDDP: 1 << 20,
  HWCAP_SHA512: 1 << 21,
  HWCAP_SVE: 1 << 22,
  HWCAP_ASIMDFHM: 1 << 23,
  HWCAP_DIT: 1 << 24,
  HWCAP_USCAT: 1 << 25,
  HWCAP_ILRCPC: 1 << 26,
  HWCAP_FLAGM: 1 << 27,
  HWCAP_SSBS: 1 << 28,
  HWCAP_SB: 1 << 29,
  HWCAP_PACA: 1 << 30,
  HWCAP_PACG: 0x80000000,
} as const;

/** AT_HWCAP2 bits (aarch64 only, subset): arch/arm64/include/uapi/asm/hwcap.h. */
export const HWCAP2 = {
  HWCAP2_DCPODP: 1 << 0,
  HWCAP2_SVE2: 1 << 1,
  HWCAP2_FLAGM2: 1 << 7,
  HWCAP2_FRINT: 1 << 8,
  HWCAP2_I8MM: 1 << 13,
  HWCAP2_BF16: 1 << 14,
  HWCAP2_DGH: 1 << 15,
  HWCAP2_RNG: 1 << 16,
  HWCAP2_BTI: 1 << 17,
} as const;

/**
 * clone(2) register order on aarch64: arch/arm64 selects CONFIG_CLONE_BACKWARDS
 * (kernel/fork.c: flags, newsp, parent_tidptr, tls, child_tidptr).
 */
export const CLONE_ARGS: CloneArgOrder = { flags: 0, newsp: 1, parentTid: 2, tls: 3, childTid: 4 };

/** struct semid64_ds: include/uapi/asm-generic/sembuf.h (64-bit: no pad words). */
export const SEMID64_DS_LAYOUT = defineLayout('struct semid64_ds', 'linux/sem.h', 88, {
  sem_perm: [0, 48], sem_otime: [48, 8], sem_ctime: [56, 8], sem_nsems: [64, 8],
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
