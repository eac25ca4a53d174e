// epoll_create/ctl/wait/pwait/pwait2 and eventfd against a fake task: real guest memory and fd
// table, files whose readiness the test sets and whose wait queue it notifies.
// performance.now() is pinned so deadlines are exact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ABI_DATA as A64 } from '../../src/arch/aarch64/abi_data.js';
import type { Stat } from '../../src/arch/stat.js';
import { ABI_DATA as X64 } from '../../src/arch/x86_64/abi_data.js';
import type { ArchAbiData } from '../../src/kernel/abi.js';
import { EPOLL, FD_FLAGS } from '../../src/kernel/abi.js';
import { canPoll, EpollFile } from '../../src/kernel/epoll/epoll.js';
import { EventFd } from '../../src/kernel/epoll/eventfd.js';
import { Errno } from '../../src/kernel/errno.js';
import { epollCalls } from '../../src/kernel/syscalls/sys_epoll.js';
import type { Task } from '../../src/kernel/task.js';
import { FdTable } from '../../src/kernel/vfs/fdtable.js';
import {
  O_RDWR, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, S_IFCHR, S_IFDIR, S_IFIFO, S_IFREG, S_IFSOCK,
} from '../../src/kernel/vfs/file.js';
import { Block, WaitQueue } from '../../src/kernel/wait.js';
import { AddressSpace, GuestFault, PROT_READ, PROT_WRITE } from '../../src/mm/address_space.js';
import { GuestMemory } from '../../src/mm/guest_memory.js';
import { PAGE_SIZE, PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

const {
  EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP,
  EPOLLPRI, EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE, EPOLLWAKEUP,
} = EPOLL;
const { EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC } = FD_FLAGS;

/** A file whose readiness and type the test chooses; optionally sharing a wait queue. */
class FakeFile extends OpenFile {
  released = 0;
  constructor(public bits: number, public mode = S_IFSOCK, public rdev = 0, public queue?: WaitQueue) { super(O_RDWR, 'fake'); }
  stat(): Stat {
    return { dev: 1, ino: 2, mode: this.mode | 0o600, nlink: 1, uid: 0, gid: 0, rdev: this.rdev, size: 0, blksize: 4096,
      blocks: 0, atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0 };
  }
  override poll(): number { return this.bits; }
  override get waitq(): WaitQueue { return this.queue ?? super.waitq; }
  override release(): void { this.released++; }
  /** Change readiness and announce it, as a real file does. */
  set(bits: number, key?: number): void { this.bits = bits; this.waitq.notify(key); }
}

const BASE = 0x400000;
const EVS = BASE; // epoll_event array
const EV = BASE + 0x1000; // one epoll_event for epoll_ctl
const TS = BASE + 0x1100; // timespec
const SIG = BASE + 0x1200; // sigset_t
const BUF = BASE + 0x1300; // eventfd read/write buffer
const UNMAPPED = BASE + 16 * PAGE_SIZE;

let mem: GuestMemory;
let fds: FdTable;
let t: Task;
let now: number;
let data: ArchAbiData;

function makeTask(abi: ArchAbiData): Task {
  data = abi;
  return {
    proc: { fds, arch: { data: abi }, shared: { mask: 0n }, tasks: [], sigactions: new Map() },
    mem, callState: {}, savedMask: undefined, sigmask: 0n, private: { mask: 0n },
  } as unknown as Task;
}

beforeEach(() => {
  const phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
  const mm = new AddressSpace(phys, 0x7ffffffff000);
  mm.map(BASE, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, false, '');
  mem = new GuestMemory(mm, phys);
  fds = new FdTable();
  t = makeTask(X64);
  now = 10_000;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});

afterEach(() => { vi.restoreAllMocks(); });

type Call = keyof typeof epollCalls;
/** Simulate the dispatcher: a completed call clears callState; a Block keeps it for the re-run. */
function call(name: Call, args: number[]) {
  const r = epollCalls[name](t, args);
  if (!(r instanceof Block)) t.callState = {};
  return r;
}

const epfdNew = (flags = 0) => call('epoll_create1', [flags]) as number;
const epollOf = (fd: number) => fds.get(fd) as EpollFile;
const install = (f: OpenFile) => fds.install(f, false);

/** Write one struct epoll_event at EV in the current arch's layout. */
function writeEvent(events: number, d: bigint, at = EV): void {
  const L = data.EPOLL_EVENT_LAYOUT;
  const b = new Uint8Array(L.size).fill(0xee);
  const dv = new DataView(b.buffer);
  dv.setUint32(L.fields.events.offset, events >>> 0, true);
  dv.setBigUint64(L.fields.data.offset, d, true);
  mem.write(at, b);
}

function ctl(ep: number, op: number, fd: number, events = EPOLLIN, d: bigint = BigInt(fd)) {
  writeEvent(events, d);
  return call('epoll_ctl', [ep, op, fd, EV]);
}

/** The first n events at EVS as [events, data]. */
function readEvents(n: number, at = EVS): [number, bigint][] {
  const L = data.EPOLL_EVENT_LAYOUT;
  const b = mem.read(at, n * L.size);
  const dv = new DataView(b.buffer);
  return Array.from({ length: n }, (_, i) => [
    dv.getUint32(i * L.size + L.fields.events.offset, true),
    dv.getBigUint64(i * L.size + L.fields.data.offset, true),
  ]);
}

/** epoll_wait with a zero timeout: the reported [events, data] pairs. */
function poll0(ep: number, max = 16): [number, bigint][] | number {
  const r = call('epoll_pwait', [ep, EVS, max, 0, 0, 8]);
  if (typeof r !== 'number') throw new Error('blocked');
  return r < 0 ? r : readEvents(r);
}

describe('epoll_create / epoll_create1', () => {
  it('creates epoll fds; EPOLL_CLOEXEC is the only flag; epoll_create needs size > 0', () => {
    const a = epfdNew();
    expect(a).toBe(0);
    expect(fds.get(a)).toBeInstanceOf(EpollFile);
    expect(fds.entry(a)!.cloexec).toBe(false);
    const b = epfdNew(EPOLL_CLOEXEC);
    expect(fds.entry(b)!.cloexec).toBe(true);
    expect(call('epoll_create1', [1])).toBe(-Errno.EINVAL);
    expect(call('epoll_create1', [0o4000])).toBe(-Errno.EINVAL); // O_NONBLOCK is not an epoll flag
    expect(call('epoll_create', [0])).toBe(-Errno.EINVAL);
    expect(call('epoll_create', [-5])).toBe(-Errno.EINVAL);
    expect(call('epoll_create', [1])).toBe(2);
    expect(fds.get(2)!.flags).toBe(O_RDWR);
  });

  it('shows an anon inode: mode 0600 without type bits, shared by every epoll and eventfd', () => {
    const ep = epollOf(epfdNew());
    const ev = new EventFd(0n, false, 0);
    expect(ep.stat().mode).toBe(0o600);
    expect(ep.stat().ino).toBe(ev.stat().ino);
    expect(ep.path).toBe('anon_inode:[eventpoll]');
    expect(ev.path).toBe('anon_inode:[eventfd]');
  });
});

describe('epoll_ctl', () => {
  it('checks fds in Linux order: EBADF, EPERM, EINVAL', () => {
    const ep = epfdNew();
    const sock = install(new FakeFile(0));
    const reg = install(new FakeFile(POLLIN | POLLOUT, S_IFREG));
    expect(ctl(99, EPOLL_CTL_ADD, sock)).toBe(-Errno.EBADF);
    expect(ctl(ep, EPOLL_CTL_ADD, 99)).toBe(-Errno.EBADF);
    expect(ctl(ep, EPOLL_CTL_ADD, reg)).toBe(-Errno.EPERM);
    expect(ctl(sock, EPOLL_CTL_ADD, reg)).toBe(-Errno.EPERM); // EPERM before "not an epoll"
    expect(ctl(sock, EPOLL_CTL_ADD, ep)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_ADD, ep)).toBe(-Errno.EINVAL);
    expect(ctl(ep, 0, sock)).toBe(-Errno.EINVAL);
    expect(ctl(ep, 4, sock)).toBe(-Errno.EINVAL);
  });

  it('reads the event for every op but DEL (EFAULT), and before the fds', () => {
    const ep = epfdNew();
    const sock = install(new FakeFile(0));
    expect(() => call('epoll_ctl', [ep, EPOLL_CTL_ADD, 99, UNMAPPED])).toThrow(GuestFault);
    expect(() => call('epoll_ctl', [ep, 7, sock, UNMAPPED])).toThrow(GuestFault);
    expect(call('epoll_ctl', [ep, EPOLL_CTL_ADD, sock, EV])).toBe(0);
    expect(call('epoll_ctl', [ep, EPOLL_CTL_DEL, sock, UNMAPPED])).toBe(0);
  });

  it('EEXIST on a second ADD, ENOENT on MOD/DEL of an unregistered fd', () => {
    const ep = epfdNew();
    const a = install(new FakeFile(0));
    expect(ctl(ep, EPOLL_CTL_MOD, a)).toBe(-Errno.ENOENT);
    expect(ctl(ep, EPOLL_CTL_DEL, a)).toBe(-Errno.ENOENT);
    expect(ctl(ep, EPOLL_CTL_ADD, a)).toBe(0);
    expect(ctl(ep, EPOLL_CTL_ADD, a)).toBe(-Errno.EEXIST);
    expect(ctl(ep, EPOLL_CTL_MOD, a, EPOLLOUT)).toBe(0);
    expect(ctl(ep, EPOLL_CTL_DEL, a)).toBe(0);
    expect(ctl(ep, EPOLL_CTL_DEL, a)).toBe(-Errno.ENOENT);
  });

  it('keys items by (description, fd): a dup is a separate item, DEL through the dup is ENOENT', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLIN);
    const a = install(f);
    const b = install(f); // a dup
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN, 1n)).toBe(0);
    expect(ctl(ep, EPOLL_CTL_DEL, b)).toBe(-Errno.ENOENT);
    expect(ctl(ep, EPOLL_CTL_ADD, b, EPOLLIN, 2n)).toBe(0);
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n], [EPOLLIN, 2n]]);
  });

  it('EPOLLEXCLUSIVE: ADD only, only with IN/OUT/ERR/HUP/ET/WAKEUP, not on an epoll; MOD of such an item is EINVAL', () => {
    const ep = epfdNew();
    const inner = epfdNew();
    const a = install(new FakeFile(0));
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLEXCLUSIVE)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_MOD, a, EPOLLIN | EPOLLEXCLUSIVE)).toBe(-Errno.EINVAL); // before ENOENT
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLOUT | EPOLLEXCLUSIVE | EPOLLET | EPOLLWAKEUP)).toBe(0);
    expect(ctl(ep, EPOLL_CTL_MOD, a, EPOLLIN)).toBe(-Errno.EINVAL);
    expect(ctl(ep, EPOLL_CTL_DEL, a)).toBe(0);
  });

  it('file_can_poll: regular files, directories and the mem devices are EPERM; fifos, sockets, ttys, /dev/random are fine', () => {
    const chr = (major: number, minor: number) => new FakeFile(0, S_IFCHR, (major << 8) | minor);
    expect(canPoll(new FakeFile(0, S_IFREG))).toBe(false);
    expect(canPoll(new FakeFile(0, S_IFDIR))).toBe(false);
    expect(canPoll(chr(1, 3))).toBe(false); // /dev/null
    expect(canPoll(chr(1, 5))).toBe(false); // /dev/zero
    expect(canPoll(chr(1, 7))).toBe(false); // /dev/full
    expect(canPoll(chr(1, 9))).toBe(false); // /dev/urandom
    expect(canPoll(chr(1, 8))).toBe(true); // /dev/random
    expect(canPoll(chr(136, 0))).toBe(true); // a pty
    expect(canPoll(new FakeFile(0, S_IFIFO))).toBe(true);
    expect(canPoll(new FakeFile(0, S_IFSOCK))).toBe(true);
    expect(canPoll(new EventFd(0n, false, 0))).toBe(true);
    expect(canPoll(new EpollFile())).toBe(true);
    const own = Object.assign(new FakeFile(0, S_IFREG), { pollable: true });
    expect(canPoll(own)).toBe(true);
  });
});

describe('epoll_wait reporting', () => {
  it('level-triggered: reported on every call while ready, masked by the interest set, with the user data', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLIN | POLLOUT | POLLRDNORM);
    const a = install(f);
    expect(ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN, 0xfedcba9876543210n)).toBe(0);
    expect(poll0(ep)).toEqual([[EPOLLIN, 0xfedcba9876543210n]]);
    expect(poll0(ep)).toEqual([[EPOLLIN, 0xfedcba9876543210n]]);
    f.set(POLLOUT);
    expect(poll0(ep)).toEqual([]);
    f.set(POLLIN);
    expect(poll0(ep)).toEqual([[EPOLLIN, 0xfedcba9876543210n]]);
  });

  it('EPOLLERR and EPOLLHUP are reported even when not asked for', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLHUP | POLLERR | POLLOUT);
    ctl(ep, EPOLL_CTL_ADD, install(f), EPOLLIN, 7n);
    expect(poll0(ep)).toEqual([[EPOLLERR | EPOLLHUP, 7n]]);
    expect(epollOf(ep).items()[0].events).toBe(EPOLLIN | EPOLLERR | EPOLLHUP);
  });

  it('EPOLLET: reported once per wake-up of the file', () => {
    const ep = epfdNew();
    const f = new FakeFile(0);
    ctl(ep, EPOLL_CTL_ADD, install(f), EPOLLIN | EPOLLET, 1n);
    expect(poll0(ep)).toEqual([]);
    f.set(POLLIN);
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n]]);
    expect(poll0(ep)).toEqual([]); // still readable, but no new edge
    f.set(POLLIN); // more data arrived
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n]]);
    expect(poll0(ep)).toEqual([]);
  });

  it('EPOLLET: an item already ready when added is reported once', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLOUT)), EPOLLOUT | EPOLLET, 3n);
    expect(poll0(ep)).toEqual([[EPOLLOUT, 3n]]);
    expect(poll0(ep)).toEqual([]);
  });

  it('a keyed wake-up re-arms only the items whose events it names', () => {
    const ep = epfdNew();
    const q = new WaitQueue();
    const r = new FakeFile(POLLIN, S_IFIFO, 0, q), w = new FakeFile(POLLOUT, S_IFIFO, 0, q);
    ctl(ep, EPOLL_CTL_ADD, install(r), EPOLLIN | EPOLLET, 1n);
    ctl(ep, EPOLL_CTL_ADD, install(w), EPOLLOUT | EPOLLET, 2n);
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n], [EPOLLOUT, 2n]]);
    q.notify(POLLOUT);
    expect(poll0(ep)).toEqual([[EPOLLOUT, 2n]]);
    q.notify(POLLIN);
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n]]);
    q.notify(); // no key: everyone
    expect(poll0(ep)).toEqual([[EPOLLIN, 1n], [EPOLLOUT, 2n]]);
  });

  it('a wake-up without readiness reports nothing and drops the item until the next wake-up', () => {
    const ep = epfdNew();
    const f = new FakeFile(0);
    ctl(ep, EPOLL_CTL_ADD, install(f), EPOLLIN | EPOLLET, 1n);
    f.set(0);
    expect(epollOf(ep).readyItems().length).toBe(1);
    expect(poll0(ep)).toEqual([]);
    expect(epollOf(ep).readyItems().length).toBe(0);
    f.bits = POLLIN; // ready without a wake-up: an edge-triggered item does not see it
    expect(poll0(ep)).toEqual([]);
  });

  it('EPOLLONESHOT: one report, then disabled (even across wake-ups) until EPOLL_CTL_MOD', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLIN);
    const a = install(f);
    ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLONESHOT, 5n);
    expect(poll0(ep)).toEqual([[EPOLLIN, 5n]]);
    expect(poll0(ep)).toEqual([]);
    f.set(POLLIN | POLLHUP);
    expect(poll0(ep)).toEqual([]); // even HUP: the item has no events left
    expect(epollOf(ep).items()[0].events).toBe(EPOLLONESHOT);
    expect(ctl(ep, EPOLL_CTL_MOD, a, EPOLLIN | EPOLLONESHOT, 6n)).toBe(0);
    expect(poll0(ep)).toEqual([[EPOLLIN | EPOLLHUP, 6n]]);
    expect(poll0(ep)).toEqual([]);
  });

  it('EPOLL_CTL_MOD changes the mask and data and queues a ready item', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLOUT);
    const a = install(f);
    ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN, 1n);
    expect(poll0(ep)).toEqual([]);
    ctl(ep, EPOLL_CTL_MOD, a, EPOLLIN | EPOLLOUT, 2n);
    expect(poll0(ep)).toEqual([[EPOLLOUT, 2n]]);
  });

  it('EPOLL_CTL_DEL stops reports and detaches from the wait queue', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLIN);
    const a = install(f);
    ctl(ep, EPOLL_CTL_ADD, a);
    expect(f.waitq.listeners).toBe(1);
    expect(ctl(ep, EPOLL_CTL_DEL, a)).toBe(0);
    expect(f.waitq.listeners).toBe(0);
    expect(poll0(ep)).toEqual([]);
    expect(epollOf(ep).count).toBe(0);
  });

  it('closing the last fd of a watched description removes it from every epoll; a remaining dup keeps it', () => {
    const ep1 = epfdNew(), ep2 = epfdNew();
    const f = new FakeFile(POLLIN);
    const a = install(f);
    ctl(ep1, EPOLL_CTL_ADD, a, EPOLLIN, 1n);
    ctl(ep2, EPOLL_CTL_ADD, a, EPOLLIN, 2n);
    const b = install(f);
    fds.close(a);
    expect(poll0(ep1)).toEqual([[EPOLLIN, 1n]]); // the description is still open through b
    expect(f.released).toBe(0);
    fds.close(b);
    expect(f.released).toBe(1); // the file's own release still runs
    expect(poll0(ep1)).toEqual([]);
    expect(poll0(ep2)).toEqual([]);
    expect(epollOf(ep1).count + epollOf(ep2).count).toBe(0);
    expect(f.waitq.listeners).toBe(0);
  });

  it('closing the epoll fd detaches every item from its file', () => {
    const ep = epfdNew();
    const f = new FakeFile(POLLIN);
    ctl(ep, EPOLL_CTL_ADD, install(f));
    expect(f.waitq.listeners).toBe(1);
    fds.close(ep);
    expect(f.waitq.listeners).toBe(0);
  });

  it('maxevents limits a call; the rest come first next time, then the level-triggered ones again', () => {
    const ep = epfdNew();
    const files = [new FakeFile(POLLIN), new FakeFile(POLLIN), new FakeFile(POLLIN)];
    files.forEach((f, i) => ctl(ep, EPOLL_CTL_ADD, install(f), EPOLLIN, BigInt(10 + i)));
    mem.fill(EVS, 64, 0xcc);
    expect(call('epoll_pwait', [ep, EVS, 2, 0, 0, 8])).toBe(2);
    expect(readEvents(2)).toEqual([[EPOLLIN, 10n], [EPOLLIN, 11n]]);
    expect(mem.read(EVS + 24, 4)).toEqual(Uint8Array.of(0xcc, 0xcc, 0xcc, 0xcc)); // nothing past 2 events
    expect(call('epoll_pwait', [ep, EVS, 2, 0, 0, 8])).toBe(2);
    expect(readEvents(2)).toEqual([[EPOLLIN, 12n], [EPOLLIN, 10n]]);
    expect(poll0(ep)).toEqual([[EPOLLIN, 11n], [EPOLLIN, 12n], [EPOLLIN, 10n]]);
  });

  it('argument errors: EBADF, maxevents <= 0 or too large, not an epoll, buffer outside user space', () => {
    const ep = epfdNew();
    const a = install(new FakeFile(POLLIN));
    expect(call('epoll_wait', [99, EVS, 0, 0])).toBe(-Errno.EBADF); // EBADF before EINVAL
    expect(call('epoll_wait', [ep, EVS, 0, 0])).toBe(-Errno.EINVAL);
    expect(call('epoll_wait', [ep, EVS, -1, 0])).toBe(-Errno.EINVAL);
    expect(call('epoll_wait', [ep, EVS, Math.floor(0x7fffffff / 12) + 1, 0])).toBe(-Errno.EINVAL);
    expect(call('epoll_wait', [a, EVS, 1, 0])).toBe(-Errno.EINVAL);
    expect(call('epoll_wait', [ep, 0x7ffffffff000 - 11, 1, 0])).toBe(-Errno.EFAULT);
    expect(call('epoll_wait', [ep, -0x800000000000, 1, 0])).toBe(-Errno.EFAULT);
    // an unmapped (but user-range) buffer is fine until an event must be stored
    expect(call('epoll_wait', [ep, UNMAPPED, 1, 0])).toBe(0);
    ctl(ep, EPOLL_CTL_ADD, a);
    expect(call('epoll_wait', [ep, UNMAPPED, 1, 0])).toBe(-Errno.EFAULT);
    expect(epollOf(ep).readyItems().length).toBe(1); // still queued
    expect(call('epoll_wait', [ep, EVS, 1, 0])).toBe(1);
  });

  it('a fault after some events returns those events', () => {
    const ep = epfdNew();
    [1, 2].forEach((i) => ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLIN)), EPOLLIN, BigInt(i)));
    const at = BASE + 8 * PAGE_SIZE - 12; // room for one x86_64 event before the unmapped page
    expect(call('epoll_wait', [ep, at, 4, 0])).toBe(1);
    expect(readEvents(1, at)).toEqual([[EPOLLIN, 1n]]);
    expect(poll0(ep)).toEqual([[EPOLLIN, 2n], [EPOLLIN, 1n]]);
  });
});

describe('epoll_wait layout', () => {
  it('x86_64: packed 12-byte events (data at offset 4)', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLIN)), EPOLLIN, 0x1122334455667788n);
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLOUT)), EPOLLOUT, 0x99n);
    mem.fill(EVS, 32, 0xcc);
    expect(call('epoll_wait', [ep, EVS, 8, 0])).toBe(2);
    expect([...mem.read(EVS, 26)]).toEqual([
      1, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
      4, 0, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0,
      0xcc, 0xcc,
    ]);
  });

  it('aarch64: 16-byte events (data at offset 8); epoll_ctl reads the same layout', () => {
    t = makeTask(A64);
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLIN)), EPOLLIN, 0x1122334455667788n);
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(POLLOUT)), EPOLLOUT, 0x99n);
    mem.fill(EVS, 40, 0xcc);
    expect(call('epoll_pwait', [ep, EVS, 8, 0, 0, 8])).toBe(2);
    const b = [...mem.read(EVS, 34)];
    expect(b.slice(0, 4)).toEqual([1, 0, 0, 0]);
    expect(b.slice(8, 16)).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(b.slice(16, 20)).toEqual([4, 0, 0, 0]);
    expect(b.slice(24, 32)).toEqual([0x99, 0, 0, 0, 0, 0, 0, 0]);
    expect(b.slice(32)).toEqual([0xcc, 0xcc]);
    expect(readEvents(2)).toEqual([[EPOLLIN, 0x1122334455667788n], [EPOLLOUT, 0x99n]]);
    expect(call('epoll_wait', [ep, EVS, Math.floor(0x7fffffff / 16) + 1, 0])).toBe(-Errno.EINVAL);
  });
});

describe('epoll_wait blocking', () => {
  it('timeout 0 returns 0 at once', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(0)));
    expect(call('epoll_wait', [ep, EVS, 4, 0])).toBe(0);
    expect(t.callState).toEqual({});
  });

  it('nothing ready blocks on every watched file\'s queue and the epoll\'s own, until an absolute deadline', () => {
    const ep = epfdNew();
    const shared = new WaitQueue();
    const files = [new FakeFile(0), new FakeFile(0, S_IFIFO, 0, shared), new FakeFile(0, S_IFIFO, 0, shared)];
    files.forEach((f) => ctl(ep, EPOLL_CTL_ADD, install(f)));
    const r = call('epoll_wait', [ep, EVS, 4, 1500]) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.deadline).toBe(11_500);
    expect(new Set(r.queues)).toEqual(new Set([files[0].waitq, shared, epollOf(ep).wq]));
    expect(r.queues.length).toBe(3);
    expect(t.callState.deadline).toBe(11_500);

    now = 10_700; // a re-run keeps the deadline
    expect((call('epoll_wait', [ep, EVS, 4, 1500]) as Block).deadline).toBe(11_500);
    files[1].set(POLLIN); // readiness arrives; the shared queue's wake-up queues both of its items
    expect(epollOf(ep).readyItems().length).toBe(2);
    expect(call('epoll_wait', [ep, EVS, 4, 1500])).toBe(1);
    expect(readEvents(1)).toEqual([[EPOLLIN, 2n]]); // data = the fd by default
    expect(t.callState).toEqual({});
  });

  it('a negative timeout blocks without a deadline; a passed deadline returns 0', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(0)));
    const r = call('epoll_wait', [ep, EVS, 4, -1]) as Block;
    expect(r.deadline).toBeUndefined();
    t.callState = {};
    expect(call('epoll_wait', [ep, EVS, 4, 100])).toBeInstanceOf(Block);
    now = 10_100;
    expect(call('epoll_wait', [ep, EVS, 4, 100])).toBe(0);
  });

  it('an empty epoll with a timeout is a sleep on its own queue', () => {
    const ep = epfdNew();
    const r = call('epoll_wait', [ep, EVS, 1, 50]) as Block;
    expect(r.queues).toEqual([epollOf(ep).wq]);
    expect(r.deadline).toBe(10_050);
  });

  it('a wake-up of a watched file wakes the epoll\'s waiters and pollers', () => {
    const epfd = epfdNew();
    const ep = epollOf(epfd);
    const f = new FakeFile(0);
    ctl(epfd, EPOLL_CTL_ADD, install(f));
    const woke: (number | undefined)[] = [];
    ep.wq.addListener(() => woke.push(-1));
    ep.waitq.addListener((k) => woke.push(k));
    f.set(POLLIN);
    expect(woke).toEqual([-1, POLLIN]);
  });

  it('a pending deliverable signal makes a wait that would block return EINTR', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(0)));
    (t.proc.shared as { mask: bigint }).mask = 1n << 9n; // SIGUSR1 (default action: terminate)
    expect(call('epoll_wait', [ep, EVS, 4, 100])).toBe(-Errno.EINTR);
    expect(call('epoll_wait', [ep, EVS, 4, 0])).toBe(0); // a zero timeout never sleeps
  });
});

describe('epoll_pwait / epoll_pwait2', () => {
  it('installs the mask for the wait and restores it when the call completes', () => {
    const ep = epfdNew();
    const f = new FakeFile(0);
    ctl(ep, EPOLL_CTL_ADD, install(f));
    t.sigmask = 0x10n;
    mem.setU64(SIG, 0x40600n | (1n << 8n)); // SIGKILL's and SIGSTOP's bits are dropped
    expect(call('epoll_pwait', [ep, EVS, 4, -1, SIG, 8])).toBeInstanceOf(Block);
    expect(t.sigmask).toBe(0x600n);
    expect(t.savedMask).toBe(0x10n);
    mem.setU64(SIG, 0xffn); // not read again on the re-run
    f.set(POLLIN);
    expect(call('epoll_pwait', [ep, EVS, 4, -1, SIG, 8])).toBe(1);
    expect(t.sigmask).toBe(0x10n);
    expect(t.savedMask).toBeUndefined();
  });

  it('EINTR keeps the temporary mask for the handler frame; errors after the mask restore it', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(0)));
    t.sigmask = 1n << 9n; // SIGUSR1 blocked ...
    (t.proc.shared as { mask: bigint }).mask = 1n << 9n; // ... and pending
    mem.setU64(SIG, 0n);
    expect(call('epoll_pwait', [ep, EVS, 4, 1000, SIG, 8])).toBe(-Errno.EINTR);
    expect(t.sigmask).toBe(0n);
    expect(t.savedMask).toBe(1n << 9n);
    t.savedMask = undefined;
    t.sigmask = 4n;
    expect(call('epoll_pwait', [99, EVS, 4, 1000, SIG, 8])).toBe(-Errno.EBADF);
    expect(t.sigmask).toBe(4n);
    expect(call('epoll_pwait', [ep, EVS, 4, 0, SIG, 4])).toBe(-Errno.EINVAL); // sigsetsize
    expect(call('epoll_pwait', [ep, EVS, 4, 0, 0, 4])).toBe(0); // no mask: size ignored
    expect(() => call('epoll_pwait', [ep, EVS, 4, 0, UNMAPPED, 8])).toThrow(GuestFault);
    expect(t.sigmask).toBe(4n);
  });

  it('epoll_pwait2 takes a timespec: NULL waits forever, {0,0} never, invalid ones are EINVAL first', () => {
    const ep = epfdNew();
    ctl(ep, EPOLL_CTL_ADD, install(new FakeFile(0)));
    const ts = (s: number, ns: number) => { mem.setU64(TS, BigInt.asUintN(64, BigInt(s))); mem.setU64(TS + 8, BigInt.asUintN(64, BigInt(ns))); };
    ts(0, 0);
    expect(call('epoll_pwait2', [ep, EVS, 4, TS, 0, 0])).toBe(0);
    expect((call('epoll_pwait2', [ep, EVS, 4, 0, 0, 0]) as Block).deadline).toBeUndefined();
    t.callState = {};
    ts(1, 500_000_000);
    expect((call('epoll_pwait2', [ep, EVS, 4, TS, 0, 0]) as Block).deadline).toBe(11_500);
    t.callState = {};
    ts(0, 1_000_000_000);
    expect(call('epoll_pwait2', [99, EVS, 0, TS, 0, 0])).toBe(-Errno.EINVAL); // before EBADF
    ts(-1, 0);
    expect(call('epoll_pwait2', [ep, EVS, 4, TS, 0, 0])).toBe(-Errno.EINVAL);
    expect(() => call('epoll_pwait2', [ep, EVS, 4, UNMAPPED, 0, 0])).toThrow(GuestFault);
  });
});

describe('nested epolls', () => {
  it('an epoll fd is readable when one of its items is ready, and can be watched by another epoll', () => {
    const outer = epfdNew(), inner = epfdNew();
    const f = new FakeFile(0);
    ctl(inner, EPOLL_CTL_ADD, install(f), EPOLLIN, 1n);
    expect(ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLET, 2n)).toBe(0);
    expect(epollOf(inner).poll()).toBe(0);
    expect(poll0(outer)).toEqual([]);
    f.set(POLLIN);
    expect(epollOf(inner).poll()).toBe(POLLIN | POLLRDNORM);
    expect(poll0(outer)).toEqual([[EPOLLIN, 2n]]);
    expect(poll0(outer)).toEqual([]); // ET on the outer item
    expect(poll0(inner)).toEqual([[EPOLLIN, 1n]]);
    f.set(0);
    expect(epollOf(inner).poll()).toBe(0);
  });

  it('closing a watched epoll removes it from its watchers', () => {
    const outer = epfdNew(), inner = epfdNew();
    ctl(outer, EPOLL_CTL_ADD, inner);
    fds.close(inner);
    expect(epollOf(outer).count).toBe(0);
  });

  it('loops and chains deeper than 4 epolls are ELOOP', () => {
    const e = Array.from({ length: 7 }, () => epfdNew());
    for (let i = 1; i <= 4; i++) expect(ctl(e[i], EPOLL_CTL_ADD, e[i - 1])).toBe(0);
    expect(ctl(e[5], EPOLL_CTL_ADD, e[4])).toBe(-Errno.ELOOP); // a chain of 6
    expect(ctl(e[0], EPOLL_CTL_ADD, e[2])).toBe(-Errno.ELOOP); // a loop
    expect(ctl(e[6], EPOLL_CTL_ADD, e[1])).toBe(0); // a second short branch is fine
    expect(ctl(e[0], EPOLL_CTL_ADD, e[6])).toBe(-Errno.ELOOP); // e6 -> e1 -> e0: loop
  });
});

describe('eventfd', () => {
  const rd = (fd: number, len = 8) => fds.get(fd)!.read(t, mem.chunks(BUF, len, true), len, undefined);
  const wr = (fd: number, v: bigint, len = 8) => {
    const b = new Uint8Array(Math.max(len, 8));
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    mem.write(BUF, b);
    return fds.get(fd)!.write(t, mem.chunks(BUF, len, false), len, undefined);
  };
  const val = () => mem.read(BUF, 8).reduce((a, b, i) => a | (BigInt(b) << BigInt(8 * i)), 0n);

  it('eventfd2 flags: EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC only; initval is an unsigned int', () => {
    expect(call('eventfd2', [0, 2])).toBe(-Errno.EINVAL);
    expect(call('eventfd2', [0, 0o100])).toBe(-Errno.EINVAL);
    const a = call('eventfd2', [5, EFD_NONBLOCK | EFD_CLOEXEC]) as number;
    expect(fds.entry(a)!.cloexec).toBe(true);
    expect(fds.get(a)!.flags).toBe(O_RDWR | EFD_NONBLOCK);
    const b = call('eventfd', [-1]) as number; // (unsigned int)-1
    expect((fds.get(b) as EventFd).count).toBe(0xffffffffn);
    expect(fds.get(b)!.flags).toBe(O_RDWR);
    const c = call('eventfd2', [3, EFD_SEMAPHORE]) as number;
    expect((fds.get(c) as EventFd).semaphore).toBe(true);
  });

  it('read returns the counter and resets it; then EAGAIN (nonblocking) or Block (blocking)', () => {
    const a = call('eventfd2', [0, EFD_NONBLOCK]) as number;
    expect(rd(a)).toBe(-Errno.EAGAIN);
    expect(wr(a, 3n)).toBe(8);
    expect(wr(a, 4n)).toBe(8);
    mem.fill(BUF, 16, 0xaa);
    expect(rd(a, 16)).toBe(8); // exactly 8 bytes, whatever the buffer size
    expect(val()).toBe(7n);
    expect(mem.read(BUF + 8, 1)[0]).toBe(0xaa);
    expect(rd(a)).toBe(-Errno.EAGAIN);
    const b = call('eventfd2', [0, 0]) as number;
    const r = rd(b) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.queues).toEqual([fds.get(b)!.waitq]);
    fds.get(a)!.flags &= ~EFD_NONBLOCK; // F_SETFL takes effect
    expect(rd(a)).toBeInstanceOf(Block);
  });

  it('EFD_SEMAPHORE reads 1 and decrements', () => {
    const a = call('eventfd2', [2, EFD_SEMAPHORE | EFD_NONBLOCK]) as number;
    expect(rd(a)).toBe(8);
    expect(val()).toBe(1n);
    expect(rd(a)).toBe(8);
    expect(val()).toBe(1n);
    expect(rd(a)).toBe(-Errno.EAGAIN);
  });

  it('EINVAL: buffers under 8 bytes, writing 0xffffffffffffffff; overflow is EAGAIN or Block; writing 0 is fine', () => {
    const a = call('eventfd2', [0, EFD_NONBLOCK]) as number;
    expect(rd(a, 7)).toBe(-Errno.EINVAL);
    expect(wr(a, 1n, 7)).toBe(-Errno.EINVAL);
    expect(wr(a, -1n)).toBe(-Errno.EINVAL);
    expect(wr(a, 0n)).toBe(8);
    expect(wr(a, 0xfffffffffffffffen)).toBe(8);
    expect(wr(a, 1n)).toBe(-Errno.EAGAIN);
    expect(wr(a, 0n)).toBe(8);
    const f = fds.get(a) as EventFd;
    expect(f.count).toBe(0xfffffffffffffffen);
    f.flags = O_RDWR;
    expect(wr(a, 1n)).toBeInstanceOf(Block);
    expect(rd(a)).toBe(8);
    expect(val()).toBe(0xfffffffffffffffen);
  });

  it('poll: POLLIN when > 0, POLLOUT below 0xfffffffffffffffe, no RDNORM/WRNORM', () => {
    const f = new EventFd(0n, false, 0);
    expect(f.poll()).toBe(POLLOUT);
    f.count = 1n;
    expect(f.poll()).toBe(POLLIN | POLLOUT);
    f.count = 0xfffffffffffffffdn;
    expect(f.poll()).toBe(POLLIN | POLLOUT);
    f.count = 0xfffffffffffffffen;
    expect(f.poll()).toBe(POLLIN);
    f.count = 0xffffffffffffffffn;
    expect(f.poll()).toBe(POLLIN | POLLERR);
    expect(f.stat().mode).toBe(0o600);
  });

  it('edge-triggered epoll sees each write (even of 0) but not a read that leaves it readable', () => {
    const ep = epfdNew();
    const a = call('eventfd2', [0, EFD_NONBLOCK | EFD_SEMAPHORE]) as number;
    ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLET, 9n);
    expect(poll0(ep)).toEqual([]);
    wr(a, 2n);
    expect(poll0(ep)).toEqual([[EPOLLIN, 9n]]);
    expect(poll0(ep)).toEqual([]);
    rd(a); // semaphore read: still readable, the wake-up is for writers only
    expect(poll0(ep)).toEqual([]);
    wr(a, 0n);
    expect(poll0(ep)).toEqual([[EPOLLIN, 9n]]);
    ctl(ep, EPOLL_CTL_MOD, a, EPOLLOUT | EPOLLET, 10n);
    expect(poll0(ep)).toEqual([[EPOLLOUT, 10n]]);
    wr(a, 1n); // a write's wake-up names POLLIN only
    expect(poll0(ep)).toEqual([]);
    rd(a);
    expect(poll0(ep)).toEqual([[EPOLLOUT, 10n]]);
  });
});

describe('WaitQueue listeners', () => {
  it('run on every notify with its key, before waiters are woken, until removed', () => {
    const q = new WaitQueue();
    const got: (number | undefined)[] = [];
    const fn = (k?: number) => got.push(k);
    q.addListener(fn);
    q.notify();
    q.notify(POLLIN);
    expect(q.listeners).toBe(1);
    q.removeListener(fn);
    q.notify(POLLOUT);
    expect(got).toEqual([undefined, POLLIN]);
    expect(q.listeners).toBe(0);
  });
});
