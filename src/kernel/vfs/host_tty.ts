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
const TCSETS_W = 0x5403, TCSETS_F = 0x5404, TIOCSPGRP = 0x5410, TIOCGSID = 0x5429, TIOCOUTQ = 0x5411;
/** Requests passed to the host terminal: [bytes, direction] (out: the host fills the guest's buffer). */
const PASS: Record<number, [number, 'out' | 'in']> = {
  [TCGETS]: [36, 'out'], [TIOCGWINSZ]: [8, 'out'], [TIOCOUTQ]: [4, 'out'],
  [TCSETS]: [36, 'in'], [TCSETS_W]: [36, 'in'], [TCSETS_F]: [36, 'in'], [TIOCSWINSZ]: [8, 'in'],
};

/** The guest's foreground process group on ucrun's terminal (the first process's, until TIOCSPGRP). */
const foreground = new WeakMap<object, number>();

/**
 * Terminal ioctls on a host fd. The termios and window-size requests go to the host terminal
 * (the guest sees and sets ucrun's own terminal, as a native program would); the job-control
 * ones (TIOCGPGRP, TIOCSPGRP, TIOCGSID) answer with the guest's own process groups and session,
 * never the host's pids. Anything else, or a host fd that is not a terminal, is ENOTTY.
 */
export function hostIoctl(t: Task, hostFd: number, req: number, arg: number): number {
  const isTty = () => libc().ioctl(hostFd, TCGETS, koffi.pointer('uint8_t'), new Uint8Array(36)) >= 0;
  if (req === TIOCGPGRP || req === TIOCGSID) {
    if (!isTty()) return -Errno.ENOTTY;
    const first = t.kernel.processes.get(1);
    t.mem.setI32(arg, req === TIOCGSID ? first?.sid ?? t.proc.sid : foreground.get(t.kernel) ?? first?.pgid ?? t.proc.pgid);
    return 0;
  }
  if (req === TIOCSPGRP) {
    if (!isTty()) return -Errno.ENOTTY;
    const pg = t.mem.i32(arg);
    if (pg < 0) return -Errno.EINVAL;
    if (![...t.kernel.processes.values()].some((p) => p.alive && p.pgid === pg && p.sid === t.proc.sid)) return -Errno.EPERM;
    foreground.set(t.kernel, pg);
    return 0;
  }
  const pass = PASS[req];
  if (!pass) return -Errno.ENOTTY;
  const buf = pass[1] === 'in' ? t.mem.read(arg, pass[0]) : new Uint8Array(pass[0]);
  const r = libc().ioctl(hostFd, req, koffi.pointer('uint8_t'), buf);
  if (r < 0) return -Errno.ENOTTY;
  if (pass[1] === 'out') t.mem.write(arg, buf);
  return 0;
}
