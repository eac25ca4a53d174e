// inotify (fs/notify/inotify): watches on host inodes, and the events the guest's own file
// operations cause (changes made by host processes are not seen). The VFS reports each
// operation once through fsnotify(); a watch on a directory also gets its children's events
// with their names, as Linux sends them.
//
// Invariants:
// - A watch is (inotify file, wd) on an inode key (host dev:ino); one inotify file holds at most
//   one watch per inode (inotify_add_watch on a watched inode updates it, IN_MASK_ADD ORs).
// - Events queue on their inotify file as whole struct inotify_event records; an event equal to
//   the last queued one (and not yet read) is merged, as Linux does. IN_ONESHOT and deleted
//   inodes end a watch with IN_IGNORED.
// - With no watch anywhere, fsnotify returns at once (no host stat for anybody).
import * as fs from 'node:fs';
import { stringToBytes } from '../../abi/bytes.js';
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { copyToChunks } from '../../mm/guest_memory.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { block, type SyscallResult } from '../wait.js';
import { OpenFile, POLLIN, S_IFREG } from './file.js';
import { virtualStat } from './procfs_files.js';

export const IN = {
  IN_ACCESS: 0x1, IN_MODIFY: 0x2, IN_ATTRIB: 0x4, IN_CLOSE_WRITE: 0x8, IN_CLOSE_NOWRITE: 0x10, IN_OPEN: 0x20,
  IN_MOVED_FROM: 0x40, IN_MOVED_TO: 0x80, IN_CREATE: 0x100, IN_DELETE: 0x200, IN_DELETE_SELF: 0x400,
  IN_MOVE_SELF: 0x800, IN_UNMOUNT: 0x2000, IN_Q_OVERFLOW: 0x4000, IN_IGNORED: 0x8000, IN_ONLYDIR: 0x1000000,
  IN_DONT_FOLLOW: 0x2000000, IN_EXCL_UNLINK: 0x4000000, IN_MASK_CREATE: 0x10000000, IN_MASK_ADD: 0x20000000,
  IN_ISDIR: 0x40000000, IN_ONESHOT: 0x80000000,
} as const;
export const IN_ALL_EVENTS = 0xfff;
/** Events a directory watch also gets for its children (FS_EVENTS_POSS_ON_CHILD). */
const ON_CHILD = IN.IN_ACCESS | IN.IN_MODIFY | IN.IN_ATTRIB | IN.IN_CLOSE_WRITE | IN.IN_CLOSE_NOWRITE | IN.IN_OPEN;
/** /proc/sys/fs/inotify/max_queued_events */
const MAX_QUEUED = 16384;

interface Watch { file: InotifyFile; wd: number; key: string; mask: number }

const registries = new WeakMap<object, Map<string, Set<Watch>>>();
function registry(kernel: object): Map<string, Set<Watch>> {
  let r = registries.get(kernel);
  if (!r) registries.set(kernel, (r = new Map()));
  return r;
}

/** The inode key of a host path or fd (undefined if it is gone). */
export function inodeKey(host: Buffer | number): string | undefined {
  try {
    const st = typeof host === 'number' ? fs.fstatSync(host) : fs.lstatSync(host);
    return `${st.dev}:${st.ino}`;
  } catch { return undefined; }
}

/** Are there watches at all? (The VFS skips every fsnotify call when not.) */
export const watching = (kernel: object) => (registries.get(kernel)?.size ?? 0) > 0;

/**
 * An operation on the inode `key` (and, for a child event, its directory `dirKey` and name):
 * queue the event on every watch that wants it.
 */
export function fsnotify(kernel: object, mask: number, key: string | undefined, isDir: boolean,
  dir?: { key: string | undefined; name: string }, cookie = 0): void {
  const reg = registries.get(kernel);
  if (!reg || reg.size === 0) return;
  const flag = isDir ? IN.IN_ISDIR : 0;
  // Directory-entry events (create, delete, moves) go to the directory only; the others to the
  // inode itself and, for children, to the watched directory with the name.
  const entry = (mask & (IN.IN_CREATE | IN.IN_DELETE | IN.IN_MOVED_FROM | IN.IN_MOVED_TO)) !== 0;
  if (!entry && key) for (const w of [...(reg.get(key) ?? [])]) if (w.mask & mask) w.file.queue(w, mask | flag, cookie, '');
  if (dir?.key && (entry || (mask & ON_CHILD))) {
    for (const w of [...(reg.get(dir.key) ?? [])]) if (w.mask & mask) w.file.queue(w, mask | flag, cookie, dir.name);
  }
  // A deleted inode's watches end (IN_DELETE_SELF, then IN_IGNORED).
  if (mask & IN.IN_DELETE_SELF && key) for (const w of [...(reg.get(key) ?? [])]) w.file.removeWatch(w, true);
}

/** The inotify file of inotify_init1. */
export class InotifyFile extends OpenFile {
  readonly #events: Uint8Array[] = [];
  #bytes = 0;
  readonly #watches = new Map<number, Watch>();
  #nextWd = 1;

  constructor(flags: number, readonly kernel: object) { super(flags, 'anon_inode:inotify'); }

  stat(): Stat { return virtualStat('anon_inode:inotify', S_IFREG | 0o600); }
  override size(): number { return 0; }
  override poll(): number { return this.#events.length ? POLLIN : 0; }
  get queued(): number { return this.#bytes; }

  /** inotify_add_watch: the wd (the existing one for an inode already watched). */
  addWatch(key: string, mask: number): number {
    const reg = registry(this.kernel);
    for (const w of this.#watches.values()) {
      if (w.key !== key) continue;
      if (mask & IN.IN_MASK_CREATE) return -Errno.EEXIST;
      w.mask = (mask & IN.IN_MASK_ADD ? w.mask : 0) | mask;
      return w.wd;
    }
    const w: Watch = { file: this, wd: this.#nextWd++, key, mask };
    this.#watches.set(w.wd, w);
    let set = reg.get(key);
    if (!set) reg.set(key, (set = new Set()));
    set.add(w);
    return w.wd;
  }

  /** inotify_rm_watch, a deleted inode or IN_ONESHOT: the watch ends with IN_IGNORED. */
  removeWatch(w: Watch | number, ignored = true): number {
    const watch = typeof w === 'number' ? this.#watches.get(w) : w;
    if (!watch) return -Errno.EINVAL;
    this.#watches.delete(watch.wd);
    const reg = registry(this.kernel);
    const set = reg.get(watch.key);
    set?.delete(watch);
    if (set && set.size === 0) reg.delete(watch.key);
    if (ignored) this.#push(watch.wd, IN.IN_IGNORED, 0, '');
    return 0;
  }

  queue(w: Watch, mask: number, cookie: number, name: string): void {
    this.#push(w.wd, mask, cookie, name);
    if (w.mask & IN.IN_ONESHOT) this.removeWatch(w, true);
  }

  #push(wd: number, mask: number, cookie: number, name: string): void {
    const nb = stringToBytes(name);
    const len = nb.length ? (nb.length + 1 + 15) & ~15 : 0; // NUL-padded to 16 bytes (inotify's round_up)
    const rec = new Uint8Array(16 + len);
    const dv = new DataView(rec.buffer);
    dv.setInt32(0, wd, true);
    dv.setUint32(4, mask >>> 0, true);
    dv.setUint32(8, cookie >>> 0, true);
    dv.setUint32(12, len, true);
    rec.set(nb, 16);
    const last = this.#events[this.#events.length - 1];
    if (last && last.length === rec.length && last.every((b, i) => b === rec[i])) return; // merged
    if (this.#events.length >= MAX_QUEUED) {
      if (this.#events.length === MAX_QUEUED) this.#push(-1, IN.IN_Q_OVERFLOW, 0, '');
      return;
    }
    this.#events.push(rec);
    this.#bytes += rec.length;
    this.waitq.notify();
  }

  override read(t: Task, dst: PhysChunk[], len: number): SyscallResult {
    if (this.#events.length === 0) return this.flags & t.proc.arch.o.O_NONBLOCK ? -Errno.EAGAIN : block([this.waitq]);
    if (this.#events[0].length > len) return -Errno.EINVAL;
    const parts: Uint8Array[] = [];
    let n = 0;
    while (this.#events.length && n + this.#events[0].length <= len) {
      const e = this.#events.shift()!;
      parts.push(e);
      n += e.length;
    }
    this.#bytes -= n;
    const all = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    copyToChunks(t.kernel.phys.u8, dst, all);
    return n;
  }

  override ioctl(t: Task, req: number, arg: number): SyscallResult {
    if (req === 0x541b /* FIONREAD */) { t.mem.setI32(arg, this.#bytes); return 0; }
    return -Errno.ENOTTY;
  }

  override release(): void { for (const w of [...this.#watches.values()]) this.removeWatch(w, false); }
}

/** Split a host path into its directory and last name (bytes kept as a byte string). */
function splitHost(host: Buffer): { dir: Buffer; name: string } {
  const i = host.lastIndexOf(0x2f);
  return { dir: i <= 0 ? Buffer.from('/') : host.subarray(0, i), name: host.subarray(i + 1).toString('latin1') };
}

/**
 * The VFS's report of an operation on the node at host path `host` (which exists now, unless
 * `key` was taken before it went): the node's own watches and its directory's get the event.
 */
export function fsEvent(kernel: object, mask: number, host: Buffer, isDir: boolean, key?: string, cookie = 0): void {
  if (!watching(kernel)) return;
  const { dir, name } = splitHost(host);
  fsnotify(kernel, mask, key ?? inodeKey(host), isDir, { key: inodeKey(dir), name }, cookie);
}

let nextCookie = 1;
/** A cookie pairing IN_MOVED_FROM with IN_MOVED_TO. */
export const moveCookie = () => nextCookie++;
