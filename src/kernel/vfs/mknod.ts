// Creating filesystem nodes node:fs cannot make: an S_IFSOCK node for bind(2) on an AF_UNIX
// path, through libc's mknod(2) (unprivileged for sockets and FIFOs).
import koffi from 'koffi';

let mknodFn: ((path: Buffer, mode: number, dev: number) => number) | undefined;

/** mknod(path, mode, 0) on a host path given as bytes; returns 0 or -errno. */
export function hostMknod(path: Buffer, mode: number): number {
  mknodFn ??= koffi.load('libc.so.6').func('int mknod(const uint8_t *path, unsigned int mode, unsigned long dev)') as never;
  const r = mknodFn!(Buffer.concat([path, Buffer.from([0])]), mode, 0);
  return r === 0 ? 0 : -koffi.errno();
}
