// How --strace prints each call: one Spec per Linux syscall name, listing its arguments by
// kind (a name in KINDS or an ArgDef) and how a successful result prints. Kinds marked
// `out` are decoded after the call, the rest when it is entered, as strace does.
import { ARCH_PRCTL } from '../../arch/x86_64/abi_data.js';
import type { SigreturnFrame } from '../../arch/signal_frame.js';
import { AT, CLONE, CLONE_ARGS_LAYOUT, FCNTL, FUTEX, IOCTL, MSYNC, PR, SOCK, WAIT } from '../abi.js';
import { futexOpName } from '../futex.js';
import { Errno } from '../errno.js';
import { type ArgDef, type Call, type Spec, array, failed, i32, i64, inp, intp, outp, path, q64, str, struct } from './call.js';
import { type Xlat, addr, flags, hex, isoTime, oct, quote, signal, udec, xval } from './format.js';
import {
  epollEventIn, epollEventsOut, fdPair, fdsetIn, iovecs, msghdrIn, msghdrOut, optlenInOut, optvalIn, optvalOut, pollfds,
  pollRet, pselectSig, selectRet, sockaddrIn, sockaddrOut, socklenInOut, timevalIn,
} from './sockets.js';
import { IPC_SPECS } from './specs_ipc.js';
import { MISC_SPECS } from './specs_misc.js';
import { MORE_SPECS } from './specs_more.js';
import { TIMER_SPECS } from './specs_timers.js';
import * as S from './structs.js';
import * as X from './xlat.js';

const v = (c: Call, i: number) => c.args[i];

/** open(2)-style flags: the access mode, then the rest (sprint_open_modes). */
export function openModes(c: Call, val: number): string {
  const mode = X.OPEN_ACCESS[val & 3][0];
  const rest = val & ~3;
  return rest ? `${mode}|${flags(rest, X.openFlags(c.data), 'O_???')}` : mode;
}

const mapFlags = (c: Call, val: number): string => {
  const type = xval(val & 0xf, X.MAP_TYPES, 'MAP_???');
  const table = 'MAP_32BIT' in c.data.MMAP_ARCH_FLAGS ? X.MAP_FLAGS : X.MAP_FLAGS.filter(([n]) => n !== 'MAP_32BIT');
  const rest = val & ~0xf;
  return rest ? `${type}|${flags(rest, table)}` : type;
};

/** A flags argument printed with `table` (0 prints "0" or the table's zero name). */
const flagArg = (table: Xlat, dflt: string): ArgDef => inp((c, i) => flags(v(c, i) >>> 0, table, dflt));
const xvalArg = (table: Xlat, dflt: string): ArgDef => inp((c, i) => xval(v(c, i) | 0, table, dflt));
const out = (f: (c: Call, at: number) => string): ArgDef => outp((c, i) => (v(c, i) === 0 ? 'NULL' : f(c, v(c, i))));
const sigsetIn = (lenArg: number): ArgDef => inp((c, i) => S.sigset(c, v(c, i), v(c, lenArg)));
const sigsetOut = (lenArg: number): ArgDef => outp((c, i) => S.sigset(c, v(c, i), v(c, lenArg)));

export const KINDS: Record<string, ArgDef> = {
  int: inp((c, i) => String(v(c, i) | 0)),
  long: inp((c, i) => String(v(c, i))),
  uint: inp((c, i) => udec(v(c, i))),
  u32: inp((c, i) => String(v(c, i) >>> 0)),
  hex: inp((c, i) => hex(v(c, i))),
  ptr: inp((c, i) => addr(v(c, i))),
  mode: inp((c, i) => oct(v(c, i))),
  fd: inp((c, i) => String(v(c, i) | 0)),
  dirfd: inp((c, i) => ((v(c, i) | 0) === -100 ? 'AT_FDCWD' : String(v(c, i) | 0))),
  path: inp((c, i) => path(c, v(c, i))),
  ibuf: inp((c, i) => str(c, v(c, i), v(c, i + 1))),
  obuf: outp((c, i) => str(c, v(c, i), Math.min(c.ret!, v(c, i + 1) >= 0 ? v(c, i + 1) : Infinity))),
  iov: inp((c, i) => iovecs(c, v(c, i), v(c, i + 1) >>> 0, Infinity)),
  oiov: outp((c, i) => iovecs(c, v(c, i), v(c, i + 1) >>> 0, c.ret!)),
  oflags: inp((c, i) => openModes(c, v(c, i) >>> 0)),
  oflags0: inp((c, i) => flags(v(c, i) >>> 0, X.openFlags(c.data), 'O_???')),
  /** open/openat/creat's mode: only with O_CREAT or O_TMPFILE in the flags argument before it. */
  cmode: inp((c, i) => ((v(c, i - 1) & (c.data.OPEN_FLAGS.O_CREAT | c.data.OPEN_FLAGS.__O_TMPFILE)) ? oct(v(c, i)) : null)),
  atflags: flagArg(X.AT_FLAGS, 'AT_???'),
  faccessat_flags: flagArg(X.FACCESSAT_FLAGS, 'AT_???'),
  access: flagArg(X.ACCESS_MODES, '?_OK'),
  whence: xvalArg(X.WHENCE, 'SEEK_???'),
  rename: flagArg(X.RENAME_FLAGS, 'RENAME_???'),
  stat: out(S.stat),
  statx: out(S.statx),
  statx_flags: inp((c, i) => {
    const f = v(c, i) >>> 0;
    const [sync, rest] = [f & AT.AT_STATX_SYNC_TYPE, f & ~AT.AT_STATX_SYNC_TYPE];
    const text = flags(sync, X.AT_STATX_SYNC, null);
    return rest ? `${text}|${flags(rest, X.AT_FLAGS, null)}` : text;
  }),
  statx_mask: flagArg(X.STATX_MASKS, 'STATX_???'),
  dents: outp((c, i) => S.dirents(c, v(c, i), c.ret!)),
  /** getcwd's buffer: the path the kernel stored (ret bytes with the NUL), never cut. */
  getcwd: outp((c, i) => {
    const b = c.mem.read(v(c, i), Math.max(c.ret! - 1, 0));
    const p = b.indexOf(0) < 0 ? b : b.subarray(0, b.indexOf(0));
    return quote(p, p.length);
  }),
  prot: inp((c, i) => flags(v(c, i) >>> 0, X.PROT_X, 'PROT_???')),
  mapflags: inp((c, i) => mapFlags(c, v(c, i) >>> 0)),
  madvise: xvalArg(X.MADVISE, 'MADV_???'),
  msync: flagArg(X.MSYNC_FLAGS, 'MS_???'),
  mremap: flagArg(X.MREMAP_FLAGS, 'MREMAP_???'),
  rlimit: xvalArg(X.RESOURCES, 'RLIMIT_???'),
  rlim_in: inp((c, i) => S.rlimit(c, v(c, i))),
  rlim_out: out(S.rlimit),
  grnd: flagArg(X.GRND_FLAGS, 'GRND_???'),
  random: outp((c, i) => str(c, v(c, i), c.ret!, true)),
  uts: out(S.utsname),
  sysinfo: out(S.sysinfo),
  tms: out(S.tms),
  intp_out: out(intp),
  /** clockid_t: an unknown (e.g. CPU-time, negative) id prints as 32-bit hex. */
  clock: inp((c, i) => xval(v(c, i) >>> 0, X.CLOCKS, 'CLOCK_???')),
  timer_flags: flagArg(X.TIMER_FLAGS, 'TIMER_???'),
  ts_in: inp((c, i) => S.timespec(c, v(c, i))),
  ts_out: out(S.timespec),
  tv_out: out(S.timeval),
  tz_out: out(S.timezone),
  /** nanosleep's remaining time: only meaningful (and printed) when the sleep was interrupted. */
  rem: { out: true, fmt: (c, i) => (c.ret === -Errno.EINTR && v(c, i) ? S.timespec(c, v(c, i)) : addr(v(c, i))) },
  time_out: { out: true, fmt: (c, i) => (v(c, i) === 0 || failed(c) ? addr(v(c, i)) : `[${i64(c, v(c, i))} /* ${isoTime(Number(i64(c, v(c, i))))} */]`) },
  sig: inp((c, i) => signal(v(c, i))),
  how: xvalArg(X.SIGPROCMASK_CMDS, 'SIG_???'),
  sigact_in: inp((c, i) => S.sigaction(c, v(c, i))),
  sigact_out: outp((c, i) => S.sigaction(c, v(c, i))),
  stack_in: inp((c, i) => S.stackT(c, v(c, i))),
  stack_out: outp((c, i) => S.stackT(c, v(c, i))),
  // sockets and pipes
  af: xvalArg(X.ADDRFAMS, 'AF_???'),
  socktype: inp((c, i) => {
    const t = v(c, i) >>> 0;
    const name = X.SOCKTYPES.find(([, x]) => x === (t & 0xf))?.[0];
    const rest = name ? t & ~0xf : t;
    return name ? (rest ? `${name}|${flags(rest, X.SOCK_TYPE_FLAGS, 'SOCK_???')}` : name) : flags(t, X.SOCK_TYPE_FLAGS, 'SOCK_???');
  }),
  proto: inp((c, i) => (v(c, 0) === SOCK.AF_INET || v(c, 0) === SOCK.AF_INET6 ? xval(v(c, i), X.INET_PROTOCOLS, 'IPPROTO_???') : udec(v(c, i)))),
  sockflags: flagArg(X.SOCK_TYPE_FLAGS, 'SOCK_???'),
  msgflags: flagArg(X.MSG_FLAGS, 'MSG_???'),
  shut: xvalArg(X.SHUT_MODES, 'SHUT_???'),
  level: inp((c, i) => xval(v(c, i) >>> 0, X.SOCKET_LAYERS, 'SOL_??')),
  optname: inp((c, i) => ((v(c, i - 1) | 0) === SOCK.SOL_SOCKET ? xval(v(c, i) >>> 0, X.SOCK_OPTIONS, 'SO_???') : String(v(c, i) >>> 0))),
  fdpair: fdPair,
  sockaddr_out: sockaddrOut,
  socklen_io: socklenInOut,
  pollfds,
  fdset: fdsetIn,
  epoll_flags: flagArg(X.EPOLL_FLAGS, 'EPOLL_???'),
  efd_flags: flagArg(X.EFD_FLAGS, 'EFD_???'),
};

// --- calls whose arguments depend on each other -----------------------------------

const F = FCNTL;
/** Commands whose third argument is ignored (strace prints none). */
const NO_ARG = new Set<number>([F.F_GETFD, F.F_GETFL, F.F_GETOWN, F.F_GETSIG, F.F_GETLEASE, F.F_GETPIPE_SZ, F.F_GET_SEALS]);
const INT_ARG = new Set<number>([F.F_DUPFD, F.F_DUPFD_CLOEXEC, F.F_SETOWN, F.F_SETSIG, F.F_SETPIPE_SZ]);

/** fcntl's third argument, decoded by command. */
const fcntlArg: ArgDef = {
  out: true, // F_GETLK prints what the kernel wrote; the others are inputs that do not change
  fmt: (c, i) => {
    const [cmd, a] = [v(c, 1) | 0, v(c, i)];
    if (NO_ARG.has(cmd)) return null;
    if (INT_ARG.has(cmd)) return String(a | 0);
    switch (cmd) {
      case F.F_SETFD: return flags(a >>> 0, X.FD_FLAGS_X, 'FD_???');
      case F.F_SETFL: return openModes(c, a >>> 0);
      case F.F_SETLK: case F.F_SETLKW: case F.F_OFD_SETLK: case F.F_OFD_SETLKW: return S.flock(c, a, false);
      case F.F_GETLK: case F.F_OFD_GETLK: return failed(c) ? addr(a) : S.flock(c, a, true);
      case F.F_SETLEASE: return xval(a | 0, X.LOCK_TYPES, 'F_???');
      case F.F_ADD_SEALS: return flags(a >>> 0, X.SEALS, 'F_SEAL_???');
      default: return hex(a);
    }
  },
};

function fcntlRet(c: Call, ret: number): string {
  switch (v(c, 1) | 0) {
    case F.F_GETFL: return `${hex(ret)} (flags ${openModes(c, ret)})`;
    case F.F_GETFD: return ret ? `${hex(ret)} (flags ${flags(ret, X.FD_FLAGS_X)})` : '0';
    case F.F_GET_SEALS: return ret ? `${hex(ret)} (seals ${flags(ret, X.SEALS)})` : '0';
    case F.F_GETLEASE: return xval(ret, X.LOCK_TYPES, 'F_???');
    default: return String(ret);
  }
}

const IOC_DIRS: Xlat = [['_IOC_NONE', 0], ['_IOC_READ', 2], ['_IOC_WRITE', 1]];
/** An ioctl request: its name, else `_IOC(_IOC_READ, 0x54, 0x30, 0x4)`. */
export function ioctlName(code: number): string {
  const name = X.IOCTLS.find(([, x]) => x === code)?.[0];
  if (name) return name;
  return `_IOC(${flags(code >>> 30, IOC_DIRS, '_IOC_???')}, ${hex((code >>> 8) & 0xff)}, ${hex(code & 0xff)}, ${hex((code >>> 16) & 0x3fff)})`;
}

const I = IOCTL;
/** ioctl's third argument (strace's term_ioctl), decoded after the call for the "get" requests. */
const ioctlArg: ArgDef = {
  out: true,
  fmt: (c, i) => {
    const [code, a] = [v(c, 1) >>> 0, v(c, i)];
    const get = (f: (c: Call, at: number) => string) => (failed(c) ? addr(a) : f(c, a));
    switch (code) {
      case I.TCGETS: return get(S.termios);
      case I.TCSETS: case I.TCSETSW: case I.TCSETSF: return S.termios(c, a);
      case I.TIOCGWINSZ: return get(S.winsize);
      case I.TIOCSWINSZ: return S.winsize(c, a);
      case I.TIOCGPGRP: case I.TIOCGSID: case I.FIONREAD: case I.TIOCOUTQ: case I.TIOCGPTN: return get(intp);
      case I.TIOCSPGRP: case I.FIONBIO: case I.FIOASYNC: case I.TIOCSPTLCK: return intp(c, a);
      case I.TCXONC: return xval(a, [['TCOOFF', 0], ['TCOON', 1], ['TCIOFF', 2], ['TCION', 3]], 'TC???');
      case I.TCFLSH: return xval(a, X.TCFLSH, 'TC???');
      case I.TCSBRK: case I.TIOCSCTTY: return String(a | 0);
      case I.TIOCSTI: return str(c, a, 1);
      case I.TIOCNOTTY: case I.TIOCEXCL: case I.TIOCNXCL: case I.FIONCLEX: case I.FIOCLEX: return null; // no argument
      default: return hex(a);
    }
  },
};

const AP = ARCH_PRCTL;
/** arch_prctl's second argument: an address to set, a word the kernel fills, or an int. */
const archPrctlArg: ArgDef = {
  out: true,
  fmt: (c, i) => {
    const [code, a] = [v(c, 0), v(c, i)];
    if (code === AP.ARCH_GET_FS || code === AP.ARCH_GET_GS) return failed(c) ? addr(a) : `[${hex(q64(c, a))}]`;
    if (code === AP.ARCH_GET_CPUID) return null;
    return code === AP.ARCH_SET_CPUID ? String(a | 0) : hex(a);
  },
};

/** mremap's new address, printed only with MREMAP_FIXED. */
const mremapNew: ArgDef = inp((c, i) => (v(c, 3) & 2 ? addr(v(c, i)) : null));

/** execve's argv: `["ls", "-l"]` (each cut at 32 bytes). */
const argvIn: ArgDef = inp((c, i) => {
  const at = v(c, i);
  if (at === 0) return 'NULL';
  const ptrs: number[] = [];
  for (let k = 0; k <= 32; k++) { const p = Number(q64(c, at + 8 * k)); if (!p) break; ptrs.push(p); }
  return `[${ptrs.slice(0, 32).map((p) => { const b = c.mem.cbytes(p, 4096); return str(c, p, b.length); }).join(', ')}${ptrs.length > 32 ? ', ...' : ''}]`;
});
const envpIn: ArgDef = inp((c, i) => {
  const at = v(c, i);
  if (at === 0) return 'NULL';
  let n = 0;
  while (n < 100000 && q64(c, at + 8 * n) !== 0n) n++;
  return `${hex(at)} /* ${n} var${n === 1 ? '' : 's'} */`;
});

const WAIT_FLAGS: Xlat = [['WNOHANG', WAIT.WNOHANG], ['WSTOPPED', WAIT.WSTOPPED], ['WEXITED', WAIT.WEXITED], ['WCONTINUED', WAIT.WCONTINUED],
  ['WNOWAIT', WAIT.WNOWAIT], ['__WNOTHREAD', WAIT.__WNOTHREAD], ['__WALL', WAIT.__WALL], ['__WCLONE', WAIT.__WCLONE]];
/** wait4's status: decoded only when a child was reaped (WNOHANG's 0 leaves it untouched). */
const waitStatus = outp((c, i) => (v(c, i) === 0 ? 'NULL' : c.ret === 0 ? addr(v(c, i)) : S.waitStatus(i32(c, v(c, i)), signal)));

const CLONE_FLAGS = Object.entries(CLONE).filter(([k]) => k.startsWith('CLONE_')) as unknown as Xlat;
/** clone(2) in strace's keyword form; the register order differs by arch (CLONE_ARGS). */
const cloneSpec = (c: Call): string => {
  const o = c.data.CLONE_ARGS;
  const f = v(c, o.flags);
  const sig = f & 0xff;
  let s = `child_stack=${addr(v(c, o.newsp))}, flags=${flags(f - sig, CLONE_FLAGS, 'CLONE_???')}`;
  if (sig) s += (f - sig ? '|' : '') + signal(sig);
  if (f & CLONE.CLONE_PARENT_SETTID) s += `, parent_tid=${addr(v(c, o.parentTid))}`;
  if (f & (CLONE.CLONE_CHILD_SETTID | CLONE.CLONE_CHILD_CLEARTID)) s += `, child_tidptr=${addr(v(c, o.childTid))}`;
  if (f & CLONE.CLONE_SETTLS) s += `, tls=${addr(v(c, o.tls))}`;
  return s;
};

/**
 * futex(2) as strace prints it: the arguments an op uses, by op (uaddr, op, val[, timeout |
 * val2][, uaddr2][, val3]); bitsets as FUTEX_BITSET_MATCH_ANY, FUTEX_WAKE_OP's encoded op.
 */
const futexSpec = (c: Call): string => {
  const op = v(c, 1), cmd = op & FUTEX.FUTEX_CMD_MASK;
  const a = [addr(v(c, 0)), futexOpName(op), String(v(c, 2) | 0)];
  const bitset = (x: number) => ((x >>> 0) === 0xffffffff ? 'FUTEX_BITSET_MATCH_ANY' : hex(x >>> 0));
  const ts = () => S.timespec(c, v(c, 3));
  switch (cmd) {
    case FUTEX.FUTEX_WAIT: a.push(ts()); break;
    case FUTEX.FUTEX_WAIT_BITSET: a.push(ts(), bitset(v(c, 5))); break;
    case FUTEX.FUTEX_WAKE_BITSET: a.push(bitset(v(c, 5))); break;
    case FUTEX.FUTEX_REQUEUE: a.push(String(v(c, 3) | 0), addr(v(c, 4))); break;
    case FUTEX.FUTEX_CMP_REQUEUE: a.push(String(v(c, 3) | 0), addr(v(c, 4)), String(v(c, 5) | 0)); break;
    case FUTEX.FUTEX_WAKE_OP: {
      const e = v(c, 5) >>> 0;
      const ops = ['FUTEX_OP_SET', 'FUTEX_OP_ADD', 'FUTEX_OP_OR', 'FUTEX_OP_ANDN', 'FUTEX_OP_XOR'];
      const cmps = ['FUTEX_OP_CMP_EQ', 'FUTEX_OP_CMP_NE', 'FUTEX_OP_CMP_LT', 'FUTEX_OP_CMP_LE', 'FUTEX_OP_CMP_GT', 'FUTEX_OP_CMP_GE'];
      const o = (e >>> 28) & 7, shift = (e >>> 28) & 8 ? 'FUTEX_OP_OPARG_SHIFT|' : '';
      const enc = `${shift}${ops[o] ?? o}<<28|${(e >>> 12) & 0xfff}<<12|${cmps[(e >>> 24) & 0xf] ?? (e >>> 24) & 0xf}<<24|${hex(e & 0xfff)}`;
      a.push(String(v(c, 3) | 0), addr(v(c, 4)), enc);
      break;
    }
    case FUTEX.FUTEX_LOCK_PI: case FUTEX.FUTEX_LOCK_PI2: a.length = 2; a.push(ts()); break;
    case FUTEX.FUTEX_UNLOCK_PI: case FUTEX.FUTEX_TRYLOCK_PI: a.length = 2; break;
    default: break;
  }
  return a.join(', ');
};

/** clone3's struct clone_args, and after the call ` => {parent_tid=[N]}`. */
const cloneArgs: ArgDef = {
  out: true,
  save: (c, i) => {
    const { get } = struct(c, v(c, i), CLONE_ARGS_LAYOUT);
    const f = get('flags');
    let s = `{flags=${flags(f, CLONE_FLAGS, 'CLONE_???')}`;
    if (f & CLONE.CLONE_PIDFD) s += `, pidfd=${addr(get('pidfd'))}`;
    if (f & (CLONE.CLONE_CHILD_SETTID | CLONE.CLONE_CHILD_CLEARTID)) s += `, child_tid=${addr(get('child_tid'))}`;
    if (f & CLONE.CLONE_PARENT_SETTID) s += `, parent_tid=${addr(get('parent_tid'))}`;
    s += `, exit_signal=${signal(get('exit_signal'))}, stack=${addr(get('stack'))}, stack_size=${hex(get('stack_size'))}`;
    if (f & CLONE.CLONE_SETTLS) s += `, tls=${addr(get('tls'))}`;
    return [s + '}', f, get('parent_tid')];
  },
  fmt: (c, i) => {
    const saved = c.saved[i] as [string, number, number] | undefined;
    if (!saved) return addr(v(c, i));
    const [s, f, ptid] = saved;
    return !failed(c) && c.ret! > 0 && f & CLONE.CLONE_PARENT_SETTID && ptid ? `${s} => {parent_tid=[${i32(c, ptid)}]}` : s;
  },
};

/** Address of rt_sigreturn's frame field at `offset(layout)`, or undefined when the call carries no frame. */
const inFrame = (c: Call, offset: (f: SigreturnFrame) => number) =>
  (c.sp === undefined || !c.sigreturn ? undefined : c.sigreturn.fromSp(c.sp) + offset(c.sigreturn));
/** rt_sigreturn's `{mask=[...]}` from the frame at the stack pointer; saves the return register it restores. */
const sigreturnMask: ArgDef = {
  save: (c) => {
    const at = inFrame(c, (f) => f.retReg);
    return at === undefined ? undefined : Number(i64(c, at));
  },
  fmt: (c) => {
    const at = inFrame(c, (f) => f.sigmask);
    return at === undefined ? null : `{mask=${S.sigset(c, at)}}`;
  },
};

const ITIMERS: Xlat = [['ITIMER_REAL', 0], ['ITIMER_VIRTUAL', 1], ['ITIMER_PROF', 2]];
const IDTYPES: Xlat = [['P_ALL', WAIT.P_ALL], ['P_PID', WAIT.P_PID], ['P_PGID', WAIT.P_PGID], ['P_PIDFD', WAIT.P_PIDFD]];
const MCL_FLAGS: Xlat = [['MCL_CURRENT', MSYNC.MCL_CURRENT], ['MCL_FUTURE', MSYNC.MCL_FUTURE], ['MCL_ONFAULT', MSYNC.MCL_ONFAULT]];

const prctlArgs: ArgDef = {
  out: true,
  fmt: (c, i) => {
    const op = v(c, 0) | 0;
    if (op === PR.PR_SET_NAME) return path(c, v(c, i));
    if (op === PR.PR_GET_NAME) return failed(c) ? addr(v(c, i)) : path(c, v(c, i));
    return [1, 2, 3, 4, 5].map((k) => hex(v(c, k))).join(', ');
  },
};

// --- the table -------------------------------------------------------------------

export const SPECS: Record<string, Spec> = {
  // files and descriptors
  read: { args: ['fd', 'obuf', 'uint'] },
  write: { args: ['fd', 'ibuf', 'uint'] },
  pread64: { args: ['fd', 'obuf', 'uint', 'long'] },
  pwrite64: { args: ['fd', 'ibuf', 'uint', 'long'] },
  readv: { args: ['fd', 'oiov', 'int'] },
  writev: { args: ['fd', 'iov', 'int'] },
  preadv: { args: ['fd', 'oiov', 'int', 'long'] },
  pwritev: { args: ['fd', 'iov', 'int', 'long'] },
  open: { args: ['path', 'oflags', 'cmode'] },
  openat: { args: ['dirfd', 'path', 'oflags', 'cmode'] },
  creat: { args: ['path', 'mode'] },
  close: { args: ['fd'] },
  lseek: { args: ['fd', 'long', 'whence'] },
  getdents64: { args: ['fd', 'dents', 'uint'] },
  newfstatat: { args: ['dirfd', 'path', 'stat', 'atflags'] },
  fstat: { args: ['fd', 'stat'] },
  stat: { args: ['path', 'stat'] },
  lstat: { args: ['path', 'stat'] },
  statx: { args: ['dirfd', 'path', 'statx_flags', 'statx_mask', 'statx'] },
  dup: { args: ['fd'] },
  dup2: { args: ['fd', 'fd'] },
  dup3: { args: ['fd', 'fd', 'oflags0'] },
  fcntl: { args: ['fd', inp((c, i) => xval(v(c, i) | 0, X.FCNTL_CMDS, 'F_???')), fcntlArg], ret: fcntlRet },
  ioctl: { args: ['fd', inp((c, i) => ioctlName(v(c, i) >>> 0)), ioctlArg] },
  getcwd: { args: ['getcwd', 'uint'] },
  chdir: { args: ['path'] },
  fchdir: { args: ['fd'] },
  mkdir: { args: ['path', 'mode'] },
  mkdirat: { args: ['dirfd', 'path', 'mode'] },
  unlink: { args: ['path'] },
  rmdir: { args: ['path'] },
  unlinkat: { args: ['dirfd', 'path', 'atflags'] },
  rename: { args: ['path', 'path'] },
  renameat: { args: ['dirfd', 'path', 'dirfd', 'path'] },
  renameat2: { args: ['dirfd', 'path', 'dirfd', 'path', 'rename'] },
  link: { args: ['path', 'path'] },
  linkat: { args: ['dirfd', 'path', 'dirfd', 'path', 'atflags'] },
  symlink: { args: ['path', 'path'] },
  symlinkat: { args: ['path', 'dirfd', 'path'] },
  readlink: { args: ['path', 'obuf', 'uint'] },
  readlinkat: { args: ['dirfd', 'path', 'obuf', 'uint'] },
  access: { args: ['path', 'access'] },
  faccessat: { args: ['dirfd', 'path', 'access'] },
  faccessat2: { args: ['dirfd', 'path', 'access', 'faccessat_flags'] },
  chmod: { args: ['path', 'mode'] },
  fchmod: { args: ['fd', 'mode'] },
  fchmodat: { args: ['dirfd', 'path', 'mode'] },
  umask: { args: ['mode'], ret: 'oct' },
  truncate: { args: ['path', 'long'] },
  ftruncate: { args: ['fd', 'long'] },
  fsync: { args: ['fd'] },
  fdatasync: { args: ['fd'] },
  // memory
  brk: { args: ['ptr'], ret: 'hex' },
  mmap: { args: ['ptr', 'uint', 'prot', 'mapflags', 'fd', 'hex'], ret: 'hex' },
  munmap: { args: ['ptr', 'uint'] },
  mprotect: { args: ['ptr', 'uint', 'prot'] },
  mremap: { args: ['ptr', 'uint', 'uint', 'mremap', mremapNew], ret: 'hex' },
  madvise: { args: ['ptr', 'uint', 'madvise'] },
  msync: { args: ['ptr', 'uint', 'msync'] },
  // processes
  arch_prctl: { args: [inp((c, i) => xval(v(c, i) | 0, X.ARCH_PRCTL_CODES, 'ARCH_???')), archPrctlArg] },
  prctl: { args: [inp((c, i) => xval(v(c, i) | 0, X.PRCTL, 'PR_???')), prctlArgs] },
  set_tid_address: { args: ['ptr'] },
  set_robust_list: { args: ['ptr', 'uint'] },
  rseq: { args: ['ptr', 'hex', 'int', 'hex'] },
  prlimit64: { args: ['int', 'rlimit', 'rlim_in', 'rlim_out'] },
  getrlimit: { args: ['rlimit', 'rlim_out'] },
  setrlimit: { args: ['rlimit', 'rlim_in'] },
  getrandom: { args: ['random', 'uint', 'grnd'] },
  uname: { args: ['uts'] },
  sysinfo: { args: ['sysinfo'] },
  times: { args: ['tms'] },
  getresuid: { args: ['intp_out', 'intp_out', 'intp_out'] },
  getresgid: { args: ['intp_out', 'intp_out', 'intp_out'] },
  exit: { args: ['int'] },
  exit_group: { args: ['int'] },
  execve: { args: ['path', argvIn, envpIn] },
  execveat: { args: ['dirfd', 'path', argvIn, envpIn, 'atflags'] },
  fork: { args: [] }, vfork: { args: [] }, getpgrp: { args: [] }, munlockall: { args: [] },
  clone3: { args: [cloneArgs, 'uint'] },
  waitid: { args: [xvalArg(IDTYPES, 'P_???'), 'int', outp((c, i) => (v(c, i) ? S.siginfoAt(c, v(c, i)) : 'NULL')),
    flagArg(WAIT_FLAGS, 'W???'), outp((c, i) => addr(v(c, i)))] },
  alarm: { args: ['u32'] },
  getitimer: { args: [xvalArg(ITIMERS, 'ITIMER_???'), out(S.itimerval)] },
  setitimer: { args: [xvalArg(ITIMERS, 'ITIMER_???'), inp((c, i) => S.itimerval(c, v(c, i))), out(S.itimerval)] },
  getgroups: { args: ['int', outp((c, i) => (v(c, i) ? array(c.ret!, (k) => String(i32(c, v(c, i) + 4 * k) >>> 0)) : 'NULL'))] },
  mlock: { args: ['ptr', 'uint'] },
  munlock: { args: ['ptr', 'uint'] },
  mlockall: { args: [flagArg(MCL_FLAGS, 'MCL_???')] },
  wait4: { args: ['int', waitStatus, flagArg(WAIT_FLAGS, 'W???'), outp((c, i) => addr(v(c, i)))] },
  futex: { args: [inp(futexSpec), inp(() => null), inp(() => null), inp(() => null), inp(() => null), inp(() => null)] },
  clone: { args: [inp(cloneSpec), inp(() => null), inp(() => null), inp(() => null), inp(() => null)] },
  kill: { args: ['int', 'sig'] },
  tkill: { args: ['int', 'sig'] },
  tgkill: { args: ['int', 'int', 'sig'] },
  getpid: { args: [] }, getppid: { args: [] }, gettid: { args: [] }, getuid: { args: [] }, geteuid: { args: [] },
  getgid: { args: [] }, getegid: { args: [] }, sched_yield: { args: [] }, pause: { args: [] },
  getpgid: { args: ['int'] }, setpgid: { args: ['int', 'int'] }, getsid: { args: ['int'] }, setsid: { args: [] },
  // time
  clock_gettime: { args: ['clock', 'ts_out'] },
  clock_getres: { args: ['clock', 'ts_out'] },
  clock_nanosleep: { args: ['clock', 'timer_flags', 'ts_in', 'rem'] },
  nanosleep: { args: ['ts_in', 'rem'] },
  gettimeofday: { args: ['tv_out', 'tz_out'] },
  time: { args: ['time_out'], ret: (_c, r) => `${r} (${isoTime(r)})` },
  // signals
  rt_sigaction: { args: ['sig', 'sigact_in', 'sigact_out', 'uint'] },
  rt_sigprocmask: { args: ['how', sigsetIn(3), sigsetOut(3), 'uint'] },
  rt_sigpending: { args: [sigsetOut(1), 'uint'] },
  rt_sigsuspend: { args: [sigsetIn(1), 'uint'] },
  rt_sigreturn: { args: [sigreturnMask] },
  rt_sigtimedwait: { args: [sigsetIn(3), outp((c, i) => (v(c, i) ? S.siginfoAt(c, v(c, i)) : 'NULL')), 'ts_in', 'uint'],
    ret: (_c, r) => `${r} (${signal(r)})` },
  sigaltstack: { args: ['stack_in', 'stack_out'] },
  // sockets and pipes
  socket: { args: ['af', 'socktype', 'proto'] },
  socketpair: { args: ['af', 'socktype', 'uint', 'fdpair'] },
  pipe: { args: ['fdpair'] },
  pipe2: { args: ['fdpair', 'oflags0'] },
  bind: { args: ['fd', sockaddrIn(2), 'int'] },
  connect: { args: ['fd', sockaddrIn(2), 'int'] },
  listen: { args: ['fd', 'int'] },
  accept: { args: ['fd', 'sockaddr_out', 'socklen_io'] },
  accept4: { args: ['fd', 'sockaddr_out', 'socklen_io', 'sockflags'] },
  getsockname: { args: ['fd', 'sockaddr_out', 'socklen_io'] },
  getpeername: { args: ['fd', 'sockaddr_out', 'socklen_io'] },
  sendto: { args: ['fd', 'ibuf', 'uint', 'msgflags', sockaddrIn(5), 'int'] },
  recvfrom: { args: ['fd', 'obuf', 'uint', 'msgflags', 'sockaddr_out', 'socklen_io'] },
  sendmsg: { args: ['fd', msghdrIn, 'msgflags'] },
  recvmsg: { args: ['fd', msghdrOut, 'msgflags'] },
  shutdown: { args: ['fd', 'shut'] },
  getsockopt: { args: ['fd', 'level', 'optname', optvalOut, optlenInOut] },
  setsockopt: { args: ['fd', 'level', 'optname', optvalIn, 'int'] },
  // poll, select, epoll, eventfd
  poll: { args: ['pollfds', 'u32', 'int'], ret: pollRet() },
  ppoll: { args: ['pollfds', 'u32', 'ts_in', sigsetIn(4), 'uint'], ret: pollRet(2) },
  select: { args: ['int', 'fdset', 'fdset', 'fdset', timevalIn], ret: selectRet(S.timeval) },
  pselect6: { args: ['int', 'fdset', 'fdset', 'fdset', 'ts_in', pselectSig], ret: selectRet(S.timespec) },
  epoll_create: { args: ['int'] },
  epoll_create1: { args: ['epoll_flags'] },
  epoll_ctl: { args: ['fd', xvalArg(X.EPOLL_CTLS, 'EPOLL_CTL_???'), 'fd', epollEventIn] },
  epoll_wait: { args: ['fd', epollEventsOut, 'int', 'int'] },
  epoll_pwait: { args: ['fd', epollEventsOut, 'int', 'int', sigsetIn(5), 'uint'] },
  eventfd2: { args: ['u32', 'efd_flags'] },
  ...MISC_SPECS,
  ...MORE_SPECS,
  ...IPC_SPECS,
  ...TIMER_SPECS,
};
