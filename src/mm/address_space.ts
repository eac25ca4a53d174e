// A process's virtual address space: VMAs plus a page table of refcounted frames.
//
// Invariants:
// - `#vmas` is sorted by start, non-overlapping, every bound page-aligned, none empty.
// - No two adjacent VMAs have equal prot, sharing and name: every change (map, protect,
//   extend) merges across the boundaries it touched, as mm/mmap.c vma_merge does.
// - Every page-table entry lies inside some VMA; a page of a VMA with no entry is
//   demand-zero (allocated on first touch by the CPU or the kernel).
// - A frame mapped in more than one page table (refcount > 1) of a private VMA is copy-on-write:
//   translations of it are handed out without UC_PROT_WRITE, and a write copies it first.
// - Any change that can invalidate a translation calls `onFlush` (the engine flushes its TLB).
// - A VMA with a `backing` (a shmem object: SysV shm, MAP_SHARED|MAP_ANONYMOUS) is shared; a
//   page of it with no entry takes the object's frame for page `pgoff + (addr - start) / 4096`.
//   The object hears of every VMA that starts or stops mapping it (opened/closed: a new map,
//   a fork's copy, a split piece; an unmap, a merge that absorbs it, exit, exec), as Linux's
//   vm_ops->open/close, so it counts its mappings (shm_nattch) and can be freed after the last.
import { OutOfMemory, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PhysMem } from './physmem.js';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** UC_MEM_* access types as delivered by the TLB-fill hook. */
export const ACCESS_READ = 16;
export const ACCESS_WRITE = 17;
export const ACCESS_FETCH = 18;

export interface Vma {
  start: number;
  end: number;
  prot: number;
  /** MAP_SHARED: frames are never copied on write. */
  shared: boolean;
  /** What /proc/self/maps would show: '[heap]', '[stack]', a path, or ''. */
  name: string;
  /** File mappings: pages from here on lie wholly beyond the file's end (access: SIGBUS). */
  busFrom?: number;
  /** The shared object whose pages this VMA maps (shared VMAs only), from page `pgoff` of it. */
  backing?: VmaBacking;
  pgoff?: number;
  /** The protections mprotect may grant (VM_MAY*); absent: any. A read-only attach lacks PROT_WRITE. */
  maxProt?: number;
}

/**
 * Pages that exist outside any one address space (Linux's shmem inode behind a SysV segment
 * or a shared anonymous mapping): every VMA mapping page N of the object maps the same frame.
 */
export interface VmaBacking {
  /** The frame of page `page`, allocated zeroed on first use; the object keeps its own reference. */
  frame(page: number): number;
  /** The frame of page `page` if it has one (kernel reads of an untouched page read zeroes). */
  peek(page: number): number | undefined;
  /** A VMA now maps the object; `pid` is the process doing it (shm_open). */
  opened(pid: number): void;
  /** A VMA mapping the object went away (shm_close). */
  closed(pid: number): void;
  /** Whether adjacent pieces may merge back into one VMA (not for SysV shm: shm_vm_ops has close). */
  readonly mergeable: boolean;
}

/** A backed range for map(): the object, the page of it that maps at `start`, and VM_MAY* limits. */
export interface Backed { backing: VmaBacking; pgoff: number; maxProt?: number }

/** A guest access the address space refused; syscalls turn it into EFAULT, the CPU into SIGSEGV. */
export class GuestFault extends Error {
  constructor(readonly addr: number, readonly write: boolean, readonly mapped: boolean) {
    super(`guest fault at 0x${addr.toString(16)}`);
  }
}

export const pageDown = (a: number) => a - (a % PAGE_SIZE);
export const pageUp = (a: number) => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

let nextMmId = 1;

export class AddressSpace {
  /** Names this address space in futex keys (private futexes are per mm, as in Linux). */
  readonly id = nextMmId++;
  #vmas: Vma[] = [];
  /** Virtual page number -> frame. */
  readonly pt = new Map<number, number>();
  #last: Vma | undefined;
  /** Protection bits of the last successful translate(). */
  lastPerms = 0;
  /** Set by translate() when it copied a shared frame (copy-on-write); for tests and tracing. */
  cowBroken = false;
  onFlush: () => void = () => {};
  /** Called when the kernel writes a frame the CPU has executed from. */
  onCodeWrite: () => void = () => {};
  /** The process using this address space (set by the kernel), named to backing objects. */
  pid = 0;
  brkStart = 0;
  brk = 0;
  mmapBase = 0;
  /** Lowest address mmap may place a mapping at without MAP_FIXED. */
  mmapMin = 0x10000;
  readonly limit: number;

  constructor(readonly phys: PhysMem, limit: number) { this.limit = limit; }

  get vmas(): readonly Vma[] { return this.#vmas; }

  find(addr: number): Vma | undefined {
    const l = this.#last;
    if (l && addr >= l.start && addr < l.end) return l;
    const v = this.#vmas;
    let lo = 0, hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid];
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return (this.#last = m);
    }
    return undefined;
  }

  /**
   * Translate for the CPU or the kernel. Returns the physical address, or -1 if the VMA
   * is missing or forbids the access. Allocates demand-zero frames and breaks COW; with
   * `zeroRead` (the kernel reading) a page with no frame yet reads the shared zero frame and
   * nothing is allocated.
   */
  translate(vaddr: number, type: number, zeroRead = false): number {
    const vma = this.find(vaddr);
    if (!vma) return -1;
    if (vma.busFrom !== undefined && vaddr >= vma.busFrom) return -1;
    const need = type === ACCESS_WRITE ? PROT_WRITE : type === ACCESS_FETCH ? PROT_EXEC : PROT_READ;
    // Neither x86_64 nor arm64 page tables can say write-only: PROT_WRITE pages are readable.
    const prot = vma.prot & PROT_WRITE ? vma.prot | PROT_READ : vma.prot;
    if ((prot & need) === 0) return -1;
    const vpn = Math.floor(vaddr / PAGE_SIZE);
    let frame = this.pt.get(vpn);
    let perms = prot;
    if (frame === undefined) {
      const b = vma.backing;
      if (b) {
        const page = vma.pgoff! + vpn - vma.start / PAGE_SIZE;
        frame = zeroRead ? b.peek(page) : b.frame(page);
        if (frame === undefined) return this.phys.zeroFrame * PAGE_SIZE + (vaddr & PAGE_MASK);
        this.phys.ref(frame);
      } else {
        if (zeroRead) return this.phys.zeroFrame * PAGE_SIZE + (vaddr & PAGE_MASK);
        frame = this.phys.allocFrame();
      }
      this.pt.set(vpn, frame);
    } else if (!vma.shared && this.phys.refs(frame) > 1) {
      if (type === ACCESS_WRITE) {
        const copy = this.phys.copyFrame(frame);
        this.phys.unref(frame);
        frame = copy;
        this.pt.set(vpn, frame);
        this.cowBroken = true;
        // Other translations of this page (the kernel's view, or aarch64's 1 KiB TLB pages
        // of the same 4 KiB frame) still point at the shared frame: drop them all.
        this.onFlush();
      } else {
        perms &= ~PROT_WRITE;
      }
    }
    if (type === ACCESS_FETCH) this.phys.code[frame] = 1;
    this.lastPerms = perms;
    return frame * PAGE_SIZE + (vaddr & PAGE_MASK);
  }

  /**
   * Physical address for a kernel access; throws GuestFault. Notes writes to code frames. A
   * kernel read of a page that has no frame yet reads the zero frame and allocates nothing.
   */
  kernelTranslate(vaddr: number, write: boolean): number {
    if (!(vaddr >= 0 && vaddr < this.limit)) throw new GuestFault(vaddr, write, false);
    const pa = write ? this.translate(vaddr, ACCESS_WRITE) : this.translate(vaddr, ACCESS_READ, true);
    if (pa < 0) throw new GuestFault(vaddr, write, this.find(vaddr) !== undefined);
    if (write && this.phys.code[pa >>> PAGE_SHIFT]) this.onCodeWrite();
    return pa;
  }

  /**
   * Physical address for a debugger's access (/proc/<pid>/mem, FOLL_FORCE): any mapped page,
   * whatever its protection; a write to a private page breaks COW as a write fault would.
   * -1 if nothing is mapped there (or past a file's end).
   */
  forceTranslate(vaddr: number, write: boolean): number {
    const vma = this.find(vaddr);
    if (!vma || (vma.busFrom !== undefined && vaddr >= vma.busFrom)) return -1;
    const prot = vma.prot;
    vma.prot = PROT_READ | PROT_WRITE | (prot & PROT_EXEC);
    try { return this.kernelTranslate(vaddr, write); } catch { return -1; } finally { vma.prot = prot; }
  }

  /** Would an access at `addr` be a SIGBUS (a file mapping's page past the end of the file)? */
  isBusAddress(addr: number): boolean {
    const v = this.find(addr);
    return !!v && v.busFrom !== undefined && addr >= v.busFrom;
  }

  /** Is [start, end) free of VMAs? */
  isFree(start: number, end: number): boolean {
    for (const v of this.#vmas) if (v.start < end && v.end > start) return false;
    return true;
  }

  /** Highest free gap of `len` bytes below `below` and at or above mmapMin. */
  findFree(len: number, below = this.mmapBase): number {
    let top = below;
    for (let i = this.#vmas.length - 1; i >= 0; i--) {
      const v = this.#vmas[i];
      if (v.start >= top) continue;
      if (v.end <= top - len) break;
      top = v.start;
    }
    const at = top - len;
    if (at < this.mmapMin) throw new OutOfMemory();
    return at;
  }

  /**
   * Map [start, start+len) (page-aligned), replacing whatever was there. Returns the VMA now
   * covering it, which may be a neighbour the new range merged into.
   */
  map(start: number, len: number, prot: number, shared: boolean, name: string, backed?: Backed): Vma {
    this.unmap(start, len);
    const vma: Vma = { start, end: start + len, prot, shared, name };
    if (backed) {
      vma.backing = backed.backing;
      vma.pgoff = backed.pgoff;
      if (backed.maxProt !== undefined) vma.maxProt = backed.maxProt;
      backed.backing.opened(this.pid);
    }
    const i = this.#vmas.findIndex((v) => v.start > start);
    this.#vmas.splice(i < 0 ? this.#vmas.length : i, 0, vma);
    this.#merge(vma.start, vma.end);
    return this.find(start)!;
  }

  /** Remove every mapping in [start, start+len); frames are released. */
  unmap(start: number, len: number): void {
    const end = start + len;
    if (!this.#split(start, end)) return;
    this.#remove(start, end);
    this.#dropPages(start, end);
    this.onFlush();
  }

  /** Drop the VMAs lying inside [start, end) (already split there), telling their objects. */
  #remove(start: number, end: number): void {
    const keep: Vma[] = [];
    for (const v of this.#vmas) {
      if (v.end <= start || v.start >= end) keep.push(v);
      else v.backing?.closed(this.pid);
    }
    this.#vmas = keep;
    this.#last = undefined;
  }

  /** Change protection of [start, start+len); false (ENOMEM) if part of it is unmapped. */
  protect(start: number, len: number, prot: number): boolean {
    const end = start + len;
    if (!this.isCovered(start, end)) return false;
    this.#split(start, end);
    for (const v of this.#vmas) if (v.start >= start && v.end <= end) v.prot = prot;
    // mprotect_fixup -> vma_merge: the pieces rejoin their neighbours (and each other) when
    // the new protection makes them equal, so protecting back restores one VMA.
    this.#merge(start, end);
    this.onFlush();
    return true;
  }

  /** Do the VMAs in [start, end) all allow `prot` (their VM_MAY* bits)? mprotect's EACCES otherwise. */
  mayProtect(start: number, end: number, prot: number): boolean {
    for (const v of this.#vmas) if (v.start < end && v.end > start && v.maxProt !== undefined && (prot & ~v.maxProt)) return false;
    return true;
  }

  isCovered(start: number, end: number): boolean {
    let at = start;
    for (const v of this.#vmas) {
      if (v.end <= at) continue;
      if (v.start > at) return false;
      at = v.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /** Move the pages of [from, from+len) to [to, to+len) without copying data (mremap). */
  move(from: number, len: number, to: number): void {
    const src = this.find(from)!;
    const entries: [number, number][] = [];
    const fromVpn = from / PAGE_SIZE, n = len / PAGE_SIZE, toVpn = to / PAGE_SIZE;
    this.#forEachPage(from, from + len, (vpn, frame) => entries.push([vpn, frame]));
    for (const [vpn] of entries) this.pt.delete(vpn);
    const backed = src.backing ? { backing: src.backing, pgoff: src.pgoff! + (from - src.start) / PAGE_SIZE, maxProt: src.maxProt } : undefined;
    this.#split(from, from + len);
    // The new VMA opens the object before the old one closes: its mapping count never
    // passes through 0 (which would free an anonymous or removed segment).
    this.map(to, len, src.prot, src.shared, src.name, backed);
    this.#remove(from, from + len);
    for (const [vpn, frame] of entries) if (vpn - fromVpn < n) this.pt.set(vpn - fromVpn + toVpn, frame);
    this.onFlush();
  }

  /** Grow the VMA ending at `end` by `extra` bytes in place (caller checked it is free). */
  extend(vma: Vma, extra: number): void {
    vma.end += extra;
    this.#merge(vma.start, vma.end);
  }

  /** A copy for fork: same VMAs, frames shared (COW for private VMAs). */
  fork(): AddressSpace {
    const child = new AddressSpace(this.phys, this.limit);
    child.#vmas = this.#vmas.map((v) => ({ ...v }));
    // dup_mmap -> vm_ops->open in the parent's context (shm_open records the parent's pid).
    for (const v of child.#vmas) v.backing?.opened(this.pid);
    for (const [vpn, frame] of this.pt) { this.phys.ref(frame); child.pt.set(vpn, frame); }
    child.brkStart = this.brkStart; child.brk = this.brk; child.mmapBase = this.mmapBase; child.mmapMin = this.mmapMin;
    this.onFlush(); // our writable translations must now fault to break COW
    return child;
  }

  /** Release everything (exit, exec). */
  destroy(): void {
    for (const frame of this.pt.values()) this.phys.unref(frame);
    this.pt.clear();
    for (const v of this.#vmas) v.backing?.closed(this.pid);
    this.#vmas = [];
    this.#last = undefined;
  }

  #forEachPage(start: number, end: number, fn: (vpn: number, frame: number) => void): void {
    const lo = start / PAGE_SIZE, hi = end / PAGE_SIZE;
    if (hi - lo <= this.pt.size) {
      for (let vpn = lo; vpn < hi; vpn++) { const f = this.pt.get(vpn); if (f !== undefined) fn(vpn, f); }
    } else {
      for (const [vpn, f] of this.pt) if (vpn >= lo && vpn < hi) fn(vpn, f);
    }
  }

  #dropPages(start: number, end: number): void {
    const drop: number[] = [];
    this.#forEachPage(start, end, (vpn) => drop.push(vpn));
    for (const vpn of drop) { this.phys.unref(this.pt.get(vpn)!); this.pt.delete(vpn); }
  }

  /** Split VMAs so that `start` and `end` are VMA bounds; returns whether any VMA overlaps. */
  #split(start: number, end: number): boolean {
    let any = false;
    const out: Vma[] = [];
    for (const v of this.#vmas) {
      if (v.end <= start || v.start >= end) { out.push(v); continue; }
      any = true;
      const lo = Math.max(v.start, start), hi = Math.min(v.end, end);
      const piece = (s: number, e: number): Vma => {
        const p = { ...v, start: s, end: e };
        if (v.backing) p.pgoff = v.pgoff! + (s - v.start) / PAGE_SIZE;
        return p;
      };
      if (v.start < start) out.push(piece(v.start, start));
      out.push(piece(lo, hi));
      if (v.end > end) out.push(piece(end, v.end));
      // Each extra piece is one more mapping of the object (split_vma -> vm_ops->open).
      if (v.backing) for (let n = (v.start < start ? 1 : 0) + (v.end > end ? 1 : 0); n > 0; n--) v.backing.opened(this.pid);
    }
    this.#vmas = out;
    this.#last = undefined;
    return any;
  }

  /**
   * Join adjacent VMAs with equal prot, sharing and name at every boundary lying in
   * [start, end] (both ends included: the changed range's outer edges are where it meets
   * prev and next). As in mm/mmap.c vma_merge case 1, prev, the range and next can all
   * become one VMA; the leftmost object survives and absorbs the others. Backed VMAs join
   * only pieces of a mergeable object at consecutive pages (is_mergeable_vma + the pgoff
   * check); an absorbed piece is one mapping fewer.
   */
  #merge(start: number, end: number): void {
    const out: Vma[] = [];
    for (const v of this.#vmas) {
      const prev = out[out.length - 1];
      if (prev && prev.end === v.start && v.start >= start && v.start <= end
        && prev.prot === v.prot && prev.shared === v.shared && prev.name === v.name && prev.backing === v.backing
        && prev.maxProt === v.maxProt
        && (!v.backing || (v.backing.mergeable && prev.pgoff! + (prev.end - prev.start) / PAGE_SIZE === v.pgoff))) {
        prev.end = v.end;
        v.backing?.closed(this.pid);
      } else out.push(v);
    }
    this.#vmas = out;
    this.#last = undefined;
  }
}
