import { describe, expect, it } from 'vitest';
import { OutOfMemory, PAGE_SIZE, PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

const RESERVED_FRAMES = RESERVED_BYTES / PAGE_SIZE;

/** A small PhysMem so growth and the limit are reached quickly. */
function small(limitBytes = 4 << 20, growChunkBytes = WASM_PAGE): PhysMem {
  return new PhysMem({ limitBytes, initialBytes: RESERVED_BYTES + WASM_PAGE, growChunkBytes });
}

const frameBytes = (p: PhysMem, f: number) => p.u8.subarray(f * PAGE_SIZE, (f + 1) * PAGE_SIZE);
const allZero = (b: Uint8Array) => b.every((x) => x === 0);

describe('PhysMem frames', () => {
  it('allocFrame() hands out a zeroed frame with refcount 1', () => {
    const p = small();
    const f = p.allocFrame();
    expect(p.refs(f)).toBe(1);
    expect(allZero(frameBytes(p, f))).toBe(true);
  });

  it('a freed frame is zeroed again when it is reused', () => {
    const p = small();
    const f = p.allocFrame();
    frameBytes(p, f).fill(0xab);
    p.unref(f);
    const g = p.allocFrame();
    expect(g).toBe(f); // the free list is reused before the memory grows
    expect(allZero(frameBytes(p, g))).toBe(true);
  });

  it('never hands out a frame inside the reserved first 1 MiB', () => {
    const p = small();
    const frames: number[] = [];
    for (let i = 0; i < 300; i++) frames.push(p.allocFrame());
    expect(Math.min(...frames)).toBeGreaterThanOrEqual(RESERVED_FRAMES);
    expect(Math.min(...frames) * PAGE_SIZE).toBe(RESERVED_BYTES);
    const c = p.allocContiguous(4);
    expect(c).toBeGreaterThanOrEqual(RESERVED_FRAMES);
  });

  it('distinct live frames never alias', () => {
    const p = small();
    const frames = Array.from({ length: 64 }, () => p.allocFrame());
    expect(new Set(frames).size).toBe(frames.length);
  });

  it('copyFrame() copies the bytes into a new frame with refcount 1', () => {
    const p = small();
    const a = p.allocFrame();
    frameBytes(p, a).set([1, 2, 3], 100);
    const b = p.copyFrame(a);
    expect(b).not.toBe(a);
    expect(p.refs(b)).toBe(1);
    expect([...frameBytes(p, b).subarray(100, 103)]).toEqual([1, 2, 3]);
    frameBytes(p, b)[100] = 9;
    expect(frameBytes(p, a)[100]).toBe(1);
  });
});

describe('PhysMem refcounts', () => {
  it('ref() keeps a frame alive until the matching number of unref() calls', () => {
    const p = small();
    const f = p.allocFrame();
    p.ref(f);
    p.ref(f);
    expect(p.refs(f)).toBe(3);
    const used = p.usedFrames;
    p.unref(f);
    p.unref(f);
    expect(p.refs(f)).toBe(1);
    expect(p.usedFrames).toBe(used);
    p.unref(f);
    expect(p.refs(f)).toBe(0);
    expect(p.usedFrames).toBe(used - 1);
  });

  it('unref() of an already freed frame throws "freed twice"', () => {
    const p = small();
    const f = p.allocFrame();
    p.unref(f);
    expect(() => p.unref(f)).toThrow(/freed twice/);
  });

  it('usedFrames counts allocations and frees', () => {
    const p = small();
    expect(p.usedFrames).toBe(0);
    const fs = [p.allocFrame(), p.allocFrame(), p.allocFrame()];
    expect(p.usedFrames).toBe(3);
    p.unref(fs[1]);
    expect(p.usedFrames).toBe(2);
    p.allocFrame();
    expect(p.usedFrames).toBe(3);
  });

  it('freeing a frame that held code reports it to onCodeFrameFreed once', () => {
    const p = small();
    const seen: number[] = [];
    p.onCodeFrameFreed = (f) => seen.push(f);
    const f = p.allocFrame();
    const g = p.allocFrame();
    p.code[f] = 1;
    p.unref(g);
    expect(seen).toEqual([]);
    p.unref(f);
    expect(seen).toEqual([f]);
    expect(p.code[f]).toBe(0);
  });
});

describe('PhysMem growth and limit', () => {
  it('growing notifies listeners with the old and new byte sizes', () => {
    const p = small(8 << 20, 2 * WASM_PAGE);
    const events: [number, number][] = [];
    p.onGrow((o, n) => events.push([o, n]));
    const before = p.byteLength;
    const perWasmPage = WASM_PAGE / PAGE_SIZE;
    for (let i = 0; i < perWasmPage + 1; i++) p.allocFrame();
    expect(events.length).toBe(1);
    expect(events[0][0]).toBe(before);
    expect(events[0][1]).toBe(p.byteLength);
    expect(events[0][1]).toBe(before + 2 * WASM_PAGE); // grows by the chunk size
  });

  it('frames beyond the initial size are usable after growth and views are refreshed', () => {
    const p = small(8 << 20);
    const initial = p.byteLength;
    let f = -1;
    while (f * PAGE_SIZE < initial) f = p.allocFrame();
    expect(p.byteLength).toBeGreaterThan(f * PAGE_SIZE);
    expect(p.u8.length).toBe(p.byteLength);
    p.u8[f * PAGE_SIZE + 7] = 42;
    expect(p.dv.getUint8(f * PAGE_SIZE + 7)).toBe(42);
    expect(new Uint8Array(p.memory.buffer)[f * PAGE_SIZE + 7]).toBe(42);
  });

  it('exactly limitBytes / PAGE_SIZE frames can be allocated, the next throws OutOfMemory', () => {
    const limit = 2 << 20;
    const p = small(limit);
    let n = 0;
    let err: unknown;
    try {
      for (;;) { p.allocFrame(); n++; if (n > 10_000) break; }
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OutOfMemory);
    expect(n).toBe(limit / PAGE_SIZE);
    expect(p.usedFrames).toBe(limit / PAGE_SIZE);
  });

  it('a freed frame can be allocated again at the limit', () => {
    const p = small(1 << 20);
    const frames: number[] = [];
    try { for (;;) frames.push(p.allocFrame()); } catch (e) { expect(e).toBeInstanceOf(OutOfMemory); }
    p.unref(frames[10]);
    expect(p.allocFrame()).toBe(frames[10]);
    expect(() => p.allocFrame()).toThrow(OutOfMemory);
  });

  it('allocContiguous() past the limit throws OutOfMemory', () => {
    const p = small(1 << 20);
    expect(() => p.allocContiguous((1 << 20) / PAGE_SIZE + 1)).toThrow(OutOfMemory);
    expect(p.allocContiguous((1 << 20) / PAGE_SIZE)).toBe(RESERVED_FRAMES);
  });
});

describe('PhysMem contiguous runs', () => {
  it('allocContiguous() returns n adjacent zeroed frames, each with refcount 1', () => {
    const p = small();
    p.allocFrame();
    const first = p.allocContiguous(5);
    for (let i = 0; i < 5; i++) expect(p.refs(first + i)).toBe(1);
    expect(allZero(p.u8.subarray(first * PAGE_SIZE, (first + 5) * PAGE_SIZE))).toBe(true);
    expect(p.usedFrames).toBe(6);
    const single = p.allocFrame();
    expect(single < first || single >= first + 5).toBe(true);
  });

  it('freeContiguous() frees the run and a same-sized request reuses it zeroed', () => {
    const p = small();
    const first = p.allocContiguous(3);
    p.u8.fill(0x5a, first * PAGE_SIZE, (first + 3) * PAGE_SIZE);
    p.freeContiguous(first, 3);
    expect(p.usedFrames).toBe(0);
    for (let i = 0; i < 3; i++) expect(p.refs(first + i)).toBe(0);
    const again = p.allocContiguous(3);
    expect(again).toBe(first);
    expect(allZero(p.u8.subarray(again * PAGE_SIZE, (again + 3) * PAGE_SIZE))).toBe(true);
    expect(p.usedFrames).toBe(3);
  });

  it('freeContiguous() refuses a run with a frame that is shared', () => {
    const p = small();
    const first = p.allocContiguous(2);
    p.ref(first + 1);
    expect(() => p.freeContiguous(first, 2)).toThrow(/not owned/);
  });
});

describe('PhysMem: freed memory comes back for every use', () => {
  const FRAMES = 64;
  const tiny = () => new PhysMem({ limitBytes: FRAMES * PAGE_SIZE, initialBytes: RESERVED_BYTES + FRAMES * PAGE_SIZE });

  it('after every frame was used singly and freed, a contiguous run is found among them', () => {
    const p = tiny();
    const all = Array.from({ length: FRAMES }, () => p.allocFrame());
    expect(() => p.allocFrame()).toThrow(OutOfMemory);
    for (const f of all.reverse()) p.unref(f);
    const first = p.allocContiguous(16);
    for (let i = 0; i < 16; i++) expect(p.refs(first + i)).toBe(1);
    expect(p.usedFrames).toBe(16);
  });

  it('freed runs serve single frames and longer runs split for shorter ones', () => {
    const p = tiny();
    const runs = [p.allocContiguous(32), p.allocContiguous(32)];
    expect(() => p.allocFrame()).toThrow(OutOfMemory);
    p.freeContiguous(runs[0], 32);
    const singles = Array.from({ length: 8 }, () => p.allocFrame());
    expect(new Set(singles).size).toBe(8);
    const r = p.allocContiguous(16);
    expect(r).toBeGreaterThanOrEqual(runs[0]);
    expect(p.usedFrames).toBe(32 + 8 + 16);
    p.freeContiguous(runs[1], 32);
    for (let i = 0; i < 200; i++) { const a = p.allocContiguous(16); p.freeContiguous(a, 16); }
    expect(p.usedFrames).toBe(8 + 16);
  });
});

describe('PhysMem limits below the default initial size', () => {
  it('a limit below the 64 MiB default initial size constructs and starts at the limit (--mem-limit 16)', () => {
    const limit = 16 << 20;
    const p = new PhysMem({ limitBytes: limit });
    expect(p.byteLength).toBe(limit + RESERVED_BYTES);
    let n = 0;
    expect(() => { for (;;) { p.allocFrame(); n++; } }).toThrow(OutOfMemory);
    expect(n).toBe(limit / PAGE_SIZE);
  });

  it('a limit that is not a whole number of wasm pages is enforced to the frame', () => {
    const limit = (1 << 20) + PAGE_SIZE; // the memory itself ends on a 64 KiB boundary past it
    const p = small(limit);
    let n = 0;
    expect(() => { for (;;) { p.allocFrame(); n++; if (n > 10_000) break; } }).toThrow(OutOfMemory);
    expect(n).toBe(limit / PAGE_SIZE);
  });
});

describe('PhysMem refcount misuse is detected before anything changes', () => {
  it('a double unref() throws and leaves the refcount at 0 (no Uint16 wrap), the frame is reused once', () => {
    const p = small();
    const f = p.allocFrame();
    p.unref(f);
    const used = p.usedFrames;
    expect(() => p.unref(f)).toThrow(/freed twice/);
    expect(p.refs(f)).toBe(0);
    expect(p.usedFrames).toBe(used);
    const a = p.allocFrame(), b = p.allocFrame();
    expect(a).toBe(f);
    expect(b).not.toBe(f);
    expect(p.refs(a)).toBe(1);
  });

  it('ref() of a free frame throws and leaves it free', () => {
    const p = small();
    const f = p.allocFrame();
    p.unref(f);
    expect(() => p.ref(f)).toThrow(/while free/);
    expect(p.refs(f)).toBe(0);
  });

  it('ref() past 0xffff throws instead of wrapping the refcount to 0', () => {
    const p = small();
    const f = p.allocFrame();
    for (let i = 1; i < 0xffff; i++) p.ref(f);
    expect(p.refs(f)).toBe(0xffff);
    expect(() => p.ref(f)).toThrow(/overflow/);
    expect(p.refs(f)).toBe(0xffff);
  });

  it('freeContiguous() with a frame not owned changes no frame of the run', () => {
    const p = small();
    const freed: number[] = [];
    p.onCodeFrameFreed = (f) => freed.push(f);
    const first = p.allocContiguous(4);
    p.code[first] = 1;
    p.ref(first + 2);
    const used = p.usedFrames;
    expect(() => p.freeContiguous(first, 4)).toThrow(/not owned/);
    expect([0, 1, 2, 3].map((i) => p.refs(first + i))).toEqual([1, 1, 2, 1]);
    expect(p.usedFrames).toBe(used);
    expect(freed).toEqual([]);
    expect(p.code[first]).toBe(1);
  });
});
