// Readiness of a host file descriptor without blocking: libc poll(2) with a zero timeout,
// through koffi. Host streams the guest reads (a terminal, a pipe or FIFO on ucrun's stdin)
// are polled with this before every read, so a guest waiting for input parks only its own
// task and the emulator keeps running the others.
import { POLLERR, POLLHUP, POLLIN, POLLOUT } from './file.js';
import { libc } from './libc.js';

const pfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }

/** The POLL* bits the host reports for `fd` now (POLLIN|POLLOUT if poll itself fails). */
export function hostPoll(fd: number, events = POLLIN | POLLOUT): number {
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(events, 4);
  pfd.writeInt16LE(0, 6);
  const n = libc().poll(pfd, 1, 0);
  if (n < 0) return POLLIN | POLLOUT;
  return n === 0 ? 0 : pfd.readUInt16LE(6) & (events | POLLERR | POLLHUP | 0x20 /* POLLNVAL */);
}

