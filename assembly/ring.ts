// Byte ring buffers living in guest physical memory (the data path of pipes and sockets).
//
// Layout of a ring at physical offset `r` (all fields little-endian u32):
//   r+0   head   free-running count of bytes ever written
//   r+4   tail   free-running count of bytes ever read (consumed)
//   r+8   cap    number of data bytes; a power of two, MIN_CAP <= cap <= MAX_CAP
//   r+12  flags  opaque to this module (owned by the kernel: EOF/shutdown bits etc.)
//   r+16  data   cap bytes; stream position p lives at data[p & (cap - 1)]
//
// Invariants (xv6-style free-running indices):
// - used = head - tail computed in u32 arithmetic, so head/tail may wrap past 2^32 freely;
//   this is exact because cap <= 2^30 < 2^32.
// - 0 <= used <= cap; free = cap - used.
// - Bytes [tail, head) are the readable stream; [head, tail + cap) is writable space.
// - Every copy is at most two memory.copy calls (one per side of the wrap point); ringTransfer
//   moves between two rings with at most four.
//
// Record mode (datagram / seqpacket boundaries): the stream holds a sequence of
//   [u32 LE length L][L payload bytes]
// records; a header may itself straddle the wrap point. A ring is used either as a plain byte
// stream or as a record stream, never both. Between recordBegin(r, L) and the recordAppend
// calls that supply exactly L bytes, the ring is in an inconsistent state: the caller (the
// single-threaded kernel) must finish the record before anyone reads it.
//
// Nothing here validates `r`, `src` or `dst`: an out-of-bounds address traps (RuntimeError in
// the host), which is a kernel bug, never a guest-triggered condition.

const HEAD: u32 = 0;
const TAIL: u32 = 4;
const CAP: u32 = 8;
const FLAGS: u32 = 12;
const DATA: u32 = 16;
const RECORD_HDR: u32 = 4;
const MIN_CAP: u32 = 16;
const MAX_CAP: u32 = 1 << 30;

@inline function getHead(r: u32): u32 { return load<u32>(r, HEAD); }
@inline function getTail(r: u32): u32 { return load<u32>(r, TAIL); }
@inline function getCap(r: u32): u32 { return load<u32>(r, CAP); }
@inline function setHead(r: u32, v: u32): void { store<u32>(r, v, HEAD); }
@inline function setTail(r: u32, v: u32): void { store<u32>(r, v, TAIL); }
@inline function used(r: u32): u32 { return getHead(r) - getTail(r); }

/** Copies `n` bytes from physical `src` into the ring at stream position `pos` (no index update). */
@inline function copyIn(r: u32, pos: u32, src: u32, n: u32): void {
  const cap = getCap(r);
  const off = pos & (cap - 1);
  const first = min<u32>(n, cap - off);
  memory.copy(r + DATA + off, src, first);
  if (n > first) memory.copy(r + DATA, src + first, n - first);
}

/** Copies `n` bytes of the ring starting at stream position `pos` to physical `dst`. */
@inline function copyOut(r: u32, pos: u32, dst: u32, n: u32): void {
  const cap = getCap(r);
  const off = pos & (cap - 1);
  const first = min<u32>(n, cap - off);
  memory.copy(dst, r + DATA + off, first);
  if (n > first) memory.copy(dst + first, r + DATA, n - first);
}

/** The u32 LE stored at stream position `pos` (may straddle the wrap point). */
function loadU32At(r: u32, pos: u32): u32 {
  const mask = getCap(r) - 1;
  const off = pos & mask;
  if (off + RECORD_HDR <= mask + 1) return load<u32>(r + DATA + off);
  const d = r + DATA;
  return (<u32>load<u8>(d + off))
    | (<u32>load<u8>(d + ((pos + 1) & mask)) << 8)
    | (<u32>load<u8>(d + ((pos + 2) & mask)) << 16)
    | (<u32>load<u8>(d + ((pos + 3) & mask)) << 24);
}

function storeU32At(r: u32, pos: u32, v: u32): void {
  const mask = getCap(r) - 1;
  const off = pos & mask;
  if (off + RECORD_HDR <= mask + 1) {
    store<u32>(r + DATA + off, v);
    return;
  }
  const d = r + DATA;
  store<u8>(d + off, <u8>v);
  store<u8>(d + ((pos + 1) & mask), <u8>(v >>> 8));
  store<u8>(d + ((pos + 2) & mask), <u8>(v >>> 16));
  store<u8>(d + ((pos + 3) & mask), <u8>(v >>> 24));
}

// ---------------------------------------------------------------------------------------------
// Plain byte stream

/**
 * Initialises an empty ring whose free-running indices start at `start` (0 normally; tests
 * start near 0xFFFFFFF0 to exercise the u32 wrap). Returns 0, or -1 when `cap` is not a power
 * of two in [16, 2^30] (the ring is then left untouched). Flags are cleared.
 */
export function ringInitAt(r: u32, cap: u32, start: u32): i32 {
  if (cap < MIN_CAP || cap > MAX_CAP || (cap & (cap - 1)) != 0) return -1;
  setHead(r, start);
  setTail(r, start);
  store<u32>(r, cap, CAP);
  store<u32>(r, 0, FLAGS);
  return 0;
}

/** ringInitAt(r, cap, 0). */
export function ringInit(r: u32, cap: u32): i32 {
  return ringInitAt(r, cap, 0);
}

export function ringUsed(r: u32): u32 { return used(r); }
export function ringFree(r: u32): u32 { return getCap(r) - used(r); }
export function ringCap(r: u32): u32 { return getCap(r); }
export function ringHead(r: u32): u32 { return getHead(r); }
export function ringTail(r: u32): u32 { return getTail(r); }
export function ringFlags(r: u32): u32 { return load<u32>(r, FLAGS); }
export function ringSetFlags(r: u32, flags: u32): void { store<u32>(r, flags, FLAGS); }

/** Appends min(len, free) bytes from physical `src`; returns that count. */
export function ringWrite(r: u32, src: u32, len: u32): u32 {
  const head = getHead(r);
  const n = min<u32>(len, getCap(r) - (head - getTail(r)));
  copyIn(r, head, src, n);
  setHead(r, head + n);
  return n;
}

/** Moves min(len, used) bytes to physical `dst` and consumes them; returns that count. */
export function ringRead(r: u32, dst: u32, len: u32): u32 {
  const tail = getTail(r);
  const n = min<u32>(len, getHead(r) - tail);
  copyOut(r, tail, dst, n);
  setTail(r, tail + n);
  return n;
}

/**
 * Copies up to `len` bytes starting `skip` bytes past the tail to physical `dst`, without
 * consuming; returns the count (0 when skip >= used).
 */
export function ringPeek(r: u32, dst: u32, len: u32, skip: u32): u32 {
  const tail = getTail(r);
  const u = getHead(r) - tail;
  if (skip >= u) return 0;
  const n = min<u32>(len, u - skip);
  copyOut(r, tail + skip, dst, n);
  return n;
}

/** Consumes min(len, used) bytes without copying them; returns that count. */
export function ringDiscard(r: u32, len: u32): u32 {
  const tail = getTail(r);
  const n = min<u32>(len, getHead(r) - tail);
  setTail(r, tail + n);
  return n;
}

/**
 * Marks min(n, free) bytes past the head as written, for a caller (the TS wrapper) that
 * filled them in place in the data area; returns that count.
 */
export function ringProduce(r: u32, n: u32): u32 {
  const head = getHead(r);
  const k = min<u32>(n, getCap(r) - (head - getTail(r)));
  setHead(r, head + k);
  return k;
}

/**
 * Moves min(len, used(src), free(dst)) bytes from ring `src` to ring `dst` (consuming them from
 * `src`); returns that count. Raw bytes move, so record headers travel intact: transferring a
 * whole record ring into a bigger one preserves its records (used by resize). `src` != `dst`.
 */
export function ringTransfer(dst: u32, src: u32, len: u32): u32 {
  const sTail = getTail(src);
  const dHead = getHead(dst);
  const n = min<u32>(min<u32>(len, getHead(src) - sTail), getCap(dst) - (dHead - getTail(dst)));
  const sCap = getCap(src);
  const sOff = sTail & (sCap - 1);
  const first = min<u32>(n, sCap - sOff);
  copyIn(dst, dHead, src + DATA + sOff, first);
  if (n > first) copyIn(dst, dHead + first, src + DATA, n - first);
  setHead(dst, dHead + n);
  setTail(src, sTail + n);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Record stream

/**
 * Reserves a record of `len` payload bytes: writes its header and advances head past it.
 * Returns 0, or -1 (nothing written) unless 4 + len bytes are free. The caller must then
 * supply exactly `len` bytes with recordAppend before the record is read.
 */
export function recordBegin(r: u32, len: i32): i32 {
  const head = getHead(r);
  const free = getCap(r) - (head - getTail(r));
  if (len < 0 || free < RECORD_HDR || <u32>len > free - RECORD_HDR) return -1;
  storeU32At(r, head, <u32>len);
  setHead(r, head + RECORD_HDR);
  return 0;
}

/** Appends `n` payload bytes of the record opened by recordBegin; returns the count copied. */
export function recordAppend(r: u32, src: u32, n: u32): u32 {
  return ringWrite(r, src, n);
}

/** Writes a whole record (header + `len` bytes from `src`) if it fits; returns len or -1. */
export function recordWrite(r: u32, src: u32, len: i32): i32 {
  if (recordBegin(r, len) < 0) return -1;
  ringWrite(r, src, <u32>len);
  return len;
}

/** Payload length of the record at the tail, or -1 when the ring is empty. */
export function recordNextLen(r: u32): i32 {
  if (used(r) < RECORD_HDR) return -1;
  return <i32>loadU32At(r, getTail(r));
}

/**
 * Copies up to `len` bytes starting `skip` bytes into the current record's payload to `dst`,
 * without consuming anything; returns the count (0 when there is no record or skip >= its
 * length).
 */
export function recordRead(r: u32, dst: u32, len: u32, skip: u32): u32 {
  const tail = getTail(r);
  if (getHead(r) - tail < RECORD_HDR) return 0;
  const l = loadU32At(r, tail);
  if (skip >= l) return 0;
  const n = min<u32>(len, l - skip);
  copyOut(r, tail + RECORD_HDR + skip, dst, n);
  return n;
}

/** Drops the whole current record; returns its payload length, or -1 when empty. */
export function recordConsume(r: u32): i32 {
  const tail = getTail(r);
  if (getHead(r) - tail < RECORD_HDR) return -1;
  const l = loadU32At(r, tail);
  setTail(r, tail + RECORD_HDR + l);
  return <i32>l;
}
