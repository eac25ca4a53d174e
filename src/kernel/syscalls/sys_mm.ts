// Memory-management syscalls: brk, mmap, munmap, mprotect, mremap, madvise, msync, mlock
// (mm/mmap.c, mm/mprotect.c, mm/mremap.c). Every change flushes the engine's TLB through
// AddressSpace.onFlush.
import { type Backed, pageUp, PROT_READ, PROT_WRITE, type Vma } from '../../mm/address_space.js';
import { OutOfMemory, PAGE_SIZE } from '../../mm/physmem.js';
import { anonymousShared } from '../../mm/shared_pages.js';
import { MADV, MAP, MREMAP, PROT } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { HostFile } from '../vfs/hostfs.js';
import { DeviceFile } from '../vfs/devices.js';
import * as fs from 'node:fs';

const { MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE, MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE } = MAP;
const { MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP } = MREMAP;
const PROT_VALID = PROT.PROT_READ | PROT.PROT_WRITE | PROT.PROT_EXEC | PROT.PROT_SEM;

const aligned = (a: number) => a % PAGE_SIZE === 0;
/** The pages of `v`'s shared object that continue it at address `at` (mremap's growth). */
const backedAt = (v: Vma, at: number): Backed | undefined =>
  v.backing ? { backing: v.backing, pgoff: v.pgoff! + (at - v.start) / PAGE_SIZE } : undefined;

export const mmCalls = {
  /** brk(2): returns the new break, or the old one when the request cannot be met */
  brk(t: Task, [addr]: number[]): SyscallResult {
    const mm = t.proc.mm;
    if (addr < mm.brkStart || addr >= mm.mmapBase) return mm.brk;
    const oldTop = pageUp(mm.brk), newTop = pageUp(addr);
    if (newTop > oldTop) {
      if (!mm.isFree(oldTop, newTop)) return mm.brk;
      try { mm.map(oldTop, newTop - oldTop, PROT_READ | PROT_WRITE, false, '[heap]'); } catch (e) {
        if (e instanceof OutOfMemory) return mm.brk;
        throw e;
      }
    } else if (newTop < oldTop) {
      mm.unmap(newTop, oldTop - newTop);
    }
    mm.brk = addr;
    return addr;
  },
  /** mmap(2) */
  mmap(t: Task, [addr, len, prot, flags, fd, off]: number[]): SyscallResult {
    const mm = t.proc.mm;
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -Errno.EINVAL;
    if (len === 0 || !aligned(off) || off < 0) return -Errno.EINVAL;
    if (len < 0) return -Errno.ENOMEM; // a size_t of 2^63 or more: larger than any address space
    if (prot & ~PROT_VALID & ~PROT.PROT_GROWSDOWN & ~PROT.PROT_GROWSUP) return -Errno.EINVAL;
    const size = pageUp(len);
    if (size > mm.limit) return -Errno.ENOMEM;
    const anon = (flags & MAP_ANONYMOUS) !== 0;
    let file: HostFile | undefined;
    if (!anon) {
      const f = t.proc.fds.get(fd | 0);
      if (!f) return -Errno.EBADF;
      if (f instanceof DeviceFile && f.kind === 'zero') { /* /dev/zero maps as anonymous memory */ }
      else if (!(f instanceof HostFile) || !f.seekable) return -Errno.ENODEV;
      else file = f;
      if (!f.readable) return -Errno.EACCES;
      if (type !== MAP_PRIVATE && (prot & PROT_WRITE) && !f.writable) return -Errno.EACCES;
    }
    let at: number;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
      if (!aligned(addr)) return -Errno.EINVAL;
      if (addr + size > mm.limit || addr < 0) return -Errno.ENOMEM;
      if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && !mm.isFree(addr, addr + size)) return -Errno.EEXIST;
      at = addr;
    } else if (addr && aligned(addr) && addr >= mm.mmapMin && addr + size <= mm.limit && mm.isFree(addr, addr + size)) {
      at = addr;
    } else {
      try { at = mm.findFree(size); } catch { return -Errno.ENOMEM; }
    }
    const shared = type !== MAP_PRIVATE && !!file;
    // MAP_SHARED without a file (anonymous, or /dev/zero: shmem_zero_setup) maps a shmem
    // object of its own, so a fork child and its parent see the same pages even when the
    // first touch comes after the fork. /proc/<pid>/maps names it as Linux does.
    const shmem = type !== MAP_PRIVATE && !file ? { backing: anonymousShared(t.kernel.phys), pgoff: 0 } : undefined;
    mm.map(at, size, file ? prot | PROT_WRITE : prot, shared || !!shmem, file ? file.path : shmem ? '/dev/zero (deleted)' : '', shmem);
    if (file) {
      // File contents are copied in at map time; writes through a MAP_SHARED mapping stay in
      // guest memory (not written back to the host file).
      const fileSize = fs.fstatSync(file.hostFd).size;
      const buf = Buffer.alloc(Math.min(size, Math.max(0, fileSize - off)));
      if (buf.length > 0) {
        const n = fs.readSync(file.hostFd, buf, 0, buf.length, off);
        t.mem.write(at, buf.subarray(0, n));
      }
      if (!(prot & PROT_WRITE)) mm.protect(at, size, prot);
      // Pages wholly beyond the end of the file raise SIGBUS when touched (filemap_fault).
      const inFile = pageUp(Math.max(0, fileSize - off));
      if (inFile < size) {
        const v = mm.find(at + inFile);
        if (v) { mm.protect(at + inFile, size - inFile, prot); mm.find(at + inFile)!.busFrom = at + inFile; }
      }
    }
    return at;
  },
  /** munmap(2) */
  munmap(t: Task, [addr, len]: number[]): SyscallResult {
    if (!aligned(addr) || len <= 0 || addr + len > t.proc.mm.limit) return -Errno.EINVAL;
    t.proc.mm.unmap(addr, pageUp(len));
    return 0;
  },
  /** mprotect(2) */
  mprotect(t: Task, [addr, len, prot]: number[]): SyscallResult {
    if (!aligned(addr) || len < 0) return -Errno.EINVAL;
    if (prot & ~PROT_VALID & ~PROT.PROT_GROWSDOWN & ~PROT.PROT_GROWSUP) return -Errno.EINVAL;
    if (len === 0) return 0;
    const size = pageUp(len);
    if (addr + size > t.proc.mm.limit) return -Errno.ENOMEM;
    if (!t.proc.mm.isCovered(addr, addr + size)) return -Errno.ENOMEM;
    if (!t.proc.mm.mayProtect(addr, addr + size, prot & 7)) return -Errno.EACCES;
    return t.proc.mm.protect(addr, size, prot & 7) ? 0 : -Errno.ENOMEM;
  },
  /** mremap(2) */
  mremap(t: Task, [old, oldLen, newLen, flags, newAddr]: number[]): SyscallResult {
    const mm = t.proc.mm;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -Errno.EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -Errno.EINVAL;
    if (flags & MREMAP_DONTUNMAP) return -Errno.EINVAL;
    if (!aligned(old) || newLen <= 0) return -Errno.EINVAL;
    const oldSize = pageUp(oldLen), newSize = pageUp(newLen);
    const vma = mm.find(old);
    if (!vma || old + oldSize > vma.end) return -Errno.EFAULT;
    if (flags & MREMAP_FIXED) {
      if (!aligned(newAddr) || (newAddr < old + oldSize && newAddr + newSize > old)) return -Errno.EINVAL;
      mm.unmap(newAddr, newSize);
      return moveTo(t, old, oldSize, newSize, newAddr);
    }
    if (newSize <= oldSize) {
      if (newSize < oldSize) mm.unmap(old + newSize, oldSize - newSize);
      return old;
    }
    const tail = old + oldSize;
    if (vma.end === tail && mm.isFree(tail, old + newSize) && old + newSize <= mm.limit) {
      mm.map(tail, newSize - oldSize, vma.prot, vma.shared, vma.name, backedAt(vma, tail));
      return old;
    }
    if (!(flags & MREMAP_MAYMOVE)) return -Errno.ENOMEM;
    let to: number;
    try { to = mm.findFree(newSize); } catch { return -Errno.ENOMEM; }
    return moveTo(t, old, oldSize, newSize, to);
  },
  /** madvise(2): MADV_DONTNEED/MADV_FREE drop private pages (they read back as zero) */
  madvise(t: Task, [addr, len, advice]: number[]): SyscallResult {
    if (!aligned(addr) || len < 0) return -Errno.EINVAL;
    const mm = t.proc.mm;
    const size = pageUp(len);
    if (advice === MADV.MADV_DONTNEED || advice === MADV.MADV_FREE) {
      if (!mm.isCovered(addr, addr + size)) return -Errno.ENOMEM;
      for (const v of mm.vmas) {
        if (v.end <= addr || v.start >= addr + size || v.shared) continue;
        const lo = Math.max(v.start, addr), hi = Math.min(v.end, addr + size);
        const { prot, name } = v;
        mm.map(lo, hi - lo, prot, false, name);
      }
      return 0;
    }
    if (advice < 0 || advice > MADV.MADV_POPULATE_WRITE) return -Errno.EINVAL;
    return 0;
  },
  /** msync(2) */
  msync(t: Task, [addr, len]: number[]): SyscallResult {
    if (!aligned(addr)) return -Errno.EINVAL;
    return t.proc.mm.isCovered(addr, addr + pageUp(len)) ? 0 : -Errno.ENOMEM;
  },
  mlock: (): SyscallResult => 0,
  munlock: (): SyscallResult => 0,
  mlockall: (): SyscallResult => 0,
  munlockall: (): SyscallResult => 0,
};

function moveTo(t: Task, old: number, oldSize: number, newSize: number, to: number): number {
  const mm = t.proc.mm;
  const vma = mm.find(old)!;
  const keep = Math.min(oldSize, newSize);
  const { prot, shared, name } = vma;
  const grown = backedAt(vma, old + keep);
  mm.move(old, keep, to);
  if (oldSize > keep) mm.unmap(old + keep, oldSize - keep);
  if (newSize > keep) mm.map(to + keep, newSize - keep, prot, shared, name, grown);
  return to;
}
