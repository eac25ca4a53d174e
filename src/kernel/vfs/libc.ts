// The host libc calls node:fs does not offer, bound once through koffi. The library handle is
// kept for the life of the process (koffi unloads a library whose handle is collected, and a
// later call through a stale function pointer would crash the host). Every path argument is a
// NUL-terminated Buffer of bytes (names are bytes: src/abi/bytes.ts); results are -errno.
import koffi from 'koffi';

interface Libc {
  poll(fds: Buffer, n: number, timeout: number): number;
  ioctl(fd: number, req: number, ...rest: unknown[]): number;
  mknod(path: Buffer, mode: number, dev: number): number;
  lseek(fd: number, off: bigint, whence: number): number | bigint;
  utimensat(dirfd: number, path: Buffer, times: Buffer | null, flags: number): number;
  futimens(fd: number, times: Buffer | null): number;
  statfs(path: Buffer, buf: Buffer): number;
  fstatfs(fd: number, buf: Buffer): number;
  fallocate(fd: number, mode: number, off: bigint, len: bigint): number;
  memfd_create(name: Buffer, flags: number): number;
  fcntl(fd: number, cmd: number, ...rest: unknown[]): number;
  lgetxattr(path: Buffer, name: Buffer, value: Buffer | null, size: number): number;
  fgetxattr(fd: number, name: Buffer, value: Buffer | null, size: number): number;
  lsetxattr(path: Buffer, name: Buffer, value: Buffer, size: number, flags: number): number;
  fsetxattr(fd: number, name: Buffer, value: Buffer, size: number, flags: number): number;
  llistxattr(path: Buffer, list: Buffer | null, size: number): number;
  flistxattr(fd: number, list: Buffer | null, size: number): number;
  lremovexattr(path: Buffer, name: Buffer): number;
  fremovexattr(fd: number, name: Buffer): number;
}

let lib: ReturnType<typeof koffi.load> | undefined;
let fns: Libc | undefined;

export function libc(): Libc {
  if (fns) return fns;
  lib = koffi.load('libc.so.6');
  const f = (proto: string) => lib!.func(proto) as never;
  fns = {
    poll: f('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)'),
    ioctl: f('int ioctl(int fd, unsigned long req, ...)'),
    mknod: f('int mknod(const uint8_t *path, unsigned int mode, unsigned long dev)'),
    lseek: f('int64_t lseek(int fd, int64_t off, int whence)'),
    utimensat: f('int utimensat(int dirfd, const uint8_t *path, const uint8_t *times, int flags)'),
    futimens: f('int futimens(int fd, const uint8_t *times)'),
    statfs: f('int statfs(const uint8_t *path, _Out_ uint8_t *buf)'),
    fstatfs: f('int fstatfs(int fd, _Out_ uint8_t *buf)'),
    fallocate: f('int fallocate(int fd, int mode, int64_t off, int64_t len)'),
    memfd_create: f('int memfd_create(const uint8_t *name, unsigned int flags)'),
    fcntl: f('int fcntl(int fd, int cmd, ...)'),
    lgetxattr: f('long lgetxattr(const uint8_t *path, const uint8_t *name, _Out_ uint8_t *value, unsigned long size)'),
    fgetxattr: f('long fgetxattr(int fd, const uint8_t *name, _Out_ uint8_t *value, unsigned long size)'),
    lsetxattr: f('int lsetxattr(const uint8_t *path, const uint8_t *name, const uint8_t *value, unsigned long size, int flags)'),
    fsetxattr: f('int fsetxattr(int fd, const uint8_t *name, const uint8_t *value, unsigned long size, int flags)'),
    llistxattr: f('long llistxattr(const uint8_t *path, _Out_ uint8_t *list, unsigned long size)'),
    flistxattr: f('long flistxattr(int fd, _Out_ uint8_t *list, unsigned long size)'),
    lremovexattr: f('int lremovexattr(const uint8_t *path, const uint8_t *name)'),
    fremovexattr: f('int fremovexattr(int fd, const uint8_t *name)'),
  };
  return fns;
}

/** A host path as libc takes it. */
export const cPath = (p: Buffer) => Buffer.concat([p, Buffer.from([0])]);

/** -errno of the last failed libc call. */
export const lastErrno = () => -koffi.errno();
