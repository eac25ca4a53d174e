import { beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_READ, ACCESS_WRITE, AddressSpace, GuestFault, PROT_READ, PROT_WRITE } from '../../src/mm/address_space.js';
import { copyFromChunks, copyToChunks, GuestMemory, StringTooLong } from '../../src/mm/guest_memory.js';
import { PAGE_SIZE, PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

const P = PAGE_SIZE;
const RW = PROT_READ | PROT_WRITE;
const BASE = 0x400000;
const LIMIT = 0x7ffffffff000;

let phys: PhysMem;
let mm: AddressSpace;
let mem: GuestMemory;

beforeEach(() => {
  phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
  mm = new AddressSpace(phys, LIMIT);
  mem = new GuestMemory(mm, phys);
});

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const enc = (s: string) => new TextEncoder().encode(s);

function faultOf(fn: () => unknown): GuestFault {
  try { fn(); } catch (e) { if (e instanceof GuestFault) return e; throw e; }
  throw new Error('expected a GuestFault');
}

describe('GuestMemory read/write', () => {
  it('write() then read() round-trips across a page boundary', () => {
    mm.map(BASE, 3 * P, RW, false, '');
    const data = bytes(P + 100);
    mem.write(BASE + P - 50, data);
    expect(mem.read(BASE + P - 50, data.length)).toEqual(data);
  });

  it('write() across pages lands in each page\'s own frame', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    // Touch the second page first so the two frames are not physically in order.
    mm.translate(BASE + P, ACCESS_WRITE);
    mem.write(BASE + P - 2, Uint8Array.of(1, 2, 3, 4));
    expect(phys.u8[mm.translate(BASE + P - 2, ACCESS_READ)]).toBe(1);
    expect(phys.u8[mm.translate(BASE + P - 1, ACCESS_READ)]).toBe(2);
    expect(phys.u8[mm.translate(BASE + P, ACCESS_READ)]).toBe(3);
    expect(phys.u8[mm.translate(BASE + P + 1, ACCESS_READ)]).toBe(4);
  });

  it('read() of untouched memory returns zeros', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    expect(mem.read(BASE + 10, P)).toEqual(new Uint8Array(P));
  });

  it('fill() sets every byte of a range spanning pages and nothing outside it', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    mem.fill(BASE + P - 3, 6, 0xee);
    const r = mem.read(BASE + P - 4, 8);
    expect([...r]).toEqual([0, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0]);
  });

  it('integer accessors are little-endian and work unaligned across a page boundary', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    mem.setU32(BASE + P - 2, 0x11223344);
    expect(mem.u32(BASE + P - 2)).toBe(0x11223344);
    expect([...mem.read(BASE + P - 2, 4)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    mem.setU64(BASE + P - 4, 0x0123_4567_89ab_cdefn);
    expect(mem.u64(BASE + P - 4)).toBe(Number(0x0123_4567_89ab_cdefn));
    mem.setU64(BASE, -2);
    expect(mem.i64(BASE)).toBe(-2);
    mem.setI32(BASE + 8, -5);
    expect(mem.i32(BASE + 8)).toBe(-5);
    expect(mem.u32(BASE + 8)).toBe(0xfffffffb);
  });

  it('read() faults on an unmapped page and write() faults on a read-only page', () => {
    mm.map(BASE, P, RW, false, '');
    mm.map(BASE + P, P, PROT_READ, false, '');
    const r = faultOf(() => mem.read(BASE + P - 4, P + 8)); // runs off the end into nothing
    expect(r.mapped).toBe(false);
    expect(r.addr).toBe(BASE + 2 * P);
    const w = faultOf(() => mem.write(BASE + P - 2, Uint8Array.of(1, 2, 3, 4)));
    expect(w.mapped).toBe(true);
    expect(w.write).toBe(true);
    expect(w.addr).toBe(BASE + P);
  });

  it('write() that faults on a later page has not written anything', () => {
    mm.map(BASE, P, RW, false, '');
    expect(() => mem.write(BASE + P - 2, Uint8Array.of(9, 9, 9, 9))).toThrow(GuestFault);
    expect([...mem.read(BASE + P - 2, 2)]).toEqual([0, 0]);
  });

  it('read() of zero bytes at a bad address does not fault', () => {
    expect(mem.read(0, 0).length).toBe(0);
  });

  it('ranges reaching past the address-space limit fault as unmapped', () => {
    const f = faultOf(() => mem.read(LIMIT - 4, 8));
    expect(f.mapped).toBe(false);
    expect(() => mem.chunks(BASE, -1, false)).toThrow(GuestFault);
  });

  it('u8() faults on an unmapped address', () => {
    expect(faultOf(() => mem.u8(BASE)).mapped).toBe(false);
  });
});

describe('GuestMemory chunks', () => {
  it('chunks() merges pages backed by physically adjacent frames into one chunk', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    const a = mm.translate(BASE, ACCESS_WRITE);
    const b = mm.translate(BASE + P, ACCESS_WRITE);
    expect(b).toBe(a + P); // fresh frames come out in order
    expect(mem.chunks(BASE + 100, 2 * P - 200, false)).toEqual([{ pa: a + 100, len: 2 * P - 200 }]);
  });

  it('chunks() splits at a page boundary whose frames are not adjacent', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    const b = mm.translate(BASE + P, ACCESS_WRITE);
    const a = mm.translate(BASE, ACCESS_WRITE);
    expect(a).toBe(b + P); // reversed order: not mergeable
    expect(mem.chunks(BASE + P - 10, 30, false)).toEqual([{ pa: a + P - 10, len: 10 }, { pa: b, len: 20 }]);
  });

  it('chunks() lengths add up to the requested length', () => {
    mm.map(BASE, 4 * P, RW, false, '');
    mm.translate(BASE + 2 * P, ACCESS_WRITE); // scramble the frame order
    const c = mem.chunks(BASE + 7, 3 * P + 11, true);
    expect(c.reduce((n, x) => n + x.len, 0)).toBe(3 * P + 11);
    expect(c.length).toBeGreaterThan(1);
  });

  it('chunks() of zero length is empty even for an unmapped address', () => {
    expect(mem.chunks(BASE, 0, true)).toEqual([]);
  });
});

describe('GuestMemory strings', () => {
  it('cstring() reads up to the NUL', () => {
    mm.map(BASE, P, RW, false, '');
    mem.write(BASE, enc('hello\0world\0'));
    expect(mem.cstring(BASE)).toBe('hello');
    expect(mem.cstring(BASE + 6)).toBe('world');
  });

  it('cstring() reads a string that crosses a page boundary', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    mm.translate(BASE + P, ACCESS_WRITE); // non-adjacent frames, so the bytes really come from two places
    const s = 'abcdefghij'.repeat(3);
    mem.write(BASE + P - 13, enc(s + '\0'));
    expect(mem.cstring(BASE + P - 13)).toBe(s);
  });

  it('cstring() of an empty string is ""', () => {
    mm.map(BASE, P, RW, false, '');
    expect(mem.cstring(BASE)).toBe('');
  });

  it('cstring() throws StringTooLong when no NUL is found within max bytes', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    mem.fill(BASE, 2 * P, 0x41);
    expect(() => mem.cstring(BASE, 100)).toThrow(StringTooLong);
    expect(() => mem.cstring(BASE + 10)).toThrow(StringTooLong); // the default 4096 crosses pages
  });

  it('cstring() accepts a string of max-1 bytes plus NUL and refuses max bytes', () => {
    mm.map(BASE, P, RW, false, '');
    mem.write(BASE, enc('abcd\0'));
    expect(mem.cstring(BASE, 5)).toBe('abcd');
    expect(() => mem.cstring(BASE, 4)).toThrow(StringTooLong);
  });

  it('cstring() faults when the string runs into an unmapped page', () => {
    mm.map(BASE, P, RW, false, '');
    mem.fill(BASE + P - 4, 4, 0x41);
    expect(faultOf(() => mem.cstring(BASE + P - 4)).addr).toBe(BASE + P);
  });

  it('cstring() stops at a NUL just before an unmapped page without faulting', () => {
    mm.map(BASE, P, RW, false, '');
    mem.write(BASE + P - 3, enc('ab\0'));
    expect(mem.cstring(BASE + P - 3)).toBe('ab');
  });

  it('cstring() keeps the bytes (a byte string: UTF-8 and invalid UTF-8 alike, never decoded)', () => {
    mm.map(BASE, P, RW, false, '');
    mem.write(BASE, enc('héllo €\0'));
    expect(Buffer.from(mem.cstring(BASE), 'latin1').toString('utf8')).toBe('héllo €');
    mem.write(BASE, new Uint8Array([0xff, 0x2f, 0xfe, 0]));
    expect(mem.cstring(BASE)).toBe('\xff/\xfe');
  });
});

describe('GuestMemory iovecs', () => {
  it('iovecs() decodes {base, len} pairs of 64-bit little-endian words', () => {
    mm.map(BASE, 2 * P, RW, false, '');
    const at = BASE + P - 24; // the array straddles the page boundary
    mem.setU64(at, 0x7fff_1234_5678);
    mem.setU64(at + 8, 13);
    mem.setU64(at + 16, 0x1000);
    mem.setU64(at + 24, 0x1_0000_0001);
    expect(mem.iovecs(at, 2)).toEqual([
      { base: 0x7fff_1234_5678, len: 13 },
      { base: 0x1000, len: 0x1_0000_0001 },
    ]);
  });

  it('iovecs() with count 0 is empty', () => {
    expect(mem.iovecs(0, 0)).toEqual([]);
  });

  it('iovecs() faults when the array is unmapped', () => {
    expect(faultOf(() => mem.iovecs(BASE, 1)).mapped).toBe(false);
  });
});

describe('copyToChunks / copyFromChunks', () => {
  const u8 = new Uint8Array(64);
  const chunks = [{ pa: 40, len: 3 }, { pa: 8, len: 4 }];

  it('scatter in chunk order and stop at the shorter side', () => {
    u8.fill(0);
    copyToChunks(u8, chunks, Uint8Array.of(1, 2, 3, 4, 5));
    expect([...u8.subarray(40, 43)]).toEqual([1, 2, 3]);
    expect([...u8.subarray(8, 12)]).toEqual([4, 5, 0, 0]);
  });

  it('gather in chunk order into at most out.length bytes', () => {
    u8.set([9, 8, 7], 40);
    u8.set([6, 5, 4, 3], 8);
    expect([...copyFromChunks(u8, chunks, new Uint8Array(5))]).toEqual([9, 8, 7, 6, 5]);
    expect([...copyFromChunks(u8, chunks, new Uint8Array(9))]).toEqual([9, 8, 7, 6, 5, 4, 3, 0, 0]);
  });
});
