import { describe, expect, it } from 'vitest';
import type { Stat } from '../../src/arch/stat.js';
import { Errno } from '../../src/kernel/errno.js';
import { DEFAULT_NOFILE, FdTable } from '../../src/kernel/vfs/fdtable.js';
import { O_RDWR, OpenFile } from '../../src/kernel/vfs/file.js';

/** An open file description that counts how often it was released. */
class FakeFile extends OpenFile {
  released = 0;
  constructor(name: string) { super(O_RDWR, name); }
  stat(): Stat { throw new Error('not used'); }
  override release(): void { this.released++; }
}

const file = (name = 'f') => new FakeFile(name);

describe('FdTable install', () => {
  it('install() hands out the lowest free fd', () => {
    const t = new FdTable();
    expect([t.install(file(), false), t.install(file(), false), t.install(file(), false)]).toEqual([0, 1, 2]);
    t.close(1);
    expect(t.install(file(), false)).toBe(1);
    expect(t.install(file(), false)).toBe(3);
  });

  it('install() with a minimum takes the lowest free fd at or above it (F_DUPFD)', () => {
    const t = new FdTable();
    t.install(file(), false);
    expect(t.install(file(), false, 5)).toBe(5);
    expect(t.install(file(), false, 5)).toBe(6);
    expect(t.install(file(), false, 0)).toBe(1);
  });

  it('install() returns -EMFILE when every fd below the limit is taken', () => {
    const t = new FdTable();
    t.limit = 3;
    const f = file();
    expect([0, 1, 2].map(() => t.install(f, false))).toEqual([0, 1, 2]);
    expect(t.install(f, false)).toBe(-Errno.EMFILE);
    expect(f.refs).toBe(3); // the failed install took no reference
    t.close(0);
    expect(t.install(f, false)).toBe(0);
  });

  it('install() with a minimum at or past the limit returns -EINVAL', () => {
    const t = new FdTable();
    t.limit = 4;
    expect(t.install(file(), false, 4)).toBe(-Errno.EINVAL);
    expect(t.install(file(), false, -1)).toBe(-Errno.EINVAL);
    expect(t.install(file(), false, 3)).toBe(3);
  });

  it('the default limit is DEFAULT_NOFILE (1024)', () => {
    const t = new FdTable();
    expect(t.limit).toBe(DEFAULT_NOFILE);
    const f = file();
    for (let i = 0; i < DEFAULT_NOFILE; i++) expect(t.install(f, false)).toBe(i);
    expect(t.install(f, false)).toBe(-Errno.EMFILE);
  });

  it('get() and entry() return the file and its close-on-exec flag; bad fds are undefined', () => {
    const t = new FdTable();
    const f = file();
    const fd = t.install(f, true);
    expect(t.get(fd)).toBe(f);
    expect(t.entry(fd)).toEqual({ file: f, cloexec: true });
    expect(t.get(-1)).toBeUndefined();
    expect(t.get(fd + 1)).toBeUndefined();
    expect(t.entry(-5)).toBeUndefined();
  });
});

describe('FdTable dup and close', () => {
  it('dup shares the open file description: refs counts both slots, offset is shared', () => {
    const t = new FdTable();
    const f = file();
    const a = t.install(f, false);
    const b = t.install(t.get(a)!, false);
    expect(f.refs).toBe(2);
    expect(t.get(b)).toBe(t.get(a));
    t.get(a)!.offset = 42;
    expect(t.get(b)!.offset).toBe(42);
  });

  it('close() releases the description only at the last reference', () => {
    const t = new FdTable();
    const f = file();
    const a = t.install(f, false);
    const b = t.install(f, false);
    expect(t.close(a)).toBe(0);
    expect(f.released).toBe(0);
    expect(f.refs).toBe(1);
    expect(t.close(b)).toBe(0);
    expect(f.released).toBe(1);
    expect(f.refs).toBe(0);
  });

  it('close() of a closed, never-opened or negative fd returns -EBADF and releases nothing', () => {
    const t = new FdTable();
    const f = file();
    const fd = t.install(f, false);
    t.close(fd);
    expect(t.close(fd)).toBe(-Errno.EBADF);
    expect(t.close(99)).toBe(-Errno.EBADF);
    expect(t.close(-1)).toBe(-Errno.EBADF);
    expect(f.released).toBe(1);
  });

  it('installAt() replaces the file at an fd and releases the old one (dup2)', () => {
    const t = new FdTable();
    const old = file('old'), neu = file('new');
    const fd = t.install(old, false);
    t.install(neu, false);
    expect(t.installAt(fd, neu, true)).toBe(fd);
    expect(old.released).toBe(1);
    expect(old.refs).toBe(0);
    expect(neu.refs).toBe(2);
    expect(t.entry(fd)).toEqual({ file: neu, cloexec: true });
  });

  it('installAt() on an empty fd above the others fills exactly that fd', () => {
    const t = new FdTable();
    expect(t.installAt(7, file(), false)).toBe(7);
    expect(t.fds()).toEqual([7]);
    expect(t.install(file(), false)).toBe(0);
  });

  it('installAt() of the file already at that fd keeps it open (dup2(fd, fd))', () => {
    const t = new FdTable();
    const f = file();
    const fd = t.install(f, false);
    t.installAt(fd, f, false);
    expect(f.released).toBe(0);
    expect(f.refs).toBe(1);
    expect(t.get(fd)).toBe(f);
  });

  it('installAt() outside [0, limit) returns -EBADF and takes no reference', () => {
    const t = new FdTable();
    t.limit = 8;
    const f = file();
    expect(t.installAt(8, f, false)).toBe(-Errno.EBADF);
    expect(t.installAt(-1, f, false)).toBe(-Errno.EBADF);
    expect(f.refs).toBe(0);
  });
});

describe('FdTable exec, fork and exit', () => {
  it('closeOnExec() closes exactly the close-on-exec fds', () => {
    const t = new FdTable();
    const keep = file('keep'), drop = file('drop'), shared = file('shared');
    t.install(keep, false);      // 0
    t.install(drop, true);       // 1
    t.install(shared, true);     // 2
    t.install(shared, false);    // 3: same description, no cloexec
    t.install(drop, true);       // 4
    t.closeOnExec();
    expect(t.fds()).toEqual([0, 3]);
    expect(drop.released).toBe(1);
    expect(shared.released).toBe(0);
    expect(shared.refs).toBe(1);
    expect(keep.released).toBe(0);
  });

  it('clone() shares every description and keeps cloexec flags and the limit', () => {
    const t = new FdTable();
    t.limit = 50;
    const a = file('a'), b = file('b');
    t.install(a, false);
    t.installAt(5, b, true);
    const c = t.clone();
    expect(c.fds()).toEqual([0, 5]);
    expect(c.entry(5)).toEqual({ file: b, cloexec: true });
    expect(c.limit).toBe(50);
    expect(a.refs).toBe(2);
    expect(b.refs).toBe(2);
    c.close(0);
    expect(a.released).toBe(0);
    t.close(0);
    expect(a.released).toBe(1);
  });

  it('closeAll() closes everything and releases each description once', () => {
    const t = new FdTable();
    const a = file('a'), b = file('b');
    t.install(a, false);
    t.install(a, true);
    t.install(b, false);
    t.closeAll();
    expect(t.fds()).toEqual([]);
    expect([a.released, b.released]).toEqual([1, 1]);
  });

  it('fds() lists open fds in ascending order', () => {
    const t = new FdTable();
    t.installAt(9, file(), false);
    t.installAt(2, file(), false);
    t.install(file(), false);
    expect(t.fds()).toEqual([0, 2, 9]);
  });
});
