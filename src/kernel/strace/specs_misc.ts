// Specs for calls programs commonly make that ucrun does not implement (yet): they return
// ENOSYS, but the trace still shows what the program asked for, as strace would.
import { FCNTL, FUTEX, RLIMIT, RUSAGE_LAYOUT, STATFS_LAYOUT } from '../abi.js';
import { type ArgDef, type Call, type Spec, failed, inp, outp, q64, struct, view } from './call.js';
import { type Xlat, addr, flags, hex, isoTime, oct, udec, xval } from './format.js';
import { timespec } from './structs.js';
import { AT_FLAGS } from './xlat.js';

const v = (c: Call, i: number) => c.args[i];

const FSMAGIC: Xlat = [['EXT2_SUPER_MAGIC', 0xef53], ['MSDOS_SUPER_MAGIC', 0x4d44], ['NFS_SUPER_MAGIC', 0x6969],
  ['PROC_SUPER_MAGIC', 0x9fa0], ['DEVPTS_SUPER_MAGIC', 0x1cd1], ['TMPFS_MAGIC', 0x01021994], ['V9FS_MAGIC', 0x01021997],
  ['ANON_INODE_FS_MAGIC', 0x09041934], ['ZFS_SUPER_MAGIC', 0x2fc12fc1], ['PIPEFS_MAGIC', 0x50495045], ['SOCKFS_MAGIC', 0x534f434b],
  ['XFS_SUPER_MAGIC', 0x58465342], ['SYSFS_MAGIC', 0x62656572], ['CGROUP2_SUPER_MAGIC', 0x63677270],
  ['DEBUGFS_MAGIC', 0x64626720], ['FUSE_SUPER_MAGIC', 0x65735546], ['SQUASHFS_MAGIC', 0x73717368],
  ['OVERLAYFS_SUPER_MAGIC', 0x794c7630], ['RAMFS_MAGIC', 0x858458f6], ['BTRFS_SUPER_MAGIC', 0x9123683e],
  ['EROFS_SUPER_MAGIC_V1', 0xe0f5e1e2], ['F2FS_SUPER_MAGIC', 0xf2f52010]];
const ST_FLAGS: Xlat = [['ST_RDONLY', 1], ['ST_NOSUID', 2], ['ST_NODEV', 4], ['ST_NOEXEC', 8], ['ST_SYNCHRONOUS', 16],
  ['ST_VALID', 32], ['ST_MANDLOCK', 64], ['ST_NOATIME', 1024], ['ST_NODIRATIME', 2048], ['ST_RELATIME', 4096]];

/** struct statfs (asm-generic/statfs.h, 64-bit words). */
function statfs(c: Call, at: number): string {
  const { dv, get } = struct(c, at, STATFS_LAYOUT);
  const fsid = STATFS_LAYOUT.fields.f_fsid.offset;
  const u = (k: 'f_bsize' | 'f_blocks' | 'f_bfree' | 'f_bavail' | 'f_files' | 'f_ffree' | 'f_namelen' | 'f_frsize') => `${k}=${get(k)}`;
  return `{f_type=${xval(get('f_type'), FSMAGIC, '???')}, ${u('f_bsize')}, ${u('f_blocks')}, ${u('f_bfree')}, ${u('f_bavail')}, `
    + `${u('f_files')}, ${u('f_ffree')}, f_fsid={val=[${hex(dv.getUint32(fsid, true))}, ${hex(dv.getUint32(fsid + 4, true))}]}, `
    + `${u('f_namelen')}, ${u('f_frsize')}, f_flags=${flags(get('f_flags'), ST_FLAGS, 'ST_???')}}`;
}

/** struct rusage, abbreviated. */
function rusage(c: Call, at: number): string {
  const { get } = struct(c, at, RUSAGE_LAYOUT);
  return `{ru_utime={tv_sec=${get('ru_utime.tv_sec', true)}, tv_usec=${get('ru_utime.tv_usec', true)}}, `
    + `ru_stime={tv_sec=${get('ru_stime.tv_sec', true)}, tv_usec=${get('ru_stime.tv_usec', true)}}, ...}`;
}

/** utimensat's times: NULL or `[UTIME_NOW, {tv_sec=1, tv_nsec=0} /* date *\/]`. */
const utimes: ArgDef = inp((c, i) => {
  const at = v(c, i);
  if (at === 0) return 'NULL';
  const one = (k: number) => {
    const dv = view(c, at + 16 * k, 16);
    const nsec = Number(dv.getBigInt64(8, true));
    if (nsec === (1 << 30) - 1) return 'UTIME_NOW';
    if (nsec === (1 << 30) - 2) return 'UTIME_OMIT';
    const date = isoTime(Number(dv.getBigInt64(0, true)));
    return `${timespec(c, at + 16 * k)} /* ${nsec ? date.replace(/([+-]\d{4})$/, `.${String(nsec).padStart(9, '0')}$1`) : date} */`;
  };
  return `[${one(0)}, ${one(1)}]`;
});

/** sendfile's offset: `[0] => [3]` after a successful call that moved it. */
const sendfileOff: ArgDef = {
  out: true,
  save: (c, i) => (v(c, i) ? q64(c, v(c, i)) : undefined),
  fmt: (c, i) => {
    const before = c.saved[i] as bigint | undefined;
    if (before === undefined) return addr(v(c, i));
    return !failed(c) && c.ret ? `[${before}] => [${q64(c, v(c, i))}]` : `[${before}]`;
  },
};

/** A cpu_set_t of `len` bytes: `[0 1]`. */
function cpuset(c: Call, at: number, len: number): string {
  const b = c.mem.read(at, Math.min(len, 1024));
  const cpus: number[] = [];
  b.forEach((byte, k) => { for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cpus.push(k * 8 + bit); });
  return `[${cpus.join(' ')}]`;
}

const FUTEX_OPS = Object.entries(FUTEX).filter(([k, x]) => x >= 0 && x <= 13 && k !== 'FUTEX_PRIVATE_FLAG') as unknown as Xlat;
/** futex(2): the op decides which of the remaining arguments mean something. */
const futexArgs: ArgDef = inp((c) => {
  const op = v(c, 1) | 0;
  const cmd = op & 127;
  let name = FUTEX_OPS.find(([, x]) => x === cmd)?.[0] ?? String(cmd);
  if (op & FUTEX.FUTEX_PRIVATE_FLAG) name += '_PRIVATE';
  if (op & FUTEX.FUTEX_CLOCK_REALTIME) name += '|FUTEX_CLOCK_REALTIME';
  const parts = [addr(v(c, 0)), name, String(v(c, 2) | 0)];
  const val3 = () => ((v(c, 5) >>> 0) === FUTEX.FUTEX_BITSET_MATCH_ANY ? 'FUTEX_BITSET_MATCH_ANY' : hex(v(c, 5) >>> 0));
  switch (cmd) {
    case FUTEX.FUTEX_WAIT: parts.push(timespec(c, v(c, 3))); break;
    case FUTEX.FUTEX_WAIT_BITSET: parts.push(timespec(c, v(c, 3)), addr(v(c, 4)), val3()); break;
    case FUTEX.FUTEX_WAKE_BITSET: parts.push(addr(v(c, 3)), addr(v(c, 4)), val3()); break;
    case FUTEX.FUTEX_REQUEUE: parts.push(String(v(c, 3) | 0), addr(v(c, 4))); break;
    case FUTEX.FUTEX_CMP_REQUEUE: case FUTEX.FUTEX_CMP_REQUEUE_PI: parts.push(String(v(c, 3) | 0), addr(v(c, 4)), String(v(c, 5) | 0)); break;
    case FUTEX.FUTEX_WAKE_OP: parts.push(String(v(c, 3) | 0), addr(v(c, 4)), hex(v(c, 5) >>> 0)); break;
    case FUTEX.FUTEX_LOCK_PI: case FUTEX.FUTEX_LOCK_PI2: case FUTEX.FUTEX_WAIT_REQUEUE_PI: parts.push(timespec(c, v(c, 3))); break;
  }
  return parts.join(', ');
});

const FADVISE: Xlat = [['POSIX_FADV_NORMAL', 0], ['POSIX_FADV_RANDOM', 1], ['POSIX_FADV_SEQUENTIAL', 2], ['POSIX_FADV_WILLNEED', 3],
  ['POSIX_FADV_DONTNEED', 4], ['POSIX_FADV_NOREUSE', 5]];
const FLOCK_OPS: Xlat = [['LOCK_SH', FCNTL.LOCK_SH], ['LOCK_EX', FCNTL.LOCK_EX], ['LOCK_NB', FCNTL.LOCK_NB], ['LOCK_UN', FCNTL.LOCK_UN]];
const MFD_FLAGS: Xlat = [['MFD_CLOEXEC', 1], ['MFD_ALLOW_SEALING', 2], ['MFD_HUGETLB', 4]];
const FALLOC: Xlat = [['FALLOC_FL_KEEP_SIZE', 1], ['FALLOC_FL_PUNCH_HOLE', 2], ['FALLOC_FL_COLLAPSE_RANGE', 8],
  ['FALLOC_FL_ZERO_RANGE', 0x10], ['FALLOC_FL_INSERT_RANGE', 0x20], ['FALLOC_FL_UNSHARE_RANGE', 0x40]];
const WHO: Xlat = [['RUSAGE_SELF', RLIMIT.RUSAGE_SELF], ['RUSAGE_CHILDREN', RLIMIT.RUSAGE_CHILDREN], ['RUSAGE_THREAD', RLIMIT.RUSAGE_THREAD]];
const PRIO: Xlat = [['PRIO_PROCESS', RLIMIT.PRIO_PROCESS], ['PRIO_PGRP', RLIMIT.PRIO_PGRP], ['PRIO_USER', RLIMIT.PRIO_USER]];

const xv = (t: Xlat, d: string): ArgDef => inp((c, i) => xval(v(c, i) | 0, t, d));
const fl = (t: Xlat, d: string): ArgDef => inp((c, i) => flags(v(c, i) >>> 0, t, d));
const id: ArgDef = inp((c, i) => String(v(c, i) | 0)); // uid_t/gid_t: -1 prints as -1
const statfsOut = outp((c, i) => statfs(c, v(c, i)));

export const MISC_SPECS: Record<string, Spec> = {
  sendfile: { args: ['fd', 'fd', sendfileOff, 'uint'] },
  utimensat: { args: ['dirfd', 'path', utimes, 'atflags'] },
  statfs: { args: ['path', statfsOut] },
  fstatfs: { args: ['fd', statfsOut] },
  getrusage: { args: [xv(WHO, 'RUSAGE_???'), outp((c, i) => rusage(c, v(c, i)))] },
  sched_getaffinity: { args: ['int', 'uint', outp((c, i) => cpuset(c, v(c, i), c.ret!))] },
  sched_setaffinity: { args: ['int', 'uint', inp((c, i) => cpuset(c, v(c, i), v(c, 1)))] },
  futex: { args: [futexArgs] },
  chown: { args: ['path', id, id] },
  lchown: { args: ['path', id, id] },
  fchown: { args: ['fd', id, id] },
  fchownat: { args: ['dirfd', 'path', id, id, inp((c, i) => flags(v(c, i) >>> 0, AT_FLAGS, 'AT_???'))] },
  flock: { args: ['fd', fl(FLOCK_OPS, 'LOCK_???')] },
  fallocate: { args: ['fd', fl(FALLOC, 'FALLOC_FL_???'), 'long', 'long'] },
  fadvise64: { args: ['fd', 'long', 'long', xv(FADVISE, 'POSIX_FADV_???')] },
  memfd_create: { args: ['path', fl(MFD_FLAGS, 'MFD_???')] },
  sync: { args: [] },
  syncfs: { args: ['fd'] },
  chroot: { args: ['path'] },
  setuid: { args: [id] }, setgid: { args: [id] },
  setreuid: { args: [id, id] }, setregid: { args: [id, id] },
  setresuid: { args: [id, id, id] }, setresgid: { args: [id, id, id] },
  getpriority: { args: [xv(PRIO, 'PRIO_???'), 'int'] },
  setpriority: { args: [xv(PRIO, 'PRIO_???'), 'int', 'int'] },
  mknodat: { args: ['dirfd', 'path', inp((c, i) => oct(v(c, i))), inp((c, i) => udec(v(c, i)))] },
  membarrier: { args: ['int', 'int', 'int'] },
  personality: { args: [inp((c, i) => hex(v(c, i) >>> 0))] },
  readahead: { args: ['fd', 'long', 'uint'] },
  copy_file_range: { args: ['fd', 'ptr', 'fd', 'ptr', 'uint', 'u32'] },
};
