// Terminal ioctls answered honestly: TCGETS/TIOCGWINSZ are passed to the host fd through
// libc's ioctl, so a guest sees a tty exactly when ucrun's own stream is one (isatty works),
// and gets ENOTTY otherwise. The kernel's struct termios (36 bytes) and struct winsize
// (8 bytes) have the same layout on x86_64 and aarch64 (asm-generic/termbits.h).
import koffi from 'koffi';
import { Errno } from '../errno.js';
import { libc } from './libc.js';
import type { Task } from '../task.js';

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const TIOCGPGRP = 0x540f;
const SIZES: Record<number, number> = { [TCGETS]: 36, [TIOCGWINSZ]: 8 };


export function hostIoctl(t: Task, hostFd: number, req: number, arg: number): number {
  const size = SIZES[req];
  if (size === undefined) return -Errno.ENOTTY;
  const buf = new Uint8Array(size);
  const r = libc().ioctl(hostFd, req, koffi.pointer('uint8_t'), buf);
  if (r < 0) return -Errno.ENOTTY;
  t.mem.write(arg, buf);
  return 0;
}
