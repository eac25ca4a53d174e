// The AF_UNIX transport (net/unix/af_unix.c): sockets, their receive queues on the
// AssemblyScript ring, peer links, shutdown state and options. It knows nothing about fds,
// files or the VFS: callers hand it guest memory as physical chunks and get back a count,
// -errno, or WOULD_BLOCK.
//
// Invariants:
// - Data sent by A to B lives in B's receive ring. A stream ring is a byte ring; dgram and
//   seqpacket rings are record rings (one record per message, zero-length ones included).
// - `wmem` is what this socket has sent that its receiver has not consumed yet (Linux charges
//   it to the sender's sk_wmem_alloc); sending waits while wmem >= sndbuf.
// - `shutdown` holds RCV_SHUTDOWN (1) / SEND_SHUTDOWN (2); a connected peer's close sets the
//   survivor's to both for stream/seqpacket (unix_release_sock).
// - Every state change that can make a waiter progress notifies `waitq` (shared by both ends of
//   a connection) after the change.
import { faultsAfter, type PhysChunk, type UserChunks } from '../../mm/guest_memory.js';
import type { PhysMem } from '../../mm/physmem.js';
import { Errno } from '../errno.js';
import { ByteRing, RingModule, ringTransfer } from '../ring.js';
import { WaitQueue } from '../wait.js';
import type { Wait } from '../io.js';
import {
  MAX_DGRAM_QLEN, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SOCK_BUF_DEFAULT, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, SocketState,
  UnixAddress,
} from './types.js';
import type { UnixNamespace } from './namespace.js';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRNORM } from '../vfs/file.js';

export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/**
 * The operation must wait; `done` bytes were moved so far (kept by the caller across the
 * restart). Nonblocking callers return `done` if it is > 0, else EAGAIN.
 */
const wait = (done: number): Wait => ({ wait: true, done });
export type TransportResult = number | Wait;

export interface Creds { pid: number; uid: number; gid: number }

/** Where guest memory lives (the physical memory and its ring module) and the name tables. */
export interface RingHost { phys: PhysMem; ring: RingModule; unixNames?: UnixNamespace }

/** SOMAXCONN (net.core.somaxconn): the largest listen() backlog. */
export const SOMAXCONN = 4096;

export interface RecvResult {
  /** Bytes copied (or the full record length with MSG_TRUNC for records), or -errno. */
  n: number;
  /** MSG_TRUNC when a record did not fit. */
  msgFlags: number;
  /** The sender's address (recvfrom/recvmsg msg_name). */
  from?: UnixAddress;
  /** Control data that arrived with these bytes; with MSG_PEEK it is left queued (`peeked`). */
  anc?: Ancillary;
  peeked?: boolean;
  /** The sender's credentials (SCM_CREDENTIALS for SO_PASSCRED receivers). */
  cred?: Creds;
}

/**
 * Control data sent with a message (SCM_RIGHTS files, SCM_CREDENTIALS). Opaque to the
 * transport, which only keeps it with its bytes and calls dispose() if it is never received.
 */
export interface Ancillary { files: unknown[]; cred?: Creds; dispose(): void; /** Set once queued with data. */ attached?: boolean }

const INITIAL_RING = 16384;

/** Ring capacity for a given send buffer: room for the largest in-flight amount. */
const ringCapacity = (sndbuf: number) => Math.max(4096, sndbuf * 2);

export class UnixSocket {
  state = SocketState.Unbound;
  peer: UnixSocket | undefined;
  shutdown = 0;
  /** Pending asynchronous error (SO_ERROR; ECONNRESET after a peer's close with unread data). */
  error = 0;
  sndbuf = SOCK_BUF_DEFAULT;
  rcvbuf = SOCK_BUF_DEFAULT;
  wmem = 0;
  passcred = false;
  /** SOL_SOCKET int options that are recorded but do not change AF_UNIX behaviour. */
  readonly intOpts = new Map<number, number>();
  address: UnixAddress = { kind: 'unnamed' };
  /** SO_PEERCRED: the creds of whoever created the pair (or connected). */
  peerCred: Creds | undefined;
  waitq = new WaitQueue();
  dead = false;
  /** Listening sockets: connections not yet accepted (server-side sockets), oldest first. */
  readonly acceptq: UnixSocket[] = [];
  maxBacklog = 0;
  /** A server-side socket created by connect() and not yet accepted (unix_release_sock's embrion). */
  embryo = false;
  #rx: ByteRing;
  /** Senders of the records queued in #rx, oldest first (record sockets only). */
  readonly #senders: { from: UnixSocket; len: number; anc?: Ancillary; cred?: Creds }[] = [];
  /** Stream sockets: bytes ever queued to / taken from #rx, and where control data rides. */
  #written = 0;
  #taken = 0;
  /**
   * Stream bytes in #rx as runs that share a sender's credentials, each run with control data
   * kept apart (unix_stream_read_generic stops where the scm of the next skb differs).
   */
  readonly #streamAnc: StreamRun[] = [];

  constructor(readonly host: RingHost, readonly type: number, readonly creds: Creds) {
    // Rings start small and grow with what is in flight (at most about twice the send buffer).
    this.#rx = new ByteRing(host.ring, host.phys, INITIAL_RING);
  }

  get isStream(): boolean { return this.type === SOCK_STREAM; }
  get isRecord(): boolean { return this.type !== SOCK_STREAM; }
  get connectionBased(): boolean { return this.type !== SOCK_DGRAM; }

  /** socketpair(2): two connected sockets sharing one wait queue. */
  static pair(host: RingHost, type: number, creds: Creds): [UnixSocket, UnixSocket] {
    const a = new UnixSocket(host, type, creds), b = new UnixSocket(host, type, creds);
    a.peer = b; b.peer = a;
    a.state = b.state = SocketState.Connected;
    a.peerCred = b.peerCred = creds;
    b.waitq = a.waitq;
    return [a, b];
  }

  /** Bytes queued for reading (FIONREAD/SIOCINQ: the next datagram's size for SOCK_DGRAM). */
  inq(): number {
    if (!this.isRecord) return this.#rx.used;
    if (this.type === SOCK_DGRAM) return Math.max(0, this.#rx.recordNextLen());
    return this.#senders.reduce((n, s) => n + s.len, 0);
  }

  get rxEmpty(): boolean { return this.#rx.used === 0; }

  /**
   * Send `len` bytes from `src` (sendmsg). `done` is what an earlier, restarted attempt of the
   * same call already sent. Returns the total sent, -errno, or WOULD_BLOCK (nothing more fits
   * and the caller may wait). EPIPE tells the caller to raise SIGPIPE unless MSG_NOSIGNAL.
   */
  send(src: PhysChunk[], len: number, done: number, anc?: Ancillary, cred?: Creds): TransportResult {
    // unix_dgram_sendmsg (dgram and seqpacket) allocates first, which reports a pending error;
    // unix_stream_sendmsg checks SEND_SHUTDOWN before that.
    if (this.isRecord && this.error) { const e = this.error; this.error = 0; return -e; }
    const peer = this.peer;
    if (!peer && this.isStream) return -Errno.ENOTCONN;
    if (this.shutdown & SEND_SHUTDOWN) return done > 0 ? done : -Errno.EPIPE;
    if (!peer) return -Errno.ENOTCONN;
    if (peer.dead) {
      if (this.type === SOCK_DGRAM) { this.#disconnectDgram(); return -Errno.ECONNREFUSED; }
      return done > 0 ? done : -Errno.EPIPE;
    }
    if (peer.shutdown & RCV_SHUTDOWN) return done > 0 ? done : -Errno.EPIPE;
    return this.isRecord ? this.#sendRecord(peer, src, len, anc, cred) : this.#sendStream(peer, src, len, done, anc, cred);
  }

  #sendStream(peer: UnixSocket, src: PhysChunk[], len: number, done: number, anc?: Ancillary, cred?: Creds): TransportResult {
    // unix_stream_sendmsg: chunks of at most sndbuf/2 - 64 bytes, each admitted while the
    // sender's in-flight bytes are below sndbuf.
    const maxChunk = Math.max(1, (this.sndbuf >> 1) - 64);
    // A source readable only in part: the skb that would cross the fault fails to copy, and
    // the call returns what earlier skbs sent, or EFAULT.
    const asked = faultsAfter(src) ? (src as UserChunks).requested ?? len : len;
    let sent = done;
    while (sent < len) {
      if (this.wmem >= this.sndbuf) break;
      const want = Math.min(asked - sent, maxChunk);
      if (sent + want > len) return sent > 0 ? sent : -Errno.EFAULT;
      peer.#ensureCapacity(this.wmem + want);
      const rx = peer.#rx;
      const n = ringTransfer(src, sent, want, (pa, k) => rx.write(pa, k));
      if (n > 0) {
        // Control data rides with the first skb of the call (unix_stream_sendmsg); runs of
        // bytes from the same credentials without control data merge.
        const withAnc = sent === 0 && anc !== undefined;
        if (withAnc) anc!.attached = true;
        const last = peer.#streamAnc[peer.#streamAnc.length - 1];
        if (!withAnc && last && !last.anc && last.end === peer.#written && sameCreds(last.cred, cred)) last.end += n;
        else peer.#streamAnc.push({ start: peer.#written, end: peer.#written + n, cred, anc: withAnc ? anc : undefined });
      }
      peer.#written += n;
      this.wmem += n;
      sent += n;
      if (n < want) break;
    }
    if (sent > done) peer.waitq.notify();
    return sent === len ? sent : wait(sent);
  }

  #sendRecord(peer: UnixSocket, src: PhysChunk[], len: number, anc?: Ancillary, cred?: Creds): TransportResult {
    // The whole message is copied into one skb: a source readable only in part is EFAULT.
    if (faultsAfter(src)) return -Errno.EFAULT;
    // unix_dgram_sendmsg: a message larger than the send buffer can never fit.
    if (len > this.sndbuf - 32) return -Errno.EMSGSIZE;
    if (this.wmem >= this.sndbuf) return wait(0);
    // unix_recvq_full: a datagram receiver not connected back to us holds max_dgram_qlen.
    if (this.type === SOCK_DGRAM && peer.peer !== this && peer.#senders.length > MAX_DGRAM_QLEN) return wait(0);
    peer.#ensureCapacity(peer.#rx.used + len + 4 + 4096);
    if (!peer.#rx.recordBegin(len)) return wait(0);
    let left = len;
    for (const c of src) {
      if (left === 0) break;
      const n = Math.min(c.len, left);
      peer.#rx.recordAppend(c.pa, n);
      left -= n;
    }
    if (anc) anc.attached = true;
    peer.#senders.push({ from: this, len, anc, cred });
    this.wmem += len;
    peer.waitq.notify();
    return len;
  }

  /**
   * Receive into `dst` (recvmsg). Stream: `done` bytes were already copied by an earlier
   * attempt (MSG_WAITALL restarts). Returns WOULD_BLOCK when nothing is available yet.
   */
  recv(dst: PhysChunk[], len: number, flags: number, done: number): RecvResult | Wait {
    if (this.state === SocketState.Listening) return { n: -Errno.EINVAL, msgFlags: 0 };
    // Never connected: a stream read is EINVAL, a seqpacket read ENOTCONN (unix_seqpacket_recvmsg).
    if (!this.peer && (this.state === SocketState.Unbound || this.state === SocketState.Bound)) {
      if (this.type === SOCK_STREAM) return { n: -Errno.EINVAL, msgFlags: 0 };
      if (this.type === SOCK_SEQPACKET) return { n: -Errno.ENOTCONN, msgFlags: 0 };
    }
    if (this.isRecord) return this.#recvRecord(dst, len, flags);
    const peek = (flags & MSG_PEEK) !== 0;
    let got = done;
    let anc: Ancillary | undefined;
    let cred: Creds | undefined;
    if (len > got && this.#rx.used > 0) {
      // One read takes runs with the same credentials, and ends with the first run that
      // carries control data: files arrive with the first read that covers their bytes,
      // exactly once, and two messages with files never merge.
      let limit = 0;
      let ancSeg: StreamRun | undefined;
      const first = this.#streamAnc.findIndex((x) => x.end > this.#taken);
      cred = first >= 0 ? this.#streamAnc[first].cred : undefined;
      for (let i = Math.max(first, 0); i < this.#streamAnc.length && limit < len - got; i++) {
        const seg = this.#streamAnc[i];
        if (i > first && !sameCreds(seg.cred, cred)) break;
        limit = seg.end - this.#taken;
        if (seg.anc) { ancSeg = seg; break; }
      }
      if (first < 0) limit = this.#rx.used;
      // unix_stream_read_generic: a copy that crosses the destination's unmapped end fails;
      // the bytes stay queued (EFAULT if nothing was copied).
      if (faultsAfter(dst) && limit > len - got) return got > done ? { n: got, msgFlags: 0 } : { n: -Errno.EFAULT, msgFlags: 0 };
      limit = Math.min(limit, len - got);
      if (ancSeg && this.#taken + limit > ancSeg.start) { anc = ancSeg.anc; if (!peek) ancSeg.anc = undefined; }
      const rx = this.#rx;
      const n = ringTransfer(dst, got, limit, peek ? (pa, k, moved) => rx.peek(pa, k, moved) : (pa, k) => rx.read(pa, k));
      got += n;
      if (!peek) {
        this.#taken += n;
        while (this.#streamAnc.length && this.#streamAnc[0].end <= this.#taken) this.#streamAnc.shift();
        this.#consumed(got - done);
      }
      if (anc) return { n: got, msgFlags: 0, from: this.peer?.address, anc, peeked: peek, cred };
    }
    const from = this.peer?.address;
    const waitall = (flags & MSG_WAITALL) !== 0 && !peek;
    if (got > 0 && (!waitall || got >= len)) return { n: got, msgFlags: 0, from, cred };
    // A zero-length recv returns 0 when data is queued, else behaves like any empty read.
    if (len === 0 && this.#rx.used > 0) return { n: 0, msgFlags: 0, from };
    // Queue empty (or MSG_WAITALL short): an error first, then EOF, else wait.
    if (this.error) { const e = this.error; this.error = 0; return got > 0 ? { n: got, msgFlags: 0 } : { n: -e, msgFlags: 0 }; }
    if (this.shutdown & RCV_SHUTDOWN) return { n: got, msgFlags: 0, from };
    return wait(got);
  }

  #recvRecord(dst: PhysChunk[], len: number, flags: number): RecvResult | Wait {
    // __skb_try_recv_datagram: a pending error is reported before any queued record.
    if (this.error) { const e = this.error; this.error = 0; return { n: -e, msgFlags: 0 }; }
    const next = this.#rx.recordNextLen();
    if (next < 0) {
      // Datagram sockets ignore RCV_SHUTDOWN on receive (EAGAIN / wait); seqpacket reads EOF.
      if (this.connectionBased && (this.shutdown & RCV_SHUTDOWN)) return { n: 0, msgFlags: 0 };
      return wait(0);
    }
    let off = 0;
    for (const c of dst) {
      if (off >= Math.min(len, next)) break;
      const n = Math.min(c.len, Math.min(len, next) - off);
      this.#rx.recordRead(c.pa, n, off);
      off += n;
    }
    const sender = this.#senders[0];
    const from = sender?.from.address;
    const anc = sender?.anc;
    const peeked = (flags & MSG_PEEK) !== 0;
    if (!peeked && sender) sender.anc = undefined;
    if (!(flags & MSG_PEEK)) {
      this.#rx.recordConsume();
      this.#senders.shift();
      if (sender) { sender.from.wmem -= sender.len; sender.from.waitq.notify(); }
      this.waitq.notify(); // senders waiting for room in this queue
    }
    const truncated = next > len;
    // The datagram was dequeued before its copy faulted: it is gone (unix_dgram_recvmsg).
    if (faultsAfter(dst) && truncated) return { n: -Errno.EFAULT, msgFlags: 0 };
    return { n: flags & MSG_TRUNC ? next : off, msgFlags: truncated ? MSG_TRUNC : 0, from, anc, peeked, cred: sender?.cred ?? sender?.from.creds };
  }

  /** Stream bytes were read: the peer's in-flight count drops and writers may go on. */
  #consumed(n: number): void {
    if (n <= 0) return;
    const p = this.peer;
    if (p) { p.wmem = Math.max(0, p.wmem - n); }
    this.waitq.notify();
  }

  #ensureCapacity(bytes: number): void {
    if (bytes + 8 <= this.#rx.capacity) return;
    this.#rx.resize(ringCapacity(Math.max(bytes, this.#rx.capacity)));
  }

  /** shutdown(2): how is SHUT_RD (0), SHUT_WR (1) or SHUT_RDWR (2). */
  shutdownConn(how: number): number {
    // unix_shutdown never fails for a valid `how`, connected or not.
    const mode = how + 1; // SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, RDWR -> both
    this.shutdown |= mode;
    const p = this.peer;
    if (p && this.connectionBased) {
      // The peer sees the mirror image: our SEND is its RCV (unix_shutdown).
      let peerMode = 0;
      if (mode & RCV_SHUTDOWN) peerMode |= SEND_SHUTDOWN;
      if (mode & SEND_SHUTDOWN) peerMode |= RCV_SHUTDOWN;
      p.shutdown |= peerMode;
      p.waitq.notify();
    }
    this.waitq.notify();
    return 0;
  }

  /** First datagram write after the peer died: disconnect (unix_dgram_sendmsg). */
  #disconnectDgram(): void {
    this.peer = undefined;
    this.state = this.address.kind === 'unnamed' ? SocketState.Unbound : SocketState.Bound;
    this.#purgeRecords();
  }

  /** The last file reference is gone (unix_release_sock). */
  release(): void {
    this.dead = true;
    const wasListening = this.state === SocketState.Listening;
    this.state = SocketState.Disconnected;
    this.host.unixNames?.release(this);
    // Connections never accepted are reset: their clients read ECONNRESET, then EOF.
    if (wasListening) for (const e of this.acceptq.splice(0)) e.release();
    const p = this.peer;
    if (p && p.peer === this) {
      if (this.connectionBased) {
        p.shutdown = SHUTDOWN_MASK;
        if (this.#rx.used > 0 || this.embryo) p.error = Errno.ECONNRESET;
      }
      // What we sent and the peer never read no longer counts against us; what the peer sent us is gone.
      for (const s of this.#senders) s.from.wmem = Math.max(0, s.from.wmem - s.len);
      if (this.isStream) p.wmem = 0;
      p.waitq.notify();
    }
    this.waitq.notify();
    // Files in flight to a socket nobody will read any more are closed (unix_release_sock
    // purges the queue).
    for (const x of this.#senders) x.anc?.dispose();
    for (const x of this.#streamAnc) x.anc?.dispose();
    this.#senders.length = 0;
    this.#streamAnc.length = 0;
    this.#rx.destroy();
  }

  /** listen(2) (unix_listen): the backlog is capped at SOMAXCONN; a second listen resizes it. */
  listen(backlog: number): number {
    if (this.type === SOCK_DGRAM) return -Errno.EOPNOTSUPP;
    if (this.state === SocketState.Connected || this.peer) return -Errno.EINVAL;
    if (this.address.kind === 'unnamed') return -Errno.EINVAL;
    this.maxBacklog = Math.min(Math.max(backlog | 0, 0), SOMAXCONN);
    this.state = SocketState.Listening;
    this.peerCred = this.creds; // init_peercred: SO_PEERCRED on a listener is its owner
    this.waitq.notify();
    return 0;
  }

  /**
   * Stream/seqpacket connect to a listener (unix_stream_connect): a server-side socket is made
   * at once, linked to this one and queued for accept(); the client is connected right away.
   * Returns 0, -errno, or a Wait while the listener's backlog is full.
   */
  connectTo(listener: UnixSocket, creds: Creds): TransportResult {
    if (this.state === SocketState.Connected && this.peer) return -Errno.EISCONN;
    if (this.state === SocketState.Listening) return -Errno.EINVAL;
    if (listener.type !== this.type) return -Errno.EPROTOTYPE;
    if (listener.state !== SocketState.Listening || listener.dead) return -Errno.ECONNREFUSED;
    if (listener.acceptq.length > listener.maxBacklog) return wait(0);
    const server = new UnixSocket(this.host, this.type, listener.creds);
    server.embryo = true;
    server.address = listener.address;
    server.peer = this; this.peer = server;
    server.state = this.state = SocketState.Connected;
    server.peerCred = creds;
    this.peerCred = listener.creds;
    server.waitq = this.waitq;
    listener.acceptq.push(server);
    listener.waitq.notify();
    this.waitq.notify();
    return 0;
  }

  /** accept(2) (unix_accept): the oldest pending connection, or a Wait. */
  accept(): UnixSocket | number | Wait {
    if (this.state !== SocketState.Listening) return -Errno.EINVAL;
    const s = this.acceptq.shift();
    if (!s) return wait(0);
    s.embryo = false;
    this.waitq.notify();
    return s;
  }

  /** Datagram connect(2): only this socket's default destination changes (no link back). */
  connectDgram(target: UnixSocket | undefined): number {
    if (target && target.type !== this.type) return -Errno.EPROTOTYPE;
    if (target?.dead) return -Errno.ECONNREFUSED;
    // unix_dgram_connect: leaving a peer drops every datagram still queued here.
    if (this.peer && this.peer !== target) this.#purgeRecords();
    this.peer = target;
    this.state = target ? SocketState.Connected : this.address.kind === 'unnamed' ? SocketState.Unbound : SocketState.Bound;
    return 0;
  }

  /** unix_dgram_disconnected: the receive queue is purged. */
  #purgeRecords(): void {
    while (this.#rx.recordNextLen() >= 0) {
      const s = this.#senders.shift();
      this.#rx.recordConsume();
      if (s) { s.from.wmem = Math.max(0, s.from.wmem - s.len); s.anc?.dispose(); s.from.waitq.notify(); }
    }
    this.waitq.notify();
  }

  /**
   * sendto(2) of a datagram to an explicit target (unix_dgram_sendmsg with an address):
   * the receiver must be a datagram socket not connected to someone else, and its queue
   * must have room (net.unix.max_dgram_qlen) unless it is connected back to us.
   */
  sendToSocket(target: UnixSocket, src: PhysChunk[], len: number, anc?: Ancillary, cred?: Creds): TransportResult {
    if (this.error) { const e = this.error; this.error = 0; return -e; }
    if (target.type !== this.type) return -Errno.EPROTOTYPE;
    if (target.dead) return -Errno.ECONNREFUSED;
    if (target.peer && target.peer !== this) return -Errno.EPERM;
    if (target.shutdown & RCV_SHUTDOWN) return -Errno.EPIPE;
    return this.#sendRecord(target, src, len, anc, cred);
  }

  /** Readiness (unix_poll / unix_dgram_poll). */
  pollMask(): number {
    if (this.state === SocketState.Listening) return this.acceptq.length ? POLLIN | POLLRDNORM : 0;
    let m = 0;
    if (this.error) m |= POLLERR;
    if (this.shutdown & RCV_SHUTDOWN) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.shutdown === SHUTDOWN_MASK) m |= POLLHUP;
    if (this.#rx.used > 0) m |= POLLIN | POLLRDNORM;
    if (this.connectionBased && this.state !== SocketState.Connected) m |= POLLHUP;
    // unix_writable: in-flight at most a quarter of the send buffer (POLLWRBAND too); a
    // datagram socket whose receiver's queue is full is not writable (unix_dgram_poll).
    const p = this.peer;
    const peerFull = this.type === SOCK_DGRAM && p !== undefined && p.peer !== this && p.#senders.length > MAX_DGRAM_QLEN;
    if (this.wmem * 4 <= this.sndbuf && !peerFull) m |= POLLOUT | POLLWRNORM | 0x200;
    return m;
  }

  /** setsockopt SO_SNDBUF: the receive ring of the peer grows to hold what may be in flight. */
  setSndbuf(v: number): void {
    this.sndbuf = v;
    const p = this.peer;
    if (p) p.#ensureCapacity(v + (v >> 1));
    this.waitq.notify();
  }
}

interface StreamRun { start: number; end: number; cred?: Creds; anc?: Ancillary }

const sameCreds = (a?: Creds, b?: Creds) => a === b || (!!a && !!b && a.pid === b.pid && a.uid === b.uid && a.gid === b.gid);

