// epoll instances (fs/eventpoll.c).
//
// Model, as Linux's:
// - An EpollFile (struct eventpoll) holds its interest set: one EpItem per (open file
//   description, fd number) pair, so a dup'ed fd can be registered separately and closing one
//   fd of a description that another fd still holds leaves the item in place.
// - Each item listens on its file's wait queue (WaitQueue.addListener = ep_ptable_queue_proc).
//   A notify() runs `callback` (ep_poll_callback): unless the item is disabled (EPOLLONESHOT
//   fired) or the notify carries a key none of the item's events match, the item joins the
//   ready list and the epoll's own waiters are woken (epoll_wait on `wq`; poll/select and
//   enclosing epolls on the file's `waitq`, with key POLLIN).
// - The ready list is ordered (insertion-ordered Set = rdllist). sendEvents (ep_send_events)
//   takes it, re-polls each item and reports the ready ones; level-triggered items go back on
//   the list, EPOLLET items stay off it until the next wake-up of their file, EPOLLONESHOT
//   items are disabled (events &= EP_PRIVATE_BITS) until EPOLL_CTL_MOD.
// - Readiness is always OpenFile.poll() & the item's events; EPOLLERR|EPOLLHUP are added to
//   every interest mask by epoll_ctl, so they are always reported.
// - When a watched description's last reference goes (OpenFile.release), its items leave
//   every epoll (eventpoll_release_file). OpenFile has no release hook, so the first
//   registration of a file wraps that file's release() once (see hookRelease).
// - Wake-ups without a key (today pipes and sockets notify without one) match every item, so
//   an EPOLLET item may be reported again after a change that Linux would not announce to it
//   (e.g. a partial read of a pipe that stays readable). That is a spurious edge, never a lost
//   one; notifiers that pass keys (eventfd does) get Linux's exact edges.
import { EPOLL } from '../abi.js';
import { Errno } from '../errno.js';
import { O_RDWR, OpenFile, POLLIN, POLLRDNORM, S_IFBLK, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../vfs/file.js';
import type { Stat } from '../../arch/stat.js';
import { WaitQueue } from '../wait.js';
import { anonInodeStat } from './anon_inode.js';

const { EPOLLET, EPOLLONESHOT, EPOLLWAKEUP, EPOLLEXCLUSIVE } = EPOLL;

/** Epoll's own bits in an interest mask (never poll results). */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** Deepest allowed chain of epolls watching epolls (a 5-long chain is refused with ELOOP). */
export const EP_MAX_NESTS = 4;

/** One registration: (file, fd) in `ep` with an interest mask and the user's 64-bit data. */
export class EpItem {
  /** The wait queue `callback` is attached to (the file's waitq when last checked). */
  queue: WaitQueue | undefined;
  /** The listener on the file's wait queue (ep_poll_callback). */
  readonly callback = (key?: number): void => this.ep.wakeItem(this, key);

  constructor(
    readonly ep: EpollFile,
    readonly file: OpenFile,
    readonly fd: number,
    /** Interest mask: EPOLL* events plus EP_PRIVATE_BITS (ET, ONESHOT, EXCLUSIVE). */
    public events: number,
    public data: bigint,
  ) {}

  /** ep_item_poll: the file's readiness restricted to the interest mask. */
  poll(): number { return this.file.poll() & this.events; }

  /** False once an EPOLLONESHOT item reported (no poll event left in the mask). */
  get enabled(): boolean { return (this.events & ~EP_PRIVATE_BITS) !== 0; }
}

/** Items watching each file, in any epoll (file->f_ep). */
const watchers = new WeakMap<OpenFile, Set<EpItem>>();
const hooked = new WeakSet<OpenFile>();

/**
 * Run eventpollRelease(f) when `f`'s last reference is released, before its own release():
 * OpenFile has no hook for that, so the instance's release method is wrapped, once per file.
 */
function hookRelease(f: OpenFile): void {
  if (hooked.has(f)) return;
  hooked.add(f);
  const release = f.release;
  f.release = function (this: OpenFile): void {
    eventpollRelease(f);
    release.call(this);
  };
}

/** eventpoll_release_file: drop every item watching `f` from its epoll. */
export function eventpollRelease(f: OpenFile): void {
  const items = watchers.get(f);
  if (!items) return;
  for (const it of [...items]) it.ep.remove(it);
  watchers.delete(f);
}

/** Character devices without a poll method (drivers/char/mem.c): null, zero, full, urandom. */
const NO_POLL_CHR = new Set([0x103, 0x105, 0x107, 0x109]);

/**
 * file_can_poll: may `f` be added to an epoll (else EPERM)? A file class can decide by
 * declaring a boolean `pollable` property; otherwise the file type decides as on Linux:
 * regular files, directories, symlinks and block devices have no poll method, and neither do
 * /dev/null, /dev/zero, /dev/full and /dev/urandom; FIFOs, sockets, terminals, /dev/random and
 * anonymous files (epoll, eventfd) do.
 */
export function canPoll(f: OpenFile): boolean {
  const own = (f as { pollable?: unknown }).pollable;
  if (typeof own === 'boolean') return own;
  if (f instanceof EpollFile) return true;
  let st: Stat;
  try { st = f.stat(); } catch { return true; }
  switch (st.mode & S_IFMT) {
    case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFBLK: return false;
    case S_IFCHR: return !NO_POLL_CHR.has(st.rdev);
    default: return true;
  }
}

/** An epoll instance: the file epoll_create returns (anon_inode:[eventpoll]). */
export class EpollFile extends OpenFile {
  override get noopSeek(): boolean { return true; }
  /** The interest set: file -> fd -> item (the rbtree keyed by ep_cmp_ffd). */
  readonly #items = new Map<OpenFile, Map<number, EpItem>>();
  /** Ready items in report order (rdllist). */
  #ready = new Set<EpItem>();
  /** epoll_wait's waiters (ep->wq). The inherited `waitq` is ep->poll_wait. */
  readonly wq = new WaitQueue();

  constructor() { super(O_RDWR, 'anon_inode:[eventpoll]'); }

  stat(): Stat { return anonInodeStat(); }

  /** Number of registered items. */
  get count(): number {
    let n = 0;
    for (const m of this.#items.values()) n += m.size;
    return n;
  }

  /** Every item, in registration order per file. */
  items(): EpItem[] {
    const out: EpItem[] = [];
    for (const m of this.#items.values()) out.push(...m.values());
    return out;
  }

  /** The items currently on the ready list, in order (for tests and /proc). */
  readyItems(): EpItem[] { return [...this.#ready]; }

  /** ep_find. */
  find(file: OpenFile, fd: number): EpItem | undefined { return this.#items.get(file)?.get(fd); }

  /** ep_insert: register, listen on the file's queue, and queue the item if it is ready now. */
  insert(file: OpenFile, fd: number, events: number, data: bigint): EpItem {
    const it = new EpItem(this, file, fd, events, data);
    let byFd = this.#items.get(file);
    if (!byFd) this.#items.set(file, byFd = new Map());
    byFd.set(fd, it);
    let w = watchers.get(file);
    if (!w) watchers.set(file, w = new Set());
    w.add(it);
    hookRelease(file);
    this.#attach(it);
    if (it.poll() && !this.#ready.has(it)) {
      this.#ready.add(it);
      this.#wakeWaiters();
    }
    return it;
  }

  /** ep_modify: new mask and data; queue the item (and wake) if it is ready and not queued. */
  modify(it: EpItem, events: number, data: bigint): void {
    it.events = events;
    it.data = data;
    if (it.poll() && !this.#ready.has(it)) {
      this.#ready.add(it);
      this.#wakeWaiters();
    }
  }

  /** ep_remove: stop listening and forget the item. */
  remove(it: EpItem): void {
    it.queue?.removeListener(it.callback);
    it.queue = undefined;
    this.#ready.delete(it);
    const byFd = this.#items.get(it.file);
    if (byFd?.get(it.fd) === it) {
      byFd.delete(it.fd);
      if (byFd.size === 0) this.#items.delete(it.file);
    }
    watchers.get(it.file)?.delete(it);
  }

  /** ep_poll_callback: the item's file notified its wait queue. */
  wakeItem(it: EpItem, key?: number): void {
    if (!it.enabled) return;
    if (key && !(key & it.events)) return;
    this.#ready.add(it); // a Set keeps an already-queued item where it is
    this.#wakeWaiters();
  }

  /** Wake epoll_wait callers, then pollers and enclosing epolls (ep_poll_safewake: POLLIN). */
  #wakeWaiters(): void {
    this.wq.notify();
    this.waitq.notify(POLLIN);
  }

  /**
   * Listen on the file's current wait queue. A file may switch queues (a socket that gets
   * connected shares its peer's); a switch re-queues the item, as a wake-up may have been
   * missed on the new queue. Returns true if the queue changed.
   */
  #attach(it: EpItem): boolean {
    const q = it.file.waitq;
    if (it.queue === q) return false;
    it.queue?.removeListener(it.callback);
    it.queue = q;
    q.addListener(it.callback);
    return true;
  }

  /** Re-attach items whose file changed wait queue (queued as possibly ready). */
  refresh(): void {
    for (const m of this.#items.values()) {
      for (const it of m.values()) if (this.#attach(it) && it.enabled) this.#ready.add(it);
    }
  }

  /** The wait queues a blocked epoll_wait sleeps on: every watched file's and `wq`. */
  waitQueues(): WaitQueue[] {
    const qs = new Set<WaitQueue>();
    for (const m of this.#items.values()) for (const it of m.values()) qs.add(it.file.waitq);
    qs.add(this.wq);
    return [...qs];
  }

  /** ep_events_available. */
  get hasReady(): boolean { return this.#ready.size > 0; }

  /**
   * ep_send_events: report up to `max` ready items through `put(index, revents, data)`, which
   * returns false when the user buffer faults. Returns the count, or -EFAULT if the first
   * event could not be stored; unreported items stay queued in order.
   * Callers refresh() first.
   */
  sendEvents(max: number, put: (i: number, revents: number, data: bigint) => boolean): number {
    const batch = [...this.#ready];
    this.#ready = new Set();
    let res = 0, i = 0;
    for (; i < batch.length && res < max; i++) {
      const it = batch[i];
      const revents = it.poll();
      if (!revents) continue; // not ready after all: off the list until the next wake-up
      if (!put(res, revents, it.data)) {
        if (res === 0) res = -Errno.EFAULT;
        break; // the faulting item stays queued (it is batch[i])
      }
      res++;
      if (it.events & EPOLLONESHOT) it.events &= EP_PRIVATE_BITS;
      else if (!(it.events & EPOLLET)) this.#ready.add(it); // level-triggered: check again next time
    }
    // ep_done_scan: unprocessed items go back in front of the re-queued level-triggered ones.
    const requeued = this.#ready;
    this.#ready = new Set([...batch.slice(i), ...requeued]);
    if (this.#ready.size > 0) this.wq.notify();
    return res;
  }

  /**
   * ep_eventpoll_poll: readable when some queued item is really ready; queued items that are
   * not are dropped from the ready list on the way (as Linux does).
   */
  override poll(): number {
    this.refresh();
    for (const it of this.#ready) {
      if (it.poll()) return POLLIN | POLLRDNORM;
      this.#ready.delete(it);
    }
    return 0;
  }

  /** ep_clear_and_put: the epoll itself is closed; every item stops listening. */
  override release(): void {
    this.waitq.notify();
    for (const it of this.items()) this.remove(it);
  }

  /** Epolls directly watched by this one. */
  nested(): EpollFile[] {
    const out: EpollFile[] = [];
    for (const f of this.#items.keys()) if (f instanceof EpollFile) out.push(f);
    return out;
  }
}

/**
 * ep_loop_check: would adding epoll `to` into `ep` close a loop or make a chain of epolls
 * deeper than EP_MAX_NESTS? (Both are ELOOP.)
 */
export function loopCheck(ep: EpollFile, to: EpollFile): boolean {
  const down = new Map<EpollFile, number>();
  // Depth of the epoll tree below `e`, or more than EP_MAX_NESTS if it reaches `ep`.
  const below = (e: EpollFile, depth: number): number => {
    const seen = down.get(e);
    if (seen !== undefined) return seen;
    let result = 0;
    for (const n of e.nested()) {
      result = n === ep || depth > EP_MAX_NESTS ? EP_MAX_NESTS + 1 : Math.max(result, below(n, depth + 1) + 1);
      if (result > EP_MAX_NESTS) break;
    }
    down.set(e, result);
    return result;
  };
  const depth = below(to, 0);
  if (depth > EP_MAX_NESTS) return true;
  const up = new Map<EpollFile, number>();
  // How many epolls are stacked above `e` at most.
  const above = (e: EpollFile, depth: number): number => {
    const seen = up.get(e);
    if (seen !== undefined) return seen;
    let result = 0;
    if (depth <= EP_MAX_NESTS) for (const it of watchers.get(e) ?? []) result = Math.max(result, above(it.ep, depth + 1) + 1);
    up.set(e, result);
    return result;
  };
  return depth + 1 + above(ep, 0) > EP_MAX_NESTS;
}
