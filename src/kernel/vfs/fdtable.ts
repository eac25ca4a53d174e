// A process's file descriptor table: fd -> (open file description, close-on-exec).
// Invariants: every installed description's `refs` counts the slots pointing at it across
// all tables; the lowest free fd is always the one handed out (POSIX); fds >= `limit`
// (RLIMIT_NOFILE) are never handed out.
import { Errno } from '../errno.js';
import type { OpenFile } from './file.js';

export interface FdEntry { file: OpenFile; cloexec: boolean }

export const DEFAULT_NOFILE = 1024;

export class FdTable {
  readonly #slots: (FdEntry | undefined)[] = [];
  limit = DEFAULT_NOFILE;

  get(fd: number): OpenFile | undefined {
    return fd >= 0 ? this.#slots[fd]?.file : undefined;
  }

  entry(fd: number): FdEntry | undefined { return fd >= 0 ? this.#slots[fd] : undefined; }

  /** Install at the lowest free fd >= min; -EMFILE at the limit (-EINVAL if min is out of range). */
  install(file: OpenFile, cloexec: boolean, min = 0): number {
    if (min < 0 || min >= this.limit) return -Errno.EINVAL;
    let fd = min;
    while (fd < this.limit && this.#slots[fd]) fd++;
    if (fd >= this.limit) return -Errno.EMFILE;
    this.#set(fd, file, cloexec);
    return fd;
  }

  /** Install at exactly `fd`, closing what was there (dup2/dup3). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): number {
    if (fd < 0 || fd >= this.limit) return -Errno.EBADF;
    const old = this.#slots[fd];
    this.#set(fd, file, cloexec);
    if (old) { this.onClose?.(old.file); unref(old.file); }
    return fd;
  }

  #set(fd: number, file: OpenFile, cloexec: boolean) {
    file.refs++;
    this.#slots[fd] = { file, cloexec };
  }

  close(fd: number): number {
    const e = fd >= 0 ? this.#slots[fd] : undefined;
    if (!e) return -Errno.EBADF;
    this.#slots[fd] = undefined;
    this.onClose?.(e.file);
    unref(e.file);
    return 0;
  }

  /** Called for every fd closed (or replaced by dup2): POSIX locks go with any close of the file. */
  onClose: ((f: OpenFile) => void) | undefined;

  /** A copy sharing every description (fork). */
  clone(): FdTable {
    const t = new FdTable();
    t.limit = this.limit;
    this.#slots.forEach((e, fd) => { if (e) t.#set(fd, e.file, e.cloexec); });
    return t;
  }

  /** Close every close-on-exec fd (execve). */
  closeOnExec(): void {
    this.#slots.forEach((e, fd) => { if (e?.cloexec) this.close(fd); });
  }

  closeAll(): void {
    this.#slots.forEach((e, fd) => { if (e) this.close(fd); });
  }

  /** Open fds in ascending order. */
  fds(): number[] {
    const out: number[] = [];
    this.#slots.forEach((e, fd) => { if (e) out.push(fd); });
    return out;
  }
}

function unref(f: OpenFile) {
  if (--f.refs === 0) { f.release(); f.onRelease?.(); }
}
