// epoll and eventfd: epoll_create/epoll_create1, epoll_ctl, epoll_wait/epoll_pwait/epoll_pwait2
// (fs/eventpoll.c), eventfd/eventfd2 (fs/eventfd.c). The objects live in src/kernel/epoll/.
//
// Waiting: when nothing is ready and the timeout allows it, epoll_wait returns
// block(every watched file's waitq + the epoll's own wq, deadline); the deadline is kept in
// t.callState so a re-run (after any wake-up) keeps the original timeout, as in sys_poll.ts.
// Deadline 0 means "zero timeout", Infinity "no timeout".
//
// struct epoll_event is {u32 events; u64 data} packed into 12 bytes on x86_64 and padded to
// 16 on aarch64 (t.proc.arch.data.EPOLL_EVENT_LAYOUT).
import { GuestFault } from '../../mm/address_space.js';
import { EPOLL, FD_FLAGS, SIGSET_SIZE } from '../abi.js';
import { canPoll, EpollFile, loopCheck } from '../epoll/epoll.js';
import { EventFd } from '../epoll/eventfd.js';
import { Errno } from '../errno.js';
import { hasInterruptingSignal, withSignalMask } from '../signal_delivery.js';
import type { Task } from '../task.js';
import { block, SyscallResult } from '../wait.js';

const {
  EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP,
  EPOLLWAKEUP, EPOLLET, EPOLLEXCLUSIVE,
} = EPOLL;
const { EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK } = FD_FLAGS;

/** The only bits EPOLLEXCLUSIVE may come with (EPOLLEXCLUSIVE_OK_BITS). */
const EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
const INT_MAX = 0x7fffffff;
const MS_PER_SEC = 1000;
const NS_PER_MS = 1e6;
const NS_PER_SEC = 1e9;

/** epoll_create1's common part: a new epoll fd (flags: EPOLL_CLOEXEC only). */
function createEpoll(t: Task, flags: number): SyscallResult {
  if (flags & ~EPOLL_CLOEXEC) return -Errno.EINVAL;
  const ep = new EpollFile();
  const fd = t.proc.fds.install(ep, (flags & EPOLL_CLOEXEC) !== 0);
  if (fd < 0) ep.release();
  return fd;
}

/** A new eventfd fd. */
function createEventfd(t: Task, initval: number, flags: number): SyscallResult {
  if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) return -Errno.EINVAL;
  const f = new EventFd(BigInt(initval >>> 0), (flags & EFD_SEMAPHORE) !== 0, flags & EFD_NONBLOCK);
  const fd = t.proc.fds.install(f, (flags & EFD_CLOEXEC) !== 0);
  if (fd < 0) f.release();
  return fd;
}

/** ep_timeout_to_timespec: an int millisecond timeout as a deadline (< 0: none). */
function msDeadline(ms: number): number {
  if (ms < 0) return Infinity;
  if (ms === 0) return 0;
  return performance.now() + ms;
}

/**
 * do_epoll_wait + ep_poll: the checks, one pass over the ready list, then 0 (timed out),
 * -EINTR (a signal is pending) or Block.
 */
function doWait(t: Task, epfd: number, events: number, maxevents: number, deadline: number): SyscallResult {
  const f = t.proc.fds.get(epfd | 0);
  if (!f) return -Errno.EBADF;
  const L = t.proc.arch.data.EPOLL_EVENT_LAYOUT;
  const max = maxevents | 0;
  if (max <= 0 || max > Math.floor(INT_MAX / L.size)) return -Errno.EINVAL;
  // access_ok: only the range is checked here; a fault while storing an event is EFAULT below.
  if (events < 0 || events + max * L.size > t.mem.mm.limit) return -Errno.EFAULT;
  if (!(f instanceof EpollFile)) return -Errno.EINVAL;
  const ep = f;
  ep.refresh();
  if (ep.hasReady) {
    const rec = new Uint8Array(L.size);
    const dv = new DataView(rec.buffer);
    const put = (i: number, revents: number, data: bigint): boolean => {
      dv.setUint32(L.fields.events.offset, revents >>> 0, true);
      dv.setBigUint64(L.fields.data.offset, data, true);
      try {
        t.mem.write(events + i * L.size, rec);
        return true;
      } catch (e) {
        if (e instanceof GuestFault) return false;
        throw e;
      }
    };
    const n = ep.sendEvents(max, put);
    if (n !== 0) return n;
  }
  if (deadline === 0 || performance.now() >= deadline) return 0;
  if (hasInterruptingSignal(t)) return -Errno.EINTR;
  t.callState.deadline = deadline;
  return block(ep.waitQueues(), Number.isFinite(deadline) ? deadline : undefined);
}

/** do_epoll_pwait: the wait under the caller's temporary signal mask (withSignalMask). */
function doPwait(
  t: Task, epfd: number, events: number, maxevents: number, deadlineOf: () => number, mask: number, size: number,
): SyscallResult {
  let deadline: number | undefined = t.callState.deadline;
  if (deadline === undefined) {
    deadline = deadlineOf();
    if (deadline < 0) return deadline;
  }
  const dl = deadline;
  return withSignalMask(t, mask, size, () => doWait(t, epfd, events, maxevents, dl));
}

export const epollCalls = {
  /** epoll_create(2), x86_64 only: size is a hint that must be > 0 */
  epoll_create(t: Task, [size]: number[]): SyscallResult {
    if ((size | 0) <= 0) return -Errno.EINVAL;
    return createEpoll(t, 0);
  },

  /** epoll_create1(2): EPOLL_CLOEXEC */
  epoll_create1(t: Task, [flags]: number[]): SyscallResult { return createEpoll(t, flags | 0); },

  /** epoll_ctl(2): EPOLL_CTL_ADD / EPOLL_CTL_MOD / EPOLL_CTL_DEL (do_epoll_ctl's order of checks) */
  epoll_ctl(t: Task, [epfd, opArg, fd, event]: number[]): SyscallResult {
    const op = opArg | 0;
    let events = 0, data = 0n;
    if (op !== EPOLL_CTL_DEL) { // ep_op_has_event: the event is read even for an unknown op
      const L = t.proc.arch.data.EPOLL_EVENT_LAYOUT;
      const b = t.mem.read(event, L.size);
      const dv = new DataView(b.buffer);
      events = dv.getUint32(L.fields.events.offset, true);
      data = dv.getBigUint64(L.fields.data.offset, true);
    }
    const fds = t.proc.fds;
    const f = fds.get(epfd | 0);
    if (!f) return -Errno.EBADF;
    const tf = fds.get(fd | 0);
    if (!tf) return -Errno.EBADF;
    if (!canPoll(tf)) return -Errno.EPERM;
    events &= ~EPOLLWAKEUP; // ep_take_care_of_epollwakeup: no wakeup sources here
    if (f === tf || !(f instanceof EpollFile)) return -Errno.EINVAL;
    if (op !== EPOLL_CTL_DEL && events & EPOLLEXCLUSIVE) {
      if (op === EPOLL_CTL_MOD) return -Errno.EINVAL;
      if (op === EPOLL_CTL_ADD && (tf instanceof EpollFile || events & ~EXCLUSIVE_OK)) return -Errno.EINVAL;
    }
    const ep = f;
    if (op === EPOLL_CTL_ADD && tf instanceof EpollFile && loopCheck(ep, tf)) return -Errno.ELOOP;
    const it = ep.find(tf, fd | 0);
    switch (op) {
      case EPOLL_CTL_ADD:
        if (it) return -Errno.EEXIST;
        ep.insert(tf, fd | 0, (events | EPOLLERR | EPOLLHUP) >>> 0, data);
        return 0;
      case EPOLL_CTL_DEL:
        if (!it) return -Errno.ENOENT;
        ep.remove(it);
        return 0;
      case EPOLL_CTL_MOD:
        if (!it) return -Errno.ENOENT;
        if (it.events & EPOLLEXCLUSIVE) return -Errno.EINVAL;
        ep.modify(it, (events | EPOLLERR | EPOLLHUP) >>> 0, data);
        return 0;
      default:
        return -Errno.EINVAL;
    }
  },

  /** epoll_wait(2), x86_64 only: int timeout in ms, negative = infinite */
  epoll_wait(t: Task, [epfd, events, maxevents, timeout]: number[]): SyscallResult {
    const deadline = t.callState.deadline ?? msDeadline(timeout | 0);
    return doWait(t, epfd, events, maxevents, deadline);
  },

  /** epoll_pwait(2): epoll_wait with a signal mask for the duration of the wait */
  epoll_pwait(t: Task, [epfd, events, maxevents, timeout, sigmask, sigsetsize]: number[]): SyscallResult {
    return doPwait(t, epfd, events, maxevents, () => msDeadline(timeout | 0), sigmask, sigsetsize);
  },

  /** epoll_pwait2(2): struct __kernel_timespec timeout (NULL = infinite), checked before anything else */
  epoll_pwait2(t: Task, [epfd, events, maxevents, tsp, sigmask, sigsetsize]: number[]): SyscallResult {
    const deadlineOf = (): number => {
      if (!tsp) return Infinity;
      const sec = t.mem.i64(tsp), nsec = t.mem.i64(tsp + 8);
      if (sec < 0 || nsec < 0 || nsec >= NS_PER_SEC) return -Errno.EINVAL;
      if (sec === 0 && nsec === 0) return 0;
      return performance.now() + sec * MS_PER_SEC + nsec / NS_PER_MS;
    };
    return doPwait(t, epfd, events, maxevents, deadlineOf, sigmask, sigsetsize);
  },

  /** eventfd2(2): EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC; initval is an unsigned int */
  eventfd2(t: Task, [initval, flags]: number[]): SyscallResult { return createEventfd(t, initval, flags | 0); },

  /** eventfd(2), x86_64 only: no flags */
  eventfd(t: Task, [initval]: number[]): SyscallResult { return createEventfd(t, initval, 0); },
};
