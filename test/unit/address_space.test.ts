import { beforeEach, describe, expect, it } from 'vitest';
import {
  ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, AddressSpace, GuestFault, PROT_EXEC, PROT_READ, PROT_WRITE,
} from '../../src/mm/address_space.js';
import { OutOfMemory, PAGE_SIZE, PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';
import { SharedPages } from '../../src/mm/shared_pages.js';

const P = PAGE_SIZE;
const RW = PROT_READ | PROT_WRITE;
const LIMIT = 0x7ffffffff000;
const BASE = 0x400000;

let phys: PhysMem;
let mm: AddressSpace;
let flushes: number;

beforeEach(() => {
  phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
  mm = new AddressSpace(phys, LIMIT);
  flushes = 0;
  mm.onFlush = () => { flushes++; };
});

const layout = () => mm.vmas.map((v) => [v.start, v.end, v.prot]);
const poke = (va: number, b: number) => { phys.u8[mm.translate(va, ACCESS_WRITE)] = b; };
const peek = (va: number) => phys.u8[mm.translate(va, ACCESS_READ)];

describe('AddressSpace VMAs', () => {
  it('map() keeps VMAs sorted by start', () => {
    mm.map(BASE + 4 * P, P, RW, false, 'c');
    mm.map(BASE, P, RW, false, 'a');
    mm.map(BASE + 2 * P, P, RW, false, 'b');
    expect(mm.vmas.map((v) => v.name)).toEqual(['a', 'b', 'c']);
  });

  it('map() merges with an adjacent VMA of the same prot, sharing and name', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + P, P, RW, false, '');
    expect(layout()).toEqual([[BASE, BASE + 2 * P, RW]]);
  });

  it('map() does not merge neighbours that differ in prot, sharing or name', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + P, P, PROT_READ, false, '');
    mm.map(BASE + 2 * P, P, PROT_READ, true, '');
    mm.map(BASE + 3 * P, P, PROT_READ, true, '[heap]');
    expect(mm.vmas.length).toBe(4);
  });

  it('map() over the middle of a VMA splits it into three', () => {
    mm.map(BASE, 4 * P, RW, false, '');
    mm.map(BASE + P, 2 * P, PROT_READ, false, '');
    expect(layout()).toEqual([
      [BASE, BASE + P, RW], [BASE + P, BASE + 3 * P, PROT_READ], [BASE + 3 * P, BASE + 4 * P, RW],
    ]);
  });

  it('unmap() of the middle splits a VMA and leaves both ends', () => {
    mm.map(BASE, 3 * P, RW, false, 'x');
    mm.unmap(BASE + P, P);
    expect(layout()).toEqual([[BASE, BASE + P, RW], [BASE + 2 * P, BASE + 3 * P, RW]]);
    expect(mm.find(BASE + P)).toBeUndefined();
    expect(mm.find(BASE + P - 1)?.name).toBe('x');
  });

  it('unmap() spanning several VMAs and holes removes all of them', () => {
    mm.map(BASE, P, RW, false, 'a');
    mm.map(BASE + 2 * P, P, PROT_READ, false, 'b');
    mm.map(BASE + 4 * P, 2 * P, RW, false, 'c');
    mm.unmap(BASE, 5 * P);
    expect(layout()).toEqual([[BASE + 5 * P, BASE + 6 * P, RW]]);
  });

  it('protect() of a sub-range splits the VMA and changes only that range', () => {
    mm.map(BASE, 4 * P, RW, false, '');
    expect(mm.protect(BASE + P, P, PROT_READ)).toBe(true);
    expect(layout()).toEqual([
      [BASE, BASE + P, RW], [BASE + P, BASE + 2 * P, PROT_READ], [BASE + 2 * P, BASE + 4 * P, RW],
    ]);
  });

  it('protect() of a range with a hole returns false and changes nothing', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + 2 * P, P, RW, false, '');
    const before = layout();
    expect(mm.protect(BASE, 3 * P, PROT_READ)).toBe(false);
    expect(layout()).toEqual(before);
  });

  it('find() returns the VMA containing an address and undefined at its end', () => {
    const v = mm.map(BASE, 2 * P, RW, false, 'v');
    expect(mm.find(BASE)).toBe(v);
    expect(mm.find(BASE + 2 * P - 1)).toBe(v);
    expect(mm.find(BASE + 2 * P)).toBeUndefined();
    expect(mm.find(BASE - 1)).toBeUndefined();
  });

  it('isCovered() is true only when VMAs cover the whole range without a gap', () => {
    mm.map(BASE, P, RW, false, 'a');
    mm.map(BASE + P, P, PROT_READ, false, 'b');
    mm.map(BASE + 3 * P, P, RW, false, 'c');
    expect(mm.isCovered(BASE, BASE + 2 * P)).toBe(true);
    expect(mm.isCovered(BASE + 100, BASE + P + 5)).toBe(true);
    expect(mm.isCovered(BASE, BASE + 3 * P)).toBe(false);
    expect(mm.isCovered(BASE + 2 * P, BASE + 4 * P)).toBe(false);
    expect(mm.isCovered(BASE - P, BASE + P)).toBe(false);
    expect(mm.isCovered(BASE + 3 * P, BASE + 4 * P)).toBe(true);
  });

  it('isFree() is false when any VMA overlaps the range', () => {
    mm.map(BASE + P, P, RW, false, '');
    expect(mm.isFree(BASE, BASE + P)).toBe(true);
    expect(mm.isFree(BASE, BASE + P + 1)).toBe(false);
    expect(mm.isFree(BASE + 2 * P, BASE + 3 * P)).toBe(true);
  });
});

describe('AddressSpace translate', () => {
  it('translate() allocates a zeroed frame on first touch and reuses it afterwards', () => {
    mm.map(BASE, P, RW, false, '');
    expect(phys.usedFrames).toBe(0);
    const pa = mm.translate(BASE + 5, ACCESS_READ);
    expect(pa).toBeGreaterThanOrEqual(RESERVED_BYTES);
    expect(pa % P).toBe(5);
    expect(phys.u8[pa]).toBe(0);
    expect(phys.usedFrames).toBe(1);
    expect(mm.translate(BASE + 6, ACCESS_WRITE)).toBe(pa + 1);
    expect(phys.usedFrames).toBe(1);
  });

  it('translate() refuses addresses outside every VMA', () => {
    mm.map(BASE, P, RW, false, '');
    expect(mm.translate(BASE - 1, ACCESS_READ)).toBe(-1);
    expect(mm.translate(BASE + P, ACCESS_READ)).toBe(-1);
    expect(phys.usedFrames).toBe(0);
  });

  it.each([
    ['read-only', PROT_READ, { r: true, w: false, x: false }],
    ['write-only (readable: no page table can say write-only)', PROT_WRITE, { r: true, w: true, x: false }],
    ['exec-only', PROT_EXEC, { r: false, w: false, x: true }],
    ['read-write', RW, { r: true, w: true, x: false }],
    ['read-exec', PROT_READ | PROT_EXEC, { r: true, w: false, x: true }],
    ['none', 0, { r: false, w: false, x: false }],
  ])('translate() on a %s page allows exactly the matching access types', (_n, prot, ok) => {
    mm.map(BASE, P, prot, false, '');
    expect(mm.translate(BASE, ACCESS_READ) >= 0).toBe(ok.r);
    expect(mm.translate(BASE, ACCESS_WRITE) >= 0).toBe(ok.w);
    expect(mm.translate(BASE, ACCESS_FETCH) >= 0).toBe(ok.x);
  });

  it('translate() reports the VMA protection in lastPerms', () => {
    mm.map(BASE, P, PROT_READ | PROT_EXEC, false, '');
    mm.translate(BASE, ACCESS_FETCH);
    expect(mm.lastPerms).toBe(PROT_READ | PROT_EXEC);
  });

  it('a fetch marks the frame as code, a read does not', () => {
    mm.map(BASE, 2 * P, PROT_READ | PROT_EXEC, false, '');
    const data = mm.translate(BASE, ACCESS_READ) >>> 12;
    const code = mm.translate(BASE + P, ACCESS_FETCH) >>> 12;
    expect(phys.code[data]).toBe(0);
    expect(phys.code[code]).toBe(1);
  });

  it('protect() applies to pages already touched', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 7);
    mm.protect(BASE, P, PROT_READ);
    expect(mm.translate(BASE, ACCESS_WRITE)).toBe(-1);
    expect(peek(BASE)).toBe(7);
  });
});

describe('AddressSpace kernelTranslate', () => {
  it('kernelTranslate() throws GuestFault with mapped=false for an unmapped address', () => {
    mm.map(BASE, P, RW, false, '');
    let err: unknown;
    try { mm.kernelTranslate(BASE + P, false); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(GuestFault);
    expect((err as GuestFault).mapped).toBe(false);
    expect((err as GuestFault).addr).toBe(BASE + P);
    expect((err as GuestFault).write).toBe(false);
  });

  it('kernelTranslate() throws GuestFault with mapped=true for a write to a read-only page', () => {
    mm.map(BASE, P, PROT_READ, false, '');
    let err: unknown;
    try { mm.kernelTranslate(BASE + 8, true); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(GuestFault);
    expect((err as GuestFault).mapped).toBe(true);
    expect((err as GuestFault).write).toBe(true);
    expect(mm.kernelTranslate(BASE + 8, false)).toBeGreaterThan(0);
  });

  it.each([-1, LIMIT, LIMIT + P, 2 ** 64, NaN])('kernelTranslate(%s) is an unmapped GuestFault (outside the user range)', (a) => {
    try { mm.kernelTranslate(a, false); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(GuestFault);
      expect((e as GuestFault).mapped).toBe(false);
    }
  });

  it('kernelTranslate() calls onCodeWrite only when writing a frame that was executed', () => {
    let codeWrites = 0;
    mm.onCodeWrite = () => { codeWrites++; };
    mm.map(BASE, 2 * P, PROT_READ | PROT_WRITE | PROT_EXEC, false, '');
    mm.kernelTranslate(BASE, true);
    expect(codeWrites).toBe(0);
    mm.translate(BASE + P, ACCESS_FETCH);
    mm.kernelTranslate(BASE + P, false);
    expect(codeWrites).toBe(0);
    mm.kernelTranslate(BASE + P + 1, true);
    expect(codeWrites).toBe(1);
  });
});

describe('AddressSpace fork and copy-on-write', () => {
  it('a write in the child copies the page; the parent keeps its contents', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 1);
    const child = mm.fork();
    const parentFrame = mm.pt.get(BASE / P)!;
    expect(child.pt.get(BASE / P)).toBe(parentFrame);
    expect(phys.refs(parentFrame)).toBe(2);

    phys.u8[child.translate(BASE, ACCESS_WRITE)] = 2;
    expect(child.pt.get(BASE / P)).not.toBe(parentFrame);
    expect(phys.refs(parentFrame)).toBe(1);
    expect(phys.refs(child.pt.get(BASE / P)!)).toBe(1);
    expect(peek(BASE)).toBe(1);
    expect(phys.u8[child.translate(BASE, ACCESS_READ)]).toBe(2);
  });

  it('a write in the parent after fork copies too, and the child keeps the old contents', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 1);
    const child = mm.fork();
    poke(BASE, 3);
    expect(phys.u8[child.translate(BASE, ACCESS_READ)]).toBe(1);
    expect(peek(BASE)).toBe(3);
  });

  it('a read of a shared COW page is mapped without write permission', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 1);
    const child = mm.fork();
    const pa = child.translate(BASE, ACCESS_READ);
    expect(pa).toBe(mm.pt.get(BASE / P)! * P);
    expect(child.lastPerms & PROT_WRITE).toBe(0);
    expect(child.lastPerms & PROT_READ).toBe(PROT_READ);
  });

  it('fork() flushes the parent TLB and copies brk and mmap settings', () => {
    mm.map(BASE, P, RW, false, '');
    mm.brkStart = 0x500000; mm.brk = 0x501000; mm.mmapBase = 0x7000_0000_0000;
    flushes = 0;
    const child = mm.fork();
    expect(flushes).toBe(1);
    expect([child.brkStart, child.brk, child.mmapBase]).toEqual([0x500000, 0x501000, 0x7000_0000_0000]);
    expect(child.vmas).toEqual(mm.vmas);
    expect(child.vmas[0]).not.toBe(mm.vmas[0]);
  });

  it('a MAP_SHARED page stays shared after fork: writes are seen by both', () => {
    mm.map(BASE, P, RW, true, '');
    poke(BASE, 1);
    const child = mm.fork();
    phys.u8[child.translate(BASE, ACCESS_WRITE)] = 9;
    expect(peek(BASE)).toBe(9);
    expect(child.pt.get(BASE / P)).toBe(mm.pt.get(BASE / P));
  });

  it('destroying both sides of a fork frees every frame', () => {
    mm.map(BASE, 4 * P, RW, false, '');
    for (let i = 0; i < 4; i++) poke(BASE + i * P, i);
    const child = mm.fork();
    phys.u8[child.translate(BASE, ACCESS_WRITE)] = 9;
    expect(phys.usedFrames).toBe(5);
    child.destroy();
    expect(phys.usedFrames).toBe(4);
    mm.destroy();
    expect(phys.usedFrames).toBe(0);
    expect(mm.vmas.length).toBe(0);
  });
});

describe('AddressSpace findFree', () => {
  beforeEach(() => { mm.mmapBase = 0x10_0000_0000; });

  it('findFree() returns the highest gap just below mmapBase in an empty space', () => {
    expect(mm.findFree(3 * P)).toBe(0x10_0000_0000 - 3 * P);
  });

  it('findFree() skips mappings that leave too small a gap and goes lower (top-down)', () => {
    const top = mm.mmapBase;
    mm.map(top - P, P, RW, false, 'a');          // just below the base
    mm.map(top - 3 * P, P, RW, false, 'b');      // leaves a one-page gap at top-2P
    expect(mm.findFree(P)).toBe(top - 2 * P);
    expect(mm.findFree(2 * P)).toBe(top - 5 * P);
  });

  it('findFree() ignores mappings at or above the limit it is given', () => {
    const top = mm.mmapBase;
    mm.map(top, 16 * P, RW, false, 'above');
    expect(mm.findFree(P)).toBe(top - P);
    expect(mm.findFree(P, top + 32 * P)).toBe(top + 31 * P);
    expect(mm.findFree(20 * P, top + 32 * P)).toBe(top - 20 * P);
  });

  it('findFree() throws OutOfMemory when no gap is above mmapMin', () => {
    mm.mmapMin = mm.mmapBase - 3 * P; // one-page gaps above and below the mapping
    mm.map(mm.mmapBase - 2 * P, P, RW, false, '');
    expect(() => mm.findFree(2 * P)).toThrow(OutOfMemory);
    expect(mm.findFree(P)).toBe(mm.mmapBase - P);
  });
});

describe('AddressSpace move (mremap)', () => {
  it('move() keeps page contents and frames at the new address and unmaps the old one', () => {
    mm.map(BASE, 2 * P, RW, false, 'm');
    poke(BASE, 11);
    poke(BASE + P + 3, 22);
    const frames = [mm.pt.get(BASE / P), mm.pt.get(BASE / P + 1)];
    const to = 0x900000;
    const used = phys.usedFrames;
    mm.move(BASE, 2 * P, to);
    expect(mm.find(BASE)).toBeUndefined();
    expect(mm.find(to)?.name).toBe('m');
    expect(mm.find(to)?.prot).toBe(RW);
    expect([mm.pt.get(to / P), mm.pt.get(to / P + 1)]).toEqual(frames);
    expect(mm.pt.has(BASE / P)).toBe(false);
    expect(peek(to)).toBe(11);
    expect(peek(to + P + 3)).toBe(22);
    expect(phys.usedFrames).toBe(used);
  });

  it('move() replaces what was mapped at the destination and frees its frames', () => {
    mm.map(BASE, P, RW, false, 'src');
    poke(BASE, 5);
    mm.map(0x900000, P, PROT_READ, false, 'dst');
    mm.translate(0x900000, ACCESS_READ);
    expect(phys.usedFrames).toBe(2);
    mm.move(BASE, P, 0x900000);
    expect(phys.usedFrames).toBe(1);
    expect(mm.vmas.map((v) => v.name)).toEqual(['src']);
    expect(peek(0x900000)).toBe(5);
  });

  it('move() of part of a VMA leaves the rest in place', () => {
    mm.map(BASE, 3 * P, RW, false, '');
    poke(BASE + 2 * P, 8);
    mm.move(BASE + 2 * P, P, 0x900000);
    expect(layout()).toEqual([[BASE, BASE + 2 * P, RW], [0x900000, 0x900000 + P, RW]]);
    expect(peek(0x900000)).toBe(8);
  });
});

describe('AddressSpace frame release and flushes', () => {
  it('unmap() releases touched frames (usedFrames goes back down)', () => {
    mm.map(BASE, 8 * P, RW, false, '');
    for (let i = 0; i < 8; i++) poke(BASE + i * P, 1);
    expect(phys.usedFrames).toBe(8);
    mm.unmap(BASE + 2 * P, 3 * P);
    expect(phys.usedFrames).toBe(5);
    mm.unmap(BASE, 8 * P);
    expect(phys.usedFrames).toBe(0);
    expect(mm.pt.size).toBe(0);
  });

  it('map() over touched pages releases their frames and the new mapping reads as zero', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 0x77);
    mm.map(BASE, P, RW, false, '');
    expect(phys.usedFrames).toBe(0);
    expect(peek(BASE)).toBe(0);
  });

  it('unmap() of a shared COW page only drops this side\'s reference', () => {
    mm.map(BASE, P, RW, false, '');
    poke(BASE, 4);
    const child = mm.fork();
    const f = mm.pt.get(BASE / P)!;
    mm.unmap(BASE, P);
    expect(phys.refs(f)).toBe(1);
    expect(phys.u8[child.translate(BASE, ACCESS_READ)]).toBe(4);
  });

  it('onFlush is called by unmap, protect and move, and not by an unmap of nothing', () => {
    mm.map(BASE, 4 * P, RW, false, '');
    flushes = 0;
    mm.unmap(0x900000, P);
    expect(flushes).toBe(0);
    mm.unmap(BASE + 3 * P, P);
    expect(flushes).toBe(1);
    mm.protect(BASE, P, PROT_READ);
    expect(flushes).toBe(2);
    mm.move(BASE + P, P, 0xa00000);
    expect(flushes).toBeGreaterThanOrEqual(3);
  });

  it('map() over an existing mapping flushes (old translations must go)', () => {
    mm.map(BASE, P, RW, false, '');
    flushes = 0;
    mm.map(BASE, P, PROT_READ, false, '');
    expect(flushes).toBe(1);
  });
});

describe('AddressSpace VMA merging (mm/mmap.c vma_merge)', () => {
  it('map() filling the hole between two compatible VMAs joins all three into one', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + 2 * P, P, RW, false, '');
    const v = mm.map(BASE + P, P, RW, false, '');
    expect(layout()).toEqual([[BASE, BASE + 3 * P, RW]]);
    expect(mm.vmas[0]).toBe(v); // map() returns the surviving VMA
  });

  it('map() merging only into the right neighbour returns that VMA', () => {
    mm.map(BASE + P, P, RW, false, '');
    const v = mm.map(BASE, P, RW, false, '');
    expect(layout()).toEqual([[BASE, BASE + 2 * P, RW]]);
    expect(mm.find(BASE)).toBe(v);
  });

  it('protect() back to the original protection rejoins the pieces into one VMA', () => {
    mm.map(BASE, 3 * P, RW, false, 'x');
    mm.protect(BASE + P, P, PROT_READ);
    expect(mm.vmas.length).toBe(3);
    mm.protect(BASE + P, P, RW);
    expect(layout()).toEqual([[BASE, BASE + 3 * P, RW]]);
    expect(mm.vmas[0].name).toBe('x');
  });

  it('protect() to the protection a VMA already has does not leave it split', () => {
    mm.map(BASE, 3 * P, RW, false, '');
    mm.protect(BASE + P, P, RW);
    expect(layout()).toEqual([[BASE, BASE + 3 * P, RW]]);
  });

  it('protect() spanning two VMAs merges them when they become equal', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + P, P, PROT_READ, false, '');
    mm.protect(BASE, 2 * P, PROT_READ);
    expect(layout()).toEqual([[BASE, BASE + 2 * P, PROT_READ]]);
  });

  it('protect() does not merge VMAs that differ in name or sharing', () => {
    mm.map(BASE, P, RW, false, 'a');
    mm.map(BASE + P, P, PROT_READ, false, 'b');
    mm.map(BASE + 2 * P, P, PROT_READ, true, 'b');
    mm.protect(BASE, 3 * P, RW);
    expect(mm.vmas.length).toBe(3);
  });

  it('extend() up to the next compatible VMA merges with it', () => {
    const v = mm.map(BASE, P, RW, false, '');
    mm.map(BASE + 2 * P, P, RW, false, '');
    mm.extend(v, P);
    expect(layout()).toEqual([[BASE, BASE + 3 * P, RW]]);
  });
});

describe('write-only mappings', () => {
  it('a PROT_WRITE page is readable (neither x86_64 nor arm64 can map write-only), and the TLB gets READ', () => {
    mm.map(BASE, P, PROT_WRITE, false, '');
    poke(BASE + 5, 42);
    expect(peek(BASE + 5)).toBe(42);
    expect(mm.lastPerms & PROT_READ).toBe(PROT_READ);
    mm.map(BASE + P, P, 0, false, '');
    expect(mm.translate(BASE + P, ACCESS_READ)).toBe(-1);
  });
});

describe('VMAs backed by a shared object (shmem)', () => {
  const backed = (obj: SharedPages, pgoff = 0) => ({ backing: obj, pgoff });

  it('a page first touched after fork is the same frame in parent and child', () => {
    const obj = new SharedPages(phys);
    mm.map(BASE, 2 * P, RW, true, 'shm', backed(obj));
    const child = mm.fork();
    phys.u8[child.translate(BASE + P + 3, ACCESS_WRITE)] = 99;
    expect(peek(BASE + P + 3)).toBe(99);
    expect(obj.maps).toBe(2);
    child.destroy();
    expect(obj.maps).toBe(1);
  });

  it('a second mapping of the object at another address and page offset sees the same bytes', () => {
    const obj = new SharedPages(phys);
    mm.map(BASE, 2 * P, RW, true, 'shm', backed(obj));
    mm.map(BASE + 8 * P, P, PROT_READ, true, 'shm', backed(obj, 1));
    poke(BASE + P, 7);
    expect(peek(BASE + 8 * P)).toBe(7);
    expect(obj.maps).toBe(2);
  });

  it('splits count as mappings, a merge back and an unmap drop them (vm_ops open/close)', () => {
    const obj = new SharedPages(phys);
    mm.map(BASE, 4 * P, RW, true, 'shm', backed(obj));
    mm.protect(BASE + P, P, PROT_READ);
    expect(mm.vmas.map((v) => v.pgoff)).toEqual([0, 1, 2]);
    expect(obj.maps).toBe(3);
    mm.protect(BASE + P, P, RW);
    expect(layout()).toEqual([[BASE, BASE + 4 * P, RW]]);
    expect(obj.maps).toBe(1);
    mm.unmap(BASE + P, P);
    expect(obj.maps).toBe(2);
    mm.unmap(BASE, 4 * P);
    expect(obj.maps).toBe(0);
  });

  it('two mappings of different objects side by side stay apart', () => {
    mm.map(BASE, P, RW, true, 'shm', backed(new SharedPages(phys)));
    mm.map(BASE + P, P, RW, true, 'shm', backed(new SharedPages(phys)));
    expect(mm.vmas.length).toBe(2);
  });

  it('move() keeps the object and page offset and never drops the count to zero', () => {
    const obj = new SharedPages(phys);
    let lowest = Infinity;
    obj.onClose = () => { lowest = Math.min(lowest, obj.maps); };
    mm.map(BASE, 2 * P, RW, true, 'shm', backed(obj));
    poke(BASE + P, 5);
    mm.move(BASE, 2 * P, BASE + 16 * P);
    expect(lowest).toBe(1);
    expect(peek(BASE + 17 * P)).toBe(5);
    expect(mm.vmas[0].pgoff).toBe(0);
  });

  it('a kernel read of an untouched backed page reads zeroes and allocates nothing', () => {
    const obj = new SharedPages(phys);
    mm.map(BASE, P, RW, true, 'shm', backed(obj));
    const pa = mm.translate(BASE, ACCESS_READ, true);
    expect(pa >>> 12).toBe(phys.zeroFrame);
    expect(obj.resident).toBe(0);
  });
});
