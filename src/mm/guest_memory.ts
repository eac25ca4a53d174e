// The kernel's view of one process's memory: copy in/out, strings, integers, iovecs.
// Every access goes through AddressSpace.kernelTranslate page by page and touches the
// WebAssembly.Memory directly (no FFI per access). A bad address throws GuestFault, which
// the dispatcher turns into EFAULT.
import { bytesToString } from '../abi/bytes.js';
import { AddressSpace, GuestFault } from './address_space.js';
import { PAGE_SIZE, PhysMem } from './physmem.js';


/** A physically contiguous piece of a guest buffer. */
export interface PhysChunk { pa: number; len: number }

/**
 * The chunks of a user buffer of which only a prefix is accessible: the copy the syscall makes
 * faults after them (`truncated`), `requested` bytes were asked for. Linux's copy routines stop
 * at the first bad page; each file type decides what a short copy means (a regular file moves
 * the prefix, a pipe or socket message that crosses the fault is EFAULT).
 */
export interface UserChunks extends Array<PhysChunk> { truncated?: boolean; requested?: number }

/** The copy into or out of these chunks would fault after them. */
export const faultsAfter = (c: readonly PhysChunk[]): boolean => (c as UserChunks).truncated === true;

/** Scatter `src` into the chunks of `u8` (guest physical memory), in order, until either ends. */
export function copyToChunks(u8: Uint8Array, dst: readonly PhysChunk[], src: Uint8Array): void {
  let off = 0;
  for (const c of dst) {
    if (off >= src.length) break;
    const n = Math.min(c.len, src.length - off);
    u8.set(src.subarray(off, off + n), c.pa);
    off += n;
  }
}

/** Gather the chunks of `u8` into `out`, in order, until either ends; returns `out`. */
export function copyFromChunks<T extends Uint8Array>(u8: Uint8Array, src: readonly PhysChunk[], out: T): T {
  let off = 0;
  for (const c of src) {
    if (off >= out.length) break;
    const n = Math.min(c.len, out.length - off);
    out.set(u8.subarray(c.pa, c.pa + n), off);
    off += n;
  }
  return out;
}

export class GuestMemory {
  constructor(readonly mm: AddressSpace, readonly phys: PhysMem) {}

  /** access_ok(addr, len): [addr, addr+len) lies in user space (nothing is touched). */
  rangeOk(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.mm.limit;
  }

  /**
   * The physical chunks of [addr, addr+len), each within one page (adjacent frames are
   * merged). Faults before returning anything if any page is inaccessible.
   */
  chunks(addr: number, len: number, write: boolean): PhysChunk[] {
    const out: PhysChunk[] = [];
    if (len === 0) return out;
    // access_ok(): the whole range lies in user space (no negative or wrapping address).
    if (!(len > 0) || !(addr >= 0) || addr + len > this.mm.limit) throw new GuestFault(addr, write, false);
    let a = addr;
    const end = addr + len;
    while (a < end) {
      const n = Math.min(end - a, PAGE_SIZE - (a % PAGE_SIZE));
      const pa = this.mm.kernelTranslate(a, write);
      const last = out[out.length - 1];
      if (last && last.pa + last.len === pa) last.len += n;
      else out.push({ pa, len: n });
      a += n;
    }
    return out;
  }

  /**
   * The accessible prefix of [addr, addr+len) (UserChunks, `truncated` when shorter); throws
   * GuestFault when not even its first byte is accessible.
   */
  prefixChunks(addr: number, len: number, write: boolean): UserChunks {
    try { return this.chunks(addr, len, write); } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      const ok = e.addr - addr;
      if (!(ok > 0)) throw e;
      const c: UserChunks = this.chunks(addr, ok, write);
      c.truncated = true;
      c.requested = len;
      return c;
    }
  }

  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let off = 0;
    for (const c of this.chunks(addr, len, false)) {
      out.set(this.phys.u8.subarray(c.pa, c.pa + c.len), off);
      off += c.len;
    }
    return out;
  }

  write(addr: number, data: Uint8Array): void {
    let off = 0;
    for (const c of this.chunks(addr, data.length, true)) {
      this.phys.u8.set(data.subarray(off, off + c.len), c.pa);
      off += c.len;
    }
  }

  fill(addr: number, len: number, byte: number): void {
    for (const c of this.chunks(addr, len, true)) this.phys.u8.fill(byte, c.pa, c.pa + c.len);
  }

  /**
   * A NUL-terminated string of at most `max` bytes as a byte string (src/abi/bytes.ts: names
   * are bytes, never decoded). ENAMETOOLONG is the caller's business.
   */
  cstring(addr: number, max = 4096): string {
    return bytesToString(this.cbytes(addr, max));
  }

  cbytes(addr: number, max = 4096): Uint8Array {
    const parts: Uint8Array[] = [];
    let a = addr, total = 0;
    while (total < max) {
      const n = Math.min(max - total, PAGE_SIZE - (a % PAGE_SIZE));
      const pa = this.mm.kernelTranslate(a, false);
      const page = this.phys.u8.subarray(pa, pa + n);
      const z = page.indexOf(0);
      if (z >= 0) { parts.push(page.slice(0, z)); total += z; return concat(parts, total); }
      parts.push(page.slice());
      total += n;
      a += n;
    }
    throw new StringTooLong(addr);
  }

  u8(addr: number): number { return this.phys.u8[this.mm.kernelTranslate(addr, false)]; }

  u32(addr: number): number {
    if (addr % 4 === 0) return this.phys.dv.getUint32(this.mm.kernelTranslate(addr, false), true);
    return new DataView(this.read(addr, 4).buffer).getUint32(0, true);
  }

  i32(addr: number): number { return this.u32(addr) | 0; }

  /** A 64-bit value as a signed number (exact below 2^53). */
  i64(addr: number): number {
    const b = this.read(addr, 8);
    const dv = new DataView(b.buffer);
    return dv.getInt32(4, true) * 4294967296 + dv.getUint32(0, true);
  }

  u64(addr: number): number {
    const b = this.read(addr, 8);
    const dv = new DataView(b.buffer);
    return dv.getUint32(4, true) * 4294967296 + dv.getUint32(0, true);
  }

  setU32(addr: number, v: number): void {
    if (addr % 4 === 0) { this.phys.dv.setUint32(this.mm.kernelTranslate(addr, true), v >>> 0, true); return; }
    const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); this.write(addr, b);
  }

  setI32(addr: number, v: number): void { this.setU32(addr, v | 0); }

  setU64(addr: number, v: number | bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
    this.write(addr, b);
  }

  /** struct iovec[cnt] -> {base, len}[]; EINVAL checks (cnt, total) are the caller's. */
  iovecs(addr: number, cnt: number): { base: number; len: number }[] {
    const raw = this.read(addr, cnt * 16);
    const dv = new DataView(raw.buffer);
    const out = [];
    for (let i = 0; i < cnt; i++) {
      out.push({
        base: dv.getUint32(i * 16 + 4, true) * 4294967296 + dv.getUint32(i * 16, true),
        len: dv.getUint32(i * 16 + 12, true) * 4294967296 + dv.getUint32(i * 16 + 8, true),
      });
    }
    return out;
  }
}

export class StringTooLong extends Error {
  constructor(readonly addr: number) { super('string too long'); }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
