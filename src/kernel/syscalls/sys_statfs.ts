// statfs(2), fstatfs(2) (fs/statfs.c): a host file's answer is the host file system's own
// struct statfs (the layout is the same on x86_64 and arm64); the kernel's own objects report
// their pseudo file systems (procfs, sysfs, devtmpfs, pipefs, sockfs, anon_inodefs).
import { cPath, lastErrno, libc } from '../vfs/libc.js';
import { AT, FS_MAGIC, STATFS_LAYOUT } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import type { OpenFile } from '../vfs/file.js';
import { HostDir, HostFile } from '../vfs/hostfs.js';
import { lookup } from '../vfs/open.js';
import { PipeEnd } from '../pipe/pipe.js';
import { ProcDir, ProcFile, ProcMemFile } from '../vfs/procfs_files.js';
import { DeviceFile, isDevice } from '../vfs/devices.js';
import { SocketFile } from '../socket/socket_file.js';

const ST_VALID = 0x20, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_RELATIME = 0x1000;

/** A pseudo file system's struct statfs: 4 KiB blocks, nothing used, 255-byte names. */
function pseudo(magic: number, flags = ST_VALID | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME): Buffer {
  const b = Buffer.alloc(STATFS_LAYOUT.size);
  const F = STATFS_LAYOUT.fields;
  b.writeBigInt64LE(BigInt(magic), F.f_type.offset);
  b.writeBigInt64LE(4096n, F.f_bsize.offset);
  b.writeBigInt64LE(255n, F.f_namelen.offset);
  b.writeBigInt64LE(4096n, F.f_frsize.offset);
  b.writeBigInt64LE(BigInt(flags), F.f_flags.offset);
  return b;
}

function ofFile(f: OpenFile): Buffer | number {
  if (f instanceof HostFile || f instanceof HostDir) {
    const b = Buffer.alloc(STATFS_LAYOUT.size);
    return libc().fstatfs(f.hostFd, b) === 0 ? b : lastErrno();
  }
  if (f instanceof PipeEnd) return pseudo(FS_MAGIC.PIPEFS_MAGIC, ST_VALID);
  if (f instanceof ProcFile || f instanceof ProcDir || f instanceof ProcMemFile) {
    return pseudo(f.path.startsWith('/sys') ? FS_MAGIC.SYSFS_MAGIC : FS_MAGIC.PROC_SUPER_MAGIC);
  }
  if (f instanceof DeviceFile) return pseudo(FS_MAGIC.TMPFS_MAGIC, ST_VALID | ST_NOSUID | ST_RELATIME);
  if (f instanceof SocketFile) return pseudo(FS_MAGIC.SOCKFS_MAGIC, ST_VALID);
  return pseudo(FS_MAGIC.ANON_INODE_FS_MAGIC, ST_VALID);
}

export const statfsCalls = {
  /** statfs(2) */
  statfs(t: Task, [path, buf]: number[]): SyscallResult {
    const r = lookup(t, AT.AT_FDCWD, t.mem.cstring(path), true);
    if (typeof r === 'number') return r;
    let b: Buffer;
    if (r.vdir || r.vfile || r.vlink !== undefined) b = pseudo(r.guest.startsWith('/sys') ? FS_MAGIC.SYSFS_MAGIC : FS_MAGIC.PROC_SUPER_MAGIC);
    else if (isDevice(r.guest)) b = pseudo(FS_MAGIC.TMPFS_MAGIC, ST_VALID | ST_NOSUID | ST_RELATIME);
    else if (!r.st) return -Errno.ENOENT;
    else {
      b = Buffer.alloc(STATFS_LAYOUT.size);
      if (libc().statfs(cPath(r.host), b) !== 0) return lastErrno();
    }
    t.mem.write(buf, b);
    return 0;
  },
  /** fstatfs(2) */
  fstatfs(t: Task, [fd, buf]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    const b = ofFile(f);
    if (typeof b === 'number') return b;
    t.mem.write(buf, b);
    return 0;
  },
};
