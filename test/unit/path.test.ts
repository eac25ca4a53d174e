import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errno } from '../../src/kernel/errno.js';
import {
  guestJoin, hostPath, MAXSYMLINKS, resolvePath, Resolved, VirtualDir, VirtualLink, VIRTUAL_NONE,
} from '../../src/kernel/vfs/path.js';

let root: string;
const GUEST_PASSWD = 'guest-only passwd file\n';

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ucrun-root-')));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'passwd'), GUEST_PASSWD);
  mkdirSync(join(root, 'dir', 'sub'), { recursive: true });
  writeFileSync(join(root, 'dir', 'file'), 'file');
  writeFileSync(join(root, 'dir', 'sub', 'deep.txt'), 'deep');
  mkdirSync(join(root, 'links'));
  const ln = (target: string, name: string) => symlinkSync(target, join(root, 'links', name));
  ln('/etc/passwd', 'abs');
  ln('../dir/file', 'rel');
  ln('/dir', 'dirlink');
  ln('../../../../../..', 'up');
  ln('/../../..', 'absup');
  ln('loop2', 'loop1');
  ln('loop1', 'loop2');
  ln('self', 'self');
  ln('/nowhere/at/all', 'broken');
  ln('/dir/missing', 'dangling');
  ln('/dir/file', 'tofile');
  // A chain c0 -> c1 -> ... -> c{MAXSYMLINKS} -> /dir/file: following from c1 takes exactly MAXSYMLINKS hops.
  for (let i = 0; i < MAXSYMLINKS; i++) ln(`c${i + 1}`, `c${i}`);
  ln('/dir/file', `c${MAXSYMLINKS}`);
});

afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

function ok(r: Resolved | number): Resolved {
  if (typeof r === 'number') throw new Error(`expected a resolution, got errno ${-r}`);
  return r;
}

const resolve = (path: string, followLast = true, base = '/', vlink?: VirtualLink) => resolvePath(root, base, path, followLast, vlink);

describe('resolvePath stays inside the guest root', () => {
  it('`..` at the root stays at the root', () => {
    const r = ok(resolve('/../../..'));
    expect(r.guest).toBe('/');
    expect(r.host.toString()).toBe(root);
    expect(r.st?.isDirectory()).toBe(true);
  });

  it('`..` above the root in the middle of a path is dropped', () => {
    const r = ok(resolve('/../../etc/passwd'));
    expect(r.guest).toBe('/etc/passwd');
    expect(r.host.toString()).toBe(join(root, 'etc', 'passwd'));
  });

  it('a relative path from the root with leading `..` stays at the root', () => {
    expect(ok(resolve('../../dir', true, '/')).guest).toBe('/dir');
  });

  it('an absolute symlink to /etc/passwd resolves to the guest\'s /etc/passwd, not the host\'s', () => {
    const r = ok(resolve('/links/abs'));
    expect(r.guest).toBe('/etc/passwd');
    expect(r.host.toString()).toBe(join(root, 'etc', 'passwd'));
    expect(r.st?.isFile()).toBe(true);
    expect(r.st?.size).toBe(GUEST_PASSWD.length);
    expect(readFileSync(r.host, 'utf8')).toBe(GUEST_PASSWD);
  });

  it('a relative symlink with more `..` than levels stops at the root', () => {
    const r = ok(resolve('/links/up/etc/passwd'));
    expect(r.guest).toBe('/etc/passwd');
    expect(r.host.toString()).toBe(join(root, 'etc', 'passwd'));
  });

  it('an absolute symlink made of `..` stops at the root', () => {
    const r = ok(resolve('/links/absup'));
    expect(r.guest).toBe('/');
    expect(r.host.toString()).toBe(root);
  });
});

describe('resolvePath symlinks', () => {
  it('a relative symlink resolves against the directory holding it', () => {
    const r = ok(resolve('/links/rel'));
    expect(r.guest).toBe('/dir/file');
    expect(r.st?.isFile()).toBe(true);
  });

  it('a symlink to a directory in the middle of a path is followed', () => {
    const r = ok(resolve('/links/dirlink/sub/deep.txt'));
    expect(r.guest).toBe('/dir/sub/deep.txt');
    expect(r.st?.size).toBe(4);
  });

  it('`..` after a symlinked directory goes to the parent of the target (physical walk)', () => {
    expect(ok(resolve('/links/dirlink/..')).guest).toBe('/');
  });

  it('a symlink loop returns -ELOOP', () => {
    expect(resolve('/links/loop1')).toBe(-Errno.ELOOP);
    expect(resolve('/links/self')).toBe(-Errno.ELOOP);
    expect(resolve('/links/loop1/x', false)).toBe(-Errno.ELOOP);
  });

  it(`a chain of exactly ${MAXSYMLINKS} symlinks resolves, one more is -ELOOP`, () => {
    expect(ok(resolve('/links/c1')).guest).toBe('/dir/file');
    expect(resolve('/links/c0')).toBe(-Errno.ELOOP);
  });

  it('followLast=false leaves a final symlink unfollowed', () => {
    const r = ok(resolve('/links/abs', false));
    expect(r.guest).toBe('/links/abs');
    expect(r.host.toString()).toBe(join(root, 'links', 'abs'));
    expect(r.st?.isSymbolicLink()).toBe(true);
  });

  it('followLast=false on a looping symlink returns the link itself', () => {
    expect(ok(resolve('/links/loop1', false)).st?.isSymbolicLink()).toBe(true);
  });

  it('followLast=false still follows symlinks in intermediate components', () => {
    const r = ok(resolve('/links/dirlink/file', false));
    expect(r.guest).toBe('/dir/file');
  });

  it('a trailing slash follows a final symlink even with followLast=false', () => {
    const r = ok(resolve('/links/dirlink/', false));
    expect(r.guest).toBe('/dir');
    expect(r.st?.isDirectory()).toBe(true);
  });

  it('a dangling symlink resolves to its missing target with no stat', () => {
    const r = ok(resolve('/links/dangling'));
    expect(r.guest).toBe('/dir/missing');
    expect(r.st).toBeUndefined();
  });

  it('a symlink whose target directory is missing returns -ENOENT', () => {
    expect(resolve('/links/broken')).toBe(-Errno.ENOENT);
  });
});

describe('resolvePath errors', () => {
  it('a missing intermediate directory returns -ENOENT', () => {
    expect(resolve('/nope/file')).toBe(-Errno.ENOENT);
    expect(resolve('/dir/nope/deep.txt')).toBe(-Errno.ENOENT);
  });

  it('a missing final component resolves with st undefined (for O_CREAT)', () => {
    const r = ok(resolve('/dir/new.txt'));
    expect(r.guest).toBe('/dir/new.txt');
    expect(r.host.toString()).toBe(join(root, 'dir', 'new.txt'));
    expect(r.st).toBeUndefined();
  });

  it('a file used as a directory returns -ENOTDIR', () => {
    expect(resolve('/dir/file/x')).toBe(-Errno.ENOTDIR);
    expect(resolve('/dir/file/..')).toBe(-Errno.ENOTDIR);
    expect(resolve('/links/tofile/x')).toBe(-Errno.ENOTDIR);
  });

  it('a trailing slash on a file returns -ENOTDIR', () => {
    expect(resolve('/dir/file/')).toBe(-Errno.ENOTDIR);
    expect(resolve('/links/tofile/')).toBe(-Errno.ENOTDIR);
  });

  it('a trailing slash on a directory is fine', () => {
    expect(ok(resolve('/dir/sub/')).guest).toBe('/dir/sub');
  });

  it('an empty path returns -ENOENT', () => {
    expect(resolve('')).toBe(-Errno.ENOENT);
  });

  it('a path of PATH_MAX bytes or a component over 255 bytes returns -ENAMETOOLONG', () => {
    expect(resolve('/' + 'a/'.repeat(2048))).toBe(-Errno.ENAMETOOLONG);
    expect(resolve('/dir/' + 'x'.repeat(256))).toBe(-Errno.ENAMETOOLONG);
    expect(ok(resolve('/dir/' + 'x'.repeat(255))).st).toBeUndefined();
  });
});

describe('resolvePath `.` and `..` require the component before them to be a directory', () => {
  it('`file/.` returns -ENOTDIR, also through a symlink to a file and with a trailing slash', () => {
    expect(resolve('/dir/file/.')).toBe(-Errno.ENOTDIR);
    expect(resolve('/dir/file/./')).toBe(-Errno.ENOTDIR);
    expect(resolve('/links/tofile/.')).toBe(-Errno.ENOTDIR);
    expect(resolve('/links/tofile/.', false)).toBe(-Errno.ENOTDIR);
    expect(resolve('file/.', true, '/dir')).toBe(-Errno.ENOTDIR);
  });

  it('`missing/.` returns -ENOENT instead of resolving to the missing name', () => {
    expect(resolve('/dir/missing/.')).toBe(-Errno.ENOENT);
    expect(resolve('/links/dangling/.')).toBe(-Errno.ENOENT);
    expect(resolve('missing/.', true, '/dir')).toBe(-Errno.ENOENT);
  });

  it('`file/..` returns -ENOTDIR and `missing/..` returns -ENOENT', () => {
    expect(resolve('/dir/file/..')).toBe(-Errno.ENOTDIR);
    expect(resolve('/dir/missing/..')).toBe(-Errno.ENOENT);
    expect(resolve('/links/tofile/..')).toBe(-Errno.ENOTDIR);
  });

  it('`dir/.` resolves to the directory, through a symlink too', () => {
    const r = ok(resolve('/dir/sub/.'));
    expect(r.guest).toBe('/dir/sub');
    expect(r.st?.isDirectory()).toBe(true);
    expect(ok(resolve('/links/dirlink/.', false)).guest).toBe('/dir');
  });

  it('a symlink whose target ends in `file/.` returns -ENOTDIR', () => {
    symlinkSync('../dir/file/.', join(root, 'links', 'filedot'));
    expect(resolve('/links/filedot')).toBe(-Errno.ENOTDIR);
    expect(ok(resolve('/links/filedot', false)).st?.isSymbolicLink()).toBe(true);
  });
});

describe('resolvePath relative paths and canonical form', () => {
  it('a relative path is resolved against the base directory', () => {
    expect(ok(resolve('sub/deep.txt', true, '/dir')).guest).toBe('/dir/sub/deep.txt');
    expect(ok(resolve('../etc/passwd', true, '/dir')).guest).toBe('/etc/passwd');
  });

  it('`.` and repeated slashes are removed from the canonical path', () => {
    const r = ok(resolve('//dir/./sub//./deep.txt'));
    expect(r.guest).toBe('/dir/sub/deep.txt');
    expect(r.st?.isFile()).toBe(true);
  });

  it('`.` alone resolves to the base directory and stats it', () => {
    const r = ok(resolve('.', true, '/dir/sub'));
    expect(r.guest).toBe('/dir/sub');
    expect(r.st?.isDirectory()).toBe(true);
  });
});

describe('resolvePath kernel-provided nodes', () => {
  const dir: VirtualDir = { kind: 'dir', names: () => [], child: () => undefined };
  const vlink: VirtualLink = (g) => (g === '/proc' || g === '/proc/self' ? dir : g === '/proc/self/exe' ? '/dir/file'
    : g.startsWith('/proc/') ? VIRTUAL_NONE : undefined);

  it('a virtual symlink is followed to its target', () => {
    const r = ok(resolve('/proc/self/exe', true, '/', vlink));
    expect(r.guest).toBe('/dir/file');
    expect(r.st?.isFile()).toBe(true);
  });

  it('an unfollowed virtual symlink reports its target in vlink', () => {
    const r = ok(resolve('/proc/self/exe', false, '/', vlink));
    expect(r.guest).toBe('/proc/self/exe');
    expect(r.vlink).toBe('/dir/file');
    expect(r.st).toBeUndefined();
  });

  it('a virtual directory is reported with vdir and never looked up on the host', () => {
    const r = ok(resolve('/proc/self', true, '/', vlink));
    expect(r.vdir).toBe(dir);
    expect(r.st).toBeUndefined();
  });

  it('`..` out of a virtual directory and a name the kernel does not have are never looked up on the host', () => {
    expect(ok(resolve('/proc/self/..', true, '/', vlink)).vdir).toBe(dir);
    expect(resolve('/proc/self/missing', true, '/', vlink)).toBe(-Errno.ENOENT);
  });
});

describe('hostPath and guestJoin', () => {
  it('hostPath() prefixes the root, except for root "/"', () => {
    expect(hostPath('/srv/r', '/etc/passwd').toString()).toBe('/srv/r/etc/passwd');
    expect(hostPath('/srv/r', '/').toString()).toBe('/srv/r');
    expect(hostPath('/', '/etc/passwd').toString()).toBe('/etc/passwd');
  });

  it('guestJoin() joins a relative name to a directory and keeps absolute names', () => {
    expect(guestJoin('/dir', 'f')).toBe('/dir/f');
    expect(guestJoin('/', 'f')).toBe('/f');
    expect(guestJoin('/dir', '/abs')).toBe('/abs');
  });
});
