// A shmem object: pages that belong to no one address space (mm/shmem.c's inode behind a
// SysV shm segment or a MAP_SHARED|MAP_ANONYMOUS mapping). Every VMA backed by it maps the
// same frame for the same page, whoever touched the page first and whenever it was mapped.
//
// Invariants: each frame in `#frames` holds one reference of the object's own (page tables
// hold theirs separately), dropped by release(); `maps` is the number of live VMAs backed by
// the object (AddressSpace calls opened/closed for every one it creates or drops).
import type { VmaBacking } from './address_space.js';
import type { PhysMem } from './physmem.js';

export class SharedPages implements VmaBacking {
  /** Page index -> frame, for the pages touched so far. */
  readonly #frames = new Map<number, number>();
  /** Live VMAs mapping the object. */
  maps = 0;
  /** Pieces of one mapping may merge back (shmem: yes; SysV shm segments say no). */
  mergeable = true;
  /** Called after a VMA starts mapping the object (shm_open) and after one stops (shm_close). */
  onOpen: (pid: number) => void = () => {};
  onClose: (pid: number) => void = () => {};

  constructor(readonly phys: PhysMem) {}

  /** Pages with a frame (shm_rss). */
  get resident(): number { return this.#frames.size; }

  frame(page: number): number {
    let f = this.#frames.get(page);
    if (f === undefined) { f = this.phys.allocFrame(); this.#frames.set(page, f); }
    return f;
  }

  peek(page: number): number | undefined { return this.#frames.get(page); }

  opened(pid: number): void { this.maps++; this.onOpen(pid); }

  closed(pid: number): void { this.maps--; this.onClose(pid); }

  /** Drop the object's own references; pages still mapped live on in those page tables. */
  release(): void {
    for (const f of this.#frames.values()) this.phys.unref(f);
    this.#frames.clear();
  }
}

/** The object behind one MAP_SHARED|MAP_ANONYMOUS mmap: freed with its last mapping. */
export function anonymousShared(phys: PhysMem): SharedPages {
  const obj = new SharedPages(phys);
  obj.onClose = () => { if (obj.maps === 0) obj.release(); };
  return obj;
}
