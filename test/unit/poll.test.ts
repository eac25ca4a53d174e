// poll, ppoll, select, pselect6 against a fake task: real guest memory and fd table, files
// whose readiness the test chooses. performance.now() is pinned so deadlines are exact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stat } from '../../src/arch/stat.js';
import { Errno } from '../../src/kernel/errno.js';
import { pollCalls } from '../../src/kernel/syscalls/sys_poll.js';
import type { Task } from '../../src/kernel/task.js';
import { FdTable } from '../../src/kernel/vfs/fdtable.js';
import {
  O_RDWR, OpenFile, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI,
} from '../../src/kernel/vfs/file.js';
import { Block, WaitQueue } from '../../src/kernel/wait.js';
import { AddressSpace, GuestFault, PROT_READ, PROT_WRITE } from '../../src/mm/address_space.js';
import { GuestMemory } from '../../src/mm/guest_memory.js';
import { PAGE_SIZE, PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

/** A file whose readiness is whatever the test sets; optionally sharing a wait queue. */
class FakeFile extends OpenFile {
  constructor(public bits: number, readonly shared?: WaitQueue) { super(O_RDWR, 'fake'); }
  stat(): Stat { throw new Error('not used'); }
  override poll(): number { return this.bits; }
  override get waitq(): WaitQueue { return this.shared ?? super.waitq; }
}

const BASE = 0x400000;
const RO = BASE + 8 * PAGE_SIZE; // a read-only page
const UNMAPPED = BASE + 16 * PAGE_SIZE;
const PFDS = BASE; // pollfd array
const TS = BASE + 0x1000; // timespec / timeval
const RSET = BASE + 0x2000, WSET = RSET + 0x100, ESET = RSET + 0x200;
const SIG = BASE + 0x3000; // sigset_t
const PACK = BASE + 0x3100; // pselect6's {sigset_t *, size_t}

let mem: GuestMemory;
let fds: FdTable;
let t: Task;
let now: number;

beforeEach(() => {
  const phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
  const mm = new AddressSpace(phys, 0x7ffffffff000);
  mm.map(BASE, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, false, '');
  mm.map(RO, PAGE_SIZE, PROT_READ, false, '');
  mem = new GuestMemory(mm, phys);
  fds = new FdTable();
  t = { proc: { fds, shared: { mask: 0n }, sigactions: new Map() }, mem, callState: {}, sigmask: 0n, private: { mask: 0n } } as unknown as Task;
  now = 10_000;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});

afterEach(() => { vi.restoreAllMocks(); });

/** Install files at fds 0, 1, 2, ... */
const open = (...files: OpenFile[]) => files.map((f) => fds.install(f, false));

function writePollfds(list: [fd: number, events: number][], at = PFDS): void {
  list.forEach(([fd, events], i) => {
    mem.setI32(at + i * 8, fd);
    mem.write(at + i * 8 + 4, Uint8Array.of(events & 0xff, events >> 8, 0xaa, 0xaa)); // revents: garbage
  });
}
const revents = (n: number, at = PFDS) =>
  Array.from({ length: n }, (_, i) => { const b = mem.read(at + i * 8 + 6, 2); return b[0] | (b[1] << 8); });

const writeTime = (a: number, b: number, at = TS) => { mem.setU64(at, BigInt.asUintN(64, BigInt(a))); mem.setU64(at + 8, BigInt.asUintN(64, BigInt(b))); };
const readTime = (at = TS) => [mem.i64(at), mem.i64(at + 8)];

/** Simulate the dispatcher: a completed call clears callState; a Block keeps it for the re-run. */
function call(name: keyof typeof pollCalls, args: number[]) {
  const r = pollCalls[name](t, args);
  if (!(r instanceof Block)) t.callState = {};
  return r;
}

function setBits(at: number, ...fdList: number[]): void {
  mem.write(at, new Uint8Array(128));
  for (const fd of fdList) mem.write(at + (fd >> 3), Uint8Array.of(mem.u8(at + (fd >> 3)) | (1 << (fd & 7))));
}
function bitsOf(at: number, n = 1024): number[] {
  const b = mem.read(at, 128), out: number[] = [];
  for (let fd = 0; fd < n; fd++) if (b[fd >> 3] & (1 << (fd & 7))) out.push(fd);
  return out;
}

describe('poll', () => {
  it('reports POLLNVAL for a closed fd, ignores a negative fd, masks events, always reports HUP/ERR', () => {
    const [a, b, c, d] = open(
      new FakeFile(POLLIN | POLLOUT), new FakeFile(POLLIN | POLLHUP), new FakeFile(POLLERR | POLLOUT), new FakeFile(POLLIN),
    );
    fds.close(d);
    writePollfds([[a, POLLOUT], [b, POLLOUT], [c, POLLIN], [-1, POLLIN], [d, POLLIN], [-5, 0]]);
    expect(call('poll', [PFDS, 6, 0])).toBe(4);
    expect(revents(6)).toEqual([POLLOUT, POLLHUP, POLLERR, 0, POLLNVAL, 0]);
    // fd and events are left as they were
    expect(mem.i32(PFDS + 3 * 8)).toBe(-1);
    expect(mem.read(PFDS + 4, 2)[0]).toBe(POLLOUT);
  });

  it('POLLNVAL is reported even when no events were requested', () => {
    writePollfds([[7, 0]]);
    expect(call('poll', [PFDS, 1, -1])).toBe(1);
    expect(revents(1)).toEqual([POLLNVAL]);
  });

  it('a zero timeout returns 0 at once and clears revents', () => {
    const [a] = open(new FakeFile(0));
    writePollfds([[a, POLLIN | POLLOUT]]);
    expect(call('poll', [PFDS, 1, 0])).toBe(0);
    expect(revents(1)).toEqual([0]);
    expect(t.callState).toEqual({});
  });

  it('nothing ready with a timeout blocks on every polled file\'s waitq until an absolute deadline', () => {
    const shared = new WaitQueue();
    const files = [new FakeFile(POLLOUT), new FakeFile(0), new FakeFile(0, shared), new FakeFile(0, shared)];
    const [a, b, c, d] = open(...files);
    writePollfds([[a, POLLIN], [b, POLLIN], [c, POLLIN], [d, POLLIN], [-1, POLLIN]]);
    const r = call('poll', [PFDS, 5, 1500]);
    expect(r).toBeInstanceOf(Block);
    const blk = r as Block;
    expect(blk.deadline).toBe(11_500);
    expect(new Set(blk.queues)).toEqual(new Set([files[0].waitq, files[1].waitq, shared]));
    expect(blk.queues.length).toBe(3); // a shared queue appears once
    expect(t.callState.deadline).toBe(11_500);
    expect(revents(5)).toEqual([0xaaaa, 0xaaaa, 0xaaaa, 0xaaaa, 0xaaaa]); // nothing written while blocking
  });

  it('a negative timeout blocks without a deadline', () => {
    const [a] = open(new FakeFile(0));
    writePollfds([[a, POLLIN]]);
    const r = call('poll', [PFDS, 1, -1]) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.deadline).toBeUndefined();
    expect(r.queues).toEqual([fds.get(a)!.waitq]);
  });

  it('a restarted call keeps its deadline, reports readiness, and returns 0 once the deadline passed', () => {
    const f = new FakeFile(0);
    const [a] = open(f);
    writePollfds([[a, POLLIN]]);
    expect((call('poll', [PFDS, 1, 1000]) as Block).deadline).toBe(11_000);
    now = 10_600; // woken early (spurious or notified): same deadline, not now + 1000
    expect((call('poll', [PFDS, 1, 1000]) as Block).deadline).toBe(11_000);
    now = 11_000;
    expect(call('poll', [PFDS, 1, 1000])).toBe(0);
    expect(revents(1)).toEqual([0]);
    expect(t.callState).toEqual({});

    // and a wake-up by readiness completes the call
    expect(call('poll', [PFDS, 1, 1000])).toBeInstanceOf(Block);
    f.bits = POLLIN;
    now = 11_200;
    expect(call('poll', [PFDS, 1, 1000])).toBe(1);
    expect(revents(1)).toEqual([POLLIN]);
  });

  it('readiness found on the last pass after the deadline is still reported', () => {
    const [a] = open(new FakeFile(POLLIN));
    writePollfds([[a, POLLIN]]);
    t.callState.deadline = 5_000; // already passed
    expect(call('poll', [PFDS, 1, 1000])).toBe(1);
  });

  it('nfds above the fd limit is EINVAL; at the limit it is fine', () => {
    fds.limit = 4;
    writePollfds([[-1, 0], [-1, 0], [-1, 0], [-1, 0], [-1, 0]]);
    expect(call('poll', [PFDS, 5, 0])).toBe(-Errno.EINVAL);
    expect(call('poll', [PFDS, 4, 0])).toBe(0);
    expect(call('poll', [PFDS, 2 ** 32 + 1, 0])).toBe(0); // unsigned int nfds: only the low 32 bits
  });

  it('nfds 0 with a zero timeout returns 0 (and with a timeout it is a plain sleep)', () => {
    expect(call('poll', [0, 0, 0])).toBe(0);
    const r = call('poll', [0, 0, 250]) as Block;
    expect(r.queues).toEqual([]);
    expect(r.deadline).toBe(10_250);
  });

  it('an unreadable array faults (EFAULT in the dispatcher); a read-only one faults on write-back', () => {
    expect(() => call('poll', [UNMAPPED, 1, 0])).toThrow(GuestFault);
    expect(() => call('poll', [RO, 1, 0])).toThrow(GuestFault);
  });
});

describe('ppoll', () => {
  it('validates the timespec', () => {
    writePollfds([[-1, 0]]);
    writeTime(0, 1_000_000_000);
    expect(call('ppoll', [PFDS, 1, TS, 0, 8])).toBe(-Errno.EINVAL);
    writeTime(-1, 0);
    expect(call('ppoll', [PFDS, 1, TS, 0, 8])).toBe(-Errno.EINVAL);
    writeTime(0, -1);
    expect(call('ppoll', [PFDS, 1, TS, 0, 8])).toBe(-Errno.EINVAL);
    expect(() => call('ppoll', [PFDS, 1, UNMAPPED, 0, 8])).toThrow(GuestFault);
  });

  it('checks the sigmask only when one is given', () => {
    writePollfds([[-1, 0]]);
    writeTime(0, 0);
    expect(call('ppoll', [PFDS, 1, TS, SIG, 4])).toBe(-Errno.EINVAL);
    expect(call('ppoll', [PFDS, 1, TS, SIG, 8])).toBe(0);
    expect(call('ppoll', [PFDS, 1, TS, 0, 4])).toBe(0);
    expect(() => call('ppoll', [PFDS, 1, TS, UNMAPPED, 8])).toThrow(GuestFault);
  });

  it('a zero timespec never blocks; a NULL one blocks without a deadline', () => {
    const [a] = open(new FakeFile(0));
    writePollfds([[a, POLLIN]]);
    writeTime(0, 0);
    expect(call('ppoll', [PFDS, 1, TS, 0, 0])).toBe(0);
    expect(readTime()).toEqual([0, 0]);
    const r = call('ppoll', [PFDS, 1, 0, 0, 0]) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.deadline).toBeUndefined();
  });

  it('blocks until now + timespec and writes the time left back', () => {
    const f = new FakeFile(0);
    const [a] = open(f);
    writePollfds([[a, POLLIN]]);
    writeTime(2, 500_000_000);
    expect((call('ppoll', [PFDS, 1, TS, SIG, 8]) as Block).deadline).toBe(12_500);
    expect(readTime()).toEqual([2, 500_000_000]); // untouched while blocked
    writeTime(99, 0); // a re-run does not read the timespec again
    now = 11_249.75;
    f.bits = POLLIN;
    expect(call('ppoll', [PFDS, 1, TS, SIG, 8])).toBe(1);
    expect(readTime()).toEqual([1, 250_250_000]);
  });

  it('writes zero time left after a timeout', () => {
    const [a] = open(new FakeFile(0));
    writePollfds([[a, POLLIN]]);
    writeTime(1, 0);
    expect(call('ppoll', [PFDS, 1, TS, 0, 0])).toBeInstanceOf(Block);
    now = 11_003;
    expect(call('ppoll', [PFDS, 1, TS, 0, 0])).toBe(0);
    expect(readTime()).toEqual([0, 0]);
  });

  it('a read-only timespec is not an error when writing the time left back', () => {
    const [a] = open(new FakeFile(POLLIN));
    writePollfds([[a, POLLIN]]);
    // tv_sec in the RW page, tv_nsec (0) in the read-only one: valid, non-zero, not writable.
    const at = RO - 8;
    mem.setU64(at, 3);
    expect(call('ppoll', [PFDS, 1, at, 0, 0])).toBe(1);
    expect(mem.i64(at)).toBe(3);
  });
});

describe('select', () => {
  it('maps poll bits to the read/write/except sets and counts every set bit', () => {
    const files = [
      new FakeFile(POLLIN), // 0: readable
      new FakeFile(POLLOUT), // 1: writable
      new FakeFile(POLLHUP), // 2: readable (HUP)
      new FakeFile(POLLERR), // 3: readable and writable
      new FakeFile(POLLPRI | POLLOUT), // 4: exceptional and writable
      new FakeFile(0), // 5: nothing
    ];
    open(...files);
    setBits(RSET, 0, 1, 2, 3, 4, 5);
    setBits(WSET, 0, 1, 2, 3, 4, 5);
    setBits(ESET, 0, 1, 2, 3, 4, 5);
    writeTime(0, 0);
    expect(call('select', [6, RSET, WSET, ESET, TS])).toBe(7);
    expect(bitsOf(RSET)).toEqual([0, 2, 3]);
    expect(bitsOf(WSET)).toEqual([1, 3, 4]);
    expect(bitsOf(ESET)).toEqual([4]);
  });

  it('only asked-for bits are reported; NULL sets are skipped', () => {
    open(new FakeFile(POLLIN | POLLOUT), new FakeFile(POLLIN | POLLOUT));
    setBits(WSET, 1);
    writeTime(0, 0);
    expect(call('select', [2, 0, WSET, 0, TS])).toBe(1);
    expect(bitsOf(WSET)).toEqual([1]);
  });

  it('a closed fd in any set is EBADF and the sets are left alone', () => {
    open(new FakeFile(POLLIN), new FakeFile(POLLIN));
    fds.close(1);
    setBits(RSET, 0);
    setBits(ESET, 1);
    writeTime(0, 0);
    expect(call('select', [2, RSET, 0, ESET, TS])).toBe(-Errno.EBADF);
    expect(bitsOf(RSET)).toEqual([0]);
    expect(bitsOf(ESET)).toEqual([1]);
  });

  it('bits at or above nfds are ignored (no EBADF) and cleared in the result word', () => {
    open(new FakeFile(POLLIN));
    setBits(RSET, 0, 9, 70);
    writeTime(0, 0);
    expect(call('select', [1, RSET, 0, 0, TS])).toBe(1);
    expect(bitsOf(RSET)).toEqual([0, 70]); // fd 9 was in the (written) first word, fd 70 in the next
  });

  it('nfds < 0 is EINVAL; a negative or out-of-range timeval is EINVAL; tv_usec >= 1e6 is folded', () => {
    expect(call('select', [-1, 0, 0, 0, 0])).toBe(-Errno.EINVAL);
    writeTime(-1, 0);
    expect(call('select', [0, 0, 0, 0, TS])).toBe(-Errno.EINVAL);
    writeTime(0, -1);
    expect(call('select', [0, 0, 0, 0, TS])).toBe(-Errno.EINVAL);
    writeTime(1, -1); // 1 s + (-1 us): still a negative tv_nsec after folding
    expect(call('select', [0, 0, 0, 0, TS])).toBe(-Errno.EINVAL);
    writeTime(0, 2_500_000); // kern_select folds tv_usec into seconds: 2.5 s
    expect((call('select', [0, 0, 0, 0, TS]) as Block).deadline).toBe(12_500);
  });

  it('nothing ready blocks on the queues of the files in the sets; a timeout clears the sets and writes back 0 left', () => {
    const files = [new FakeFile(0), new FakeFile(0), new FakeFile(POLLIN)];
    open(...files);
    setBits(RSET, 0);
    setBits(WSET, 1);
    writeTime(1, 0);
    const r = call('select', [2, RSET, WSET, 0, TS]) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.deadline).toBe(11_000);
    expect(new Set(r.queues)).toEqual(new Set([files[0].waitq, files[1].waitq]));
    expect(bitsOf(RSET)).toEqual([0]); // not written while blocked
    now = 12_000;
    expect(call('select', [2, RSET, WSET, 0, TS])).toBe(0);
    expect(bitsOf(RSET)).toEqual([]);
    expect(bitsOf(WSET)).toEqual([]);
    expect(readTime()).toEqual([0, 0]);
  });

  it('writes the time left back as a timeval', () => {
    const f = new FakeFile(0);
    open(f);
    setBits(RSET, 0);
    writeTime(3, 0);
    expect(call('select', [1, RSET, 0, 0, TS])).toBeInstanceOf(Block);
    now = 10_500.0015;
    f.bits = POLLIN;
    expect(call('select', [1, RSET, 0, 0, TS])).toBe(1);
    expect(readTime()).toEqual([2, 499_998]);
    expect(bitsOf(RSET)).toEqual([0]);
  });

  it('a NULL timeval blocks forever; nfds beyond the fd limit is clamped', () => {
    fds.limit = 8;
    open(new FakeFile(0));
    setBits(RSET, 0, 200); // fd 200 is beyond the clamped nfds: ignored
    const r = call('select', [4096, RSET, 0, 0, 0]) as Block;
    expect(r).toBeInstanceOf(Block);
    expect(r.deadline).toBeUndefined();
  });

  it('faults on an unreadable set', () => {
    expect(() => call('select', [1, UNMAPPED, 0, 0, 0])).toThrow(GuestFault);
  });
});

describe('pselect6', () => {
  it('validates the sigmask pack and the timespec', () => {
    open(new FakeFile(POLLIN));
    setBits(RSET, 0);
    writeTime(0, 0);
    mem.setU64(PACK, SIG);
    mem.setU64(PACK + 8, 7);
    expect(call('pselect6', [1, RSET, 0, 0, TS, PACK])).toBe(-Errno.EINVAL);
    mem.setU64(PACK + 8, 8);
    expect(call('pselect6', [1, RSET, 0, 0, TS, PACK])).toBe(1);
    mem.setU64(PACK, 0); // no mask: the size does not matter
    mem.setU64(PACK + 8, 3);
    expect(call('pselect6', [1, RSET, 0, 0, TS, PACK])).toBe(1);
    expect(call('pselect6', [1, RSET, 0, 0, TS, 0])).toBe(1);
    expect(() => call('pselect6', [1, RSET, 0, 0, TS, UNMAPPED])).toThrow(GuestFault);
    writeTime(0, 1_000_000_000);
    expect(call('pselect6', [1, RSET, 0, 0, TS, 0])).toBe(-Errno.EINVAL);
  });

  it('blocks with a timespec deadline and writes the time left back', () => {
    const f = new FakeFile(0);
    open(f);
    setBits(ESET, 0);
    writeTime(0, 750_000_000);
    expect((call('pselect6', [1, 0, 0, ESET, TS, 0]) as Block).deadline).toBe(10_750);
    now = 10_250;
    f.bits = POLLPRI;
    expect(call('pselect6', [1, 0, 0, ESET, TS, 0])).toBe(1);
    expect(readTime()).toEqual([0, 500_000_000]);
    expect(bitsOf(ESET)).toEqual([0]);
  });
});
