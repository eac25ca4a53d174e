// Socket syscalls (net/socket.c, net/unix/af_unix.c): socket, socketpair, send/recv family,
// shutdown, getsockopt/setsockopt, getsockname/getpeername, listen. bind, connect and
// accept (named sockets) arrive with the AF_UNIX issue.
import type { PhysChunk } from '../../mm/guest_memory.js';
import { AT, MODE, MSGHDR_LAYOUT, UCRED_LAYOUT } from '../abi.js';
import { Errno } from '../errno.js';
import { SocketFile, RecvOutcome } from '../socket/socket_file.js';
import {
  AF_INET, AF_INET6, AF_UNIX, decodeSockaddrUn, encodeSockaddrUn, MSG_OOB, SO_ACCEPTCONN, SO_DOMAIN, SO_ERROR,
  SO_PASSCRED, SO_PEERCRED, SO_PROTOCOL, SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, SO_SNDBUFFORCE, SO_TYPE, SOCK_BUF_MAX,
  SOCK_CLOEXEC, SOCK_DGRAM, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, SOCK_NONBLOCK, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM,
  SOCK_TYPE_MASK, SocketState, SOCKADDR_UN_SIZE, SOL_SOCKET, UnixAddress, SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST,
  SO_DEBUG, SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT, SO_SNDLOWAT, SO_LINGER, SO_RCVTIMEO_OLD, SO_SNDTIMEO_OLD,
  MSG_CMSG_CLOEXEC, MSG_CTRUNC,
} from '../socket/types.js';
import { Ancillary, UnixSocket } from '../socket/unix.js';
import { parseControl, writeControl } from '../socket/scm.js';
import { waitOrAgain } from '../io.js';
import { lookup } from '../vfs/open.js';
import { hostMknod } from '../vfs/mknod.js';
import * as fs from 'node:fs';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { iovChunks, userChunks } from './sys_fs.js';

const M = MSGHDR_LAYOUT.fields;
/** Options whose value is an int that is stored but changes nothing for AF_UNIX. */
const PLAIN_INT_OPTS = new Set<number>([SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_OOBINLINE]);

function sockOf(t: Task, fd: number): SocketFile | number {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  return f instanceof SocketFile ? f : -Errno.ENOTSOCK;
}

/** socket()/socketpair() type argument: the base type and its flags, or -EINVAL. */
function splitType(type: number): { base: number; nonblock: boolean; cloexec: boolean } | number {
  const flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -Errno.EINVAL;
  const base = type & SOCK_TYPE_MASK;
  if (base >= 11) return -Errno.EINVAL; // SOCK_MAX; type 0 reaches the family and fails there
  return { base, nonblock: (flags & SOCK_NONBLOCK) !== 0, cloexec: (flags & SOCK_CLOEXEC) !== 0 };
}

/** unix_create: the AF_UNIX types (SOCK_RAW is quietly a datagram socket) or an errno. */
function unixType(base: number, protocol: number): number {
  if (protocol !== 0 && protocol !== AF_UNIX) return -Errno.EPROTONOSUPPORT;
  if (base === SOCK_STREAM || base === SOCK_DGRAM || base === SOCK_SEQPACKET) return base;
  if (base === SOCK_RAW) return SOCK_DGRAM;
  return -Errno.ESOCKTNOSUPPORT;
}

function creds(t: Task) {
  return { pid: t.proc.pid, uid: t.proc.creds.euid, gid: t.proc.creds.egid };
}

function fileFor(t: Task, sock: UnixSocket, nonblock: boolean): SocketFile {
  return new SocketFile(sock, 2 /* O_RDWR */ | (nonblock ? t.proc.arch.o.O_NONBLOCK : 0));
}

/** Copy an address out with the in/out length convention of getsockname/recvfrom/accept. */
function putAddr(t: Task, addr: number, lenp: number, a: UnixAddress | undefined): number {
  if (!addr) return 0;
  const len = t.mem.i32(lenp); // a bad (or NULL) length pointer is EFAULT

  if (len < 0) return -Errno.EINVAL;
  const bytes = a ? encodeSockaddrUn(a) : new Uint8Array(0);
  if (bytes.length > 0) t.mem.write(addr, bytes.subarray(0, Math.min(len, bytes.length)));
  t.mem.setI32(lenp, bytes.length);
  return 0;
}

/**
 * The socket bound to `a` (unix_find_other): an abstract name in this instance's table, or
 * the S_IFSOCK node a path names. ENOENT when the path does not exist, ECONNREFUSED when
 * nothing is bound there (a stale node, a non-socket file).
 */
function findSocket(t: Task, a: UnixAddress, type: number): UnixSocket | number {
  const ns = t.kernel.unixNames;
  if (a.kind === 'abstract') return ns.abstract(a.name, type) ?? -Errno.ECONNREFUSED;
  if (a.kind !== 'path') return -Errno.EINVAL;
  const r = lookup(t, AT.AT_FDCWD, a.path, true);
  if (typeof r === 'number') return r;
  if (!r.st) return -Errno.ENOENT;
  if (!r.st.isSocket()) return -Errno.ECONNREFUSED;
  return ns.inode(r.st.dev, r.st.ino) ?? -Errno.ECONNREFUSED;
}

/** Read and decode a sockaddr_un argument. */
function readAddr(t: Task, addr: number, len: number): UnixAddress | number {
  // unix_validate_addr: no longer than struct sockaddr_un.
  if (len < 0 || len > SOCKADDR_UN_SIZE) return -Errno.EINVAL;
  return decodeSockaddrUn(t.mem.read(addr, len), len);
}

/** unix_autobind: give an unbound socket an abstract "\0xxxxx" name. */
function autobind(t: Task, s: UnixSocket): number {
  if (s.address.kind !== 'unnamed') return 0;
  const name = t.kernel.unixNames.autobindName(s.type);
  if (!name) return -Errno.ENOSPC;
  t.kernel.unixNames.bindAbstract(name, s);
  s.address = { kind: 'abstract', name };
  if (s.state === SocketState.Unbound) s.state = SocketState.Bound;
  return 0;
}

interface Msghdr { name: number; namelen: number; iov: number; iovlen: number; control: number; controllen: number }
function readMsghdr(t: Task, addr: number): Msghdr {
  const dv = new DataView(t.mem.read(addr, MSGHDR_LAYOUT.size).buffer);
  const u64 = (o: number) => dv.getUint32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
  return {
    name: u64(M.msg_name.offset), namelen: dv.getInt32(M.msg_namelen.offset, true), iov: u64(M.msg_iov.offset),
    iovlen: u64(M.msg_iovlen.offset), control: u64(M.msg_control.offset), controllen: u64(M.msg_controllen.offset),
  };
}


function doSend(t: Task, fd: number, chunks: PhysChunk[] | number, flags: number, addr: number, addrlen: number, anc?: Ancillary): SyscallResult {
  const r = doSend1(t, fd, chunks, flags, addr, addrlen, anc);
  // Control data that did not get queued with any bytes is released (no fd leaks).
  if (anc && !anc.attached) anc.dispose();
  return r;
}

/** sizeof(struct sockaddr_storage). */
const SOCKADDR_STORAGE_SIZE = 128;

function doSend1(t: Task, fd: number, chunks: PhysChunk[] | number, flags: number, addr: number, addrlen: number, anc?: Ancillary): SyscallResult {
  const f = sockOf(t, fd);
  if (typeof f === 'number') return f;
  if (typeof chunks === 'number') return chunks;
  // move_addr_to_kernel: the address is copied in before any protocol check (EISCONN below).
  if (addr) {
    if (addrlen < 0 || addrlen > SOCKADDR_STORAGE_SIZE) return -Errno.EINVAL;
    if (addrlen > 0) t.mem.read(addr, addrlen);
  }
  if (flags & MSG_OOB) return -Errno.EOPNOTSUPP;
  const len = chunks.reduce((n, c) => n + c.len, 0);
  const s = f.sock;
  // msg_namelen 0 means no address; stream sockets refuse one, seqpacket ignores it.
  if (addr && addrlen !== 0 && s.type !== SOCK_SEQPACKET) {
    if (s.type === SOCK_STREAM) return s.state === SocketState.Connected ? -Errno.EISCONN : -Errno.EOPNOTSUPP;
    const a = readAddr(t, addr, addrlen);
    if (typeof a === 'number') return a;
    if (s.passcred) { const e = autobind(t, s); if (e) return e; }
    const target = findSocket(t, a, s.type);
    if (typeof target === 'number') return target;
    return f.sendTo(t, target, chunks, len, flags, anc);
  }
  if (s.passcred && s.address.kind === 'unnamed') { const e = autobind(t, s); if (e) return e; }
  return f.send(t, chunks, len, flags, anc);
}

function doRecv(t: Task, fd: number, chunks: PhysChunk[] | number, flags: number, out: RecvOutcome): SyscallResult {
  const f = sockOf(t, fd);
  if (typeof f === 'number') return f;
  if (typeof chunks === 'number') return chunks;
  if (flags & MSG_OOB) return -Errno.EINVAL;
  const len = chunks.reduce((n, c) => n + c.len, 0);
  return f.recv(t, chunks, len, flags, out);
}

export const socketCalls = {
  /** socket(2) */
  socket(t: Task, [domain, type, protocol]: number[]): SyscallResult {
    const ty = splitType(type);
    if (typeof ty === 'number') return ty;
    if (domain !== AF_UNIX) return -Errno.EAFNOSUPPORT; // AF_INET/AF_INET6 arrive in a later issue
    const base = unixType(ty.base, protocol | 0);
    if (base < 0) return base;
    const f = fileFor(t, new UnixSocket(t.kernel, base, creds(t)), ty.nonblock);
    const fd = t.proc.fds.install(f, ty.cloexec);
    if (fd < 0) f.release();
    return fd;
  },
  /** socketpair(2) */
  socketpair(t: Task, [domain, type, protocol, sv]: number[]): SyscallResult {
    const ty = splitType(type);
    if (typeof ty === 'number') return ty;
    if (domain === AF_INET || domain === AF_INET6) {
      // inet sockets exist but cannot be paired (sock_no_socketpair) once created.
      if (ty.base === SOCK_STREAM) return protocol === 0 || protocol === 6 ? -Errno.EOPNOTSUPP : -Errno.EPROTONOSUPPORT;
      if (ty.base === SOCK_DGRAM) return protocol === 0 || protocol === 17 ? -Errno.EOPNOTSUPP : -Errno.EPROTONOSUPPORT;
      if (ty.base === SOCK_RAW) return -Errno.EOPNOTSUPP;
      return -Errno.ESOCKTNOSUPPORT;
    }
    if (domain !== AF_UNIX) return -Errno.EAFNOSUPPORT;
    const base = unixType(ty.base, protocol);
    if (base < 0) return base;
    t.mem.chunks(sv, 8, true); // EFAULT before any fd exists: nothing can leak
    const [a, b] = UnixSocket.pair(t.kernel, base, creds(t));
    const fa = fileFor(t, a, ty.nonblock), fb = fileFor(t, b, ty.nonblock);
    const fds = t.proc.fds;
    const x = fds.install(fa, ty.cloexec);
    if (x < 0) { fa.release(); fb.release(); return x; }
    const y = fds.install(fb, ty.cloexec);
    if (y < 0) { fds.close(x); fb.release(); return y; }
    t.mem.setI32(sv, x);
    t.mem.setI32(sv + 4, y);
    return 0;
  },
  /** sendto(2) (send(2) is sendto with no address) */
  sendto(t: Task, [fd, buf, len, flags, addr, addrlen]: number[]): SyscallResult {
    if (len < 0) return -Errno.EINVAL;
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    return doSend(t, fd, len > 0 ? userChunks(t, buf, Math.min(len, 0x7ffff000), false) : [], flags, addr, addrlen | 0);
  },
  /** recvfrom(2) */
  recvfrom(t: Task, [fd, buf, len, flags, addr, addrlenp]: number[]): SyscallResult {
    if (len < 0) return -Errno.EINVAL;
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const out: RecvOutcome = { n: 0, msgFlags: 0 };
    const r = doRecv(t, fd, len > 0 ? userChunks(t, buf, Math.min(len, 0x7ffff000), true) : [], flags, out);
    // recvfrom has no control buffer: files that came with the data are closed (MSG_CTRUNC).
    if (out.anc && !out.peeked) out.anc.dispose();
    if (typeof r === 'number' && r >= 0) { const e = putAddr(t, addr, addrlenp, out.from?.kind === 'unnamed' ? undefined : out.from); if (e) return e; }
    return r;
  },
  /** sendmsg(2) with SCM_RIGHTS and SCM_CREDENTIALS control data */
  sendmsg(t: Task, [fd, msg, flags]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const h = readMsghdr(t, msg);
    const chunks = iovChunks(t, h.iov, h.iovlen, false);
    if (typeof chunks === 'number') return chunks;
    const anc = parseControl(t, h.control, h.controllen);
    if (typeof anc === 'number') return anc;
    return doSend(t, fd, chunks, flags, h.name, h.namelen, anc);
  },
  /** recvmsg(2): msg_namelen, msg_controllen (0) and msg_flags are written back */
  recvmsg(t: Task, [fd, msg, flags]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const h = readMsghdr(t, msg);
    const out: RecvOutcome = { n: 0, msgFlags: 0 };
    const r = doRecv(t, fd, iovChunks(t, h.iov, h.iovlen, true), flags, out);
    if (typeof r !== 'number' || r < 0) return r;
    let namelen = 0;
    if (h.name && out.from && out.from.kind !== 'unnamed') {
      const bytes = encodeSockaddrUn(out.from);
      t.mem.write(h.name, bytes.subarray(0, Math.min(Math.max(h.namelen, 0), bytes.length)));
      namelen = bytes.length;
    }
    t.mem.setI32(msg + M.msg_namelen.offset, namelen);
    const s = f.sock;
    const c = writeControl(t, h.control, h.control ? h.controllen : 0, out.anc, !!out.peeked,
      s.passcred ? out.cred ?? { pid: 0, uid: 0xffffffff, gid: 0xffffffff } : undefined, (flags & MSG_CMSG_CLOEXEC) !== 0);
    t.mem.setU64(msg + M.msg_controllen.offset, c.used);
    // MSG_CMSG_CLOEXEC is echoed back in msg_flags (___sys_recvmsg keeps the caller's flags).
    t.mem.setI32(msg + M.msg_flags.offset, out.msgFlags | (c.truncated ? MSG_CTRUNC : 0) | (flags & MSG_CMSG_CLOEXEC));
    return r;
  },
  /** shutdown(2) */
  shutdown(t: Task, [fd, how]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    if (how < 0 || how > 2) return -Errno.EINVAL;
    return f.sock.shutdownConn(how);
  },
  /** bind(2) (unix_bind): a path creates an S_IFSOCK node; a bare family autobinds */
  bind(t: Task, [fd, addr, len]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const a = readAddr(t, addr, len | 0);
    if (typeof a === 'number') return a;
    const s = f.sock;
    if (a.kind === 'unnamed') return autobind(t, s); // a no-op for a bound socket
    const ns = t.kernel.unixNames;
    if (a.kind === 'abstract') {
      // The empty abstract name ("\0", addrlen offsetof + 1): measured on this machine's
      // Linux, a datagram socket can bind it while a stream/seqpacket bind fails with ENOENT.
      if (a.name.length === 0 && s.type !== SOCK_DGRAM) return -Errno.ENOENT;
      if (s.address.kind !== 'unnamed') return -Errno.EINVAL;
      if (!ns.bindAbstract(a.name, s)) return -Errno.EADDRINUSE;
    } else {
      // unix_bind_bsd makes the node first (EADDRINUSE if it exists), then finds the socket
      // already bound (EINVAL) and removes the node again.
      const r = lookup(t, AT.AT_FDCWD, a.path, false);
      if (typeof r === 'number') return r;
      if (r.st || r.vlink !== undefined) return -Errno.EADDRINUSE;
      const e = hostMknod(r.host, MODE.S_IFSOCK | (0o777 & ~t.proc.umask));
      if (e) return e === -Errno.EEXIST ? -Errno.EADDRINUSE : e;
      if (s.address.kind !== 'unnamed') { fs.unlinkSync(r.host); return -Errno.EINVAL; }
      const st = fs.statSync(r.host);
      ns.bindInode(st.dev, st.ino, s);
    }
    s.address = a;
    if (s.state === SocketState.Unbound) s.state = SocketState.Bound;
    return 0;
  },
  /** listen(2) */
  listen(t: Task, [fd, backlog]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    return f.sock.listen(backlog | 0);
  },
  /** connect(2) */
  connect(t: Task, [fd, addr, len]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const s = f.sock;
    if ((len | 0) >= 2 && s.type === SOCK_DGRAM && t.mem.u8(addr) === 0 && t.mem.u8(addr + 1) === 0) {
      return s.connectDgram(undefined); // AF_UNSPEC dissolves the association
    }
    const a = readAddr(t, addr, len | 0);
    if (typeof a === 'number') return a;
    if (a.kind === 'unnamed') return -Errno.EINVAL;
    if (s.passcred) { const e = autobind(t, s); if (e) return e; }
    const target = findSocket(t, a, s.type);
    if (typeof target === 'number') return target;
    if (s.type === SOCK_DGRAM) return s.connectDgram(target);
    const r = s.connectTo(target, creds(t));
    if (typeof r === 'number') return r;
    return waitOrAgain(t, r, f.nonblock(), target.waitq);
  },
  /** accept(2) */
  accept(t: Task, [fd, addr, lenp]: number[]): SyscallResult { return socketCalls.accept4(t, [fd, addr, lenp, 0]); },
  /** accept4(2): SOCK_NONBLOCK/SOCK_CLOEXEC apply to the new fd only */
  accept4(t: Task, [fd, addr, lenp, flags]: number[]): SyscallResult {
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -Errno.EINVAL;
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    if (f.sock.type === SOCK_DGRAM) return -Errno.EOPNOTSUPP;
    const r = f.sock.accept();
    if (typeof r === 'number') return r;
    if ('wait' in r) return waitOrAgain(t, r, f.nonblock(), f.sock.waitq);
    const nf = fileFor(t, r, (flags & SOCK_NONBLOCK) !== 0);
    const nfd = t.proc.fds.install(nf, (flags & SOCK_CLOEXEC) !== 0);
    if (nfd < 0) { nf.release(); return nfd; }
    const peer = r.peer;
    const e = putAddr(t, addr, lenp, peer && peer.address.kind !== 'unnamed' ? peer.address : { kind: 'unnamed' });
    return e || nfd;
  },
  /** getsockopt(2) at SOL_SOCKET */
  getsockopt(t: Task, [fd, level, opt, val, lenp]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    if (level !== SOL_SOCKET) return -Errno.EOPNOTSUPP;
    const len = t.mem.i32(lenp);
    if (len < 0) return -Errno.EINVAL;
    const s = f.sock;
    let bytes: Uint8Array;
    const int = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); return b; };
    switch (opt) {
      case SO_TYPE: bytes = int(s.type); break;
      case SO_DOMAIN: bytes = int(AF_UNIX); break;
      case SO_PROTOCOL: bytes = int(0); break;
      case SO_ERROR: bytes = int(s.error); s.error = 0; break;
      case SO_SNDBUF: bytes = int(s.sndbuf); break;
      case SO_RCVBUF: bytes = int(s.rcvbuf); break;
      case SO_ACCEPTCONN: bytes = int(s.state === SocketState.Listening ? 1 : 0); break;
      case SO_PASSCRED: bytes = int(s.passcred ? 1 : 0); break;
      case SO_RCVLOWAT: case SO_SNDLOWAT: bytes = int(1); break;
      case SO_LINGER: bytes = new Uint8Array(8); break;
      case SO_RCVTIMEO_OLD: case SO_SNDTIMEO_OLD: bytes = new Uint8Array(16); break;
      case SO_PEERCRED: {
        // No peer: pid 0 and uid/gid -1, as sock_getsockopt reports an empty cred.
        const c = s.peerCred ?? { pid: 0, uid: 0xffffffff, gid: 0xffffffff };
        bytes = new Uint8Array(UCRED_LAYOUT.size);
        const dv = new DataView(bytes.buffer);
        dv.setInt32(UCRED_LAYOUT.fields.pid.offset, c.pid, true);
        dv.setUint32(UCRED_LAYOUT.fields.uid.offset, c.uid, true);
        dv.setUint32(UCRED_LAYOUT.fields.gid.offset, c.gid, true);
        break;
      }
      default:
        if (PLAIN_INT_OPTS.has(opt)) { bytes = int(s.intOpts.get(opt) ?? 0); break; }
        return -Errno.ENOPROTOOPT;
    }
    const n = Math.min(len, bytes.length);
    t.mem.write(val, bytes.subarray(0, n));
    t.mem.setI32(lenp, n);
    return 0;
  },
  /** setsockopt(2) at SOL_SOCKET */
  setsockopt(t: Task, [fd, level, opt, val, len]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    if (level !== SOL_SOCKET) return -Errno.EOPNOTSUPP;
    if ((len | 0) < 4) return -Errno.EINVAL;
    const s = f.sock;
    const v = t.mem.i32(val);
    switch (opt) {
      // sock_setsockopt: the value is doubled (bookkeeping overhead), capped, and floored.
      case SO_SNDBUF: case SO_SNDBUFFORCE: {
        const capped = opt === SO_SNDBUF ? Math.min(v >>> 0, SOCK_BUF_MAX) : Math.max(v, 0);
        s.setSndbuf(Math.max(Math.min(capped * 2, 0x7fffffff), SOCK_MIN_SNDBUF));
        return 0;
      }
      case SO_RCVBUF: case SO_RCVBUFFORCE: {
        const capped = opt === SO_RCVBUF ? Math.min(v >>> 0, SOCK_BUF_MAX) : Math.max(v, 0);
        s.rcvbuf = Math.max(Math.min(capped * 2, 0x7fffffff), SOCK_MIN_RCVBUF);
        return 0;
      }
      case SO_PASSCRED: s.passcred = v !== 0; return 0;
      case SO_RCVLOWAT: case SO_SNDLOWAT: case SO_LINGER: case SO_RCVTIMEO_OLD: case SO_SNDTIMEO_OLD: return 0;
      default:
        if (PLAIN_INT_OPTS.has(opt)) { s.intOpts.set(opt, v !== 0 ? 1 : 0); return 0; }
        return -Errno.ENOPROTOOPT;
    }
  },
  /** getsockname(2) */
  getsockname(t: Task, [fd, addr, lenp]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    return putAddr(t, addr, lenp, f.sock.address) || 0;
  },
  /** getpeername(2) */
  getpeername(t: Task, [fd, addr, lenp]: number[]): SyscallResult {
    const f = sockOf(t, fd);
    if (typeof f === 'number') return f;
    const p = f.sock.peer;
    if (!p || f.sock.state !== SocketState.Connected) return -Errno.ENOTCONN;
    return putAddr(t, addr, lenp, p.address);
  },
};

