// Linux user-space ABI constants and struct layouts that are IDENTICAL on
// x86_64 and aarch64 (the single source of truth for them). Values that differ
// per arch live in src/arch/<arch>/abi_data.ts, struct stat/statx in
// src/arch/stat.ts, errno in src/kernel/errno.ts.
//
// Contract: every exported `const X = {...} as const` whose keys are upper-case
// is a group of C macros; each key is the exact macro name and
// test/arch_data.test.ts checks each value against the x86_64 AND aarch64
// headers (the uapi header when it defines the macro, glibc's otherwise).
// Every exported StructLayout is checked field by field (offsetof/sizeof).
// Headers are cited as kernel source paths (include/uapi/...).

import type { Stat } from '../arch/stat.js';

// ---------------------------------------------------------------------------
// Struct layout description + little-endian field accessors.

/** One struct member: byte offset within the struct and size in bytes. */
export interface Field {
  readonly offset: number;
  readonly size: number;
}

/**
 * Layout of a C struct as the kernel sees it on a 64-bit little-endian arch.
 * `fields` keys are the C member designators (`st_ino`, `stx_atime.tv_sec`);
 * only members the emulator touches are listed, so bytes not covered by a
 * field are padding/reserved and must be written as zero.
 */
export interface StructLayout<K extends string = string> {
  /** The C type, e.g. `struct flock`. */
  readonly cType: string;
  /** The header that defines it (include path as used from user space). */
  readonly header: string;
  /** sizeof(cType). */
  readonly size: number;
  readonly fields: { readonly [P in K]: Field };
}

function layout<K extends string>(
  cType: string, header: string, size: number,
  fields: { readonly [P in K]: readonly [offset: number, size: number] },
): StructLayout<K> {
  const out = {} as { [P in K]: Field };
  for (const k of Object.keys(fields) as K[]) out[k] = { offset: fields[k][0], size: fields[k][1] };
  return { cType, header, size, fields: out };
}
export { layout as defineLayout };

const TWO32 = 4294967296;

/**
 * Store `v` (an integer; negative values are stored two's complement) into
 * field `f` of the struct at `base`, little-endian. 8-byte fields take any
 * safe integer; 1/2/4-byte fields keep the low bits.
 */
export function writeField(dv: DataView, base: number, f: Field, v: number): void {
  const o = base + f.offset;
  switch (f.size) {
    case 1:
      dv.setUint8(o, v & 0xff);
      return;
    case 2:
      dv.setUint16(o, v & 0xffff, true);
      return;
    case 4:
      dv.setUint32(o, v >>> 0, true);
      return;
    case 8:
      dv.setUint32(o, v >>> 0, true);
      dv.setUint32(o + 4, Math.floor(v / TWO32) >>> 0, true);
      return;
    default:
      throw new RangeError(`writeField: unsupported size ${f.size}`);
  }
}

/** Like writeField for an 8-byte (or smaller) field, from a bigint (two's complement). */
export function writeFieldBig(dv: DataView, base: number, f: Field, v: bigint): void {
  if (f.size === 8) dv.setBigUint64(base + f.offset, BigInt.asUintN(64, v), true);
  else writeField(dv, base, f, Number(BigInt.asIntN(32, v)));
}

/**
 * Read field `f` as an integer (sign-extended if `signed`). 8-byte values
 * beyond 2^53 lose precision; use readFieldBig for pointers/masks.
 */
export function readField(dv: DataView, base: number, f: Field, signed = false): number {
  const o = base + f.offset;
  switch (f.size) {
    case 1:
      return signed ? dv.getInt8(o) : dv.getUint8(o);
    case 2:
      return signed ? dv.getInt16(o, true) : dv.getUint16(o, true);
    case 4:
      return signed ? dv.getInt32(o, true) : dv.getUint32(o, true);
    case 8: {
      const lo = dv.getUint32(o, true);
      const hi = signed ? dv.getInt32(o + 4, true) : dv.getUint32(o + 4, true);
      return hi * TWO32 + lo;
    }
    default:
      throw new RangeError(`readField: unsupported size ${f.size}`);
  }
}

/** Read field `f` exactly as a bigint (sign-extended if `signed`). */
export function readFieldBig(dv: DataView, base: number, f: Field, signed = false): bigint {
  if (f.size === 8) return signed ? dv.getBigInt64(base + f.offset, true) : dv.getBigUint64(base + f.offset, true);
  return BigInt(readField(dv, base, f, signed));
}

// ---------------------------------------------------------------------------
// The per-arch data bundle (implemented by src/arch/<arch>/abi_data.ts).

/** Keys of OPEN_FLAGS (include/uapi/asm-generic/fcntl.h, arch/arm64/include/uapi/asm/fcntl.h). */
export type OpenFlagName =
  | 'O_ACCMODE' | 'O_RDONLY' | 'O_WRONLY' | 'O_RDWR' | 'O_CREAT' | 'O_EXCL' | 'O_NOCTTY'
  | 'O_TRUNC' | 'O_APPEND' | 'O_NONBLOCK' | 'O_NDELAY' | 'O_DSYNC' | 'FASYNC' | 'O_DIRECT'
  | 'O_LARGEFILE' | 'O_DIRECTORY' | 'O_NOFOLLOW' | 'O_NOATIME' | 'O_CLOEXEC' | '__O_SYNC'
  | 'O_SYNC' | 'O_PATH' | '__O_TMPFILE' | 'O_TMPFILE';

/** Register index (0-based syscall argument) of each clone(2) argument. */
export interface CloneArgOrder {
  readonly flags: number;
  readonly newsp: number;
  readonly parentTid: number;
  readonly childTid: number;
  readonly tls: number;
}

/** What arch-generic kernel code needs from src/arch/<arch>/abi_data.ts (`ABI_DATA`). */
export interface ArchAbiData {
  readonly arch: 'x86_64' | 'aarch64';
  /** Syscall number -> name, and name -> number (generated from <asm/unistd.h>). */
  readonly SYSCALL_NAMES: Readonly<Record<number, string>>;
  readonly SYSCALL_NUMBERS: Readonly<Record<string, number>>;
  /** sizeof(struct stat) and its encoder (zero-fills padding). */
  readonly STAT_SIZE: number;
  readonly STAT_LAYOUT: StructLayout;
  encodeStat(dv: DataView, off: number, st: Stat): void;
  readonly OPEN_FLAGS: Readonly<Record<OpenFlagName, number>>;
  /** sizeof(struct epoll_event): 12 on x86_64 (packed), 16 on aarch64. */
  readonly EPOLL_EVENT_SIZE: number;
  readonly EPOLL_EVENT_LAYOUT: StructLayout<'events' | 'data'>;
  /** MINSIGSTKSZ / SIGSTKSZ from <asm/signal.h>. */
  readonly SIGNAL_STACK: Readonly<Record<'MINSIGSTKSZ' | 'SIGSTKSZ', number>>;
  /** Arch-only mmap/mprotect bits (x86_64: MAP_32BIT; aarch64: PROT_BTI, PROT_MTE). */
  readonly MMAP_ARCH_FLAGS: Readonly<Record<string, number>>;
  /** clone(2) argument order (aarch64 has CONFIG_CLONE_BACKWARDS). */
  readonly CLONE_ARGS: CloneArgOrder;
  /** struct semid64_ds: 104 bytes on x86_64 (pad words after the times), 88 on aarch64. */
  readonly SEMID64_DS_LAYOUT: StructLayout<'sem_perm' | 'sem_otime' | 'sem_ctime' | 'sem_nsems'>;
}

// ---------------------------------------------------------------------------
// *at() flags: include/uapi/linux/fcntl.h

export const AT = {
  AT_FDCWD: -100, AT_SYMLINK_NOFOLLOW: 0x100,
  AT_EACCESS: 0x200, // faccessat only
  AT_REMOVEDIR: 0x200, // unlinkat only
  AT_SYMLINK_FOLLOW: 0x400, AT_NO_AUTOMOUNT: 0x800, AT_EMPTY_PATH: 0x1000,
  AT_STATX_SYNC_TYPE: 0x6000, AT_STATX_SYNC_AS_STAT: 0x0000, AT_STATX_FORCE_SYNC: 0x2000,
  AT_STATX_DONT_SYNC: 0x4000, AT_RECURSIVE: 0x8000,
} as const;

// fcntl(2) commands and values: include/uapi/asm-generic/fcntl.h, include/uapi/linux/fcntl.h.
// (F_GETLK/F_SETLK/F_SETLKW take a 64-bit struct flock on both arches.)
export const FCNTL = {
  F_DUPFD: 0, F_GETFD: 1, F_SETFD: 2, F_GETFL: 3, F_SETFL: 4, F_GETLK: 5, F_SETLK: 6, F_SETLKW: 7,
  F_SETOWN: 8, F_GETOWN: 9, F_SETSIG: 10, F_GETSIG: 11, F_SETOWN_EX: 15, F_GETOWN_EX: 16,
  F_GETOWNER_UIDS: 17, F_OFD_GETLK: 36, F_OFD_SETLK: 37, F_OFD_SETLKW: 38, F_SETLEASE: 1024,
  F_GETLEASE: 1025, F_NOTIFY: 1026, F_CANCELLK: 1029, F_DUPFD_CLOEXEC: 1030, F_SETPIPE_SZ: 1031,
  F_GETPIPE_SZ: 1032, F_ADD_SEALS: 1033, F_GET_SEALS: 1034, F_SEAL_SEAL: 0x1, F_SEAL_SHRINK: 0x2,
  F_SEAL_GROW: 0x4, F_SEAL_WRITE: 0x8, F_SEAL_FUTURE_WRITE: 0x10, F_RDLCK: 0, F_WRLCK: 1,
  F_UNLCK: 2, FD_CLOEXEC: 1,
  // flock(2) operations
  LOCK_SH: 1, LOCK_EX: 2, LOCK_NB: 4, LOCK_UN: 8,
} as const;

// lseek(2) whence: include/uapi/linux/fs.h
export const SEEK = {
  SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2, SEEK_DATA: 3, SEEK_HOLE: 4,
} as const;

// renameat2(2) flags: include/uapi/linux/fs.h
export const RENAME = {
  RENAME_NOREPLACE: 1, RENAME_EXCHANGE: 2, RENAME_WHITEOUT: 4,
} as const;

// File type and mode bits: include/uapi/linux/stat.h
export const MODE = {
  S_IFMT: 0o170000, S_IFSOCK: 0o140000, S_IFLNK: 0o120000, S_IFREG: 0o100000, S_IFBLK: 0o060000,
  S_IFDIR: 0o040000, S_IFCHR: 0o020000, S_IFIFO: 0o010000, S_ISUID: 0o4000, S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
} as const;

// statx(2) mask bits: include/uapi/linux/stat.h
export const STATX = {
  STATX_TYPE: 0x1, STATX_MODE: 0x2, STATX_NLINK: 0x4, STATX_UID: 0x8, STATX_GID: 0x10,
  STATX_ATIME: 0x20, STATX_MTIME: 0x40, STATX_CTIME: 0x80, STATX_INO: 0x100, STATX_SIZE: 0x200,
  STATX_BLOCKS: 0x400, STATX_BASIC_STATS: 0x7ff, STATX_BTIME: 0x800, STATX_MNT_ID: 0x1000,
  STATX_DIOALIGN: 0x2000,
} as const;

// getdents64 d_type: glibc <dirent.h> (the kernel's fs_umode_to_dtype values, S_IFMT >> 12).
export const DT = {
  DT_UNKNOWN: 0, DT_FIFO: 1, DT_CHR: 2, DT_DIR: 4, DT_BLK: 6, DT_REG: 8, DT_LNK: 10, DT_SOCK: 12,
  DT_WHT: 14,
} as const;

// mmap/mprotect: include/uapi/asm-generic/mman-common.h, mman.h; linux/mman.h.
export const PROT = {
  PROT_NONE: 0x0, PROT_READ: 0x1, PROT_WRITE: 0x2, PROT_EXEC: 0x4, PROT_SEM: 0x8,
  PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000,
} as const;

export const MAP = {
  MAP_SHARED: 0x01, MAP_PRIVATE: 0x02, MAP_SHARED_VALIDATE: 0x03, MAP_TYPE: 0x0f, MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20, MAP_GROWSDOWN: 0x0100, MAP_DENYWRITE: 0x0800, MAP_EXECUTABLE: 0x1000,
  MAP_LOCKED: 0x2000, MAP_NORESERVE: 0x4000, MAP_POPULATE: 0x8000, MAP_NONBLOCK: 0x10000,
  MAP_STACK: 0x20000, MAP_HUGETLB: 0x40000, MAP_SYNC: 0x80000, MAP_FIXED_NOREPLACE: 0x100000,
  MAP_UNINITIALIZED: 0x4000000,
} as const;

export const MREMAP = {
  MREMAP_MAYMOVE: 1, MREMAP_FIXED: 2, MREMAP_DONTUNMAP: 4,
} as const;

export const MADV = {
  MADV_NORMAL: 0, MADV_RANDOM: 1, MADV_SEQUENTIAL: 2, MADV_WILLNEED: 3, MADV_DONTNEED: 4,
  MADV_FREE: 8, MADV_REMOVE: 9, MADV_DONTFORK: 10, MADV_DOFORK: 11, MADV_MERGEABLE: 12,
  MADV_UNMERGEABLE: 13, MADV_HUGEPAGE: 14, MADV_NOHUGEPAGE: 15, MADV_DONTDUMP: 16, MADV_DODUMP: 17,
  MADV_WIPEONFORK: 18, MADV_KEEPONFORK: 19, MADV_COLD: 20, MADV_PAGEOUT: 21, MADV_POPULATE_READ: 22,
  MADV_POPULATE_WRITE: 23, MADV_HWPOISON: 100,
} as const;

// msync/mlockall flags
export const MSYNC = {
  MS_ASYNC: 1, MS_INVALIDATE: 2, MS_SYNC: 4, MCL_CURRENT: 1, MCL_FUTURE: 2, MCL_ONFAULT: 4,
} as const;

// Clock ids: include/uapi/linux/time.h
export const CLOCK = {
  CLOCK_REALTIME: 0, CLOCK_MONOTONIC: 1, CLOCK_PROCESS_CPUTIME_ID: 2, CLOCK_THREAD_CPUTIME_ID: 3,
  CLOCK_MONOTONIC_RAW: 4, CLOCK_REALTIME_COARSE: 5, CLOCK_MONOTONIC_COARSE: 6, CLOCK_BOOTTIME: 7,
  CLOCK_REALTIME_ALARM: 8, CLOCK_BOOTTIME_ALARM: 9, CLOCK_TAI: 11, TIMER_ABSTIME: 1,
} as const;

// ELF auxiliary vector tags: include/uapi/linux/auxvec.h, arch/*/include/uapi/asm/auxvec.h
// (AT_SYSINFO_EHDR = 33 on both; AT_MINSIGSTKSZ = 51 on both).
export const AUXV = {
  AT_NULL: 0, AT_IGNORE: 1, AT_EXECFD: 2, AT_PHDR: 3, AT_PHENT: 4, AT_PHNUM: 5, AT_PAGESZ: 6,
  AT_BASE: 7, AT_FLAGS: 8, AT_ENTRY: 9, AT_NOTELF: 10, AT_UID: 11, AT_EUID: 12, AT_GID: 13,
  AT_EGID: 14, AT_PLATFORM: 15, AT_HWCAP: 16, AT_CLKTCK: 17, AT_SECURE: 23, AT_BASE_PLATFORM: 24,
  AT_RANDOM: 25, AT_HWCAP2: 26, AT_EXECFN: 31, AT_SYSINFO_EHDR: 33, AT_MINSIGSTKSZ: 51,
} as const;

// Resource limits: include/uapi/asm-generic/resource.h, include/uapi/linux/resource.h
export const RLIMIT = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
  RLIM_NLIMITS: 16, RUSAGE_SELF: 0, RUSAGE_CHILDREN: -1, RUSAGE_THREAD: 1, PRIO_PROCESS: 0,
  PRIO_PGRP: 1, PRIO_USER: 2,
} as const;

/** RLIM_INFINITY / RLIM64_INFINITY (~0UL): the all-ones 64-bit value. */
export const RLIM_LIMITS = {
  RLIM_INFINITY: 0xffffffffffffffffn, RLIM64_INFINITY: 0xffffffffffffffffn,
} as const;

// ioctl request numbers: include/uapi/asm-generic/ioctls.h (x86 and arm64 both use it).
export const IOCTL = {
  TCGETS: 0x5401, TCSETS: 0x5402, TCSETSW: 0x5403, TCSETSF: 0x5404, TCSBRK: 0x5409, TCXONC: 0x540a,
  TCFLSH: 0x540b, TIOCEXCL: 0x540c, TIOCNXCL: 0x540d, TIOCSCTTY: 0x540e, TIOCGPGRP: 0x540f,
  TIOCSPGRP: 0x5410, TIOCOUTQ: 0x5411, TIOCSTI: 0x5412, TIOCGWINSZ: 0x5413, TIOCSWINSZ: 0x5414,
  FIONREAD: 0x541b, TIOCINQ: 0x541b, TIOCNOTTY: 0x5422, TIOCGSID: 0x5429, TIOCGPTN: 0x80045430,
  TIOCSPTLCK: 0x40045431, FIONBIO: 0x5421, FIONCLEX: 0x5450, FIOCLEX: 0x5451, FIOASYNC: 0x5452,
} as const;

// struct termios bits and c_cc indices: include/uapi/asm-generic/termbits.h, termbits-common.h
export const TERMIOS = {
  NCCS: 19, VINTR: 0, VQUIT: 1, VERASE: 2, VKILL: 3, VEOF: 4, VTIME: 5, VMIN: 6, VSTART: 8,
  VSTOP: 9, VSUSP: 10, VEOL: 11, VREPRINT: 12, VWERASE: 14, VLNEXT: 15,
  // c_iflag
  IGNBRK: 0o1, BRKINT: 0o2, IGNPAR: 0o4, INLCR: 0o100, IGNCR: 0o200, ICRNL: 0o400, IXON: 0o2000,
  IXOFF: 0o10000, IUTF8: 0o40000,
  // c_oflag
  OPOST: 0o1, ONLCR: 0o4,
  // c_cflag
  CSIZE: 0o60, CS8: 0o60, CREAD: 0o200, HUPCL: 0o2000, CLOCAL: 0o4000, B38400: 0o17,
  // c_lflag
  ISIG: 0o1, ICANON: 0o2, ECHO: 0o10, ECHOE: 0o20, ECHOK: 0o40, ECHONL: 0o100, NOFLSH: 0o200,
  TOSTOP: 0o400, ECHOCTL: 0o1000, ECHOKE: 0o4000, IEXTEN: 0o100000,
  // tcflush/tcflow arguments
  TCIFLUSH: 0, TCOFLUSH: 1, TCIOFLUSH: 2,
} as const;

// getrandom(2) flags: include/uapi/linux/random.h
export const GRND = {
  GRND_NONBLOCK: 1, GRND_RANDOM: 2, GRND_INSECURE: 4,
} as const;

// Signal numbers: arch/x86/include/uapi/asm/signal.h = include/uapi/asm-generic/signal.h
// (SIGRTMAX is _NSIG = 64 on both; see NSIG below). SIGRTMIN is the kernel's 32;
// glibc's user-visible SIGRTMIN is 34 because NPTL reserves 32 and 33.
export const SIG = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7,
  SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14,
  SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21,
  SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31, SIGRTMIN: 32,
} as const;

/** Number of signals the kernel knows (_NSIG; signals are 1..NSIG). */
export const NSIG = 64;

// sigaction/sigprocmask/sigaltstack: include/uapi/asm-generic/signal-defs.h,
// include/uapi/linux/signal.h. SA_RESTORER is 0x04000000 on BOTH arches
// (arch/arm64/include/uapi/asm/signal.h defines it "for AArch32 compatibility";
// arm64 setup_return() honours it, else returns via the vDSO sigtramp).
export const SA = {
  SA_NOCLDSTOP: 0x1, SA_NOCLDWAIT: 0x2, SA_SIGINFO: 0x4, SA_UNSUPPORTED: 0x400,
  SA_EXPOSE_TAGBITS: 0x800, SA_RESTORER: 0x04000000, SA_ONSTACK: 0x08000000, SA_RESTART: 0x10000000,
  SA_NODEFER: 0x40000000, SA_RESETHAND: 0x80000000, SIG_BLOCK: 0, SIG_UNBLOCK: 1, SIG_SETMASK: 2,
  SIG_DFL: 0, SIG_IGN: 1, SIG_ERR: -1, SS_ONSTACK: 1, SS_DISABLE: 2, SS_AUTODISARM: 0x80000000,
} as const;

// siginfo si_code values: include/uapi/asm-generic/siginfo.h
export const SI_CODE = {
  SI_USER: 0, SI_KERNEL: 0x80, SI_QUEUE: -1, SI_TIMER: -2, SI_MESGQ: -3, SI_ASYNCIO: -4,
  SI_SIGIO: -5, SI_TKILL: -6, ILL_ILLOPC: 1, ILL_ILLOPN: 2, ILL_ILLADR: 3, ILL_ILLTRP: 4,
  ILL_PRVOPC: 5, FPE_INTDIV: 1, FPE_INTOVF: 2, FPE_FLTDIV: 3, SEGV_MAPERR: 1, SEGV_ACCERR: 2,
  BUS_ADRALN: 1, BUS_ADRERR: 2, TRAP_BRKPT: 1, TRAP_TRACE: 2, CLD_EXITED: 1, CLD_KILLED: 2,
  CLD_DUMPED: 3, CLD_TRAPPED: 4, CLD_STOPPED: 5, CLD_CONTINUED: 6, SYS_SECCOMP: 1,
} as const;

// clone(2)/clone3(2) flags: include/uapi/linux/sched.h
export const CLONE = {
  CSIGNAL: 0xff, CLONE_NEWTIME: 0x80, CLONE_VM: 0x100, CLONE_FS: 0x200, CLONE_FILES: 0x400,
  CLONE_SIGHAND: 0x800, CLONE_PIDFD: 0x1000, CLONE_PTRACE: 0x2000, CLONE_VFORK: 0x4000,
  CLONE_PARENT: 0x8000, CLONE_THREAD: 0x10000, CLONE_NEWNS: 0x20000, CLONE_SYSVSEM: 0x40000,
  CLONE_SETTLS: 0x80000, CLONE_PARENT_SETTID: 0x100000, CLONE_CHILD_CLEARTID: 0x200000,
  CLONE_DETACHED: 0x400000, CLONE_UNTRACED: 0x800000, CLONE_CHILD_SETTID: 0x1000000,
  CLONE_NEWCGROUP: 0x2000000, CLONE_NEWUTS: 0x4000000, CLONE_NEWIPC: 0x8000000,
  CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000,
  CLONE_IO: 0x80000000, CLONE_CLEAR_SIGHAND: 0x100000000, CLONE_INTO_CGROUP: 0x200000000,
} as const;

// wait4/waitid: include/uapi/linux/wait.h
export const WAIT = {
  WNOHANG: 0x1, WUNTRACED: 0x2, WSTOPPED: 0x2, WEXITED: 0x4, WCONTINUED: 0x8, WNOWAIT: 0x01000000,
  __WNOTHREAD: 0x20000000, __WALL: 0x40000000, __WCLONE: 0x80000000, P_ALL: 0, P_PID: 1, P_PGID: 2,
  P_PIDFD: 3,
} as const;

// futex(2): include/uapi/linux/futex.h
export const FUTEX = {
  FUTEX_WAIT: 0, FUTEX_WAKE: 1, FUTEX_FD: 2, FUTEX_REQUEUE: 3, FUTEX_CMP_REQUEUE: 4,
  FUTEX_WAKE_OP: 5, FUTEX_LOCK_PI: 6, FUTEX_UNLOCK_PI: 7, FUTEX_TRYLOCK_PI: 8, FUTEX_WAIT_BITSET: 9,
  FUTEX_WAKE_BITSET: 10, FUTEX_WAIT_REQUEUE_PI: 11, FUTEX_CMP_REQUEUE_PI: 12, FUTEX_LOCK_PI2: 13,
  FUTEX_PRIVATE_FLAG: 128, FUTEX_CLOCK_REALTIME: 256, FUTEX_CMD_MASK: ~(128 | 256),
  FUTEX_BITSET_MATCH_ANY: 0xffffffff, FUTEX_WAITERS: 0x80000000, FUTEX_OWNER_DIED: 0x40000000,
  FUTEX_TID_MASK: 0x3fffffff,
} as const;

// epoll: include/uapi/linux/eventpoll.h (struct epoll_event differs: see abi_data.ts)
export const EPOLL = {
  EPOLL_CLOEXEC: 0o2000000, EPOLL_CTL_ADD: 1, EPOLL_CTL_DEL: 2, EPOLL_CTL_MOD: 3, EPOLLIN: 0x1,
  EPOLLPRI: 0x2, EPOLLOUT: 0x4, EPOLLERR: 0x8, EPOLLHUP: 0x10, EPOLLNVAL: 0x20, EPOLLRDNORM: 0x40,
  EPOLLRDBAND: 0x80, EPOLLWRNORM: 0x100, EPOLLWRBAND: 0x200, EPOLLMSG: 0x400, EPOLLRDHUP: 0x2000,
  EPOLLEXCLUSIVE: 0x10000000, EPOLLWAKEUP: 0x20000000, EPOLLONESHOT: 0x40000000,
  EPOLLET: 0x80000000,
} as const;

// poll(2): include/uapi/asm-generic/poll.h
export const POLL = {
  POLLIN: 0x1, POLLPRI: 0x2, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20,
  POLLRDNORM: 0x40, POLLRDBAND: 0x80, POLLWRNORM: 0x100, POLLWRBAND: 0x200, POLLMSG: 0x400,
  POLLREMOVE: 0x1000, POLLRDHUP: 0x2000,
} as const;

// eventfd2/timerfd flags: glibc <sys/eventfd.h>, <sys/timerfd.h> (= O_* bits of fs/eventfd.c, fs/timerfd.c).
export const FD_FLAGS = {
  EFD_SEMAPHORE: 1, EFD_CLOEXEC: 0o2000000, EFD_NONBLOCK: 0o4000, TFD_CLOEXEC: 0o2000000,
  TFD_NONBLOCK: 0o4000, TFD_TIMER_ABSTIME: 1, TFD_TIMER_CANCEL_ON_SET: 2,
} as const;

// signalfd4 flags: include/uapi/linux/signalfd.h (= O_CLOEXEC, O_NONBLOCK).
export const SFD = {
  SFD_CLOEXEC: 0o2000000, SFD_NONBLOCK: 0o4000,
} as const;

// struct sigevent notification kinds: include/uapi/asm-generic/siginfo.h.
export const SIGEV = {
  SIGEV_SIGNAL: 0, SIGEV_NONE: 1, SIGEV_THREAD: 2, SIGEV_THREAD_ID: 4,
} as const;

// prctl(2): include/uapi/linux/prctl.h (subset)
export const PR = {
  PR_SET_PDEATHSIG: 1, PR_GET_PDEATHSIG: 2, PR_GET_DUMPABLE: 3, PR_SET_DUMPABLE: 4, PR_SET_NAME: 15,
  PR_GET_NAME: 16, PR_CAPBSET_READ: 23, PR_SET_MM: 35, PR_SET_CHILD_SUBREAPER: 36,
  PR_GET_CHILD_SUBREAPER: 37, PR_SET_NO_NEW_PRIVS: 38, PR_GET_NO_NEW_PRIVS: 39,
  PR_SET_THP_DISABLE: 41, PR_GET_THP_DISABLE: 42, PR_SET_VMA: 0x53564d41, PR_SET_VMA_ANON_NAME: 0,
  PR_GET_KEEPCAPS: 7, PR_SET_KEEPCAPS: 8, PR_GET_TIMERSLACK: 30, PR_SET_TIMERSLACK: 29, PR_CAPBSET_DROP: 24,
  PR_GET_SECUREBITS: 27, PR_SET_SECUREBITS: 28, PR_CAP_AMBIENT: 47, PR_CAP_AMBIENT_IS_SET: 1, PR_CAP_AMBIENT_CLEAR_ALL: 4,
} as const;

// Sockets: glibc <sys/socket.h> (AF_*, SOCK_*, MSG_*, SHUT_*, SCM_*; same as the
// kernel's include/linux/socket.h, net.h) and include/uapi/asm-generic/socket.h (SO_*).
export const SOCK = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16, SOCK_STREAM: 1, SOCK_DGRAM: 2,
  SOCK_RAW: 3, SOCK_SEQPACKET: 5, SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000, SOL_SOCKET: 1,
  SO_DEBUG: 1, SO_REUSEADDR: 2, SO_TYPE: 3, SO_ERROR: 4, SO_DONTROUTE: 5, SO_BROADCAST: 6,
  SO_SNDBUF: 7, SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_OOBINLINE: 10, SO_LINGER: 13, SO_REUSEPORT: 15,
  SO_PASSCRED: 16, SO_PEERCRED: 17, SO_RCVLOWAT: 18, SO_SNDLOWAT: 19, SO_RCVTIMEO_OLD: 20,
  SO_SNDTIMEO_OLD: 21, SO_ACCEPTCONN: 30, SO_PEERSEC: 31, SO_SNDBUFFORCE: 32, SO_RCVBUFFORCE: 33,
  SO_PROTOCOL: 38, SO_DOMAIN: 39, SHUT_RD: 0, SHUT_WR: 1, SHUT_RDWR: 2, MSG_OOB: 0x1, MSG_PEEK: 0x2,
  MSG_DONTROUTE: 0x4, MSG_CTRUNC: 0x8, MSG_TRUNC: 0x20, MSG_DONTWAIT: 0x40, MSG_EOR: 0x80,
  MSG_WAITALL: 0x100, MSG_NOSIGNAL: 0x4000, MSG_CMSG_CLOEXEC: 0x40000000, SCM_RIGHTS: 1,
  SCM_CREDENTIALS: 2,
} as const;

// ---------------------------------------------------------------------------
// Struct layouts identical on both arches (LP64, little-endian).

/** File-system magic numbers (include/uapi/linux/magic.h) for the kernel's own objects. */
export const FS_MAGIC = {
  PROC_SUPER_MAGIC: 0x9fa0, SYSFS_MAGIC: 0x62656572, TMPFS_MAGIC: 0x01021994, PIPEFS_MAGIC: 0x50495045,
  SOCKFS_MAGIC: 0x534f434b, ANON_INODE_FS_MAGIC: 0x09041934,
} as const;

/** struct flock, include/uapi/asm-generic/fcntl.h (F_GETLK/F_SETLK/F_SETLKW). */
export const FLOCK_LAYOUT = layout('struct flock', 'asm/fcntl.h', 32, {
  l_type: [0, 2], l_whence: [2, 2], l_start: [8, 8], l_len: [16, 8], l_pid: [24, 4],
});

/**
 * struct sigaction as rt_sigaction(2) reads/writes it (kernel layout, not
 * glibc's): include/uapi/asm-generic/signal.h with SA_RESTORER defined, and
 * arch/x86/include/uapi/asm/signal.h -- same on both arches.
 */
export const SIGACTION_LAYOUT = layout('struct sigaction', 'asm/signal.h', 32, {
  sa_handler: [0, 8], sa_flags: [8, 8], sa_restorer: [16, 8], sa_mask: [24, 8],
});

/** Kernel sigset_t (_NSIG = 64 bits); rt_sig*(2) require sigsetsize == 8. */
export const SIGSET_LAYOUT = layout('sigset_t', 'asm/signal.h', 8, {});
export const SIGSET_SIZE = 8;

/** stack_t for sigaltstack(2): include/uapi/asm-generic/signal.h. */
export const STACK_T_LAYOUT = layout('stack_t', 'asm/signal.h', 24, {
  ss_sp: [0, 8], ss_flags: [8, 4], ss_size: [16, 8],
});

/** siginfo_t (128 bytes): include/uapi/asm-generic/siginfo.h. */
export const SIGINFO_LAYOUT = layout('siginfo_t', 'asm/siginfo.h', 128, {
  si_signo: [0, 4], si_errno: [4, 4], si_code: [8, 4], si_pid: [16, 4], si_uid: [20, 4],
  si_status: [24, 4], si_utime: [32, 8], si_stime: [40, 8], si_value: [24, 8], si_int: [24, 4],
  si_ptr: [24, 8], si_tid: [16, 4], si_overrun: [20, 4], si_addr: [16, 8], si_band: [16, 8],
  si_fd: [24, 4], si_call_addr: [16, 8], si_syscall: [24, 4], si_arch: [28, 4],
});

/**
 * struct sigevent (timer_create): include/uapi/asm-generic/siginfo.h, 64 bytes; the thread id
 * of SIGEV_THREAD_ID is _sigev_un._tid (sigev_notify_thread_id).
 */
export const SIGEVENT_LAYOUT = layout('struct sigevent', 'asm/siginfo.h', 64, {
  sigev_value: [0, 8], sigev_signo: [8, 4], sigev_notify: [12, 4], '_sigev_un._tid': [16, 4],
});

/** struct signalfd_siginfo (128 bytes): include/uapi/linux/signalfd.h. */
export const SIGNALFD_SIGINFO_LAYOUT = layout('struct signalfd_siginfo', 'linux/signalfd.h', 128, {
  ssi_signo: [0, 4], ssi_errno: [4, 4], ssi_code: [8, 4], ssi_pid: [12, 4], ssi_uid: [16, 4],
  ssi_fd: [20, 4], ssi_tid: [24, 4], ssi_band: [28, 4], ssi_overrun: [32, 4], ssi_trapno: [36, 4],
  ssi_status: [40, 4], ssi_int: [44, 4], ssi_ptr: [48, 8], ssi_utime: [56, 8], ssi_stime: [64, 8],
  ssi_addr: [72, 8], ssi_addr_lsb: [80, 2], ssi_syscall: [84, 4], ssi_call_addr: [88, 8],
  ssi_arch: [96, 4],
});

/** struct rlimit (and rlimit64): include/uapi/linux/resource.h. */
export const RLIMIT_LAYOUT = layout('struct rlimit', 'linux/resource.h', 16, {
  rlim_cur: [0, 8], rlim_max: [8, 8],
});

/** struct rusage: include/uapi/linux/resource.h (timevals then 14 longs). */
export const RUSAGE_LAYOUT = layout('struct rusage', 'linux/resource.h', 144, {
  'ru_utime.tv_sec': [0, 8], 'ru_utime.tv_usec': [8, 8], 'ru_stime.tv_sec': [16, 8],
  'ru_stime.tv_usec': [24, 8], ru_maxrss: [32, 8], ru_minflt: [64, 8], ru_majflt: [72, 8],
  ru_nvcsw: [128, 8], ru_nivcsw: [136, 8],
});

/** struct new_utsname for uname(2): include/uapi/linux/utsname.h (6 x char[65]). */
export const UTSNAME_LAYOUT = layout('struct new_utsname', 'linux/utsname.h', 390, {
  sysname: [0, 65], nodename: [65, 65], release: [130, 65], version: [195, 65], machine: [260, 65],
  domainname: [325, 65],
});

/** struct timespec / __kernel_timespec: include/uapi/linux/time.h, time_types.h. */
export const TIMESPEC_LAYOUT = layout('struct __kernel_timespec', 'linux/time_types.h', 16, {
  tv_sec: [0, 8], tv_nsec: [8, 8],
});

/** struct timeval: include/uapi/linux/time.h. */
export const TIMEVAL_LAYOUT = layout('struct timeval', 'linux/time.h', 16, {
  tv_sec: [0, 8], tv_usec: [8, 8],
});

/** struct itimerspec (timer_settime/timerfd): include/uapi/linux/time.h. */
export const ITIMERSPEC_LAYOUT = layout('struct itimerspec', 'linux/time.h', 32, {
  'it_interval.tv_sec': [0, 8], 'it_interval.tv_nsec': [8, 8], 'it_value.tv_sec': [16, 8],
  'it_value.tv_nsec': [24, 8],
});

/** struct tms for times(2): include/uapi/linux/times.h. */
export const TMS_LAYOUT = layout('struct tms', 'linux/times.h', 32, {
  tms_utime: [0, 8], tms_stime: [8, 8], tms_cutime: [16, 8], tms_cstime: [24, 8],
});

/** struct sysinfo: include/uapi/linux/sysinfo.h. */
export const SYSINFO_LAYOUT = layout('struct sysinfo', 'linux/sysinfo.h', 112, {
  uptime: [0, 8], loads: [8, 24], totalram: [32, 8], freeram: [40, 8], sharedram: [48, 8],
  bufferram: [56, 8], totalswap: [64, 8], freeswap: [72, 8], procs: [80, 2], totalhigh: [88, 8],
  freehigh: [96, 8], mem_unit: [104, 4],
});

/** struct statfs (statfs/fstatfs): include/uapi/asm-generic/statfs.h (64-bit words). */
export const STATFS_LAYOUT = layout('struct statfs', 'asm/statfs.h', 120, {
  f_type: [0, 8], f_bsize: [8, 8], f_blocks: [16, 8], f_bfree: [24, 8], f_bavail: [32, 8],
  f_files: [40, 8], f_ffree: [48, 8], f_fsid: [56, 8], f_namelen: [64, 8], f_frsize: [72, 8],
  f_flags: [80, 8], f_spare: [88, 32],
});

/** struct pollfd: include/uapi/asm-generic/poll.h. */
export const POLLFD_LAYOUT = layout('struct pollfd', 'asm/poll.h', 8, {
  fd: [0, 4], events: [4, 2], revents: [6, 2],
});

/** struct iovec: include/uapi/linux/uio.h. */
export const IOVEC_LAYOUT = layout('struct iovec', 'linux/uio.h', 16, {
  iov_base: [0, 8], iov_len: [8, 8],
});

/** struct winsize (TIOCGWINSZ): include/uapi/asm-generic/termios.h. */
export const WINSIZE_LAYOUT = layout('struct winsize', 'asm/termios.h', 8, {
  ws_row: [0, 2], ws_col: [2, 2], ws_xpixel: [4, 2], ws_ypixel: [6, 2],
});

/** Kernel struct termios (TCGETS/TCSETS, NCCS = 19): include/uapi/asm-generic/termbits.h. */
export const TERMIOS_LAYOUT = layout('struct termios', 'asm/termbits.h', 36, {
  c_iflag: [0, 4], c_oflag: [4, 4], c_cflag: [8, 4], c_lflag: [12, 4], c_line: [16, 1],
  c_cc: [17, 19],
});

/**
 * getdents64 record header (the kernel's struct linux_dirent64, fs/readdir.c;
 * glibc's struct dirent64 has the same header). Records are variable length:
 * see dirent64RecLen.
 */
export const DIRENT64_LAYOUT = layout('struct dirent64', 'dirent.h', 280, {
  d_ino: [0, 8], d_off: [8, 8], d_reclen: [16, 2], d_type: [18, 1], d_name: [19, 256],
});
export const DIRENT64_NAME_OFFSET = 19;

/** d_reclen of a linux_dirent64 record for a name of `nameLen` bytes (NUL + align 8). */
export function dirent64RecLen(nameLen: number): number {
  return (DIRENT64_NAME_OFFSET + nameLen + 1 + 7) & ~7;
}

/** struct clone_args for clone3(2) (CLONE_ARGS_SIZE_VER2 = 88): include/uapi/linux/sched.h. */
export const CLONE_ARGS_LAYOUT = layout('struct clone_args', 'linux/sched.h', 88, {
  flags: [0, 8], pidfd: [8, 8], child_tid: [16, 8], parent_tid: [24, 8], exit_signal: [32, 8],
  stack: [40, 8], stack_size: [48, 8], tls: [56, 8], set_tid: [64, 8], set_tid_size: [72, 8],
  cgroup: [80, 8],
});

/** struct robust_list_head (set_robust_list): include/uapi/linux/futex.h. */
export const ROBUST_LIST_HEAD_LAYOUT = layout('struct robust_list_head', 'linux/futex.h', 24, {
  list: [0, 8], futex_offset: [8, 8], list_op_pending: [16, 8],
});

/** struct sockaddr_un: include/uapi/linux/un.h (sun_path is 108 bytes). */
export const SOCKADDR_UN_LAYOUT = layout('struct sockaddr_un', 'linux/un.h', 110, {
  sun_family: [0, 2], sun_path: [2, 108],
});

/** struct sockaddr_in: include/uapi/linux/in.h (port/address in network byte order). */
export const SOCKADDR_IN_LAYOUT = layout('struct sockaddr_in', 'linux/in.h', 16, {
  sin_family: [0, 2], sin_port: [2, 2], sin_addr: [4, 4],
});

/** struct sockaddr_in6: include/uapi/linux/in6.h. */
export const SOCKADDR_IN6_LAYOUT = layout('struct sockaddr_in6', 'linux/in6.h', 28, {
  sin6_family: [0, 2], sin6_port: [2, 2], sin6_flowinfo: [4, 4], sin6_addr: [8, 16],
  sin6_scope_id: [24, 4],
});

/** struct msghdr (kernel user_msghdr, include/linux/socket.h; glibc's is identical on LP64). */
export const MSGHDR_LAYOUT = layout('struct msghdr', 'sys/socket.h', 56, {
  msg_name: [0, 8], msg_namelen: [8, 4], msg_iov: [16, 8], msg_iovlen: [24, 8],
  msg_control: [32, 8], msg_controllen: [40, 8], msg_flags: [48, 4],
});

/** struct mmsghdr (sendmmsg/recvmmsg). */
export const MMSGHDR_LAYOUT = layout('struct mmsghdr', 'sys/socket.h', 64, {
  msg_hdr: [0, 56], msg_len: [56, 4],
});

/** struct cmsghdr; CMSG_ALIGN is 8 on LP64. */
export const CMSGHDR_LAYOUT = layout('struct cmsghdr', 'sys/socket.h', 16, {
  cmsg_len: [0, 8], cmsg_level: [8, 4], cmsg_type: [12, 4],
});

/** struct ucred (SO_PEERCRED, SCM_CREDENTIALS). */
export const UCRED_LAYOUT = layout('struct ucred', 'sys/socket.h', 12, {
  pid: [0, 4], uid: [4, 4], gid: [8, 4],
});

// ---------------------------------------------------------------------------
// System V IPC: include/uapi/linux/ipc.h, sem.h, shm.h, msg.h. The structs below come from
// asm-generic/{ipcbuf,shmbuf,msgbuf}.h, which x86_64 and arm64 both use; struct semid64_ds
// differs (x86's asm/sembuf.h keeps a pad word after each time) and lives in
// src/arch/<arch>/abi_data.ts. The 64-bit syscalls take IPC_64 layouts without the flag
// (ksys_semctl(..., IPC_64)): a cmd with IPC_64 set is EINVAL there.

export const IPC = {
  IPC_PRIVATE: 0, IPC_CREAT: 0o1000, IPC_EXCL: 0o2000, IPC_NOWAIT: 0o4000,
  IPC_RMID: 0, IPC_SET: 1, IPC_STAT: 2, IPC_INFO: 3, IPC_64: 0x100,
} as const;

/** semop flags, semctl commands and the limits Linux starts an IPC namespace with. */
export const SEM = {
  SEM_UNDO: 0x1000, GETPID: 11, GETVAL: 12, GETALL: 13, GETNCNT: 14, GETZCNT: 15, SETVAL: 16, SETALL: 17,
  SEM_STAT: 18, SEM_INFO: 19, SEM_STAT_ANY: 20,
  SEMMNI: 32000, SEMMSL: 32000, SEMMNS: 1024000000, SEMOPM: 500, SEMVMX: 32767, SEMAEM: 32767,
  SEMUME: 500, SEMMNU: 1024000000, SEMMAP: 1024000000, SEMUSZ: 20,
} as const;

/** shmat flags, shmctl commands, limits; SHM_DEST/SHM_LOCKED are shm_perm.mode bits (glibc's bits/shm.h). */
export const SHM = {
  SHM_RDONLY: 0o10000, SHM_RND: 0o20000, SHM_REMAP: 0o40000, SHM_EXEC: 0o100000,
  SHM_LOCK: 11, SHM_UNLOCK: 12, SHM_STAT: 13, SHM_INFO: 14, SHM_STAT_ANY: 15,
  SHM_DEST: 0o1000, SHM_LOCKED: 0o2000, SHMMIN: 1, SHMMNI: 4096, SHMSEG: 4096,
} as const;
/** SHMMAX and SHMALL (ULONG_MAX - 2^24; SHMALL counts pages): include/uapi/linux/shm.h. */
export const SHMMAX = 18446744073692774399n;
export const SHMALL = 18446744073692774399n;

/** msgrcv flags, msgctl commands and limits. */
export const MSG = {
  MSG_NOERROR: 0o10000, MSG_EXCEPT: 0o20000, MSG_COPY: 0o40000,
  MSG_STAT: 11, MSG_INFO: 12, MSG_STAT_ANY: 13,
  MSGMNI: 32000, MSGMAX: 8192, MSGMNB: 16384, MSGPOOL: 512000, MSGTQL: 16384, MSGMAP: 16384,
  MSGSSZ: 16, MSGSEG: 65535,
} as const;

/** struct ipc64_perm (asm-generic/ipcbuf.h): the ids are 32-bit, mode a 32-bit word. */
export const IPC64_PERM_LAYOUT = layout('struct ipc64_perm', 'linux/ipc.h', 48, {
  key: [0, 4], uid: [4, 4], gid: [8, 4], cuid: [12, 4], cgid: [16, 4], mode: [20, 4], seq: [24, 2],
});

/** struct sembuf: include/uapi/linux/sem.h. */
export const SEMBUF_LAYOUT = layout('struct sembuf', 'linux/sem.h', 6, {
  sem_num: [0, 2], sem_op: [2, 2], sem_flg: [4, 2],
});

/** struct seminfo (semctl IPC_INFO/SEM_INFO): include/uapi/linux/sem.h. */
export const SEMINFO_LAYOUT = layout('struct seminfo', 'linux/sem.h', 40, {
  semmap: [0, 4], semmni: [4, 4], semmns: [8, 4], semmnu: [12, 4], semmsl: [16, 4],
  semopm: [20, 4], semume: [24, 4], semusz: [28, 4], semvmx: [32, 4], semaem: [36, 4],
});

/** struct shmid64_ds: include/uapi/asm-generic/shmbuf.h. */
export const SHMID64_DS_LAYOUT = layout('struct shmid64_ds', 'linux/shm.h', 112, {
  shm_perm: [0, 48], shm_segsz: [48, 8], shm_atime: [56, 8], shm_dtime: [64, 8], shm_ctime: [72, 8],
  shm_cpid: [80, 4], shm_lpid: [84, 4], shm_nattch: [88, 8],
});

/** struct shminfo64 (shmctl IPC_INFO): include/uapi/asm-generic/shmbuf.h. */
export const SHMINFO64_LAYOUT = layout('struct shminfo64', 'linux/shm.h', 72, {
  shmmax: [0, 8], shmmin: [8, 8], shmmni: [16, 8], shmseg: [24, 8], shmall: [32, 8],
});

/** struct shm_info (shmctl SHM_INFO): include/uapi/linux/shm.h. */
export const SHM_INFO_LAYOUT = layout('struct shm_info', 'linux/shm.h', 48, {
  used_ids: [0, 4], shm_tot: [8, 8], shm_rss: [16, 8], shm_swp: [24, 8], swap_attempts: [32, 8], swap_successes: [40, 8],
});

/** struct msqid64_ds: include/uapi/asm-generic/msgbuf.h. */
export const MSQID64_DS_LAYOUT = layout('struct msqid64_ds', 'linux/msg.h', 120, {
  msg_perm: [0, 48], msg_stime: [48, 8], msg_rtime: [56, 8], msg_ctime: [64, 8], msg_cbytes: [72, 8],
  msg_qnum: [80, 8], msg_qbytes: [88, 8], msg_lspid: [96, 4], msg_lrpid: [100, 4],
});

/** struct msginfo (msgctl IPC_INFO/MSG_INFO): include/uapi/linux/msg.h. */
export const MSGINFO_LAYOUT = layout('struct msginfo', 'linux/msg.h', 32, {
  msgpool: [0, 4], msgmap: [4, 4], msgmax: [8, 4], msgmnb: [12, 4], msgmni: [16, 4], msgssz: [20, 4],
  msgtql: [24, 4], msgseg: [28, 2],
});

/** struct msgbuf (msgsnd/msgrcv's buffer): a long type, then the text. */
export const MSGBUF_LAYOUT = layout('struct msgbuf', 'linux/msg.h', 16, {
  mtype: [0, 8], mtext: [8, 1],
});
