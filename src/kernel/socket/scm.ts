// Ancillary data (net/core/scm.c, include/linux/socket.h CMSG_*): parsing a sendmsg control
// buffer into files and credentials, and writing SCM_CREDENTIALS / SCM_RIGHTS back for
// recvmsg. cmsghdr is {u64 cmsg_len; i32 cmsg_level; i32 cmsg_type} on both arches and
// CMSG_ALIGN rounds to 8.
import { CMSGHDR_LAYOUT } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { OpenFile } from '../vfs/file.js';
import { SOL_SOCKET } from './types.js';
import type { Ancillary, Creds } from './unix.js';

export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
/** SCM_MAX_FD: files one SCM_RIGHTS message may carry. */
export const SCM_MAX_FD = 253;
const HDR = CMSGHDR_LAYOUT.size;
export const cmsgAlign = (n: number) => (n + 7) & ~7;
export const cmsgSpace = (n: number) => HDR + cmsgAlign(n);
export const cmsgLen = (n: number) => HDR + n;

/** Drop one in-flight reference (a file sent and never received is closed). */
function drop(f: OpenFile): void { if (--f.refs === 0) f.release(); }

/**
 * Parse sendmsg's control buffer (__scm_send): EINVAL for a malformed cmsg, EBADF for a bad
 * fd, EPERM for credentials that are not the sender's. Files get an in-flight reference.
 */
export function parseControl(t: Task, control: number, controllen: number): Ancillary | undefined | number {
  if (!control || controllen === 0) return undefined;
  if (controllen < 0 || controllen > 1 << 20) return -Errno.ENOBUFS;
  const buf = t.mem.read(control, controllen);
  const dv = new DataView(buf.buffer);
  const files: OpenFile[] = [];
  let cred: Creds | undefined;
  const fail = (e: number) => { files.forEach(drop); return e; };
  for (let off = 0; off + HDR <= controllen;) {
    const len = Number(dv.getBigUint64(off, true));
    const level = dv.getInt32(off + 8, true), type = dv.getInt32(off + 12, true);
    if (len < HDR || off + len > controllen) return fail(-Errno.EINVAL);
    if (level === SOL_SOCKET && type === SCM_RIGHTS) {
      const n = Math.floor((len - HDR) / 4);
      if (files.length + n > SCM_MAX_FD) return fail(-Errno.EINVAL);
      for (let i = 0; i < n; i++) {
        const f = t.proc.fds.get(dv.getInt32(off + HDR + 4 * i, true));
        if (!f) return fail(-Errno.EBADF);
        f.refs++;
        files.push(f);
      }
    } else if (level === SOL_SOCKET && type === SCM_CREDENTIALS) {
      if (len !== cmsgLen(12)) return fail(-Errno.EINVAL);
      const c = { pid: dv.getInt32(off + HDR, true), uid: dv.getUint32(off + HDR + 4, true), gid: dv.getUint32(off + HDR + 8, true) };
      // scm_check_creds: one's own pid (or CAP_SYS_ADMIN), a uid and gid one holds (or CAP_SETUID/SETGID).
      const k = t.proc.creds;
      const uidOk = [k.uid, k.euid, k.suid].includes(c.uid) || k.capable(CAP.CAP_SETUID);
      const gidOk = [k.gid, k.egid, k.sgid].includes(c.gid) || k.capable(CAP.CAP_SETGID);
      if ((c.pid !== t.proc.pid && !k.capable(CAP.CAP_SYS_ADMIN)) || !uidOk || !gidOk) return fail(-Errno.EPERM);
      cred = c;
    } else if (level === SOL_SOCKET) {
      return fail(-Errno.EINVAL);
    }
    off += cmsgAlign(len);
  }
  if (!files.length && !cred) return undefined;
  return { files, cred, dispose() { files.splice(0).forEach(drop); } };
}

/**
 * Write recvmsg's control data (scm_recv): SCM_CREDENTIALS when the receiver has SO_PASSCRED,
 * then SCM_RIGHTS installing as many files as fit (MSG_CTRUNC otherwise; the rest are closed,
 * never leaked). Returns the bytes used and whether anything was cut.
 */
export function writeControl(
  t: Task, control: number, controllen: number, anc: Ancillary | undefined, peeked: boolean,
  passcred: Creds | undefined, cloexec: boolean,
): { used: number; truncated: boolean } {
  const out: number[] = [];
  let truncated = false;
  const room = () => controllen - out.length;
  // put_cmsg: what does not fit is cut (cmsg_len says how much was written) and MSG_CTRUNC set.
  const put = (type: number, data: Uint8Array, used: number) => {
    if (room() < HDR) { truncated = true; return; }
    let len = cmsgLen(used);
    if (room() < len) { truncated = true; len = room(); }
    const hdr = new DataView(new ArrayBuffer(HDR));
    hdr.setBigUint64(0, BigInt(len), true);
    hdr.setInt32(8, SOL_SOCKET, true);
    hdr.setInt32(12, type, true);
    out.push(...new Uint8Array(hdr.buffer), ...data.subarray(0, len - HDR));
    const pad = Math.min(cmsgSpace(used) - cmsgLen(used), Math.max(0, room()));
    if (len === cmsgLen(used)) for (let i = 0; i < pad; i++) out.push(0);
  };
  const cred = anc?.cred ?? passcred;
  if (passcred && cred) {
    const d = new DataView(new ArrayBuffer(12));
    d.setInt32(0, cred.pid, true); d.setUint32(4, cred.uid, true); d.setUint32(8, cred.gid, true);
    put(SCM_CREDENTIALS, new Uint8Array(d.buffer), 12);
  }
  const files = (anc?.files ?? []) as OpenFile[];
  if (files.length) {
    const fit = Math.max(0, Math.min(files.length, Math.floor((room() - HDR) / 4)));
    if (fit < files.length) truncated = true;
    const fds: number[] = [];
    for (let i = 0; i < fit; i++) {
      const fd = t.proc.fds.install(files[i], cloexec);
      if (fd < 0) { truncated = true; break; }
      fds.push(fd);
    }
    if (fds.length) {
      const d = new DataView(new ArrayBuffer(4 * fds.length));
      fds.forEach((fd, i) => d.setInt32(4 * i, fd, true));
      put(SCM_RIGHTS, new Uint8Array(d.buffer), 4 * fds.length);
    }
  }
  // The in-flight references end here (a peek leaves them queued for the real read).
  if (anc && !peeked) anc.dispose();
  if (out.length) t.mem.write(control, new Uint8Array(out));
  return { used: out.length, truncated };
}
