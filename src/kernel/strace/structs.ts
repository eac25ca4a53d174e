// Structs the file, time, process and signal calls pass, printed as strace prints them in
// its default (abbreviated) mode. Layouts come from src/kernel/abi.ts, src/arch/stat.ts and
// the arch's ABI data (struct stat differs between x86_64 and aarch64).
import { devMajor, devMinor, STATX_LAYOUT } from '../../arch/stat.js';
import {
  DIRENT64_LAYOUT, FLOCK_LAYOUT, MODE, RLIMIT_LAYOUT, SA, SI_CODE, SIGACTION_LAYOUT, SIGINFO_LAYOUT, STACK_T_LAYOUT, SYSINFO_LAYOUT,
  TERMIOS, TERMIOS_LAYOUT, TIMESPEC_LAYOUT, TIMEVAL_LAYOUT, TMS_LAYOUT, UTSNAME_LAYOUT, WINSIZE_LAYOUT,
} from '../abi.js';
import type { QueuedSignal } from '../task.js';
import { type Call, view, struct, i64, q64 } from './call.js';
import { type Xlat, addr, flags, hex, quote, signal, sigmask, symbolicMode, xval } from './format.js';
import {
  BAUDS, CBAUD, CIBAUD, CSIZES, LOCK_TYPES, SA_FLAGS, SA_HANDLERS, SS_FLAGS, STATX_ATTRS, STATX_MASKS, TERM_CFLAGS,
  TERM_IFLAGS, TERM_LFLAGS, TERM_ODELAYS, TERM_OFLAGS, WHENCE, pick,
} from './xlat.js';

const dev = (d: number): string => `makedev(${hex(devMajor(d))}, ${hex(devMinor(d))})`;

/** struct stat, abbreviated: `{st_mode=S_IFREG|0644, st_size=N, ...}` (st_rdev for devices). */
export function stat(c: Call, at: number): string {
  const { get } = struct(c, at, c.data.STAT_LAYOUT);
  const mode = get('st_mode');
  const t = mode & MODE.S_IFMT;
  const second = t === MODE.S_IFCHR || t === MODE.S_IFBLK ? `st_rdev=${dev(get('st_rdev'))}` : `st_size=${get('st_size', true)}`;
  return `{st_mode=${symbolicMode(mode)}, ${second}, ...}`;
}

/** struct statx, abbreviated: mask, attributes, mode, size. */
export function statx(c: Call, at: number): string {
  const { get } = struct(c, at, STATX_LAYOUT);
  return `{stx_mask=${flags(get('stx_mask'), STATX_MASKS, 'STATX_???')}, stx_attributes=${flags(get('stx_attributes'), STATX_ATTRS, 'STATX_ATTR_???')}, `
    + `stx_mode=${symbolicMode(get('stx_mode'))}, stx_size=${get('stx_size')}, ...}`;
}

/** struct timespec `{tv_sec=1, tv_nsec=0}`; NULL for a null pointer. */
export function timespec(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const f = TIMESPEC_LAYOUT.fields;
  return `{tv_sec=${i64(c, at + f.tv_sec.offset)}, tv_nsec=${i64(c, at + f.tv_nsec.offset)}}`;
}

/** struct timeval `{tv_sec=1, tv_usec=0}`. */
export function timeval(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const f = TIMEVAL_LAYOUT.fields;
  return `{tv_sec=${i64(c, at + f.tv_sec.offset)}, tv_usec=${i64(c, at + f.tv_usec.offset)}}`;
}

/** struct timezone (gettimeofday's second argument). */
export function timezone(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const dv = view(c, at, 8);
  return `{tz_minuteswest=${dv.getInt32(0, true)}, tz_dsttime=${dv.getInt32(4, true)}}`;
}

/** print_rlim64_t(): RLIM64_INFINITY, `8192*1024` for multiples of 1 KiB above 1024, else decimal. */
export function rlim(v: bigint): string {
  if (v === 0xffff_ffff_ffff_ffffn) return 'RLIM64_INFINITY';
  if (v > 1024n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return String(v);
}

export function rlimit(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const f = RLIMIT_LAYOUT.fields;
  return `{rlim_cur=${rlim(q64(c, at + f.rlim_cur.offset))}, rlim_max=${rlim(q64(c, at + f.rlim_max.offset))}}`;
}

/** struct new_utsname, abbreviated: `{sysname="Linux", nodename="vm", ...}`. */
export function utsname(c: Call, at: number): string {
  const f = UTSNAME_LAYOUT.fields;
  const field = (k: 'sysname' | 'nodename') => {
    const b = c.mem.read(at + f[k].offset, f[k].size);
    const z = b.indexOf(0);
    return quote(z < 0 ? b : b.subarray(0, z), f[k].size);
  };
  return `{sysname=${field('sysname')}, nodename=${field('nodename')}, ...}`;
}

export function sysinfo(c: Call, at: number): string {
  const { dv, get } = struct(c, at, SYSINFO_LAYOUT);
  const lo = SYSINFO_LAYOUT.fields.loads.offset;
  const loads = [0, 1, 2].map((k) => dv.getBigUint64(lo + 8 * k, true)).join(', ');
  const u = (k: Parameters<typeof get>[0]) => `${k}=${get(k)}`;
  return `{${u('uptime')}, loads=[${loads}], ${['totalram', 'freeram', 'sharedram', 'bufferram', 'totalswap', 'freeswap', 'procs',
    'totalhigh', 'freehigh', 'mem_unit'].map((k) => u(k as Parameters<typeof get>[0])).join(', ')}}`;
}

export function tms(c: Call, at: number): string {
  const { get } = struct(c, at, TMS_LAYOUT);
  return `{tms_utime=${get('tms_utime')}, tms_stime=${get('tms_stime')}, tms_cutime=${get('tms_cutime')}, tms_cstime=${get('tms_cstime')}}`;
}

/** A kernel sigset_t of `len` bytes (NULL; the address if the size is not 8). */
export function sigset(c: Call, at: number, len = 8): string {
  if (at === 0) return 'NULL';
  if (len !== 8) return addr(at);
  return sigmask(q64(c, at), 8);
}

/** struct sigaction (kernel layout): handler, mask, flags, restorer when SA_RESTORER. */
export function sigaction(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const { dv } = struct(c, at, SIGACTION_LAYOUT);
  const f = SIGACTION_LAYOUT.fields;
  const q = (k: keyof typeof f) => dv.getBigUint64(f[k].offset, true);
  const h = q('sa_handler');
  const handler = SA_HANDLERS.find(([, v]) => BigInt.asUintN(64, BigInt(v)) === h)?.[0] ?? hex(h);
  const fl = q('sa_flags');
  const restorer = fl & BigInt(SA.SA_RESTORER) ? `, sa_restorer=${addr(Number(q('sa_restorer')))}` : '';
  return `{sa_handler=${handler}, sa_mask=${sigmask(q('sa_mask'))}, sa_flags=${flags(fl, SA_FLAGS, 'SA_???')}${restorer}}`;
}

/** stack_t for sigaltstack(2). */
export function stackT(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const { get } = struct(c, at, STACK_T_LAYOUT);
  return `{ss_sp=${addr(get('ss_sp'))}, ss_flags=${flags(get('ss_flags'), SS_FLAGS, 'SS_???')}, ss_size=${get('ss_size')}}`;
}

/** struct flock; `pid` adds l_pid (F_GETLK's answer). */
export function flock(c: Call, at: number, pid: boolean): string {
  const { get } = struct(c, at, FLOCK_LAYOUT);
  return `{l_type=${xval(get('l_type', true), LOCK_TYPES, 'F_???')}, l_whence=${xval(get('l_whence', true), WHENCE, 'SEEK_???')}, `
    + `l_start=${get('l_start', true)}, l_len=${get('l_len', true)}${pid ? `, l_pid=${get('l_pid', true)}` : ''}}`;
}

export function winsize(c: Call, at: number): string {
  const { get } = struct(c, at, WINSIZE_LAYOUT);
  return `{ws_row=${get('ws_row')}, ws_col=${get('ws_col')}, ws_xpixel=${get('ws_xpixel')}, ws_ypixel=${get('ws_ypixel')}}`;
}

const pickName = (v: number, t: Xlat, dflt: string) => t.find(([, x]) => x === v)?.[0] ?? `${hex(v)} /* ${dflt} */`;

/** struct termios, abbreviated: the four flag words then `...` (strace's decode_termios). */
export function termios(c: Call, at: number): string {
  const { get } = struct(c, at, TERMIOS_LAYOUT);
  let o = get('c_oflag');
  let oflag = '';
  for (const [mask, t, dflt] of TERM_ODELAYS) { oflag += pickName(o & mask, t, dflt) + '|'; o &= ~mask; }
  oflag += flags(o, TERM_OFLAGS, null);
  let cf = get('c_cflag');
  let cflag = pickName(cf & CBAUD, BAUDS, 'B???') + '|';
  if (cf & CIBAUD) cflag += `${pickName((cf & CIBAUD) >>> 16, BAUDS, 'B???')}<<IBSHIFT|`;
  cflag += pickName(cf & TERMIOS.CSIZE, CSIZES, 'CS?') + '|';
  cf &= ~(CBAUD | CIBAUD | TERMIOS.CSIZE);
  cflag += flags(cf, TERM_CFLAGS, null);
  return `{c_iflag=${flags(get('c_iflag'), TERM_IFLAGS, null)}, c_oflag=${oflag}, c_cflag=${cflag}, `
    + `c_lflag=${flags(get('c_lflag'), TERM_LFLAGS, null)}, ...}`;
}

/** getdents64's buffer: its address and how many records the kernel filled in. */
export function dirents(c: Call, at: number, len: number): string {
  const b = view(c, at, len);
  const rec = DIRENT64_LAYOUT.fields.d_reclen.offset;
  let n = 0;
  for (let off = 0; off + rec + 2 <= len; n++) {
    const r = b.getUint16(off + rec, true);
    if (r === 0) break;
    off += r;
  }
  return `${addr(at)} /* ${n} entries */`;
}

const SIGINFO_CODES: Record<string, string> = { 4: 'ILL_', 8: 'FPE_', 11: 'SEGV_', 7: 'BUS_', 5: 'TRAP_', 17: 'CLD_' };
const FAULTS = new Set([4, 5, 7, 8, 11]);

/** A siginfo as strace shows it (printsiginfo): `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, ...}`. */
export function siginfo(q: Omit<QueuedSignal, 'timer'> & { utime?: number; stime?: number; timer?: { id: number; overrun: number; value: bigint } }): string {
  if (!q.sig) return '{}';
  const prefix = q.code > 0 && q.code !== SI_CODE.SI_KERNEL ? SIGINFO_CODES[q.sig] : undefined;
  const codes = prefix ? pick(SI_CODE, prefix) : pick(SI_CODE, 'SI_');
  let s = `{si_signo=${signal(q.sig)}, si_code=${xval(q.code, codes, 'SI_???')}`;
  if (q.code === SI_CODE.SI_TIMER) {
    // print_si_info's SI_TIMER: the id in hex, then printsigval.
    const tm = q.timer ?? { id: 0, overrun: 0, value: 0n };
    const v = BigInt.asUintN(64, tm.value);
    return s + `, si_timerid=${hex(tm.id >>> 0)}, si_overrun=${tm.overrun}, si_int=${Number(BigInt.asIntN(32, v))}, si_ptr=${v ? hex(v) : 'NULL'}}`;
  }
  if (FAULTS.has(q.sig) && q.code > 0) s += `, si_addr=${addr(q.addr ?? 0)}`;
  else if (q.sig === 17 && q.code > 0) {
    const st = q.code === 1 ? String(q.status ?? 0) : signal(q.status ?? 0);
    s += `, si_pid=${q.pid}, si_uid=${q.uid}, si_status=${st}, si_utime=${q.utime ?? 0}, si_stime=${q.stime ?? 0}`;
  } else if (q.code <= 0) s += `, si_pid=${q.pid}, si_uid=${q.uid}`;
  return s + '}';
}

/** A siginfo_t in guest memory (rt_sigtimedwait, waitid). */
export function siginfoAt(c: Call, at: number): string {
  const { dv, get } = struct(c, at, SIGINFO_LAYOUT);
  const timer = { id: get('si_tid', true), overrun: get('si_overrun', true), value: dv.getBigUint64(SIGINFO_LAYOUT.fields.si_value.offset, true) };
  return siginfo({ sig: get('si_signo', true), code: get('si_code', true), pid: get('si_pid', true), uid: get('si_uid'),
    status: get('si_status', true), addr: get('si_addr'), utime: get('si_utime', true), stime: get('si_stime', true), timer });
}

/** struct itimerval: `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=500}}`. */
export function itimerval(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  return `{it_interval=${timeval(c, at)}, it_value=${timeval(c, at + TIMEVAL_LAYOUT.size)}}`;
}

/** A wait status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`. */
export function waitStatus(s: number, sig: (n: number) => string): string {
  const code = s & 0x7f;
  let t: string;
  if (code === 0) t = `WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}`;
  else if (code === 0x7f) t = `WIFSTOPPED(s) && WSTOPSIG(s) == ${sig((s >> 8) & 0xff)}`;
  else t = `WIFSIGNALED(s) && WTERMSIG(s) == ${sig(code)}${s & 0x80 ? ' && WCOREDUMP(s)' : ''}`;
  return `[{${t}}]`;
}
