// I/O multiplexing: poll, ppoll, select, pselect6 (fs/select.c).
//
// Readiness is OpenFile.poll() (POLL* bits). Nothing is registered anywhere while polling:
// when nothing is ready and the timeout allows waiting, the handler returns
// block(every polled file's waitq, deadline) and the dispatcher re-runs the whole call when a
// queue is notified or the deadline passes (a re-run polls everything again, like one turn of
// do_poll/do_select's loop). The absolute deadline lives in t.callState so a re-run does not
// restart the timeout (as nanosleep does in sys_time.ts).
//
// Timeouts: deadline 0 means "zero timeout" (poll once, never block), Infinity "no timeout";
// anything else is an absolute performance.now() time in ms (the clock Block deadlines use).
import { GuestFault } from '../../mm/address_space.js';
import { POLLFD_LAYOUT } from '../abi.js';
import { withSignalMask } from '../signal_delivery.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM } from '../vfs/file.js';
import type { OpenFile } from '../vfs/file.js';
import { block, SyscallResult, WaitQueue } from '../wait.js';

const POLLRDBAND = 0x80;
const POLLWRBAND = 0x200;
/** fs/select.c: which poll bits make an fd readable / writable / exceptional for select. */
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR | POLLNVAL;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR | POLLNVAL;
const POLLEX_SET = POLLPRI | POLLNVAL;

const PFD = POLLFD_LAYOUT.size; // 8: {int fd; short events; short revents}
const PFD_FD = POLLFD_LAYOUT.fields.fd.offset;
const PFD_EVENTS = POLLFD_LAYOUT.fields.events.offset;
const PFD_REVENTS = POLLFD_LAYOUT.fields.revents.offset;

const MS_PER_SEC = 1000;
const NS_PER_MS = 1e6;
const NS_PER_SEC = 1e9;
const US_PER_SEC = 1e6;

/** poll_select_set_timeout: a valid relative timeout as an absolute deadline (0 stays 0). */
function deadlineAfter(sec: number, nsec: number): number {
  if (sec === 0 && nsec === 0) return 0;
  return performance.now() + sec * MS_PER_SEC + nsec / NS_PER_MS;
}

/** timespec64_valid: sec >= 0 and 0 <= nsec < 1e9. */
const validTs = (sec: number, nsec: number) => sec >= 0 && nsec >= 0 && nsec < NS_PER_SEC;

/** A struct __kernel_timespec timeout as a deadline, or -EINVAL (faults throw: EFAULT). */
function timespecDeadline(t: Task, addr: number): number {
  const sec = t.mem.i64(addr), nsec = t.mem.i64(addr + 8);
  if (!validTs(sec, nsec)) return -Errno.EINVAL;
  return deadlineAfter(sec, nsec);
}

/**
 * A struct timeval timeout (select) as a deadline, or -EINVAL. Like kern_select, tv_usec is
 * folded into seconds first (C truncating division), so {0, 2500000} is 2.5 s and only a
 * result that is still negative or out of range is EINVAL.
 */
function timevalDeadline(t: Task, addr: number): number {
  const sec = t.mem.i64(addr), usec = t.mem.i64(addr + 8);
  const s = sec + Math.trunc(usec / US_PER_SEC);
  const ns = (usec % US_PER_SEC) * 1000;
  if (!validTs(s, ns)) return -Errno.EINVAL;
  return deadlineAfter(s, ns);
}

/**
 * poll_select_finish: for ppoll/pselect6/select with a non-zero timeout, write the time left
 * back to the user's timespec or timeval. A fault here is ignored (the call already completed).
 */
function writeRemaining(t: Task, addr: number, deadline: number, timeval: boolean): void {
  if (!addr || deadline === 0 || !Number.isFinite(deadline)) return;
  const left = Math.max(0, deadline - performance.now());
  let sec = Math.floor(left / MS_PER_SEC);
  let ns = Math.round((left - sec * MS_PER_SEC) * NS_PER_MS);
  if (ns >= NS_PER_SEC) { sec++; ns -= NS_PER_SEC; }
  const b = new DataView(new ArrayBuffer(16));
  b.setBigInt64(0, sec >= 2 ** 63 ? (1n << 63n) - 1n : BigInt(sec), true);
  b.setBigInt64(8, BigInt(timeval ? Math.floor(ns / 1000) : ns), true);
  try {
    t.mem.write(addr, new Uint8Array(b.buffer));
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
  }
}

/**
 * Nothing was ready: 0 if the timeout is zero or has passed, else Block on the files' queues
 * until the deadline (kept in callState for the re-run).
 */
function waitOrTimeOut(t: Task, files: Iterable<OpenFile>, deadline: number): SyscallResult {
  if (deadline === 0 || performance.now() >= deadline) return 0;
  t.callState.deadline = deadline;
  const queues = new Set<WaitQueue>();
  for (const f of files) queues.add(f.waitq);
  return block([...queues], Number.isFinite(deadline) ? deadline : undefined);
}

/** do_sys_poll: one pass over the pollfd array; revents are written back unless blocking. */
function doPoll(t: Task, ufds: number, nfds: number, deadline: number): SyscallResult {
  if (nfds > t.proc.fds.limit) return -Errno.EINVAL;
  const buf = t.mem.read(ufds, nfds * PFD);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const polled: OpenFile[] = [];
  let count = 0;
  for (let i = 0; i < nfds; i++) {
    const o = i * PFD;
    const fd = dv.getInt32(o + PFD_FD, true);
    let mask = 0;
    if (fd >= 0) {
      const f = t.proc.fds.get(fd);
      if (!f) mask = POLLNVAL;
      else {
        polled.push(f);
        // POLLERR and POLLHUP are reported whether asked for or not.
        mask = f.poll() & (dv.getUint16(o + PFD_EVENTS, true) | POLLERR | POLLHUP) & 0xffff;
      }
    }
    dv.setUint16(o + PFD_REVENTS, mask, true);
    if (mask) count++;
  }
  if (count === 0) {
    const r = waitOrTimeOut(t, polled, deadline);
    if (r !== 0) return r;
  }
  t.mem.write(ufds, buf);
  return count;
}

/** fd_set size in bytes for n fds: whole unsigned longs (FDS_BYTES). */
const fdsBytes = (n: number) => Math.ceil(n / 64) * 8;

/** core_sys_select: EINVAL/EBADF checks, one pass, the result sets written back on success. */
function doSelect(t: Task, nfds: number, inp: number, outp: number, exp: number, deadline: number): SyscallResult {
  let n = nfds | 0;
  if (n < 0) return -Errno.EINVAL;
  const fds = t.proc.fds;
  if (n > fds.limit) n = fds.limit; // Linux clamps to the fd table's size
  const size = fdsBytes(n);
  const zero = new Uint8Array(size);
  const sets = [inp, outp, exp].map((p) => (p ? t.mem.read(p, size) : zero));
  const [inb, outb, exb] = sets;
  const res = [new Uint8Array(size), new Uint8Array(size), new Uint8Array(size)];
  const files: { fd: number; f: OpenFile }[] = [];
  // max_select_fd: every fd named in any set below n must be open.
  for (let byte = 0; byte < size; byte++) {
    const all = inb[byte] | outb[byte] | exb[byte];
    if (!all) continue;
    for (let b = 0; b < 8; b++) {
      const fd = byte * 8 + b;
      if (fd >= n) break;
      if (!(all & (1 << b))) continue;
      const f = fds.get(fd);
      if (!f) return -Errno.EBADF;
      files.push({ fd, f });
    }
  }
  let count = 0;
  for (const { fd, f } of files) {
    const byte = fd >> 3, bit = 1 << (fd & 7);
    const mask = f.poll();
    if (mask & POLLIN_SET && inb[byte] & bit) { res[0][byte] |= bit; count++; }
    if (mask & POLLOUT_SET && outb[byte] & bit) { res[1][byte] |= bit; count++; }
    if (mask & POLLEX_SET && exb[byte] & bit) { res[2][byte] |= bit; count++; }
  }
  if (count === 0) {
    const r = waitOrTimeOut(t, files.map((x) => x.f), deadline);
    if (r !== 0) return r;
  }
  [inp, outp, exp].forEach((p, i) => { if (p) t.mem.write(p, res[i]); });
  return count;
}

/** The deadline of a re-run call, or undefined on the first run (the arguments are read then). */
const savedDeadline = (t: Task): number | undefined => t.callState.deadline;

export const pollCalls = {
  /** poll(2), x86_64 only: timeout in ms, negative = infinite */
  poll(t: Task, [ufds, nfds, timeout]: number[]): SyscallResult {
    let deadline = savedDeadline(t);
    if (deadline === undefined) {
      const ms = timeout | 0;
      deadline = ms < 0 ? Infinity : deadlineAfter(Math.trunc(ms / MS_PER_SEC), (ms % MS_PER_SEC) * NS_PER_MS);
    }
    return doPoll(t, ufds, nfds >>> 0, deadline);
  },

  /** ppoll(2): timespec timeout (NULL = infinite), written back with the time left */
  ppoll(t: Task, [ufds, nfds, tsp, sigmask, sigsetsize]: number[]): SyscallResult {
    let deadline = savedDeadline(t);
    if (deadline === undefined) {
      deadline = tsp ? timespecDeadline(t, tsp) : Infinity;
      if (deadline < 0) return deadline; // -EINVAL (deadlines are never negative)
    }
    const dl = deadline;
    const r = withSignalMask(t, sigmask, sigsetsize, () => doPoll(t, ufds, nfds >>> 0, dl));
    if (typeof r === 'number') writeRemaining(t, tsp, deadline, false);
    return r;
  },

  /** select(2), x86_64 only: timeval timeout (NULL = infinite), written back with the time left */
  select(t: Task, [nfds, inp, outp, exp, tvp]: number[]): SyscallResult {
    let deadline = savedDeadline(t);
    if (deadline === undefined) {
      deadline = tvp ? timevalDeadline(t, tvp) : Infinity;
      if (deadline < 0) return deadline;
    }
    const r = doSelect(t, nfds, inp, outp, exp, deadline);
    if (typeof r === 'number') writeRemaining(t, tvp, deadline, true);
    return r;
  },

  /**
   * pselect6(2): timespec timeout; the 6th argument points to {const sigset_t *ss; size_t ss_len}
   * (get_sigset_argpack), installed for the wait like ppoll's.
   */
  pselect6(t: Task, [nfds, inp, outp, exp, tsp, sig]: number[]): SyscallResult {
    let deadline = savedDeadline(t);
    let mask = 0, size = 0;
    if (deadline === undefined) {
      if (sig) { mask = t.mem.u64(sig); size = t.mem.u64(sig + 8); }
      deadline = tsp ? timespecDeadline(t, tsp) : Infinity;
      if (deadline < 0) return deadline;
    }
    const dl = deadline;
    const r = withSignalMask(t, mask, size, () => doSelect(t, nfds, inp, outp, exp, dl));
    if (typeof r === 'number') writeRemaining(t, tsp, deadline, false);
    return r;
  },
};
