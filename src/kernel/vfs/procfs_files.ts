// Open files of the kernel's own trees (/proc, /sys, a root's missing /dev): snapshot files,
// directories, and /proc/<pid>/mem. Their inode numbers are stable hashes of the path.
import { stringToBytes } from '../../abi/bytes.js';
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { PAGE_SIZE } from '../../mm/physmem.js';
import { Errno } from '../errno.js';
import type { Process, Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { copyToChunks } from '../../mm/guest_memory.js';
import { Dirent, OpenFile, POLLIN, POLLOUT, S_IFDIR, S_IFREG } from './file.js';
import { DT } from '../abi.js';
import type { VirtualDir, VirtualFile, VirtualNode } from './path.js';

/** A directory whose entries are made on lookup. */
export function virtualDir(names: () => string[], child: (name: string) => VirtualNode | undefined): VirtualDir {
  return { kind: 'dir', names, child };
}

/** A kernel-made file (its bytes made at open) and a kernel symlink. */
export const vfile = (content: () => string | Uint8Array): VirtualFile => ({ kind: 'file', content });
export const vlink = (target: string): VirtualNode => ({ kind: 'link', target });

/** DT_* of a virtual node (getdents64). */
export const direntTypeOf = (n: VirtualNode): number => (n.kind === 'dir' ? DT.DT_DIR : n.kind === 'link' ? DT.DT_LNK : DT.DT_REG);

/** The device number /proc and /sys files report (an anonymous superblock, like procfs's). */
const VIRTUAL_DEV = 23;

/** FNV-1a of the path: the same inode for the same name every time. */
export function virtualIno(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return h || 1;
}

export function virtualStat(path: string, mode: number, size = 0): Stat {
  const now = Date.now();
  const sec = Math.floor(now / 1000), nsec = (now % 1000) * 1e6;
  return { dev: VIRTUAL_DEV, ino: virtualIno(path), mode, nlink: (mode & S_IFDIR) === S_IFDIR ? 2 : 1,
    uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, rdev: 0, size, blksize: 1024, blocks: 0,
    atimeSec: sec, atimeNsec: nsec, mtimeSec: sec, mtimeNsec: nsec, ctimeSec: sec, ctimeNsec: nsec };
}

export const procFileStat = (path: string) => virtualStat(path, S_IFREG | 0o444);
export const procDirStat = (path: string) => virtualStat(path, S_IFDIR | 0o555);


/** An open /proc file: its bytes were made at open (seq_file's snapshot per open). */
export class ProcFile extends OpenFile {
  readonly #data: Uint8Array;
  constructor(flags: number, path: string, content: string | Uint8Array) {
    super(flags, path);
    this.#data = typeof content === 'string' ? stringToBytes(content) : content;
  }

  override get seekable(): boolean { return true; }
  stat(): Stat { return procFileStat(this.path); }
  override size(): number { return 0; }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    const at = pos ?? this.offset;
    const part = this.#data.subarray(Math.min(at, this.#data.length), Math.min(at + len, this.#data.length));
    copyToChunks(t.kernel.phys.u8, dst, part);
    if (pos === undefined) this.offset += part.length;
    return part.length;
  }

  override write(): SyscallResult { return -Errno.EBADF; }
  override poll(): number { return POLLIN; }
}

/** An open kernel directory: getdents64 lists its entries as they were at the first read. */
export class ProcDir extends OpenFile {
  #entries: Dirent[] | undefined;
  constructor(flags: number, path: string, readonly dir: VirtualDir) { super(flags, path); }

  override get seekable(): boolean { return true; }
  override get isDirectory(): boolean { return true; }
  stat(): Stat { return procDirStat(this.path); }
  override read(): SyscallResult { return -Errno.EISDIR; }
  override write(): SyscallResult { return -Errno.EBADF; }

  override dirents(): Dirent[] {
    if (this.#entries && this.offset !== 0) return this.#entries;
    const parent = this.path.replace(/\/[^/]*$/, '') || '/';
    const out: Dirent[] = [{ ino: virtualIno(this.path), type: 4, name: '.' }, { ino: virtualIno(parent), type: 4, name: '..' }];
    for (const name of this.dir.names()) {
      const n = this.dir.child(name);
      if (n) out.push({ ino: virtualIno(`${this.path}/${name}`), type: direntTypeOf(n), name });
    }
    return (this.#entries = out);
  }
}

/**
 * /proc/<pid>/mem (mem_rw): the process's memory at file offset = address, read and written
 * with FOLL_FORCE (protection ignored, private pages copied on write). A transfer stops at the
 * first unmapped page; one that moves nothing is EIO. Once the process exits or execs, the file
 * reads and writes nothing (the mm it was opened on is gone).
 */
export class ProcMemFile extends OpenFile {
  readonly #mm;
  constructor(flags: number, path: string, readonly proc: Process) { super(flags, path); this.#mm = proc.mm; }

  override get seekable(): boolean { return true; }
  stat(): Stat { return virtualStat(this.path, S_IFREG | 0o600); }
  override size(): number { return 0; }
  override poll(): number { return POLLIN | POLLOUT; }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    return this.#transfer(t, dst, len, pos, false);
  }

  override write(t: Task, src: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    return this.#transfer(t, src, len, pos, true);
  }

  #transfer(t: Task, guest: PhysChunk[], len: number, pos: number | undefined, write: boolean): SyscallResult {
    if (!this.proc.alive || this.proc.mm !== this.#mm) return 0;
    const at = pos ?? this.offset;
    const u8 = t.kernel.phys.u8;
    let done = 0, ci = 0, coff = 0;
    while (done < len) {
      const addr = at + done;
      const pa = this.#mm.forceTranslate(addr, write);
      if (pa < 0) break;
      let n = Math.min(len - done, PAGE_SIZE - (addr % PAGE_SIZE));
      const start = done;
      while (n > 0) {
        const c = guest[ci];
        const k = Math.min(n, c.len - coff);
        const there = pa + (done - start);
        if (write) u8.copyWithin(there, c.pa + coff, c.pa + coff + k);
        else u8.copyWithin(c.pa + coff, there, there + k);
        done += k; n -= k; coff += k;
        if (coff === c.len) { ci++; coff = 0; }
      }
    }
    if (done === 0 && len > 0) return -Errno.EIO;
    if (pos === undefined) this.offset += done;
    return done;
  }
}
