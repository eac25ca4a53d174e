// Guest path resolution under the guest root (--root). Walks one component at a time,
// following symlinks itself (at most 40, ELOOP after), so neither `..` nor a symlink
// (absolute or relative) can leave the root: an absolute link target restarts at the
// guest root, and `..` at the root stays there (fs/namei.c semantics with chroot).
import { lstatSync, readlinkSync, Stats } from 'node:fs';
import { bytesToString, stringToBytes } from '../../abi/bytes.js';
import { Errno } from '../errno.js';
import type { OpenFile } from './file.js';

export const MAXSYMLINKS = 40;
export const PATH_MAX = 4096;

export interface Resolved {
  /** Canonical guest path ("/" joined, no `.`/`..`/symlinks except a final unfollowed one). */
  guest: string;
  /** The host path backing it (bytes: names are never decoded). */
  host: Buffer;
  /** lstat of the final component, undefined if it does not exist. */
  st: Stats | undefined;
  /** Set when the final component is an unfollowed kernel-provided symlink: its target. */
  vlink?: string;
  /** The final component is a kernel-provided directory. */
  vdir?: VirtualDir;
  /** The final component is a kernel-made file. */
  vfile?: VirtualFile;
}

/** A name the kernel owns and that does not exist (e.g. /proc/self/mem): never looked up on the host. */
export const VIRTUAL_NONE = Symbol('no such kernel node');

/** A directory that exists only in the kernel (/proc, /proc/self/fd): never looked up on the host. */
export interface VirtualDir {
  kind: 'dir';
  /** Its entries' names, in listing order (without . and ..). */
  names(): string[];
  child(name: string): VirtualNode | undefined;
}

/** A file whose bytes the kernel makes when it is opened (seq_file: /proc/self/maps, status, ...). */
export interface VirtualFile {
  kind: 'file';
  content: () => string | Uint8Array;
  /** Files with their own open (/proc/<pid>/mem): an open file description or -errno. */
  open?: (flags: number, guest: string) => OpenFile | number;
}

/** A symlink the kernel answers (/proc/self -> 1, /proc/self/exe -> the program). */
export interface VirtualSymlink { kind: 'link'; target: string }

export type VirtualNode = VirtualDir | VirtualFile | VirtualSymlink;

/**
 * Kernel-provided nodes (e.g. /proc/self/exe): a symlink target, a directory or file the kernel
 * makes, VIRTUAL_NONE (the kernel owns the name and it does not exist), or undefined for the host's.
 */
export type VirtualLink = (guest: string) => string | typeof VIRTUAL_NONE | VirtualDir | VirtualFile | undefined;

/** The host path of a guest path (a byte string) under the guest root (the host's text). */
export function hostPath(root: string, guest: string): Buffer {
  const g = stringToBytes(guest);
  return root === '/' ? g : guest === '/' ? Buffer.from(root) : Buffer.concat([Buffer.from(root), g]);
}

function lstatOrUndefined(p: Buffer): Stats | undefined {
  try { return lstatSync(p); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw Errno.ENOTDIR;
    if (code === 'EACCES') throw Errno.EACCES;
    if (code === 'ENAMETOOLONG') throw Errno.ENAMETOOLONG;
    if (code === 'ELOOP') throw Errno.ELOOP;
    throw Errno.EIO;
  }
}

/** The components of a path or symlink target: empty ones (from `//`) dropped, `.` kept. */
const components = (p: string): string[] => p.split('/').filter((c) => c !== '');

/**
 * Resolve `path` relative to the guest directory `base` (a canonical guest path).
 * `followLast`: follow a symlink in the final component. Returns -errno on failure
 * (ENOENT for a missing intermediate directory, ENOTDIR, ELOOP, ENAMETOOLONG, and EACCES when
 * `mayLookup` refuses to search a directory the walk passes through: may_lookup).
 */
export function resolvePath(root: string, base: string, path: string, followLast: boolean, vlink?: VirtualLink,
  mayLookup?: (dir: Stats) => boolean): Resolved | number {
  if (path.length === 0) return -Errno.ENOENT;
  if (path.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
  const trailingSlash = path.endsWith('/');
  // `.` components stay in the walk: like `..`, a `.` makes the component before it a
  // non-final one, which must then exist (ENOENT) and be a directory (ENOTDIR), as in
  // fs/namei.c (`file/.` and `file/..` are ENOTDIR, `missing/.` is ENOENT).
  let rest = components(path);
  let comps: string[] = path.startsWith('/') ? [] : base.split('/').filter((c) => c !== '');
  let hops = 0;
  let st: Stats | undefined;
  // The directory being searched, for may_lookup: its lstat (looked up lazily), or 'kernel'.
  let dirSt: Stats | 'kernel' | undefined;
  const searchable = (): boolean => {
    if (!mayLookup || dirSt === 'kernel') return true;
    if (dirSt === undefined) {
      const here = '/' + comps.join('/');
      // A kernel directory (/proc/self/fd as a dirfd) is never looked up on the host.
      if (typeof vlink?.(here) === 'object') { dirSt = 'kernel'; return true; }
      dirSt = lstatOrUndefined(hostPath(root, here));
    }
    return !dirSt || mayLookup(dirSt);
  };
  try {
    while (rest.length > 0) {
      const c = rest.shift()!;
      const last = rest.length === 0;
      if (!searchable()) return -Errno.EACCES;
      if (c === '.') continue; // the node so far (already checked to be a directory) stays
      // The node `..` reaches is examined after the walk (it may be the kernel's, like /proc).
      if (c === '..') { comps.pop(); st = undefined; dirSt = undefined; continue; }
      if (c.length > 255) return -Errno.ENAMETOOLONG;
      comps.push(c);
      const guest = '/' + comps.join('/');
      const virt = vlink?.(guest);
      if (virt === VIRTUAL_NONE) return -Errno.ENOENT;
      if (typeof virt === 'object' && virt.kind === 'file') {
        if (!last || trailingSlash) return -Errno.ENOTDIR;
        return { guest, host: hostPath(root, guest), st: undefined, vfile: virt };
      }
      if (typeof virt === 'object') { st = undefined; dirSt = 'kernel'; if (last) return { guest, host: hostPath(root, guest), st: undefined, vdir: virt }; continue; }
      if (virt !== undefined) {
        if (last && !followLast && !trailingSlash) return { guest, host: hostPath(root, guest), st: undefined, vlink: virt };
        if (++hops > MAXSYMLINKS) return -Errno.ELOOP;
        comps.pop();
        dirSt = undefined;
        if (virt.startsWith('/')) comps = [];
        rest = [...components(virt), ...rest];
        continue;
      }
      st = lstatOrUndefined(hostPath(root, guest));
      if (!st) {
        if (last) break;
        return -Errno.ENOENT;
      }
      if (st.isSymbolicLink() && (!last || followLast || trailingSlash)) {
        if (++hops > MAXSYMLINKS) return -Errno.ELOOP;
        const target = bytesToString(readlinkSync(hostPath(root, guest), 'buffer'));
        comps.pop();
        dirSt = undefined;
        if (target.startsWith('/')) comps = [];
        rest = [...components(target), ...rest];
        st = undefined;
        continue;
      }
      if (!last && !st.isDirectory()) return -Errno.ENOTDIR;
      dirSt = st;
    }
  } catch (e) {
    if (typeof e === 'number') return -e;
    throw e;
  }
  const guest = '/' + comps.join('/');
  // "." / ".." / "" components leave the final node unexamined: look at it now.
  if (!st) {
    const v = vlink?.(guest);
    if (v === VIRTUAL_NONE) return -Errno.ENOENT;
    if (typeof v === 'object') return v.kind === 'file' ? { guest, host: hostPath(root, guest), st: undefined, vfile: v } : { guest, host: hostPath(root, guest), st: undefined, vdir: v };
    try { st = lstatOrUndefined(hostPath(root, guest)); } catch (e) { if (typeof e === 'number') return -e; throw e; }
  }
  if (trailingSlash && st && !st.isDirectory()) return -Errno.ENOTDIR;
  return { guest, host: hostPath(root, guest), st };
}

/** Join a guest directory and a relative path for display (strace, /proc). */
export function guestJoin(dir: string, name: string): string {
  return name.startsWith('/') ? name : (dir.endsWith('/') ? dir : dir + '/') + name;
}
