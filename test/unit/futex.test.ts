// futex(2) and the futex queues against fake tasks: real guest memory (private and MAP_SHARED
// mappings, and a forked address space), tasks whose wake-ups the test records.
import { beforeEach, describe, expect, it } from 'vitest';
import { FUTEX } from '../../src/kernel/abi.js';
import { Errno } from '../../src/kernel/errno.js';
import { Futexes } from '../../src/kernel/futex.js';
import { futexCalls } from '../../src/kernel/syscalls/sys_futex.js';
import type { Task } from '../../src/kernel/task.js';
import { Block } from '../../src/kernel/wait.js';
import { AddressSpace, PROT_READ, PROT_WRITE } from '../../src/mm/address_space.js';
import { GuestMemory } from '../../src/mm/guest_memory.js';
import { PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

const { FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP,
  FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_PRIVATE_FLAG, FUTEX_WAITERS, FUTEX_OWNER_DIED } = FUTEX;
const PRIV = 0x400000, SHARED = 0x500000, TS = PRIV + 0x800;

let phys: PhysMem;
let futexes: Futexes;
let tasks: Map<number, Task>;
let woken: number[];

/** A task of address space `mm` with tid `tid`, parked whenever a call returns Block. */
function task(mm: AddressSpace, tid: number): Task {
  const t = {
    tid, state: 'running', callState: {}, futex: undefined, abandon: undefined, robustList: 0,
    mem: new GuestMemory(mm, phys),
    proc: { mm },
    kernel: { futexes, tasks, liveTask: (tid: number) => tasks.get(tid) },
    wake() { if (t.state === 'blocked') { t.state = 'runnable'; woken.push(tid); } },
  } as unknown as Task & { state: string };
  tasks.set(tid, t);
  return t;
}

/** Issue futex() as the dispatcher would: a Block parks the task, a number completes the call. */
function futex(t: Task, a: number[]): number | 'blocked' {
  const r = futexCalls.futex(t, [...a, 0, 0, 0, 0, 0].slice(0, 6));
  if (r instanceof Block) { (t as { state: string }).state = 'blocked'; return 'blocked'; }
  t.callState = {};
  return r;
}

let mm: AddressSpace;
beforeEach(() => {
  phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
  futexes = new Futexes();
  tasks = new Map();
  woken = [];
  mm = new AddressSpace(phys, 0x7ffffffff000);
  mm.map(PRIV, 0x1000, PROT_READ | PROT_WRITE, false, '');
  mm.map(SHARED, 0x1000, PROT_READ | PROT_WRITE, true, '');
});

describe('FUTEX_WAIT / FUTEX_WAKE', () => {
  it('waits only while the word equals val, and a woken waiter returns 0 even if the word is unchanged', () => {
    const a = task(mm, 1), b = task(mm, 2);
    a.mem.setU32(PRIV, 7);
    expect(futex(a, [PRIV, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 8])).toBe(-Errno.EAGAIN);
    expect(futex(a, [PRIV, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 7])).toBe('blocked');
    expect(futex(a, [PRIV, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 7])).toBe('blocked'); // a spurious re-run stays parked
    expect(futex(b, [PRIV, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1])).toBe(1);
    expect(woken).toEqual([1]);
    expect(futex(a, [PRIV, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 7])).toBe(0);
    expect(futex(b, [PRIV, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1])).toBe(0);
  });

  it('wakes at most val waiters, first come first served', () => {
    const w = [1, 2, 3].map((i) => task(mm, i));
    for (const t of w) expect(futex(t, [PRIV, FUTEX_WAIT, 0])).toBe('blocked');
    expect(futex(task(mm, 9), [PRIV, FUTEX_WAKE, 2])).toBe(2);
    expect(woken).toEqual([1, 2]);
  });

  it('rejects unaligned words (EINVAL) and unmapped ones (a guest fault: EFAULT)', () => {
    const a = task(mm, 1);
    expect(futex(a, [PRIV + 2, FUTEX_WAIT, 0])).toBe(-Errno.EINVAL);
    expect(() => futex(a, [0x900000, FUTEX_WAIT, 0])).toThrow();
  });

  it('a relative timeout that has passed is ETIMEDOUT; a bad timespec is EINVAL', () => {
    const a = task(mm, 1);
    a.mem.setU64(TS, 0); a.mem.setU64(TS + 8, 0);
    expect(futex(a, [PRIV, FUTEX_WAIT, 0, TS])).toBe(-Errno.ETIMEDOUT);
    a.mem.setU64(TS + 8, 1e9);
    expect(futex(a, [PRIV, FUTEX_WAIT, 0, TS])).toBe(-Errno.EINVAL);
  });

  it('bitsets: a wake reaches only waiters whose bitset it meets; bitset 0 is EINVAL', () => {
    const a = task(mm, 1), b = task(mm, 2);
    expect(futex(a, [PRIV, FUTEX_WAIT_BITSET, 0, 0, 0, 0b01])).toBe('blocked');
    expect(futex(b, [PRIV, FUTEX_WAIT_BITSET, 0, 0, 0, 0b10])).toBe('blocked');
    expect(futex(task(mm, 3), [PRIV, FUTEX_WAKE_BITSET, 10, 0, 0, 0b10])).toBe(1);
    expect(woken).toEqual([2]);
    expect(futex(task(mm, 4), [PRIV, FUTEX_WAKE_BITSET, 1, 0, 0, 0])).toBe(-Errno.EINVAL);
  });

  it('an abandoned wait (a signal) leaves the queue', () => {
    const a = task(mm, 1);
    expect(futex(a, [PRIV, FUTEX_WAIT, 0])).toBe('blocked');
    a.abandon!();
    expect(futex(task(mm, 2), [PRIV, FUTEX_WAKE, 1])).toBe(0);
  });
});

describe('keys', () => {
  it('private memory is per address space: a forked copy at the same address is another futex', () => {
    const child = mm.fork();
    const p = task(mm, 1), c = task(child, 2);
    expect(futex(p, [PRIV, FUTEX_WAIT, 0])).toBe('blocked');
    expect(futex(c, [PRIV, FUTEX_WAKE, 1])).toBe(0);
    expect(futex(task(mm, 3), [PRIV, FUTEX_WAKE, 1])).toBe(1);
  });

  it('MAP_SHARED memory is keyed by the frame: a forked process meets the parent (without PRIVATE)', () => {
    task(mm, 9).mem.setU32(SHARED, 0); // touch: the frame exists before fork shares it
    const child = mm.fork();
    const p = task(mm, 1), c = task(child, 2);
    expect(futex(p, [SHARED, FUTEX_WAIT, 0])).toBe('blocked');
    expect(futex(c, [SHARED, FUTEX_WAKE, 1])).toBe(1);
    expect(woken).toEqual([1]);
  });
});

describe('requeue and wake_op', () => {
  it('CMP_REQUEUE wakes val, moves val2 to the second word, and checks val3', () => {
    const w = [1, 2, 3, 4].map((i) => task(mm, i));
    for (const t of w) expect(futex(t, [PRIV, FUTEX_WAIT, 0])).toBe('blocked');
    const k = task(mm, 9);
    expect(futex(k, [PRIV, FUTEX_CMP_REQUEUE, 1, 2, PRIV + 4, 5])).toBe(-Errno.EAGAIN);
    expect(futex(k, [PRIV, FUTEX_CMP_REQUEUE, 1, 2, PRIV + 4, 0])).toBe(3);
    expect(woken).toEqual([1]);
    expect(futex(k, [PRIV, FUTEX_WAKE, 10])).toBe(1); // task 4 stayed
    expect(futex(k, [PRIV + 4, FUTEX_WAKE, 10])).toBe(2); // 2 and 3 moved
  });

  it('WAKE_OP applies the op to the second word and wakes it when the comparison holds', () => {
    const a = task(mm, 1), b = task(mm, 2), k = task(mm, 9);
    k.mem.setU32(PRIV + 4, 5);
    expect(futex(a, [PRIV, FUTEX_WAIT, 0])).toBe('blocked');
    expect(futex(b, [PRIV + 4, FUTEX_WAIT, 5])).toBe('blocked');
    // FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 4): old 5 > 4 -> wake the second word too
    const op = (1 << 28) | (4 << 24) | (1 << 12) | 4;
    expect(futex(k, [PRIV, FUTEX_WAKE_OP, 1, 1, PRIV + 4, op])).toBe(2);
    expect(k.mem.u32(PRIV + 4)).toBe(6);
  });
});

describe('PI futexes', () => {
  it('lock takes a free word, EDEADLK for the owner, waiters get it handed over on unlock', () => {
    const a = task(mm, 11), b = task(mm, 12);
    expect(futex(a, [PRIV, FUTEX_LOCK_PI])).toBe(0);
    expect(a.mem.u32(PRIV)).toBe(11);
    expect(futex(a, [PRIV, FUTEX_LOCK_PI])).toBe(-Errno.EDEADLK);
    expect(futex(b, [PRIV, FUTEX_TRYLOCK_PI])).toBe(-Errno.EAGAIN);
    expect(futex(b, [PRIV, FUTEX_LOCK_PI])).toBe('blocked');
    expect(a.mem.u32(PRIV)).toBe((11 | FUTEX_WAITERS) >>> 0);
    expect(futex(task(mm, 13), [PRIV, FUTEX_UNLOCK_PI])).toBe(-Errno.EPERM);
    expect(futex(a, [PRIV, FUTEX_UNLOCK_PI])).toBe(0);
    expect(a.mem.u32(PRIV)).toBe((12 | FUTEX_WAITERS) >>> 0);
    expect(futex(b, [PRIV, FUTEX_LOCK_PI])).toBe(0);
  });

  it('a word naming a thread that does not exist is ESRCH', () => {
    const a = task(mm, 11);
    a.mem.setU32(PRIV, 999);
    expect(futex(a, [PRIV, FUTEX_LOCK_PI])).toBe(-Errno.ESRCH);
  });
});

describe('robust list at thread exit', () => {
  it('marks held words FUTEX_OWNER_DIED, leaves others alone, and wakes a waiter', () => {
    const dying = task(mm, 21), waiter = task(mm, 22);
    const HEAD = PRIV + 0x100, M1 = PRIV + 0x200, M2 = PRIV + 0x300, OFF = 8;
    // list: head -> M1 -> M2 -> head; futex words at entry + OFF
    dying.mem.setU64(HEAD, M1); dying.mem.setU64(HEAD + 8, OFF); dying.mem.setU64(HEAD + 16, 0);
    dying.mem.setU64(M1, M2); dying.mem.setU64(M2, HEAD);
    dying.mem.setU32(M1 + OFF, (21 | FUTEX_WAITERS) >>> 0);
    dying.mem.setU32(M2 + OFF, 99); // held by someone else
    expect(futex(waiter, [M1 + OFF, FUTEX_WAIT, (21 | FUTEX_WAITERS) >>> 0])).toBe('blocked');
    dying.robustList = HEAD;
    futexes.exitRobustList(dying);
    expect(dying.mem.u32(M1 + OFF)).toBe((FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
    expect(dying.mem.u32(M2 + OFF)).toBe(99);
    expect(woken).toEqual([22]);
  });

  it('a circular or broken list ends the walk without a host error', () => {
    const t = task(mm, 21);
    const HEAD = PRIV + 0x100, E = PRIV + 0x200;
    t.mem.setU64(HEAD, E); t.mem.setU64(HEAD + 8, 0); t.mem.setU64(HEAD + 16, 0);
    t.mem.setU64(E, E); // a loop that never returns to the head
    t.robustList = HEAD;
    expect(() => futexes.exitRobustList(t)).not.toThrow();
    t.mem.setU64(E, 0x900000); // into unmapped memory
    t.robustList = HEAD;
    expect(() => futexes.exitRobustList(t)).not.toThrow();
  });
});
