// Character devices the kernel provides itself, whatever the guest root holds:
// /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom (drivers/char/mem.c, random.c).
import { randomFillSync } from 'node:crypto';
import { makedev, type Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { OpenFile, POLLIN, POLLOUT, S_IFCHR } from './file.js';

type Kind = 'null' | 'zero' | 'full' | 'random';
const DEVICES: Record<string, { kind: Kind; major: number; minor: number }> = {
  '/dev/null': { kind: 'null', major: 1, minor: 3 },
  '/dev/zero': { kind: 'zero', major: 1, minor: 5 },
  '/dev/full': { kind: 'full', major: 1, minor: 7 },
  '/dev/random': { kind: 'random', major: 1, minor: 8 },
  '/dev/urandom': { kind: 'random', major: 1, minor: 9 },
};

/** The names of the kernel's devices under /dev. */
export const DEVICE_NAMES = Object.keys(DEVICES).map((p) => p.slice('/dev/'.length));

export const isDevice = (guestPath: string) => guestPath in DEVICES;

export function deviceStat(guestPath: string): Stat {
  const d = DEVICES[guestPath];
  const now = Date.now();
  const sec = Math.floor(now / 1000), nsec = (now % 1000) * 1e6;
  return {
    dev: 5, ino: 1000 + d.minor, mode: S_IFCHR | 0o666, nlink: 1, uid: 0, gid: 0, rdev: makedev(d.major, d.minor),
    size: 0, blksize: 4096, blocks: 0, atimeSec: sec, atimeNsec: nsec, mtimeSec: sec, mtimeNsec: nsec, ctimeSec: sec, ctimeNsec: nsec,
  };
}

export class DeviceFile extends OpenFile {
  readonly kind: Kind;
  constructor(flags: number, path: string) {
    super(flags, path);
    this.kind = DEVICES[path].kind;
  }

  override get seekable(): boolean { return true; }
  override get ignoresWriteData(): boolean { return this.kind !== 'random'; }
  stat(): Stat { return deviceStat(this.path); }
  override size(): number { return 0; }

  override read(t: Task, dst: PhysChunk[], len: number): SyscallResult {
    if (this.kind === 'null') return 0;
    const u8 = t.kernel.phys.u8;
    for (const c of dst) {
      if (this.kind === 'random') randomFillSync(u8, c.pa, c.len);
      else u8.fill(0, c.pa, c.pa + c.len);
    }
    return len;
  }

  override write(_t: Task, _src: PhysChunk[], len: number): SyscallResult {
    return this.kind === 'full' ? -Errno.ENOSPC : len;
  }

  override poll(): number { return POLLIN | POLLOUT; }
}
