// Guest physical memory: one WebAssembly.Memory carved into 4 KiB frames.
//
// Invariants:
// - Physical address P is byte P of `memory.buffer`; frame N covers [N*4096, (N+1)*4096).
// - Bytes [0, RESERVED_BYTES) belong to the AssemblyScript module (its statics and shadow
//   stack); no frame there is ever handed out.
// - A frame is free exactly when its refcount is 0. Frames handed out by allocFrame start
//   zeroed and with refcount 1. Refcounts are checked before they change: unref of a free
//   frame or ref past 0xffff throws and leaves the count as it was (a Uint16 never wraps).
// - No frame at or above (limitBytes + RESERVED_BYTES) / PAGE_SIZE is ever handed out, even
//   when the memory is a little longer (it is sized in whole 64 KiB wasm pages).
// - The memory only grows; its base address in the host stays put (V8 reserves the maximum
//   up front), so every engine maps the new tail [oldBytes, newBytes) when it grows and never
//   maps past the current length (a host SIGSEGV otherwise).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = PAGE_SIZE - 1;
export const WASM_PAGE = 65536;
export const RESERVED_BYTES = 1 << 20;

/** Thrown when the configured guest memory limit is reached; syscalls turn it into ENOMEM. */
export class OutOfMemory extends Error {
  constructor() { super('guest physical memory exhausted'); }
}

export type GrowListener = (oldBytes: number, newBytes: number) => void;

export interface PhysMemOptions {
  /** Upper bound on guest RAM in bytes (default 2 GiB). */
  limitBytes?: number;
  initialBytes?: number;
  growChunkBytes?: number;
}

export class PhysMem {
  readonly memory: WebAssembly.Memory;
  /** Byte view of all of physical memory; replaced after every grow. */
  u8!: Uint8Array;
  dv!: DataView;
  readonly limitBytes: number;
  readonly #growChunk: number;
  #refcount: Uint16Array;
  /** 1 for frames the CPU fetched instructions from since they were last allocated. */
  readonly code: Uint8Array;
  #free: number[] = [];
  /** Extents of freed contiguous allocations, by length. */
  #freeRuns = new Map<number, number[]>();
  #top: number;
  #listeners: GrowListener[] = [];
  /** Called when a frame that held translated code is freed (the TB cache must forget it). */
  onCodeFrameFreed: (frame: number) => void = () => {};

  constructor(opts: PhysMemOptions = {}) {
    this.limitBytes = Math.min(opts.limitBytes ?? 2 ** 31, 4 * 2 ** 30 - WASM_PAGE);
    const cap = this.limitBytes + RESERVED_BYTES;
    // The initial size never exceeds the maximum (WebAssembly.Memory throws a RangeError
    // otherwise): a --mem-limit below the 64 MiB default starts at the limit.
    const initial = Math.min(Math.max(opts.initialBytes ?? 64 << 20, RESERVED_BYTES + WASM_PAGE), cap);
    this.#growChunk = opts.growChunkBytes ?? 32 << 20;
    const maxPages = Math.ceil(cap / WASM_PAGE);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(initial / WASM_PAGE), maximum: maxPages });
    const maxFrames = (maxPages * WASM_PAGE) / PAGE_SIZE;
    this.#refcount = new Uint16Array(maxFrames);
    this.code = new Uint8Array(maxFrames);
    this.#top = RESERVED_BYTES / PAGE_SIZE;
    this.#refreshViews();
  }

  get byteLength(): number { return this.memory.buffer.byteLength; }
  /** Frames in use (for accounting and tests). */
  get usedFrames(): number { return this.#top - (RESERVED_BYTES / PAGE_SIZE) - this.#free.length - this.#freeRunFrames(); }

  onGrow(fn: GrowListener): void { this.#listeners.push(fn); }

  #zero = -1;

  /**
   * The shared zero frame (Linux's ZERO_PAGE): what the kernel reads for a page nobody has
   * touched, so reading untouched memory allocates nothing. Never written, never freed.
   */
  get zeroFrame(): number {
    if (this.#zero < 0) this.#zero = this.allocFrame();
    return this.#zero;
  }

  /**
   * A zeroed frame with refcount 1: a freed frame, else a new one at the top, else (at the
   * limit) one split off a freed contiguous run. Throws OutOfMemory when there is none.
   */
  allocFrame(): number {
    let f = this.#free.pop();
    if (f === undefined) {
      if (this.#canGrow(1)) {
        this.#ensure(this.#top + 1);
        f = this.#top++;
        this.#refcount[f] = 1;
        return f;
      }
      f = this.#takeFromRuns(1);
      if (f === undefined) throw new OutOfMemory();
    }
    this.u8.fill(0, f * PAGE_SIZE, (f + 1) * PAGE_SIZE);
    this.#refcount[f] = 1;
    return f;
  }

  /** A frame with refcount 1 holding a copy of `src`. */
  copyFrame(src: number): number {
    const f = this.allocFrame();
    this.u8.copyWithin(f * PAGE_SIZE, src * PAGE_SIZE, (src + 1) * PAGE_SIZE);
    return f;
  }

  /** Another mapping of a live frame (fork, shared mappings). */
  ref(frame: number): void {
    const r = this.#refcount[frame];
    if (r === 0) throw new Error(`frame ${frame} referenced while free`);
    if (r === 0xffff) throw new Error(`frame ${frame} refcount overflow`);
    this.#refcount[frame] = r + 1;
  }

  refs(frame: number): number { return this.#refcount[frame]; }

  /** Drop one reference; the last one frees the frame. A double free throws before any change. */
  unref(frame: number): void {
    const r = this.#refcount[frame];
    if (r === 0) throw new Error(`frame ${frame} freed twice`);
    this.#refcount[frame] = r - 1;
    if (r > 1) return;
    this.#released(frame);
    this.#free.push(frame);
  }

  /**
   * `n` physically contiguous zeroed frames (ring buffers); returns the first frame. Freed
   * memory comes back for this too: a freed run of exactly n, new frames at the top, a longer
   * freed run split, or n adjacent freed single frames.
   */
  allocContiguous(n: number): number {
    let first = this.#freeRuns.get(n)?.pop();
    if (first === undefined && this.#canGrow(n)) {
      this.#ensure(this.#top + n);
      first = this.#top;
      this.#top += n;
      for (let i = 0; i < n; i++) this.#refcount[first + i] = 1;
      return first;
    }
    if (first === undefined) first = this.#takeFromRuns(n) ?? this.#takeFromSingles(n);
    this.u8.fill(0, first * PAGE_SIZE, (first + n) * PAGE_SIZE);
    for (let i = 0; i < n; i++) this.#refcount[first + i] = 1;
    return first;
  }

  /** Would `n` more frames at the top stay within the limit? */
  #canGrow(n: number): boolean {
    return (this.#top + n) * PAGE_SIZE <= this.limitBytes + RESERVED_BYTES;
  }

  /** `n` frames split off the front of a freed run of at least n; the rest stays a run. */
  #takeFromRuns(n: number): number | undefined {
    for (const [len, runs] of this.#freeRuns) {
      if (len < n || runs.length === 0) continue;
      const first = runs.pop()!;
      if (len > n) {
        let rest = this.#freeRuns.get(len - n);
        if (!rest) this.#freeRuns.set(len - n, (rest = []));
        rest.push(first + n);
      }
      return first;
    }
    return undefined;
  }

  /** `n` adjacent frames among the freed single frames (they leave the free list). */
  #takeFromSingles(n: number): number {
    const sorted = Float64Array.from(this.#free).sort();
    for (let i = 0, runStart = 0; i < sorted.length; i++) {
      if (i > 0 && sorted[i] !== sorted[i - 1] + 1) runStart = i;
      if (i - runStart + 1 === n) {
        const first = sorted[runStart];
        this.#free = this.#free.filter((f) => f < first || f >= first + n);
        return first;
      }
    }
    throw new OutOfMemory();
  }

  /** Free a run from allocContiguous. All `n` frames are checked first: on error nothing changed. */
  freeContiguous(first: number, n: number): void {
    for (let i = 0; i < n; i++) {
      if (this.#refcount[first + i] !== 1) throw new Error(`contiguous frame ${first + i} not owned`);
    }
    for (let i = 0; i < n; i++) {
      this.#refcount[first + i] = 0;
      this.#released(first + i);
    }
    let runs = this.#freeRuns.get(n);
    if (!runs) this.#freeRuns.set(n, (runs = []));
    runs.push(first);
  }

  #released(frame: number): void {
    if (this.code[frame]) {
      this.code[frame] = 0;
      this.onCodeFrameFreed(frame);
    }
  }

  #freeRunFrames(): number {
    let n = 0;
    for (const [len, runs] of this.#freeRuns) n += len * runs.length;
    return n;
  }

  #ensure(frames: number): void {
    const need = frames * PAGE_SIZE;
    const old = this.byteLength;
    // The limit first: the memory may already extend past it to the end of a wasm page.
    if (need > this.limitBytes + RESERVED_BYTES) throw new OutOfMemory();
    if (need <= old) return;
    const target = Math.min(Math.max(need, old + this.#growChunk), this.limitBytes + RESERVED_BYTES);
    try {
      this.memory.grow(Math.ceil((target - old) / WASM_PAGE));
    } catch {
      throw new OutOfMemory();
    }
    this.#refreshViews();
    for (const fn of this.#listeners) fn(old, this.byteLength);
  }

  #refreshViews(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }
}
