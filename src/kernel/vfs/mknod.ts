// Creating filesystem nodes node:fs cannot make: an S_IFSOCK node for bind(2) on an AF_UNIX
// path, a FIFO for mknodat, through libc's mknod(2) (unprivileged for sockets and FIFOs).
import { cPath, lastErrno, libc } from './libc.js';

/** mknod(path, mode, 0) on a host path given as bytes; returns 0 or -errno. */
export function hostMknod(path: Buffer, mode: number): number {
  return libc().mknod(cPath(path), mode, 0) === 0 ? 0 : lastErrno();
}
