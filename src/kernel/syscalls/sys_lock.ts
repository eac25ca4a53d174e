// File locks: fcntl F_GETLK/F_SETLK/F_SETLKW, F_OFD_GETLK/F_OFD_SETLK/F_OFD_SETLKW and flock(2)
// (fs/locks.c fcntl_getlk, fcntl_setlk, flock_lock_inode). The table is vfs/locks.ts.
import { FCNTL, FLOCK_LAYOUT, SEEK } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { block, type SyscallResult } from '../wait.js';
import type { OpenFile } from '../vfs/file.js';
import { F_RDLCK, F_UNLCK, F_WRLCK, lockKey, locksOf, ownByDescription, type Owner } from '../vfs/locks.js';

const { F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW } = FCNTL;
const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8, LOCK_MAND = 32;
const F = FLOCK_LAYOUT.fields;

/** struct flock's range as [start, end] (end inclusive, Infinity to EOF), or -EINVAL. */
function range(f: OpenFile, whence: number, start: number, len: number): [number, number] | number {
  const base = whence === SEEK.SEEK_SET ? 0 : whence === SEEK.SEEK_CUR ? f.offset : whence === SEEK.SEEK_END ? f.size() : NaN;
  if (Number.isNaN(base)) return -Errno.EINVAL;
  let s = base + start, e: number;
  if (len > 0) e = s + len - 1;
  else if (len === 0) e = Infinity;
  else { e = s - 1; s += len; }
  if (s < 0) return -Errno.EINVAL;
  return [s, e];
}

/** fcntl's lock commands; undefined for any other command. */
export function fcntlLock(t: Task, f: OpenFile, cmd: number, arg: number): SyscallResult | undefined {
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  if (!ofd && cmd !== F_GETLK && cmd !== F_SETLK && cmd !== F_SETLKW) return undefined;
  const b = t.mem.read(arg, FLOCK_LAYOUT.size);
  const dv = new DataView(b.buffer);
  const type = dv.getInt16(F.l_type.offset, true), whence = dv.getInt16(F.l_whence.offset, true);
  const r = range(f, whence, Number(dv.getBigInt64(F.l_start.offset, true)), Number(dv.getBigInt64(F.l_len.offset, true)));
  if (typeof r === 'number') return r;
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -Errno.EINVAL;
  if (ofd && dv.getInt32(F.l_pid.offset, true) !== 0) return -Errno.EINVAL;
  const table = locksOf(t.kernel);
  const key = lockKey(f);
  const owner: Owner = ofd ? f : t.proc;
  if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
    if (type === F_UNLCK) return -Errno.EINVAL;
    const c = table.conflict(key, owner, 'posix', type, r[0], r[1]);
    const out = new DataView(new ArrayBuffer(FLOCK_LAYOUT.size));
    out.setInt16(F.l_type.offset, c ? c.type : F_UNLCK, true);
    out.setInt16(F.l_whence.offset, SEEK.SEEK_SET, true);
    out.setBigInt64(F.l_start.offset, BigInt(c ? c.start : r[0]), true);
    out.setBigInt64(F.l_len.offset, BigInt(c ? (c.end === Infinity ? 0 : c.end - c.start + 1) : dv.getBigInt64(F.l_len.offset, true)), true);
    out.setInt32(F.l_pid.offset, c ? c.pid : 0, true);
    t.mem.write(arg, new Uint8Array(out.buffer));
    return 0;
  }
  if (type === F_RDLCK && !f.readable) return -Errno.EBADF;
  if (type === F_WRLCK && !f.writable) return -Errno.EBADF;
  if (ofd) ownByDescription(t.kernel, f, key);
  const got = table.set(key, owner, ofd ? -1 : t.proc.pid, 'posix', type, r[0], r[1]);
  if (got === 'ok') { table.setWaiting(owner, undefined); return 0; }
  if (cmd === F_SETLK || cmd === F_OFD_SETLK) return -Errno.EAGAIN;
  if (!ofd && table.wouldDeadlock(owner, got)) return -Errno.EDEADLK;
  table.setWaiting(owner, got);
  t.abandon = () => table.setWaiting(owner, undefined);
  return block([table.waitq(key)]);
}

export const lockCalls = {
  /** flock(2): whole-file locks of the open file description */
  flock(t: Task, [fd, opArg]: number[]): SyscallResult {
    const f = t.proc.fds.get(fd | 0);
    if (!f) return -Errno.EBADF;
    const op = opArg | 0;
    if (op & LOCK_MAND) return 0; // LOCK_MAND is ignored since Linux 5.15 (a warning, then success)
    const kind = op & ~LOCK_NB;
    const type = kind === LOCK_SH ? F_RDLCK : kind === LOCK_EX ? F_WRLCK : kind === LOCK_UN ? F_UNLCK : -1;
    if (type < 0) return -Errno.EINVAL;
    const table = locksOf(t.kernel);
    const key = lockKey(f);
    ownByDescription(t.kernel, f, key);
    // A conversion drops the old lock first (it is not atomic, as on Linux).
    if (type !== F_UNLCK && table.conflict(key, f, 'flock', type, 0, Infinity)) {
      table.set(key, f, t.proc.pid, 'flock', F_UNLCK, 0, Infinity);
      if (op & LOCK_NB) return -Errno.EWOULDBLOCK;
      return block([table.waitq(key)]);
    }
    table.set(key, f, t.proc.pid, 'flock', type, 0, Infinity);
    return 0;
  },
};
