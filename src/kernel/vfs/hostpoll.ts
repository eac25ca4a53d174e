// Readiness of a host file descriptor without blocking: libc poll(2) with a zero timeout,
// through koffi. Host streams the guest reads (a terminal, a pipe or FIFO on ucrun's stdin)
// are polled with this before every read, so a guest waiting for input parks only its own
// task and the emulator keeps running the others.
import koffi from 'koffi';
import { POLLERR, POLLHUP, POLLIN, POLLOUT } from './file.js';

let pollFn: ((fds: Buffer, n: number, timeout: number) => number) | undefined;
/** koffi unloads a library whose handle is collected: keep it. */
let libc: unknown;
const pfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }

/** The POLL* bits the host reports for `fd` now (POLLIN|POLLOUT if poll itself fails). */
export function hostPoll(fd: number, events = POLLIN | POLLOUT): number {
  if (!pollFn) {
    const lib = koffi.load('libc.so.6');
    libc = lib;
    pollFn = lib.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)') as never;
  }
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(events, 4);
  pfd.writeInt16LE(0, 6);
  const n = pollFn!(pfd, 1, 0);
  if (n < 0) return POLLIN | POLLOUT;
  return n === 0 ? 0 : pfd.readUInt16LE(6) & (events | POLLERR | POLLHUP | 0x20 /* POLLNVAL */);
}

export const keepLibc = () => libc;
