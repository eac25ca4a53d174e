// Advisory file locks between guest processes (fs/locks.c): POSIX record locks (fcntl F_SETLK,
// F_SETLKW, F_GETLK), open-file-description locks (F_OFD_*) and flock(2).
//
// Invariants:
// - Locks are kept per file (host dev:ino, or the description itself for files without one).
//   POSIX locks belong to a process and go when it closes any fd of that file (or exits); OFD
//   and flock locks belong to an open file description and go when its last fd closes.
// - One owner's POSIX/OFD locks never overlap each other: setting a range splits, merges or
//   replaces what the owner held there. flock locks cover the whole file and are separate from
//   record locks (as on Linux: they do not conflict with them).
// - A waiter is recorded with the owners blocking it; F_SETLKW refuses (EDEADLK) to wait when
//   that would close a cycle of POSIX owners (posix_locks_deadlock). Waiters park on the file's
//   queue and look again on every release.
// - Only guest processes take part: a host process locking the same host file is not seen.
import * as fs from 'node:fs';
import type { Process } from '../task.js';
import type { OpenFile } from './file.js';
import { HostDir, HostFile } from './hostfs.js';
import { WaitQueue } from '../wait.js';

export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
export type Owner = Process | object;

export interface Lock {
  owner: Owner;
  /** The owning process's pid for F_GETLK (-1 for OFD locks). */
  pid: number;
  type: number;
  start: number;
  /** Inclusive; Infinity: to the end of the file (l_len 0). */
  end: number;
  kind: 'posix' | 'flock';
}

interface FileLocks { locks: Lock[]; waitq: WaitQueue }

const conflicts = (a: Lock, type: number, start: number, end: number) =>
  a.start <= end && start <= a.end && (a.type === F_WRLCK || type === F_WRLCK);

export class LockTable {
  readonly #files = new Map<string, FileLocks>();
  /** POSIX owners waiting, with the owners in their way (deadlock detection). */
  readonly #waiting = new Map<Owner, Owner[]>();

  #file(key: string): FileLocks {
    let f = this.#files.get(key);
    if (!f) this.#files.set(key, (f = { locks: [], waitq: new WaitQueue() }));
    return f;
  }

  waitq(key: string): WaitQueue { return this.#file(key).waitq; }

  /** No file has a lock or a waiter (closes then cost nothing). */
  get empty(): boolean { return this.#files.size === 0; }

  /** The first lock of another owner that conflicts with [start, end] of `type` (F_GETLK). */
  conflict(key: string, owner: Owner, kind: Lock['kind'], type: number, start: number, end: number): Lock | undefined {
    const f = this.#files.get(key);
    return f?.locks.find((l) => l.kind === kind && l.owner !== owner && conflicts(l, type, start, end));
  }

  /**
   * Set (or with F_UNLCK clear) `owner`'s lock on [start, end]. Returns 'ok', or the owners of
   * the conflicting locks when it cannot be granted now.
   */
  set(key: string, owner: Owner, pid: number, kind: Lock['kind'], type: number, start: number, end: number): 'ok' | Owner[] {
    const f = this.#file(key);
    if (type !== F_UNLCK) {
      const blockers = f.locks.filter((l) => l.kind === kind && l.owner !== owner && conflicts(l, type, start, end)).map((l) => l.owner);
      if (blockers.length) return [...new Set(blockers)];
    }
    // Cut the owner's existing locks out of [start, end], keeping the parts outside it.
    const out: Lock[] = [];
    for (const l of f.locks) {
      if (l.owner !== owner || l.kind !== kind || l.end < start || l.start > end) { out.push(l); continue; }
      if (l.start < start) out.push({ ...l, end: start - 1 });
      if (l.end > end) out.push({ ...l, start: end + 1 });
    }
    if (type !== F_UNLCK) {
      // Merge with adjacent locks of the same type (posix_lock_inode coalesces them).
      let s = start, e = end;
      const keep: Lock[] = [];
      for (const l of out) {
        if (l.owner === owner && l.kind === kind && l.type === type && l.start <= e + 1 && s <= l.end + 1) {
          s = Math.min(s, l.start); e = Math.max(e, l.end);
        } else keep.push(l);
      }
      keep.push({ owner, pid, type, start: s, end: e, kind });
      f.locks = keep;
    } else f.locks = out;
    f.waitq.notify();
    return 'ok';
  }

  /** Would `owner` waiting on `blockers` close a cycle of waiting owners? */
  wouldDeadlock(owner: Owner, blockers: Owner[]): boolean {
    const seen = new Set<Owner>();
    const stack = [...blockers];
    while (stack.length) {
      const b = stack.pop()!;
      if (b === owner) return true;
      if (seen.has(b)) continue;
      seen.add(b);
      stack.push(...(this.#waiting.get(b) ?? []));
    }
    return false;
  }

  setWaiting(owner: Owner, blockers: Owner[] | undefined): void {
    if (blockers) this.#waiting.set(owner, blockers); else this.#waiting.delete(owner);
  }

  /** Every lock of `owner` on the file goes (a POSIX owner closed an fd of it; a description closed). */
  releaseOwner(key: string, owner: Owner): void {
    const f = this.#files.get(key);
    if (!f) return;
    const before = f.locks.length;
    f.locks = f.locks.filter((l) => l.owner !== owner);
    if (f.locks.length !== before) f.waitq.notify();
    if (f.locks.length === 0 && f.waitq.size === 0) this.#files.delete(key);
  }
}

const tables = new WeakMap<object, LockTable>();
/** The kernel's lock table. */
export function locksOf(kernel: object): LockTable {
  let l = tables.get(kernel);
  if (!l) tables.set(kernel, (l = new LockTable()));
  return l;
}

const ids = new WeakMap<OpenFile, number>();
let nextId = 1;
/** The file a description is of: the host inode, or the description itself (pipes, sockets). */
export function lockKey(f: OpenFile): string {
  if (f instanceof HostFile || f instanceof HostDir) {
    try { const st = fs.fstatSync(f.hostFd); return `${st.dev}:${st.ino}`; } catch { /* closed */ }
  }
  let id = ids.get(f);
  if (id === undefined) ids.set(f, (id = nextId++));
  return `d${id}`;
}

/** Hook a description once so its OFD and flock locks go when its last fd closes. */
export function ownByDescription(kernel: object, f: OpenFile, key: string): void {
  if (f.onRelease) return;
  const table = locksOf(kernel);
  f.onRelease = () => table.releaseOwner(key, f);
}

/** A process closed an fd of `f`: its POSIX locks on that file go (fs/locks.c locks_remove_posix). */
export function closedBy(kernel: object, p: Process, f: OpenFile): void {
  const table = tables.get(kernel);
  if (table && !table.empty) table.releaseOwner(lockKey(f), p);
}

