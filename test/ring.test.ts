import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PAGE_SIZE, PhysMem, RESERVED_BYTES } from '../src/mm/physmem.js';
import {
  ByteRing, MAX_RING_CAPACITY, MIN_RING_CAPACITY, loadRingModule,
  ringCapacityFor, ringFramesFor, ringTransfer, ringWasmPath, type RingModule,
} from '../src/kernel/ring.js';

let phys: PhysMem;
let mod: RingModule;

beforeAll(() => {
  if (!existsSync(ringWasmPath())) {
    throw new Error(`${ringWasmPath()} is missing: run \`npm run build:wasm\` before the tests`);
  }
});

beforeEach(() => {
  phys = new PhysMem({ initialBytes: 8 << 20, limitBytes: 64 << 20 });
  mod = loadRingModule(phys.memory);
});

/** `frames` contiguous guest frames; returns their physical address. */
function guestBuf(frames = 1): number {
  return phys.allocContiguous(frames) * PAGE_SIZE;
}

function put(addr: number, bytes: Uint8Array | number[]): void {
  phys.u8.set(bytes, addr);
}

function get(addr: number, n: number): number[] {
  return Array.from(phys.u8.subarray(addr, addr + n));
}

function seq(n: number, start = 1): number[] {
  return Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

// ---------------------------------------------------------------------------------------------
// The wasm module itself

/** Minimal wasm binary walker: section ids and payloads, plus the import section decoded. */
function wasmSections(bin: Uint8Array): { id: number; body: Uint8Array }[] {
  let p = 8;
  const out: { id: number; body: Uint8Array }[] = [];
  const leb = (): number => {
    let v = 0, s = 0, b: number;
    do { b = bin[p++]; v |= (b & 0x7f) << s; s += 7; } while (b & 0x80);
    return v >>> 0;
  };
  while (p < bin.length) {
    const id = bin[p++];
    const size = leb();
    out.push({ id, body: bin.subarray(p, p + size) });
    p += size;
  }
  return out;
}

describe('ring.wasm module contract', () => {
  it('imports only env.memory, exports only functions', () => {
    const m = new WebAssembly.Module(readFileSync(ringWasmPath()));
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    for (const e of WebAssembly.Module.exports(m)) expect(e.kind).toBe('function');
  });

  it('has no own memory, data, globals or start function, and no maximum on the memory import', () => {
    const bin = new Uint8Array(readFileSync(ringWasmPath()));
    const ids = wasmSections(bin).map(s => s.id);
    // 5 memory, 6 global, 8 start, 11 data, 12 datacount
    for (const forbidden of [5, 6, 8, 11, 12]) expect(ids).not.toContain(forbidden);
    const imp = wasmSections(bin).find(s => s.id === 2)!.body;
    // count=1, "env", "memory", kind 2 (memory), limits flag, min
    const tail = Array.from(imp.subarray(imp.length - 3));
    expect(tail[0]).toBe(2);
    expect(tail[1]).toBe(0); // limits flag 0: no maximum, so any PhysMem memory is accepted
    expect(tail[2]).toBeLessThanOrEqual(RESERVED_BYTES / 65536);
  });

  it('touches no memory outside the rings and destination buffers, and never grows it', () => {
    const a = new ByteRing(mod, phys, 64);
    const b = new ByteRing(mod, phys, 4096);
    const src = guestBuf(2);
    const dst = guestBuf(2);
    // Make every byte of memory distinctive so that a stray write of any value is caught.
    const u8 = phys.u8;
    for (let i = 0; i < 256; i++) u8[i] = i;
    for (let len = 256; len < u8.length; len *= 2) u8.copyWithin(len, 0, Math.min(len, u8.length - len));
    mod.ringInit(a.addr, 64);
    mod.ringInit(b.addr, 4096);
    const before = u8.slice();
    const bytes = before.length;
    for (let i = 0; i < 200; i++) {
      a.write(src + (i * 37) % 4000, (i * 13) % 70);
      a.peek(dst + 8000 - (i % 100), 50, i % 7);
      a.read(dst + (i * 31) % 4000, (i * 11) % 70);
      b.recordWrite(src + i, i % 50);
      b.transferFrom(a, i % 9);
      if (b.recordNextLen() >= 0) b.recordRead(dst + 4096, 1000, 0);
      if (i % 3 === 0) b.discard(b.used);
    }
    expect(phys.byteLength).toBe(bytes);
    const after = phys.u8;
    const skip = [
      [a.addr, a.addr + a.frameCount * PAGE_SIZE],
      [b.addr, b.addr + b.frameCount * PAGE_SIZE],
      [dst, dst + 2 * PAGE_SIZE],
    ].sort((x, y) => x[0] - y[0]);
    let p = 0;
    for (const [lo, hi] of skip) {
      expect(Buffer.compare(after.subarray(p, lo), before.subarray(p, lo)), `bytes [${p}, ${lo})`).toBe(0);
      p = hi;
    }
    expect(Buffer.compare(after.subarray(p), before.subarray(p)), `bytes [${p}, end)`).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Byte stream

describe('ByteRing byte stream', () => {
  it('rounds capacity up to a power of two and allocates frames for header + data', () => {
    expect(ringCapacityFor(1)).toBe(MIN_RING_CAPACITY);
    expect(ringCapacityFor(4096)).toBe(4096);
    expect(ringCapacityFor(4097)).toBe(8192);
    expect(ringCapacityFor(65536)).toBe(65536);
    expect(ringFramesFor(4096)).toBe(2);
    expect(ringFramesFor(65536)).toBe(17);
    expect(ringFramesFor(16)).toBe(1);
    expect(() => ringCapacityFor(MAX_RING_CAPACITY + 1)).toThrow(RangeError);
    const before = phys.usedFrames;
    const r = new ByteRing(mod, phys, 65536);
    expect(r.capacity).toBe(65536);
    expect(r.free).toBe(65536);
    expect(r.frameCount).toBe(17);
    expect(phys.usedFrames).toBe(before + 17);
    r.destroy();
    expect(phys.usedFrames).toBe(before);
  });

  it('ringInit rejects a capacity that is not a power of two in range', () => {
    const r = guestBuf();
    expect(mod.ringInit(r, 100)).toBe(-1);
    expect(mod.ringInit(r, 8)).toBe(-1);
    expect(mod.ringInit(r, 0)).toBe(-1);
    expect(mod.ringInit(r, 64)).toBe(0);
    expect(mod.ringCap(r)).toBe(64);
  });

  it('read() on an empty ring returns 0', () => {
    const r = new ByteRing(mod, phys, 64);
    const dst = guestBuf();
    put(dst, [9, 9, 9]);
    expect(r.read(dst, 3)).toBe(0);
    expect(get(dst, 3)).toEqual([9, 9, 9]);
    expect(r.peek(dst, 3)).toBe(0);
    expect(r.discard(3)).toBe(0);
    expect(r.readBytes(10).length).toBe(0);
  });

  it('write() copies min(len, free) and a full ring accepts 0 bytes', () => {
    const r = new ByteRing(mod, phys, 32);
    const src = guestBuf();
    put(src, seq(40));
    expect(r.write(src, 40)).toBe(32);
    expect(r.used).toBe(32);
    expect(r.free).toBe(0);
    expect(r.write(src, 1)).toBe(0);
    expect(r.writeBytes(new Uint8Array([1]))).toBe(0);
    expect(r.readBytes(32)).toEqual(new Uint8Array(seq(32)));
  });

  it('write() wraps around the end of the ring', () => {
    const r = new ByteRing(mod, phys, 16);
    const src = guestBuf();
    const dst = guestBuf();
    put(src, seq(24, 100)); // bytes 100..123
    expect(r.write(src, 12)).toBe(12);
    expect(r.read(dst, 10)).toBe(10);
    // head at 12, tail at 10: this write fills data[12..16) and then data[0..8)
    expect(r.write(src + 12, 12)).toBe(12);
    expect(get(r.dataAddr, 16)).toEqual([...seq(8, 116), ...seq(4, 108), ...seq(4, 112)]);
    expect(r.used).toBe(14);
    expect(r.read(dst, 14)).toBe(14);
    expect(get(dst, 14)).toEqual(seq(14, 110));
  });

  it('peek() with skip copies from skip bytes past the tail without consuming', () => {
    const r = new ByteRing(mod, phys, 16);
    const dst = guestBuf();
    r.writeBytes(new Uint8Array(seq(10)));
    r.discard(6);
    r.writeBytes(new Uint8Array(seq(10, 11))); // wraps: stream is 7..10, 11..20
    expect(r.peek(dst, 5, 2)).toBe(5);
    expect(get(dst, 5)).toEqual([9, 10, 11, 12, 13]);
    expect(r.peek(dst, 100, 10)).toBe(4);
    expect(get(dst, 4)).toEqual([17, 18, 19, 20]);
    expect(r.peek(dst, 5, 14)).toBe(0);
    expect(r.peek(dst, 5, 1000)).toBe(0);
    expect(r.used).toBe(14);
    expect(r.peekBytes(3, 12)).toEqual(new Uint8Array([19, 20]));
  });

  it('free-running indices work across the u32 wrap', () => {
    const r = new ByteRing(mod, phys, 16, { startIndex: 0xfffffff0 - 3 });
    const src = guestBuf();
    const dst = guestBuf();
    put(src, seq(4096, 7));
    let written = 0, read = 0;
    for (let i = 0; i < 20; i++) {
      written += r.write(src + written, 11);
      expect(r.used).toBe(written - read);
      expect(r.free).toBe(16 - (written - read));
      read += r.read(dst + read, 7);
    }
    read += r.read(dst + read, 100);
    expect(written).toBeGreaterThan(32);
    expect(get(dst, read)).toEqual(seq(written, 7));
    expect(mod.ringHead(r.addr) >>> 0).toBe((0xfffffff0 - 3 + written) >>> 0);
    expect(mod.ringHead(r.addr) >>> 0).toBeLessThan(0x1000); // it did wrap
    expect(r.used).toBe(0);
  });

  it('writeBytes()/readBytes() wrap like the physical path', () => {
    const r = new ByteRing(mod, phys, 16);
    r.writeBytes(new Uint8Array(seq(13)));
    expect(r.readBytes(9)).toEqual(new Uint8Array(seq(9)));
    expect(r.writeBytes(new Uint8Array(seq(20, 50)))).toBe(12);
    expect(r.readBytes(100)).toEqual(new Uint8Array([...seq(4, 10), ...seq(12, 50)]));
  });

  it('copies between a guest buffer spanning two non-adjacent frames and two rings', () => {
    const f1 = phys.allocFrame();
    phys.allocFrame(); // the gap
    const f2 = phys.allocFrame();
    expect(f2).not.toBe(f1 + 1);
    // A guest buffer of 300 bytes: its first 100 bytes end frame f1, the rest start frame f2.
    const chunks = [[f1 * PAGE_SIZE + PAGE_SIZE - 100, 100], [f2 * PAGE_SIZE, 200]] as const;
    const payload = seq(300, 3);
    put(chunks[0][0], payload.slice(0, 100));
    put(chunks[1][0], payload.slice(100));
    const a = new ByteRing(mod, phys, 256);
    const b = new ByteRing(mod, phys, 512);
    a.writeBytes(new Uint8Array(200));
    a.discard(200); // head/tail at 200: the next write wraps
    let n = 0;
    for (const [addr, len] of chunks) n += a.write(addr, len);
    expect(n).toBe(256); // ring full: the second chunk was cut short
    expect(b.transferFrom(a, 1000)).toBe(256);
    expect(a.used).toBe(0);
    // Resume the guest buffer where the short write stopped: 156 bytes into the second chunk.
    n += a.write(chunks[1][0] + (n - 100), 300 - n);
    expect(b.transferFrom(a, 1000)).toBe(44);
    // Read everything back into the same kind of split buffer in two other frames.
    const g1 = phys.allocFrame();
    phys.allocFrame();
    const g2 = phys.allocFrame();
    const out = [[g1 * PAGE_SIZE + PAGE_SIZE - 123, 123], [g2 * PAGE_SIZE, 177]] as const;
    let m = 0;
    for (const [addr, len] of out) m += b.read(addr, len);
    expect(m).toBe(300);
    expect([...get(out[0][0], 123), ...get(out[1][0], 177)]).toEqual(payload);
  });

  it('transferFrom() between two wrapped rings moves min(len, used, free)', () => {
    const a = new ByteRing(mod, phys, 32);
    const b = new ByteRing(mod, phys, 16);
    a.writeBytes(new Uint8Array(30));
    a.discard(30);
    b.writeBytes(new Uint8Array(13));
    b.discard(10);
    a.writeBytes(new Uint8Array(seq(20))); // a wraps
    expect(b.transferFrom(a, 100)).toBe(13);
    expect(a.used).toBe(7);
    expect(b.readBytes(100)).toEqual(new Uint8Array([0, 0, 0, ...seq(13)]));
    expect(() => a.transferFrom(a, 1)).toThrow();
  });

  it('resize() grows keeping contents, refuses to shrink below used, shrinks when it fits', () => {
    const r = new ByteRing(mod, phys, 16);
    r.writeBytes(new Uint8Array(10));
    r.discard(10);
    r.writeBytes(new Uint8Array(seq(14))); // wrapped
    r.flags = 0x80000005;
    const frames = phys.usedFrames;
    expect(r.resize(8192)).toBe(true);
    expect(r.capacity).toBe(8192);
    expect(r.frameCount).toBe(3);
    expect(phys.usedFrames).toBe(frames - 1 + 3);
    expect(r.flags).toBe(0x80000005);
    expect(r.used).toBe(14);
    r.writeBytes(new Uint8Array(seq(20, 100)));
    expect(r.resize(32)).toBe(false);
    expect(r.capacity).toBe(8192);
    expect(r.peekBytes(100)).toEqual(new Uint8Array([...seq(14), ...seq(20, 100)]));
    expect(r.resize(34)).toBe(true); // rounds to 64
    expect(r.capacity).toBe(64);
    expect(r.readBytes(100)).toEqual(new Uint8Array([...seq(14), ...seq(20, 100)]));
    expect(phys.usedFrames).toBe(frames);
  });

  it('ringProduce() publishes at most the free space', () => {
    const r = new ByteRing(mod, phys, 32);
    r.writeBytes(new Uint8Array(20));
    expect(mod.ringProduce(r.addr, 1000)).toBe(12);
    expect(r.used).toBe(32);
    expect(mod.ringProduce(r.addr, 1)).toBe(0);
    expect(r.used).toBe(32);
  });

  it('destroy() frees the frames and later use throws', () => {
    const before = phys.usedFrames;
    const r = new ByteRing(mod, phys, 4096);
    r.destroy();
    expect(phys.usedFrames).toBe(before);
    expect(r.destroyed).toBe(true);
    expect(() => r.used).toThrow(/destroy/);
    expect(() => r.write(0, 0)).toThrow(/destroy/);
    expect(() => r.destroy()).toThrow(/destroy/);
  });

  it('rejects a module bound to another memory', () => {
    const other = new PhysMem({ initialBytes: 2 << 20, limitBytes: 4 << 20 });
    expect(() => new ByteRing(loadRingModule(other.memory), phys, 64)).toThrow(/different memories/);
  });

  it('keeps working after the memory grows', () => {
    const r = new ByteRing(mod, phys, 64);
    r.writeBytes(new Uint8Array(seq(40)));
    const big = phys.allocContiguous((phys.byteLength >> 12) + 16); // forces a grow
    const src = big * PAGE_SIZE + 5000;
    put(src, seq(20, 77));
    expect(r.write(src, 20)).toBe(20);
    expect(r.readBytes(100)).toEqual(new Uint8Array([...seq(40), ...seq(20, 77)]));
  });
});

// ---------------------------------------------------------------------------------------------
// Records

describe('ByteRing records', () => {
  it('records keep their boundaries', () => {
    const r = new ByteRing(mod, phys, 64);
    const src = guestBuf();
    const dst = guestBuf();
    put(src, seq(30));
    expect(r.recordWrite(src, 5)).toBe(5);
    expect(r.recordWrite(src + 5, 7)).toBe(7);
    expect(r.recordWriteBytes(new Uint8Array([42]))).toBe(1);
    expect(r.used).toBe(4 + 5 + 4 + 7 + 4 + 1);
    expect(r.recordNextLen()).toBe(5);
    expect(r.recordRead(dst, 100)).toBe(5);
    expect(get(dst, 5)).toEqual(seq(5));
    expect(r.recordConsume()).toBe(5);
    expect(r.recordNextLen()).toBe(7);
    expect(r.recordReadBytes()).toEqual(new Uint8Array(seq(7, 6)));
    expect(r.recordConsume()).toBe(7);
    expect(r.recordReadBytes()).toEqual(new Uint8Array([42]));
    expect(r.recordConsume()).toBe(1);
    expect(r.recordNextLen()).toBe(-1);
    expect(r.recordConsume()).toBe(-1);
    expect(r.recordRead(dst, 10)).toBe(0);
    expect(r.recordReadBytes()).toBeNull();
  });

  it('zero-length records work', () => {
    const r = new ByteRing(mod, phys, 16);
    const src = guestBuf();
    expect(r.recordWrite(src, 0)).toBe(0);
    expect(r.recordWriteBytes(new Uint8Array(0))).toBe(0);
    expect(r.recordBegin(0)).toBe(true);
    expect(r.recordPending).toBe(0);
    expect(r.used).toBe(12);
    expect(r.recordWrite(src, 1)).toBe(-1); // 5 bytes do not fit in the 4 left
    expect(r.recordWrite(src, 0)).toBe(0); // exactly fills the ring
    expect(r.free).toBe(0);
    for (let i = 0; i < 4; i++) {
      expect(r.recordNextLen()).toBe(0);
      expect(r.recordRead(src, 10)).toBe(0);
      expect(r.recordReadBytes()).toEqual(new Uint8Array(0));
      expect(r.recordConsume()).toBe(0);
    }
    expect(r.recordNextLen()).toBe(-1);
  });

  it('a partial read of a record then consume drops the rest of it', () => {
    const r = new ByteRing(mod, phys, 64);
    const dst = guestBuf();
    r.recordWriteBytes(new Uint8Array(seq(20)));
    r.recordWriteBytes(new Uint8Array([7, 8]));
    expect(r.recordRead(dst, 6)).toBe(6);
    expect(get(dst, 6)).toEqual(seq(6));
    expect(r.recordRead(dst, 6, 16)).toBe(4);
    expect(get(dst, 4)).toEqual(seq(4, 17));
    expect(r.recordRead(dst, 6, 20)).toBe(0);
    expect(r.recordReadBytes(3, 10)).toEqual(new Uint8Array(seq(3, 11)));
    expect(r.recordConsume()).toBe(20);
    expect(r.recordReadBytes()).toEqual(new Uint8Array([7, 8]));
  });

  it('recordWrite refuses what does not fit and writes nothing', () => {
    const r = new ByteRing(mod, phys, 32);
    const src = guestBuf();
    expect(r.recordWrite(src, 29)).toBe(-1);
    expect(r.used).toBe(0);
    expect(r.recordWrite(src, 28)).toBe(28);
    expect(r.recordWrite(src, 0)).toBe(-1);
    expect(r.recordBegin(0)).toBe(false);
    expect(r.recordWriteBytes(new Uint8Array(0))).toBe(-1);
    expect(r.used).toBe(32);
    expect(mod.recordWrite(r.addr, src, -1)).toBe(-1);
    r.recordConsume();
    expect(mod.recordBegin(r.addr, 0x7fffffff)).toBe(-1);
    expect(mod.recordBegin(r.addr, -5)).toBe(-1);
    expect(r.used).toBe(0);
  });

  it('recordBegin + recordAppend gather a record from non-adjacent frames, header wrapping', () => {
    const r = new ByteRing(mod, phys, 32);
    r.writeBytes(new Uint8Array(30));
    r.discard(30); // head at 30: the 4-byte header straddles the wrap point
    const f1 = phys.allocFrame();
    phys.allocFrame();
    const f2 = phys.allocFrame();
    const a = f1 * PAGE_SIZE + PAGE_SIZE - 3;
    const b = f2 * PAGE_SIZE;
    put(a, [1, 2, 3]);
    put(b, [4, 5, 6, 7, 8]);
    expect(r.recordBegin(8)).toBe(true);
    expect(() => r.recordNextLen()).toThrow(/owes 8/);
    expect(() => r.recordAppend(a, 9)).toThrow(/owed/);
    r.recordAppend(a, 3);
    r.recordAppendBytes(new Uint8Array(0));
    r.recordAppend(b, 5);
    expect(r.recordPending).toBe(0);
    expect(r.recordNextLen()).toBe(8);
    expect(r.recordReadBytes()).toEqual(new Uint8Array(seq(8)));
    expect(r.recordConsume()).toBe(8);
    expect(r.used).toBe(0);
  });

  it('a length header straddling the wrap point keeps all four bytes', () => {
    const r = new ByteRing(mod, phys, 1024);
    const payload = new Uint8Array(seq(0x1ff, 9));
    for (const headerAt of [1021, 1022, 1023, 1020]) {
      r.writeBytes(new Uint8Array(headerAt - (mod.ringHead(r.addr) & 1023)));
      r.discard(r.used);
      expect(mod.ringHead(r.addr) & 1023).toBe(headerAt);
      expect(r.recordWriteBytes(payload)).toBe(0x1ff);
      expect(r.recordNextLen()).toBe(0x1ff);
      expect(r.recordReadBytes()).toEqual(payload);
      expect(r.recordConsume()).toBe(0x1ff);
      expect(r.used).toBe(0);
    }
  });

  it('records survive a resize', () => {
    const r = new ByteRing(mod, phys, 32);
    r.writeBytes(new Uint8Array(27));
    r.discard(27);
    r.recordWriteBytes(new Uint8Array(seq(3)));
    r.recordWriteBytes(new Uint8Array(seq(10, 50)));
    expect(r.resize(4096)).toBe(true);
    expect(r.recordReadBytes()).toEqual(new Uint8Array(seq(3)));
    r.recordConsume();
    expect(r.recordReadBytes()).toEqual(new Uint8Array(seq(10, 50)));
  });
});

// ---------------------------------------------------------------------------------------------
// Model-based property tests

const capArb = fc.constantFrom(16, 32, 64, 128, 4096);
const startArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0xffffffff - 300, max: 0xffffffff }),
  fc.nat({ max: 0xffffffff }),
);
/** Offsets inside a 2-frame source/destination area, leaving room for 600-byte copies. */
const offArb = fc.nat({ max: 2 * PAGE_SIZE - 600 });
const lenArb = fc.nat({ max: 300 });
const dataArb = fc.uint8Array({ maxLength: 300 });

type ByteOp =
  | { t: 'write'; data: Uint8Array; off: number }
  | { t: 'writeBytes'; data: Uint8Array }
  | { t: 'read'; len: number; off: number }
  | { t: 'readBytes'; len: number }
  | { t: 'peek'; len: number; skip: number; off: number }
  | { t: 'discard'; len: number };

const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ t: fc.constant('write' as const), data: dataArb, off: offArb }),
  fc.record({ t: fc.constant('writeBytes' as const), data: dataArb }),
  fc.record({ t: fc.constant('read' as const), len: lenArb, off: offArb }),
  fc.record({ t: fc.constant('readBytes' as const), len: lenArb }),
  fc.record({ t: fc.constant('peek' as const), len: lenArb, skip: fc.nat({ max: 200 }), off: offArb }),
  fc.record({ t: fc.constant('discard' as const), len: lenArb }),
);

type RecOp =
  | { t: 'write'; data: Uint8Array; off: number }
  | { t: 'writeBytes'; data: Uint8Array }
  | { t: 'gather'; data: Uint8Array; cuts: number[]; offs: number[] }
  | { t: 'read'; len: number; skip: number; off: number }
  | { t: 'readBytes'; len: number; skip: number }
  | { t: 'consume' };

/** Mostly small records, some >= 256 bytes so that every byte of a length header matters. */
const recDataArb = fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ minLength: 250, maxLength: 600 }));
const recLenArb = fc.oneof(fc.nat({ max: 70 }), fc.nat({ max: 650 }));
const recOpArb: fc.Arbitrary<RecOp> = fc.oneof(
  fc.record({ t: fc.constant('write' as const), data: recDataArb, off: offArb }),
  fc.record({ t: fc.constant('writeBytes' as const), data: recDataArb }),
  fc.record({
    t: fc.constant('gather' as const),
    data: recDataArb,
    cuts: fc.array(fc.nat({ max: 600 }), { maxLength: 4 }),
    offs: fc.array(offArb, { minLength: 5, maxLength: 5 }),
  }),
  fc.record({ t: fc.constant('read' as const), len: recLenArb, skip: recLenArb, off: offArb }),
  fc.record({ t: fc.constant('readBytes' as const), len: recLenArb, skip: recLenArb }),
  fc.constant({ t: 'consume' as const }),
);

describe('ByteRing against a JS model', () => {
  it('byte stream operations match an array model', () => {
    const src = guestBuf(2);
    const dst = guestBuf(2);
    fc.assert(
      fc.property(capArb, startArb, fc.array(byteOpArb, { maxLength: 60 }), (cap, start, ops) => {
        const r = new ByteRing(mod, phys, cap, { startIndex: start });
        const model: number[] = [];
        try {
          for (const op of ops) {
            switch (op.t) {
              case 'write': {
                put(src + op.off, op.data);
                const n = Math.min(op.data.length, cap - model.length);
                expect(r.write(src + op.off, op.data.length)).toBe(n);
                model.push(...op.data.subarray(0, n));
                break;
              }
              case 'writeBytes': {
                const n = Math.min(op.data.length, cap - model.length);
                expect(r.writeBytes(op.data)).toBe(n);
                model.push(...op.data.subarray(0, n));
                break;
              }
              case 'read':
              case 'peek': {
                phys.u8.fill(0xa5, dst + op.off, dst + op.off + 301);
                const skip = op.t === 'peek' ? op.skip : 0;
                const want = model.slice(skip, skip + op.len);
                const n = op.t === 'read' ? r.read(dst + op.off, op.len) : r.peek(dst + op.off, op.len, skip);
                expect(n).toBe(want.length);
                expect(get(dst + op.off, n)).toEqual(want);
                expect(phys.u8[dst + op.off + n]).toBe(0xa5); // nothing past n
                if (op.t === 'read') model.splice(0, n);
                break;
              }
              case 'readBytes':
                expect(Array.from(r.readBytes(op.len))).toEqual(model.splice(0, op.len));
                break;
              case 'discard':
                expect(r.discard(op.len)).toBe(Math.min(op.len, model.length));
                model.splice(0, op.len);
                break;
            }
            expect(r.used).toBe(model.length);
            expect(r.free).toBe(cap - model.length);
            expect(r.capacity).toBe(cap);
          }
          expect(Array.from(r.peekBytes(cap))).toEqual(model);
        } finally {
          r.destroy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('record operations match a list-of-records model', () => {
    const src = guestBuf(3);
    const dst = guestBuf(3);
    fc.assert(
      fc.property(fc.constantFrom(16, 32, 64, 128, 1024, 2048), startArb, fc.array(recOpArb, { maxLength: 60 }), (cap, start, ops) => {
        const r = new ByteRing(mod, phys, cap, { startIndex: start });
        const model: Uint8Array[] = [];
        const usedBytes = (): number => model.reduce((s, m) => s + 4 + m.length, 0);
        try {
          for (const op of ops) {
            const fits = 4 + ('data' in op ? op.data.length : 0) <= cap - usedBytes();
            switch (op.t) {
              case 'write':
                put(src + op.off, op.data);
                expect(r.recordWrite(src + op.off, op.data.length)).toBe(fits ? op.data.length : -1);
                if (fits) model.push(op.data);
                break;
              case 'writeBytes':
                expect(r.recordWriteBytes(op.data)).toBe(fits ? op.data.length : -1);
                if (fits) model.push(op.data);
                break;
              case 'gather': {
                // Scatter the payload over up to five chunks at unrelated guest addresses.
                const cuts = [0, ...op.cuts.map(c => Math.min(c, op.data.length)).sort((a, b) => a - b), op.data.length];
                expect(r.recordBegin(op.data.length)).toBe(fits);
                if (!fits) break;
                for (let i = 0; i + 1 < cuts.length; i++) {
                  const piece = op.data.subarray(cuts[i], cuts[i + 1]);
                  if (i % 2) {
                    r.recordAppendBytes(piece);
                  } else {
                    put(src + op.offs[i], piece);
                    r.recordAppend(src + op.offs[i], piece.length);
                  }
                }
                model.push(op.data);
                break;
              }
              case 'read': {
                phys.u8.fill(0x5a, dst + op.off, dst + op.off + 601);
                const cur = model[0];
                const want = cur ? Array.from(cur.subarray(op.skip, op.skip + op.len)) : [];
                const n = r.recordRead(dst + op.off, op.len, op.skip);
                expect(n).toBe(want.length);
                expect(get(dst + op.off, n)).toEqual(want);
                expect(phys.u8[dst + op.off + n]).toBe(0x5a);
                break;
              }
              case 'readBytes': {
                const got = r.recordReadBytes(op.len, op.skip);
                if (!model[0]) expect(got).toBeNull();
                else expect(got).toEqual(model[0].slice(op.skip, op.skip + op.len));
                break;
              }
              case 'consume':
                expect(r.recordConsume()).toBe(model[0] ? model[0].length : -1);
                model.shift();
                break;
            }
            expect(r.recordNextLen()).toBe(model[0] ? model[0].length : -1);
            expect(r.used).toBe(usedBytes());
          }
        } finally {
          r.destroy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('transfer and resize preserve the stream', () => {
    fc.assert(
      fc.property(
        capArb, capArb, startArb, startArb,
        fc.array(fc.tuple(dataArb, lenArb, lenArb, fc.constantFrom(16, 64, 256, 8192)), { maxLength: 30 }),
        (capA, capB, startA, startB, steps) => {
          const a = new ByteRing(mod, phys, capA, { startIndex: startA });
          const b = new ByteRing(mod, phys, capB, { startIndex: startB });
          const ma: number[] = [];
          const mb: number[] = [];
          try {
            for (const [data, moveLen, drain, newCap] of steps) {
              const w = a.writeBytes(data);
              ma.push(...data.subarray(0, w));
              const n = Math.min(moveLen, ma.length, b.capacity - mb.length);
              expect(b.transferFrom(a, moveLen)).toBe(n);
              mb.push(...ma.splice(0, n));
              const ok = b.resize(newCap);
              expect(ok).toBe(mb.length <= newCap);
              if (ok) expect(b.capacity).toBe(newCap);
              expect(Array.from(b.readBytes(drain))).toEqual(mb.splice(0, drain));
              expect(a.used).toBe(ma.length);
              expect(b.used).toBe(mb.length);
            }
          } finally {
            a.destroy();
            b.destroy();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ringTransfer', () => {
  const chunks = [{ pa: 100, len: 4 }, { pa: 200, len: 4 }, { pa: 300, len: 4 }];

  it('skips into the buffer, splits at chunk ends and passes the running count', () => {
    const calls: number[][] = [];
    const n = ringTransfer(chunks, 5, 6, (pa, k, done) => { calls.push([pa, k, done]); return k; });
    expect(n).toBe(6);
    expect(calls).toEqual([[201, 3, 0], [300, 3, 3]]);
  });

  it('stops at the first short move', () => {
    const calls: number[][] = [];
    const n = ringTransfer(chunks, 0, 12, (pa, k, done) => { calls.push([pa, k, done]); return done === 0 ? k : 1; });
    expect(n).toBe(5);
    expect(calls).toEqual([[100, 4, 0], [200, 4, 4]]);
  });
});
