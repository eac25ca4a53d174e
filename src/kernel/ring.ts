// Byte rings for pipes and sockets: a thin TypeScript wrapper around build/ring.wasm
// (assembly/ring.ts), which copies with memory.copy directly between guest physical pages
// and ring storage. Both live in the one WebAssembly.Memory of PhysMem.
//
// Ring layout (the contract shared with assembly/ring.ts), at physical address `addr`:
//   +0 head  u32  free-running count of bytes ever written
//   +4 tail  u32  free-running count of bytes ever read
//   +8 cap   u32  data bytes, a power of two in [MIN_RING_CAPACITY, MAX_RING_CAPACITY]
//   +12 flags u32 kernel-owned bits, never interpreted by the ring code
//   +16 data  cap bytes; stream position p is data[p & (cap - 1)]
// Invariants: used = (head - tail) mod 2^32, 0 <= used <= cap, free = cap - used.
//
// Capacity rounding: a requested capacity becomes the smallest power of two >= max(request,
// MIN_RING_CAPACITY) (a power of two is kept exactly), and the ring occupies
// ceil((RING_HEADER_BYTES + cap) / PAGE_SIZE) physically contiguous frames; e.g. a 64 KiB pipe
// takes 17 frames. Requests above MAX_RING_CAPACITY throw RangeError.
//
// The data path never loops over bytes in JS: guest data moves by memory.copy inside the wasm
// (callers split guest buffers at page boundaries and call once per physically contiguous
// chunk), and the kernel's own data (writeBytes/readBytes & co.) moves with at most two
// Uint8Array.set calls per side of the wrap point, writing the data area directly and then
// publishing it through the wasm's ringProduce/ringDiscard so only the wasm updates indices.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PhysChunk } from '../mm/guest_memory.js';
import { PAGE_SIZE, type PhysMem } from '../mm/physmem.js';

export const RING_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 4;
export const MIN_RING_CAPACITY = 16;
export const MAX_RING_CAPACITY = 1 << 30;

/**
 * The exports of build/ring.wasm. Addresses are physical; every value crosses as i32, so u32
 * results (counts) are always < 2^31 here because cap <= 2^30, and addresses >= 2^31 may be
 * passed as plain non-negative numbers (ToInt32 wraps them to the same bits).
 */
export interface RingExports {
  /** Empty ring at `r` with indices starting at `start`; 0, or -1 if cap is invalid. */
  ringInitAt(r: number, cap: number, start: number): number;
  ringInit(r: number, cap: number): number;
  ringUsed(r: number): number;
  ringFree(r: number): number;
  ringCap(r: number): number;
  /** Raw free-running indices (i32: may be negative, compare with `>>> 0`). */
  ringHead(r: number): number;
  ringTail(r: number): number;
  ringFlags(r: number): number;
  ringSetFlags(r: number, flags: number): void;
  /** Copies min(len, free) bytes from physical `src` into the ring; returns the count. */
  ringWrite(r: number, src: number, len: number): number;
  /** Copies min(len, used) bytes to physical `dst` and consumes them; returns the count. */
  ringRead(r: number, dst: number, len: number): number;
  /** Like ringRead from `skip` bytes past the tail, without consuming; 0 if skip >= used. */
  ringPeek(r: number, dst: number, len: number, skip: number): number;
  /** Consumes min(len, used) bytes; returns the count. */
  ringDiscard(r: number, len: number): number;
  /** Marks min(n, free) bytes past head (already filled in place) as written. */
  ringProduce(r: number, n: number): number;
  /** Moves min(len, used(src), free(dst)) raw bytes from ring `src` to ring `dst`. */
  ringTransfer(dst: number, src: number, len: number): number;
  /** Writes a record header for `len` payload bytes if 4 + len fit; 0 or -1. */
  recordBegin(r: number, len: number): number;
  /** Appends payload bytes of the record opened by recordBegin; returns the count. */
  recordAppend(r: number, src: number, n: number): number;
  /** Header + payload if 4 + len fit; returns len or -1. */
  recordWrite(r: number, src: number, len: number): number;
  /** Payload length of the current record, -1 when empty. */
  recordNextLen(r: number): number;
  /** Copies up to len bytes from `skip` into the current record, without consuming. */
  recordRead(r: number, dst: number, len: number, skip: number): number;
  /** Drops the current record; returns its payload length or -1 when empty. */
  recordConsume(r: number): number;
}

export interface RingModule extends RingExports {
  /** The memory the instance imported (must be the PhysMem's memory). */
  readonly memory: WebAssembly.Memory;
}

const EXPORT_NAMES: readonly (keyof RingExports)[] = [
  'ringInitAt', 'ringInit', 'ringUsed', 'ringFree', 'ringCap', 'ringHead', 'ringTail',
  'ringFlags', 'ringSetFlags', 'ringWrite', 'ringRead', 'ringPeek', 'ringDiscard',
  'ringProduce', 'ringTransfer', 'recordBegin', 'recordAppend', 'recordWrite',
  'recordNextLen', 'recordRead', 'recordConsume',
];

/** Absolute path of build/ring.wasm: found by walking up to the directory with package.json,
 *  so it works from src/kernel (vitest) and from dist/kernel (compiled). */
export function ringWasmPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'build', 'ring.wasm');
    const up = dirname(dir);
    if (up === dir) throw new Error(`ring wasm: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let compiled: WebAssembly.Module | undefined;

function ringWasmModule(): WebAssembly.Module {
  if (compiled) return compiled;
  const path = ringWasmPath();
  if (!existsSync(path)) {
    throw new Error(`ring wasm not built: ${path} is missing; run \`npm run build:wasm\` first`);
  }
  compiled = new WebAssembly.Module(readFileSync(path));
  return compiled;
}

/** Instantiates build/ring.wasm (synchronously; compiled once per process) over `memory`. */
export function loadRingModule(memory: WebAssembly.Memory): RingModule {
  const instance = new WebAssembly.Instance(ringWasmModule(), { env: { memory } });
  const ex = instance.exports as Record<string, unknown>;
  const mod: Record<string, unknown> = { memory };
  for (const name of EXPORT_NAMES) {
    if (typeof ex[name] !== 'function') throw new Error(`ring wasm: missing export ${name}`);
    mod[name] = ex[name];
  }
  return mod as unknown as RingModule;
}

/** The data capacity a ring created for `requested` bytes gets (see the rounding rule above). */
export function ringCapacityFor(requested: number): number {
  if (!Number.isFinite(requested) || requested > MAX_RING_CAPACITY) {
    throw new RangeError(`ring capacity ${requested} exceeds ${MAX_RING_CAPACITY}`);
  }
  let cap = MIN_RING_CAPACITY;
  while (cap < requested) cap *= 2;
  return cap;
}

/** Contiguous frames holding a ring of capacity `cap` (header included). */
export function ringFramesFor(cap: number): number {
  return Math.ceil((RING_HEADER_BYTES + cap) / PAGE_SIZE);
}

export interface ByteRingOptions {
  /** Initial value of both free-running indices (test hook for the u32 wrap; default 0). */
  startIndex?: number;
}

/**
 * A ring in its own physically contiguous frames. A ring is used either as a byte stream
 * (write/read/peek/discard) or as a record stream (record*), never both.
 *
 * Physical-address methods (`write`, `read`, ...) take one physically contiguous chunk each;
 * callers split guest iovecs at page boundaries and call repeatedly, stopping at a short count.
 */
export class ByteRing {
  readonly mod: RingModule;
  readonly phys: PhysMem;
  #first: number;
  #frames: number;
  /** Physical address of the header; -1 once destroyed. */
  #r: number;
  /** Payload bytes still owed by the caller for the record opened by recordBegin. */
  #pending = 0;

  constructor(mod: RingModule, phys: PhysMem, capacityBytes: number, opts: ByteRingOptions = {}) {
    if (mod.memory !== phys.memory) throw new Error('ByteRing: module and PhysMem use different memories');
    this.mod = mod;
    this.phys = phys;
    const cap = ringCapacityFor(capacityBytes);
    this.#frames = ringFramesFor(cap);
    this.#first = phys.allocContiguous(this.#frames);
    this.#r = this.#first * PAGE_SIZE;
    if (mod.ringInitAt(this.#r, cap, (opts.startIndex ?? 0) >>> 0) !== 0) {
      phys.freeContiguous(this.#first, this.#frames);
      throw new Error(`ByteRing: bad capacity ${cap}`);
    }
  }

  /** Physical address of the ring header (the wasm's `r`). */
  get addr(): number { return this.#live(); }
  /** Physical address of the data area. */
  get dataAddr(): number { return this.#live() + RING_HEADER_BYTES; }
  get firstFrame(): number { return this.#first; }
  get frameCount(): number { return this.#frames; }
  get destroyed(): boolean { return this.#r < 0; }

  get capacity(): number { return this.mod.ringCap(this.#live()); }
  get used(): number { return this.mod.ringUsed(this.#live()); }
  get free(): number { return this.mod.ringFree(this.#live()); }
  get empty(): boolean { return this.used === 0; }
  get flags(): number { return this.mod.ringFlags(this.#live()) >>> 0; }
  set flags(v: number) { this.mod.ringSetFlags(this.#live(), v); }

  // --- byte stream, physical addresses -------------------------------------------------------

  /** Copies min(len, free) bytes from physical `src`; returns the count. */
  write(src: number, len: number): number { return this.mod.ringWrite(this.#live(), src, len); }
  /** Copies min(len, used) bytes to physical `dst`, consuming them; returns the count. */
  read(dst: number, len: number): number { return this.mod.ringRead(this.#live(), dst, len); }
  /** Copies up to len bytes starting `skip` past the tail to `dst` without consuming. */
  peek(dst: number, len: number, skip = 0): number { return this.mod.ringPeek(this.#live(), dst, len, skip); }
  /** Drops min(len, used) bytes; returns the count. */
  discard(len: number): number { return this.mod.ringDiscard(this.#live(), len); }
  /** Moves min(len, src.used, this.free) raw bytes from `src` into this ring (splice, resize). */
  transferFrom(src: ByteRing, len: number): number {
    if (src === this) throw new Error('ByteRing.transferFrom: same ring');
    return this.mod.ringTransfer(this.#live(), src.#live(), len);
  }

  // --- byte stream, kernel-owned bytes -------------------------------------------------------

  /** Appends min(bytes.length, free) bytes of `bytes`; returns the count. */
  writeBytes(bytes: Uint8Array): number {
    const r = this.#live();
    const n = Math.min(bytes.length, this.mod.ringFree(r));
    this.#fill(r, this.mod.ringHead(r), bytes, n);
    return this.mod.ringProduce(r, n);
  }

  /** Removes and returns up to `n` bytes. */
  readBytes(n: number): Uint8Array {
    const out = this.peekBytes(n);
    this.mod.ringDiscard(this.#r, out.length);
    return out;
  }

  /** Returns up to `n` bytes starting `skip` past the tail, without consuming. */
  peekBytes(n: number, skip = 0): Uint8Array {
    const r = this.#live();
    const used = this.mod.ringUsed(r);
    if (skip >= used) return new Uint8Array(0);
    return this.#copyOut(r, this.mod.ringTail(r) + skip, Math.min(n, used - skip));
  }

  // --- records -------------------------------------------------------------------------------

  /** Writes a record from physical `src` if 4 + len bytes are free; returns len or -1. */
  recordWrite(src: number, len: number): number {
    this.#noPending();
    return this.mod.recordWrite(this.#live(), src, len);
  }

  /**
   * Reserves a record of `len` payload bytes (writes its header). Returns false, writing
   * nothing, unless 4 + len bytes are free. After true, exactly `len` bytes must be supplied
   * through recordAppend/recordAppendBytes before the ring is read or resized; the
   * reservation guarantees they fit.
   */
  recordBegin(len: number): boolean {
    this.#noPending();
    if (this.mod.recordBegin(this.#live(), len) !== 0) return false;
    this.#pending = len;
    return true;
  }

  /** Appends `n` payload bytes from physical `src` to the record opened by recordBegin. */
  recordAppend(src: number, n: number): void {
    if (n > this.#pending) throw new Error(`ByteRing.recordAppend: ${n} bytes but ${this.#pending} owed`);
    this.mod.recordAppend(this.#live(), src, n);
    this.#pending -= n;
  }

  /** recordAppend for kernel-owned bytes. */
  recordAppendBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n > this.#pending) throw new Error(`ByteRing.recordAppendBytes: ${n} bytes but ${this.#pending} owed`);
    const r = this.#live();
    this.#fill(r, this.mod.ringHead(r), bytes, n);
    this.mod.ringProduce(r, n);
    this.#pending -= n;
  }

  /** Bytes still owed to the record opened by recordBegin (0 when none is open). */
  get recordPending(): number { return this.#pending; }

  /** Writes `bytes` as one record if it fits; returns its length or -1. */
  recordWriteBytes(bytes: Uint8Array): number {
    if (!this.recordBegin(bytes.length)) return -1;
    this.recordAppendBytes(bytes);
    return bytes.length;
  }

  /** Payload length of the current record, or -1 when there is none. */
  recordNextLen(): number {
    this.#noPending();
    return this.mod.recordNextLen(this.#live());
  }

  /** Copies up to `len` bytes from `skip` into the current record to `dst`; not consuming. */
  recordRead(dst: number, len: number, skip = 0): number {
    this.#noPending();
    return this.mod.recordRead(this.#live(), dst, len, skip);
  }

  /** Up to `len` bytes from `skip` into the current record (null if none); not consuming. */
  recordReadBytes(len = Infinity, skip = 0): Uint8Array | null {
    this.#noPending();
    const r = this.#live();
    const l = this.mod.recordNextLen(r);
    if (l < 0) return null;
    if (skip >= l) return new Uint8Array(0);
    return this.#copyOut(r, this.mod.ringTail(r) + RECORD_HEADER_BYTES + skip, Math.min(len, l - skip));
  }

  /** Drops the current record; returns its payload length or -1 when empty. */
  recordConsume(): number {
    this.#noPending();
    return this.mod.recordConsume(this.#live());
  }

  // --- lifetime ------------------------------------------------------------------------------

  /**
   * Changes the capacity (rounded as in the constructor). Returns false, changing nothing,
   * when the buffered bytes do not fit in the new capacity (F_SETPIPE_SZ -> EBUSY). Contents,
   * record boundaries and flags are kept; the ring moves to new frames (`addr` changes).
   * Throws OutOfMemory (old ring intact) when frames run out.
   */
  resize(newCapacity: number): boolean {
    this.#noPending();
    const r = this.#live();
    const cap = ringCapacityFor(newCapacity);
    if (cap === this.mod.ringCap(r)) return true;
    const used = this.mod.ringUsed(r);
    if (used > cap) return false;
    const frames = ringFramesFor(cap);
    const first = this.phys.allocContiguous(frames);
    const nr = first * PAGE_SIZE;
    this.mod.ringInitAt(nr, cap, 0);
    this.mod.ringSetFlags(nr, this.mod.ringFlags(r));
    const moved = this.mod.ringTransfer(nr, r, used);
    if (moved !== used) throw new Error(`ByteRing.resize: moved ${moved} of ${used}`);
    this.phys.freeContiguous(this.#first, this.#frames);
    this.#first = first;
    this.#frames = frames;
    this.#r = nr;
    return true;
  }

  /** Frees the frames; any later use throws. */
  destroy(): void {
    this.#live();
    this.phys.freeContiguous(this.#first, this.#frames);
    this.#r = -1;
    this.#pending = 0;
  }

  // --- internals -----------------------------------------------------------------------------

  #live(): number {
    if (this.#r < 0) throw new Error('ByteRing used after destroy()');
    return this.#r;
  }

  #noPending(): void {
    if (this.#pending !== 0) throw new Error(`ByteRing: record still owes ${this.#pending} bytes`);
  }

  /** Copies bytes[0, n) into the data area at stream position `pos` (no index update). */
  #fill(r: number, pos: number, bytes: Uint8Array, n: number): void {
    const cap = this.mod.ringCap(r);
    const off = pos & (cap - 1);
    const first = Math.min(n, cap - off);
    const data = r + RING_HEADER_BYTES;
    const u8 = this.phys.u8;
    u8.set(bytes.subarray(0, first), data + off);
    if (n > first) u8.set(bytes.subarray(first, n), data);
  }

  /** A fresh copy of `n` bytes at stream position `pos`. */
  #copyOut(r: number, pos: number, n: number): Uint8Array {
    const cap = this.mod.ringCap(r);
    const off = pos & (cap - 1);
    const first = Math.min(n, cap - off);
    const data = r + RING_HEADER_BYTES;
    const u8 = this.phys.u8;
    const out = new Uint8Array(n);
    out.set(u8.subarray(data + off, data + off + first));
    if (n > first) out.set(u8.subarray(data, data + n - first), first);
    return out;
  }
}

/**
 * Walk up to `want` bytes of a guest buffer, starting `skip` bytes in, chunk by chunk:
 * `op(pa, n, done)` moves n bytes at physical address pa between the buffer and a ring
 * (`done` bytes already moved) and returns how many it moved. A short count ends the walk
 * (the ring is full or drained). Returns the bytes moved.
 */
export function ringTransfer(
  chunks: readonly PhysChunk[], skip: number, want: number, op: (pa: number, n: number, done: number) => number,
): number {
  let done = 0;
  for (const c of chunks) {
    if (want === 0) break;
    if (skip >= c.len) { skip -= c.len; continue; }
    const take = Math.min(c.len - skip, want);
    const moved = op(c.pa + skip, take, done);
    done += moved; want -= moved; skip = 0;
    if (moved < take) break;
  }
  return done;
}
