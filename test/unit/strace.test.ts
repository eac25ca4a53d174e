// --strace output: the formatter against a fake guest memory (sockets, pipes, poll, select,
// structs, flags), the tracer's line ordering, and whole traces of guest/build/<arch>/hello
// under ucrun -- on x86_64 also line by line against the real strace of the native binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABI_DATA as A64 } from '../../src/arch/aarch64/abi_data.js';
import { encodeStatx, makedev, type Stat } from '../../src/arch/stat.js';
import { ABI_DATA as X86 } from '../../src/arch/x86_64/abi_data.js';
import { x86SignalFrames } from '../../src/arch/x86_64/signal_frame.js';
import type { ArchAbiData } from '../../src/kernel/abi.js';
import { Errno } from '../../src/kernel/errno.js';
import type { Call } from '../../src/kernel/strace/call.js';
import { flags, quote, sigmask, symbolicMode } from '../../src/kernel/strace/format.js';
import { SPECS } from '../../src/kernel/strace/specs.js';
import { Strace, enterCall, finishArgs, formatRet, siginfo } from '../../src/kernel/strace/strace.js';
import { rlim } from '../../src/kernel/strace/structs.js';
import { MSG_FLAGS } from '../../src/kernel/strace/xlat.js';

// ---------------------------------------------------------------------------------------
// A guest memory of 64 KiB at 0x10000; anything else faults.

class FakeMem {
  readonly base = 0x10000;
  readonly buf = new Uint8Array(0x10000);
  readonly dv = new DataView(this.buf.buffer);
  #next = this.base;
  #off(addr: number, len: number): number {
    if (addr < this.base || addr + len > this.base + this.buf.length) throw new Error(`fault at ${addr.toString(16)}`);
    return addr - this.base;
  }
  read(addr: number, len: number): Uint8Array { const o = this.#off(addr, len); return this.buf.slice(o, o + len); }
  cbytes(addr: number, max: number): Uint8Array {
    const o = this.#off(addr, 1);
    const z = this.buf.indexOf(0, o);
    if (z < 0 || z - o > max) throw new Error('too long');
    return this.buf.slice(o, z);
  }
  /** Reserve `n` zeroed bytes (8-aligned). */
  alloc(n: number): number { const a = this.#next; this.#next += (n + 7) & ~7; return a; }
  bytes(data: Uint8Array | string): number {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const a = this.alloc(b.length + 1);
    this.buf.set(b, a - this.base);
    return a;
  }
  u16(a: number, v: number) { this.dv.setUint16(this.#off(a, 2), v, true); }
  i32(a: number, v: number) { this.dv.setInt32(this.#off(a, 4), v, true); }
  u64(a: number, v: number | bigint) { this.dv.setBigUint64(this.#off(a, 8), BigInt(v), true); }
  get32(a: number) { return this.dv.getInt32(this.#off(a, 4), true); }
}

let mem: FakeMem;

/** One call through the tracer's pieces: inputs decoded, then `kernel` runs, then the rest. */
function trace(name: string, args: number[], ret: number | undefined, kernel?: () => void, data: ArchAbiData = X86): string {
  const c: Call = { name, mem, data, args, ret: undefined, saved: {} };
  const e = enterCall(c, SPECS[name]);
  kernel?.();
  return `${name}(${finishArgs(e, ret)}) = ${formatRet(e.call, e.spec, ret)}`;
}

/** struct sockaddr_un for `path` (a leading NUL makes it abstract); returns [addr, len]. */
function sun(path: string): [number, number] {
  const b = new TextEncoder().encode(path.replace(/^@/, '\0'));
  const a = mem.alloc(110);
  mem.u16(a, 1);
  mem.buf.set(b, a - mem.base + 2);
  return [a, 2 + b.length + (path.startsWith('@') ? 0 : 1)];
}

function iov(...parts: string[]): number {
  const a = mem.alloc(16 * parts.length);
  parts.forEach((p, k) => { mem.u64(a + 16 * k, mem.bytes(p)); mem.u64(a + 16 * k + 8, p.length); });
  return a;
}

function msghdr(o: { name?: number; namelen?: number; iov: number; iovlen: number; control?: number; controllen?: number; flags?: number }): number {
  const a = mem.alloc(56);
  mem.u64(a, o.name ?? 0); mem.i32(a + 8, o.namelen ?? 0); mem.u64(a + 16, o.iov); mem.u64(a + 24, o.iovlen);
  mem.u64(a + 32, o.control ?? 0); mem.u64(a + 40, o.controllen ?? 0); mem.i32(a + 48, o.flags ?? 0);
  return a;
}

const hex = (a: number) => '0x' + a.toString(16);

describe('strace formatting (fake guest memory)', () => {
  beforeAll(() => { mem = new FakeMem(); });

  it('quotes like string_quote: escapes, octal before digits, hex for getrandom, -s 32', () => {
    expect(quote(Uint8Array.from([0x78, 0, 0x79, 1, 2, 0x33, 0xff, 0x39, 0]))).toBe('"x\\0y\\1\\0023\\3779\\0"');
    expect(quote(new TextEncoder().encode('tab\there "q" \\ \n'))).toBe('"tab\\there \\"q\\" \\\\ \\n"');
    expect(quote(Uint8Array.from([8, 0xb0]), 32, true)).toBe('"\\x08\\xb0"');
    expect(quote(new Uint8Array(40).fill(0x61))).toBe(`"${'a'.repeat(32)}"...`);
  });

  it('prints flags, modes, signal masks and limits as strace does', () => {
    expect(flags(0x4040, MSG_FLAGS, 'MSG_???')).toBe('MSG_DONTWAIT|MSG_NOSIGNAL');
    expect(flags(0, MSG_FLAGS, 'MSG_???')).toBe('0');
    expect(flags(0x80000000, MSG_FLAGS, 'MSG_???')).toBe('0x80000000 /* MSG_??? */');
    expect(flags(0x80000002, MSG_FLAGS, 'MSG_???')).toBe('MSG_PEEK|0x80000000');
    expect(symbolicMode(0o41777)).toBe('S_IFDIR|S_ISVTX|0777');
    expect(symbolicMode(0o20620)).toBe('S_IFCHR|0620');
    expect(symbolicMode(0o100000)).toBe('S_IFREG|000');
    expect(sigmask((1n << 9n) | (1n << 16n))).toBe('[USR1 CHLD]');
    expect(sigmask(~((1n << 31n) | (1n << 32n)))).toBe('~[RTMIN RT_1]');
    expect(sigmask(0n)).toBe('[]');
    expect(rlim(8192n * 1024n)).toBe('8192*1024');
    expect(rlim(1024n)).toBe('1024');
    expect(rlim(20000n)).toBe('20000');
    expect(rlim(0xffff_ffff_ffff_ffffn)).toBe('RLIM64_INFINITY');
  });

  it('socket, socketpair and pipe calls with their fd pairs', () => {
    expect(trace('socket', [1, 1 | 0o2000000, 0], 3)).toBe('socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3');
    expect(trace('socket', [1, 2 | 0o4000 | 0o2000000, 0], 3)).toBe('socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3');
    expect(trace('socket', [2, 1, 6], 3)).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3');
    const sv = mem.alloc(8);
    expect(trace('socketpair', [1, 1 | 0o2000000, 0, sv], 0, () => { mem.i32(sv, 3); mem.i32(sv + 4, 4); }))
      .toBe('socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0');
    expect(trace('pipe2', [sv, X86.OPEN_FLAGS.O_CLOEXEC], 0)).toBe('pipe2([3, 4], O_CLOEXEC) = 0');
    expect(trace('pipe2', [sv, 0], 0)).toBe('pipe2([3, 4], 0) = 0');
    expect(trace('pipe', [sv], 0)).toBe('pipe([3, 4]) = 0');
    expect(trace('pipe2', [sv, X86.OPEN_FLAGS.O_NONBLOCK], -Errno.EMFILE)).toBe(`pipe2(${hex(sv)}, O_NONBLOCK) = -1 EMFILE (Too many open files)`);
    expect(trace('pipe2', [0, 0], -Errno.EFAULT)).toBe('pipe2(NULL, 0) = -1 EFAULT (Bad address)');
  });

  it('sockaddr_un: a path, an abstract name, an unnamed socket', () => {
    const [p, plen] = sun('/tmp/sock');
    expect(trace('bind', [3, p, plen], 0)).toBe('bind(3, {sa_family=AF_UNIX, sun_path="/tmp/sock"}, 12) = 0');
    expect(trace('connect', [4, p, 110], 0)).toBe('connect(4, {sa_family=AF_UNIX, sun_path="/tmp/sock"}, 110) = 0');
    const [ab, ablen] = sun('@name');
    expect(trace('bind', [5, ab, ablen], 0)).toBe('bind(5, {sa_family=AF_UNIX, sun_path=@"name"}, 7) = 0');
    expect(trace('sendto', [5, mem.bytes('x'), 1, 0, ab, ablen], 1)).toBe('sendto(5, "x", 1, 0, {sa_family=AF_UNIX, sun_path=@"name"}, 7) = 1');
    // getsockname on an unnamed socket: 110 bytes offered, 2 returned
    const out = mem.alloc(110), len = mem.alloc(4);
    mem.i32(len, 110);
    expect(trace('getsockname', [3, out, len], 0, () => { mem.u16(out, 1); mem.i32(len, 2); }))
      .toBe('getsockname(3, {sa_family=AF_UNIX}, [110 => 2]) = 0');
    mem.i32(len, 110);
    expect(trace('getpeername', [3, out, len], -Errno.ENOTCONN)).toBe(`getpeername(3, ${hex(out)}, [110]) = -1 ENOTCONN (Transport endpoint is not connected)`);
    // accept4 returning a named peer, and without an address buffer
    mem.i32(len, 110);
    expect(trace('accept4', [3, out, len, 0o2000000], 5, () => { mem.buf.set(mem.read(p, plen), out - mem.base); mem.i32(len, plen); }))
      .toBe('accept4(3, {sa_family=AF_UNIX, sun_path="/tmp/sock"}, [110 => 12], SOCK_CLOEXEC) = 5');
    expect(trace('accept4', [3, 0, 0, 0o4000], -Errno.EAGAIN)).toBe('accept4(3, NULL, NULL, SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)');
    expect(trace('listen', [3, 5], 0)).toBe('listen(3, 5) = 0');
    expect(trace('shutdown', [3, 1], 0)).toBe('shutdown(3, SHUT_WR) = 0');
  });

  it('sendto/recvfrom: data, flags, NULL addresses, EAGAIN', () => {
    expect(trace('sendto', [3, mem.bytes('hello'), 5, 0x40 | 0x4000, 0, 0], 5))
      .toBe('sendto(3, "hello", 5, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 5');
    const buf = mem.alloc(16);
    expect(trace('recvfrom', [4, buf, 10, 2, 0, 0], 5, () => mem.buf.set(new TextEncoder().encode('hello'), buf - mem.base)))
      .toBe('recvfrom(4, "hello", 10, MSG_PEEK, NULL, NULL) = 5');
    expect(trace('recvfrom', [4, buf, 10, 0x40, 0, 0], -Errno.EAGAIN))
      .toBe(`recvfrom(4, ${hex(buf)}, 10, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)`);
    // MSG_TRUNC: the result may exceed the buffer; only the buffer prints
    expect(trace('recvfrom', [4, buf, 1, 0x20, 0, 0], 5)).toBe('recvfrom(4, "h", 1, MSG_TRUNC, NULL, NULL) = 5');
  });

  it('sendmsg/recvmsg: iovecs, control messages, the namelen read before the call', () => {
    const m1 = msghdr({ iov: iov('ab'), iovlen: 1 });
    expect(trace('sendmsg', [3, m1, 0], 2))
      .toBe('sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ab", iov_len=2}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 2');
    const m2 = msghdr({ iov: iov('ab', 'cdef'), iovlen: 2 });
    expect(trace('sendmsg', [3, m2, 0x4000], 6)).toBe('sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ab", iov_len=2}, '
      + '{iov_base="cdef", iov_len=4}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 6');
    const cm = mem.alloc(24);
    mem.u64(cm, 20); mem.i32(cm + 8, 1); mem.i32(cm + 12, 1); mem.i32(cm + 16, 7);
    const m3 = msghdr({ iov: iov('ab'), iovlen: 1, control: cm, controllen: 24 });
    expect(trace('sendmsg', [3, m3, 0], 2)).toBe('sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ab", iov_len=2}], msg_iovlen=1, '
      + 'msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7]}], msg_controllen=24, msg_flags=0}, 0) = 2');
    // recvmsg: 16-byte buffer, 8 bytes arrive; the iovec shows only what was received
    const rb = mem.alloc(16), riov = mem.alloc(16);
    mem.u64(riov, rb); mem.u64(riov + 8, 16);
    const rm = msghdr({ iov: riov, iovlen: 1 });
    expect(trace('recvmsg', [4, rm, 0], 8, () => mem.buf.set(new TextEncoder().encode('ababcdef'), rb - mem.base)))
      .toBe('recvmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="ababcdef", iov_len=16}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 8');
    expect(trace('recvmsg', [4, rm, 0x40], -Errno.EAGAIN)).toBe('recvmsg(4, {msg_namelen=0}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)');
    // a datagram with a sender address: msg_namelen 110 in, 7 out
    const name = mem.alloc(110);
    const rm2 = msghdr({ name, namelen: 110, iov: riov, iovlen: 1 });
    const [ab, ablen] = sun('@peer');
    expect(trace('recvmsg', [4, rm2, 0], 1, () => { mem.buf.set(mem.read(ab, ablen), name - mem.base); mem.i32(rm2 + 8, ablen); mem.buf[rb - mem.base] = 0x78; }))
      .toBe('recvmsg(4, {msg_name={sa_family=AF_UNIX, sun_path=@"peer"}, msg_namelen=110 => 7, msg_iov=[{iov_base="x", iov_len=16}], '
        + 'msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1');
  });

  it('getsockopt/setsockopt: ints, lengths in and out, ucred', () => {
    const val = mem.alloc(16), len = mem.alloc(4);
    mem.i32(len, 4);
    expect(trace('getsockopt', [3, 1, 3, val, len], 0, () => mem.i32(val, 1))).toBe('getsockopt(3, SOL_SOCKET, SO_TYPE, [1], [4]) = 0');
    mem.i32(len, 8);
    expect(trace('getsockopt', [3, 1, 8, val, len], 0, () => { mem.i32(val, 212992); mem.i32(len, 4); }))
      .toBe('getsockopt(3, SOL_SOCKET, SO_RCVBUF, [212992], [8 => 4]) = 0');
    mem.i32(len, 12);
    expect(trace('getsockopt', [3, 1, 17, val, len], 0, () => { mem.i32(val, 42); mem.i32(val + 4, 0); mem.i32(val + 8, 0); }))
      .toBe('getsockopt(3, SOL_SOCKET, SO_PEERCRED, {pid=42, uid=0, gid=0}, [12]) = 0');
    mem.i32(val, 4096);
    expect(trace('setsockopt', [3, 1, 7, val, 4], 0)).toBe('setsockopt(3, SOL_SOCKET, SO_SNDBUF, [4096], 4) = 0');
    expect(trace('getsockopt', [3, 1, 9999, val, len], -Errno.ENOPROTOOPT))
      .toBe(`getsockopt(3, SOL_SOCKET, 0x270f /* SO_??? */, ${hex(val)}, [12]) = -1 ENOPROTOOPT (Protocol not available)`);
  });

  it('poll and ppoll: events in, revents and time left in the result', () => {
    const fds = mem.alloc(24);
    mem.i32(fds, 3); mem.u16(fds + 4, 1); mem.i32(fds + 8, -1); mem.u16(fds + 12, 1); mem.i32(fds + 16, 4); mem.u16(fds + 20, 5);
    expect(trace('poll', [fds, 3, 100], 1, () => mem.u16(fds + 6, 1)))
      .toBe('poll([{fd=3, events=POLLIN}, {fd=-1}, {fd=4, events=POLLIN|POLLOUT}], 3, 100) = 1 ([{fd=3, revents=POLLIN}])');
    mem.u16(fds + 6, 0);
    expect(trace('poll', [fds, 1, 0], 0)).toBe('poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)');
    // ppoll: the kernel rewrites the timeout; the call shows it as passed, the result what is left
    const ts = mem.alloc(16);
    mem.u64(ts + 8, 5_000_000);
    expect(trace('ppoll', [fds, 1, ts, 0, 8], 1, () => { mem.u16(fds + 6, 0x11); mem.u64(ts + 8, 4_999_291); }))
      .toBe('ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=5000000}, NULL, 8) = 1 ([{fd=3, revents=POLLIN|POLLHUP}], left {tv_sec=0, tv_nsec=4999291})');
    const set = mem.alloc(8);
    expect(trace('ppoll', [fds, 1, 0, set, 8], -Errno.EINTR)).toBe('ppoll([{fd=3, events=POLLIN}], 1, NULL, [], 8) = -1 EINTR (Interrupted system call)');
  });

  it('select and pselect6: the sets as passed, the ready ones in the result', () => {
    const rd = mem.alloc(8), wr = mem.alloc(8), tv = mem.alloc(16);
    mem.buf[rd - mem.base] = 0b11000; // fds 3 and 4
    mem.u64(tv + 8, 50000);
    expect(trace('select', [5, rd, wr, 0, tv], 1, () => { mem.buf[rd - mem.base] = 0b1000; mem.u64(tv + 8, 49998); }))
      .toBe('select(5, [3 4], [], NULL, {tv_sec=0, tv_usec=50000}) = 1 (in [3], left {tv_sec=0, tv_usec=49998})');
    mem.buf[rd - mem.base] = 0b1000;
    expect(trace('select', [4, rd, 0, 0, tv], 0)).toBe('select(4, [3], NULL, NULL, {tv_sec=0, tv_usec=49998}) = 0 (Timeout)');
    mem.buf[wr - mem.base] = 0b11000;
    expect(trace('select', [5, 0, wr, 0, 0], 2)).toBe('select(5, NULL, [3 4], NULL, NULL) = 2 (out [3 4])');
    const ts = mem.alloc(16), sig = mem.alloc(16);
    mem.u64(ts + 8, 1000); mem.u64(sig + 8, 8);
    expect(trace('pselect6', [4, rd, 0, 0, ts, sig], 1, () => mem.u64(ts + 8, 379)))
      .toBe('pselect6(4, [3], NULL, NULL, {tv_sec=0, tv_nsec=1000}, {sigmask=NULL, sigsetsize=8}) = 1 (in [3], left {tv_sec=0, tv_nsec=379})');
  });

  it('fcntl and ioctl arguments and results by command', () => {
    expect(trace('fcntl', [3, 4, X86.OPEN_FLAGS.O_NONBLOCK], 0)).toBe('fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0');
    expect(trace('fcntl', [3, 3, 0], 0x8002)).toBe('fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)');
    expect(trace('fcntl', [3, 3, 0], 0x8002, undefined, A64)).toBe('fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_NOFOLLOW)');
    expect(trace('fcntl', [3, 1032, 0], 65536)).toBe('fcntl(3, F_GETPIPE_SZ) = 65536');
    expect(trace('fcntl', [3, 1031, 4096], 4096)).toBe('fcntl(3, F_SETPIPE_SZ, 4096) = 4096');
    expect(trace('fcntl', [3, 2, 1], 0)).toBe('fcntl(3, F_SETFD, FD_CLOEXEC) = 0');
    expect(trace('fcntl', [3, 1, 0], 1)).toBe('fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)');
    expect(trace('fcntl', [3, 1030, 10], 11)).toBe('fcntl(3, F_DUPFD_CLOEXEC, 10) = 11');
    const n = mem.alloc(8);
    expect(trace('ioctl', [4, 0x541b, n], 0, () => mem.i32(n, 5))).toBe('ioctl(4, FIONREAD, [5]) = 0');
    expect(trace('ioctl', [1, 0x5401, n], -Errno.ENOTTY)).toBe(`ioctl(1, TCGETS, ${hex(n)}) = -1 ENOTTY (Inappropriate ioctl for device)`);
    expect(trace('ioctl', [1, 0x5413, n], -Errno.ENOTTY)).toBe(`ioctl(1, TIOCGWINSZ, ${hex(n)}) = -1 ENOTTY (Inappropriate ioctl for device)`);
    const tio = mem.alloc(36);
    expect(trace('ioctl', [0, 0x5401, tio], 0, () => {
      mem.i32(tio, 0o2400); mem.i32(tio + 4, 0o5); mem.i32(tio + 8, 0o277); mem.i32(tio + 12, 0o105073);
    })).toBe('ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, '
      + 'c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0');
    expect(trace('ioctl', [3, 0x5451, 0], 0)).toBe('ioctl(3, FIOCLEX) = 0');
    expect(trace('ioctl', [3, 0x80086601, 0], -Errno.ENOTTY)).toBe('ioctl(3, _IOC(_IOC_READ, 0x66, 0x1, 0x8), 0) = -1 ENOTTY (Inappropriate ioctl for device)');
  });

  it('struct stat in each arch layout, statx, and a failed stat as its address', () => {
    const st: Stat = { dev: makedev(8, 1), ino: 5, mode: 0o20620, nlink: 1, uid: 0, gid: 5, rdev: makedev(0x88, 0), size: 0, blksize: 1024,
      blocks: 0, atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0 };
    for (const data of [X86, A64]) {
      const buf = mem.alloc(data.STAT_SIZE);
      const path = mem.bytes('');
      expect(trace('newfstatat', [1, path, buf, 0x1000], 0, () => data.encodeStat(mem.dv, buf - mem.base, st), data))
        .toBe('newfstatat(1, "", {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}, AT_EMPTY_PATH) = 0');
      expect(trace('fstat', [3, buf], 0, () => data.encodeStat(mem.dv, buf - mem.base, { ...st, mode: 0o100644, size: 1234 }), data))
        .toBe('fstat(3, {st_mode=S_IFREG|0644, st_size=1234, ...}) = 0');
      expect(trace('newfstatat', [-100, mem.bytes('/nonexist'), buf, 0], -Errno.ENOENT, undefined, data))
        .toBe(`newfstatat(AT_FDCWD, "/nonexist", ${hex(buf)}, 0) = -1 ENOENT (No such file or directory)`);
    }
    const sx = mem.alloc(256);
    expect(trace('statx', [-100, mem.bytes('/etc/hostname'), 0x100, 0x7ff, sx], 0,
      () => encodeStatx(mem.dv, sx - mem.base, { ...st, mode: 0o100644, size: 3 }, 0x7ff)))
      .toBe('statx(AT_FDCWD, "/etc/hostname", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, '
        + '{stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=3, ...}) = 0');
  });

  it('time, limits, names and random bytes after the call; nanosleep input before it', () => {
    const ts = mem.alloc(16), rem = mem.alloc(16);
    mem.u64(ts, 1);
    expect(trace('nanosleep', [ts, rem], 0)).toBe(`nanosleep({tv_sec=1, tv_nsec=0}, ${hex(rem)}) = 0`);
    expect(trace('nanosleep', [ts, rem], -Errno.EINTR, () => mem.u64(rem + 8, 250))).toBe('nanosleep({tv_sec=1, tv_nsec=0}, {tv_sec=0, tv_nsec=250}) = -1 EINTR (Interrupted system call)');
    expect(trace('clock_nanosleep', [1, 1, ts, 0], 0)).toBe('clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=1, tv_nsec=0}, NULL) = 0');
    const out = mem.alloc(16);
    expect(trace('clock_gettime', [1, out], 0, () => { mem.u64(out, 2003); mem.u64(out + 8, 988060740); }))
      .toBe('clock_gettime(CLOCK_MONOTONIC, {tv_sec=2003, tv_nsec=988060740}) = 0');
    expect(trace('clock_gettime', [99, out], -Errno.EINVAL)).toBe(`clock_gettime(0x63 /* CLOCK_??? */, ${hex(out)}) = -1 EINVAL (Invalid argument)`);
    expect(trace('gettimeofday', [out, 0], 0, () => { mem.u64(out, 5); mem.u64(out + 8, 6); })).toBe('gettimeofday({tv_sec=5, tv_usec=6}, NULL) = 0');
    const rl = mem.alloc(16);
    expect(trace('prlimit64', [0, 3, 0, rl], 0, () => { mem.u64(rl, 8192 * 1024); mem.u64(rl + 8, 0xffff_ffff_ffff_ffffn); }))
      .toBe('prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0');
    const uts = mem.alloc(390);
    expect(trace('uname', [uts], 0, () => { mem.buf.set(new TextEncoder().encode('Linux'), uts - mem.base); mem.buf.set(new TextEncoder().encode('vm'), uts + 65 - mem.base); }))
      .toBe('uname({sysname="Linux", nodename="vm", ...}) = 0');
    const rnd = mem.alloc(8);
    expect(trace('getrandom', [rnd, 4, 1], 4, () => mem.buf.set([0x08, 0xb0, 0xd6, 0x77], rnd - mem.base)))
      .toBe('getrandom("\\x08\\xb0\\xd6\\x77", 4, GRND_NONBLOCK) = 4');
    const dents = mem.alloc(64);
    expect(trace('getdents64', [3, dents, 64], 48, () => { mem.u16(dents + 16, 24); mem.u16(dents + 40, 24); }))
      .toBe(`getdents64(3, ${hex(dents)} /* 2 entries */, 64) = 48`);
    expect(trace('umask', [0o22], 0o22)).toBe('umask(022) = 022');
  });

  it('files: open flags, the mode only with O_CREAT, returns and addresses', () => {
    const p = mem.bytes('/tmp/f');
    const o = X86.OPEN_FLAGS;
    expect(trace('openat', [-100, p, o.O_RDONLY | o.O_NONBLOCK | o.O_CLOEXEC | o.O_DIRECTORY, 0], 3))
      .toBe('openat(AT_FDCWD, "/tmp/f", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3');
    expect(trace('openat', [-100, p, o.O_WRONLY | o.O_CREAT | o.O_TRUNC, 0o644], 3)).toBe('openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3');
    expect(trace('openat', [-100, p, A64.OPEN_FLAGS.O_DIRECTORY, 0], 3, undefined, A64)).toBe('openat(AT_FDCWD, "/tmp/f", O_RDONLY|O_DIRECTORY) = 3');
    expect(trace('mmap', [0, 8192, 3, 0x22, -1, 0], 0x7f4cbbca8000)).toBe('mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f4cbbca8000');
    expect(trace('mmap', [0, 4096, 0, 0x104001, -1, 4096], -Errno.EBADF))
      .toBe('mmap(NULL, 4096, PROT_NONE, MAP_SHARED|MAP_NORESERVE|MAP_FIXED_NOREPLACE, -1, 0x1000) = -1 EBADF (Bad file descriptor)');
    expect(trace('brk', [0], 0x4ac000)).toBe('brk(NULL) = 0x4ac000');
    expect(trace('read', [3, mem.bytes('abc'), 10], 3)).toBe('read(3, "abc", 10) = 3');
    expect(trace('lseek', [3, 70000, 0], 70000)).toBe('lseek(3, 70000, SEEK_SET) = 70000');
  });

  it('signals: sigaction with and without SA_RESTORER, sigprocmask, siginfo', () => {
    const act = mem.alloc(32), old = mem.alloc(32);
    mem.u64(act, 1); mem.u64(act + 8, 0x04000000); mem.u64(act + 16, 0x409450);
    expect(trace('rt_sigaction', [13, act, 0, 8], 0)).toBe('rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x409450}, NULL, 8) = 0');
    expect(trace('rt_sigaction', [40, 0, old, 8], 0)).toBe('rt_sigaction(SIGRT_8, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0');
    const set = mem.alloc(8);
    mem.u64(set, (1n << 9n) | (1n << 16n));
    expect(trace('rt_sigprocmask', [0, set, 0, 8], 0)).toBe('rt_sigprocmask(SIG_BLOCK, [USR1 CHLD], NULL, 8) = 0');
    expect(trace('rt_sigprocmask', [2, 0, set, 8], 0)).toBe('rt_sigprocmask(SIG_SETMASK, NULL, [USR1 CHLD], 8) = 0');
    // rt_sigreturn: the mask (and the result) come from the frame at the stack pointer
    const frame = mem.alloc(448);
    mem.u64(frame + 304, 1n << 14n); mem.u64(frame + 48 + 104, 0);
    const c: Call = { name: 'rt_sigreturn', mem, data: X86, args: [0, 0, 0, 0, 0, 0], ret: undefined, saved: {}, sp: frame + 8, sigreturn: x86SignalFrames.sigreturnFrame };
    const e = enterCall(c, SPECS.rt_sigreturn);
    expect(`rt_sigreturn(${finishArgs(e, undefined)}) = ${formatRet(c, e.spec, c.saved[0] as number)}`).toBe('rt_sigreturn({mask=[TERM]}) = 0');
    expect(siginfo({ sig: 17, code: 1, pid: 2, uid: 0, status: 3 }))
      .toBe('{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=3, si_utime=0, si_stime=0}');
    expect(siginfo({ sig: 11, code: 1, pid: 0, uid: 0, addr: 0 })).toBe('{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}');
    expect(siginfo({ sig: 15, code: 0, pid: 7, uid: 0 })).toBe('{si_signo=SIGTERM, si_code=SI_USER, si_pid=7, si_uid=0}');
  });

  it('timers and signalfd: itimerspec, sigevent, the created id, SI_TIMER siginfo (as the native strace printed them)', () => {
    const its = mem.alloc(32), old = mem.alloc(32);
    mem.u64(its + 8, 10000000); mem.u64(its + 16, 5);
    expect(trace('timerfd_create', [1, 0o2004000], 3)).toBe('timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK) = 3');
    expect(trace('timerfd_create', [1, 1], -Errno.EINVAL)).toBe('timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME) = -1 EINVAL (Invalid argument)');
    expect(trace('timerfd_settime', [3, 3, its, 0], 0))
      .toBe('timerfd_settime(3, TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET, {it_interval={tv_sec=0, tv_nsec=10000000}, it_value={tv_sec=5, tv_nsec=0}}, NULL) = 0');
    expect(trace('timer_settime', [15, 0, its, old], 0, () => mem.u64(old + 24, 9808770)))
      .toBe('timer_settime(15, 0, {it_interval={tv_sec=0, tv_nsec=10000000}, it_value={tv_sec=5, tv_nsec=0}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=9808770}}) = 0');
    expect(trace('timer_settime', [0, 0, 8, 0], -Errno.EFAULT)).toBe('timer_settime(0, 0, 0x8, NULL) = -1 EFAULT (Bad address)');
    const ev = mem.alloc(64), id = mem.alloc(8);
    mem.u64(ev, 1234); mem.i32(ev + 8, 10);
    expect(trace('timer_create', [1, ev, id], 0, () => mem.i32(id, 15)))
      .toBe('timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=1234, sival_ptr=0x4d2}, sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}, [15]) = 0');
    mem.u64(ev, 0); mem.i32(ev + 12, 4); mem.i32(ev + 16, 16159);
    expect(trace('timer_create', [1, ev, id], -Errno.EINVAL))
      .toBe(`timer_create(CLOCK_MONOTONIC, {sigev_signo=SIGUSR1, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=16159}, ${hex(id)}) = -1 EINVAL (Invalid argument)`);
    mem.i32(ev + 8, 0); mem.i32(ev + 12, 1);
    expect(trace('timer_create', [-6, ev, id], 0, () => mem.i32(id, 18)))
      .toBe('timer_create(0xfffffffa /* CLOCK_??? */, {sigev_signo=0, sigev_notify=SIGEV_NONE}, [18]) = 0');
    expect(trace('timer_getoverrun', [15], 19)).toBe('timer_getoverrun(15) = 19');
    const set = mem.alloc(8);
    mem.u64(set, 1n << 9n);
    expect(trace('signalfd4', [-1, set, 8, 0o2004000], 5)).toBe('signalfd4(-1, [USR1], 8, SFD_CLOEXEC|SFD_NONBLOCK) = 5');
    expect(trace('signalfd4', [-1, set, 4, 1], -Errno.EINVAL)).toBe(`signalfd4(-1, ${hex(set)}, 4, 0x1 /* SFD_??? */) = -1 EINVAL (Invalid argument)`);
    expect(siginfo({ sig: 10, code: -2, pid: 0, uid: 0, timer: { id: 15, overrun: 0, value: 1234n } }))
      .toBe('{si_signo=SIGUSR1, si_code=SI_TIMER, si_timerid=0xf, si_overrun=0, si_int=1234, si_ptr=0x4d2}');
  });
});

// ---------------------------------------------------------------------------------------
// The tracer as the dispatcher drives it: blocked calls, exits, deaths, signals.

describe('Strace line order', () => {
  beforeAll(() => { mem = new FakeMem(); });

  function setup() {
    const lines: string[] = [];
    const proc = { pid: 1, alive: true, arch: { data: X86 }, tasks: [] as unknown[] };
    const task = { proc, mem, pending: undefined as unknown, engine: { reg: () => 0 } };
    proc.tasks.push(task);
    const kernel = { processes: new Map([[1, proc]]) };
    const s = new Strace(kernel as never, (l) => lines.push(l));
    return { s, task: task as never, proc, lines, raw: task };
  }

  it('prints a blocked call once, when it completes, with the inputs it was entered with', () => {
    const { s, task, lines, raw } = setup();
    const fds = mem.alloc(8);
    mem.i32(fds, 3); mem.u16(fds + 4, 1);
    const args = [fds, 1, -1, 0, 0, 0];
    s.enter(task, 'poll', args);
    mem.i32(fds, 99); // a later change to guest memory does not alter the call's input
    s.exit(task, 'poll', args, undefined, true);
    raw.pending = {};
    expect(lines).toEqual([]);
    raw.pending = undefined;
    mem.u16(fds + 6, 1);
    s.exit(task, 'poll', args, 1);
    expect(lines).toEqual(['poll([{fd=3, events=POLLIN}], 1, -1) = 1 ([{fd=99, revents=POLLIN}])']);
  });

  it('puts "+++ exited" after exit_group\'s own line, and ends a blocked call with "= ?"', () => {
    const { s, task, proc, lines, raw } = setup();
    s.enter(task, 'exit_group', [0, 0, 0, 0, 0, 0]);
    proc.alive = false;
    s.exited(proc as never, { code: 1, status: 0 });
    s.exit(task, 'exit_group', [0, 0, 0, 0, 0, 0], undefined);
    expect(lines).toEqual(['exit_group(0) = ?', '+++ exited with 0 +++']);
    lines.length = 0;
    proc.alive = true;
    const buf = mem.alloc(16);
    const args = [0, buf, 10, 0, 0, 0];
    s.enter(task, 'read', args);
    s.exit(task, 'read', args, undefined, true);
    raw.pending = {};
    s.signal(task, { sig: 15, code: 0, pid: 9, uid: 0 });
    proc.alive = false;
    s.exited(proc as never, { code: 2, status: 15 });
    expect(lines).toEqual(['--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=9, si_uid=0} ---', `read(0, ${hex(buf)}, 10) = ?`,
      '+++ killed by SIGTERM +++']);
  });

  it('shows restarts as strace does', () => {
    const { s, task, lines } = setup();
    s.enter(task, 'pause', [0, 0, 0, 0, 0, 0]);
    s.exit(task, 'pause', [0, 0, 0, 0, 0, 0], -Errno.ERESTARTNOHAND);
    expect(lines[0]).toMatch(/^pause\(\) = \? ERESTARTNOHAND \(.+\)$/);
  });
});

// ---------------------------------------------------------------------------------------
// Whole traces of guest/build/<arch>/hello under ucrun.

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'ucrun.js');
let tmp: string;

function ucrunTrace(arch: string): string[] {
  const file = join(tmp, `hello.${arch}.trace`);
  // stdout is /dev/null ('ignore'), so fstat(1) and TCGETS answer the same on every machine
  const r = spawnSync('node', [CLI, 'run', `--strace=${file}`, join(ROOT, 'guest', 'build', arch, 'hello')],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

describe('--strace of hello on both arches', () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ucrun-strace-'));
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  const common = (lines: string[]) => {
    expect(lines[0]).toMatch(/^brk\(NULL\) = 0x[0-9a-f]+$/);
    expect(lines).toContainEqual(expect.stringMatching(/^set_tid_address\(0x[0-9a-f]+\) = \d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^set_robust_list\(0x[0-9a-f]+, 24\) = 0$/));
    expect(lines).toContain('prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0');
    expect(lines).toContainEqual(expect.stringMatching(/^getrandom\("(\\x[0-9a-f]{2}){8}", 8, GRND_NONBLOCK\) = 8$/));
    expect(lines).toContainEqual(expect.stringMatching(/^mprotect\(0x[0-9a-f]+, \d+, PROT_READ\) = 0$/));
    expect(lines).toContain('newfstatat(1, "", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0');
    expect(lines).toContainEqual(expect.stringMatching(/^ioctl\(1, TCGETS, 0x[0-9a-f]+\) = -1 ENOTTY \(Inappropriate ioctl for device\)$/));
    expect(lines.slice(-3)).toEqual(['write(1, "hello, world\\n", 13) = 13', 'exit_group(0) = ?', '+++ exited with 0 +++']);
  };

  it('x86_64', () => {
    const lines = ucrunTrace('x86_64');
    common(lines);
    expect(lines).toContainEqual(expect.stringMatching(/^arch_prctl\(ARCH_SET_FS, 0x[0-9a-f]+\) = 0$/));
    expect(lines).toContainEqual(expect.stringMatching(/^rseq\(0x[0-9a-f]+, 0x20, 0, 0x53053053\) = /));
    expect(lines).toContainEqual(expect.stringMatching(/^readlink\("\/proc\/self\/exe", ".*"(\.\.\.)?, 4096\) = \d+$/));
  });

  it('aarch64', () => {
    const lines = ucrunTrace('aarch64');
    common(lines);
    expect(lines).toContainEqual(expect.stringMatching(/^rseq\(0x[0-9a-f]+, 0x20, 0, 0xd428bc00\) = /));
    expect(lines).toContainEqual(expect.stringMatching(/^readlinkat\(AT_FDCWD, "\/proc\/self\/exe", ".*"(\.\.\.)?, 4096\) = \d+$/));
  });

  it('x86_64 matches the real strace of the native binary line for line', () => {
    const file = join(tmp, 'hello.native.trace');
    const r = spawnSync('strace', ['-o', file, join(ROOT, 'guest', 'build', 'x86_64', 'hello')], { stdio: ['ignore', 'ignore', 'pipe'] });
    expect(r.status).toBe(0);
    // strace pads " = " to column 40 and prints the initial execve; addresses, the pid, random
    // bytes and rseq (unimplemented here) legitimately differ.
    const norm = (l: string) => l.replace(/ {2,}= /, ' = ').replace(/0x[0-9a-f]{5,}/g, 'ADDR').replace(/(\\x[0-9a-f]{2})+/g, 'RANDOM')
      .replace(/^(set_tid_address\(ADDR\)) = \d+$/, '$1 = PID');
    const native = readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => !l.startsWith('execve(') && !l.startsWith('rseq(')).map(norm);
    const ours = ucrunTrace('x86_64').filter((l) => !l.startsWith('rseq(')).map(norm);
    expect(ours).toEqual(native);
  });

  /** Socket, pipe and poll calls of a small program, built static for the host and traced both ways. */
  const SOCKET_PROGRAM = `#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
int main(void) {
  int sv[2], p[2], n, v;
  char buf[64];
  signal(SIGPIPE, SIG_IGN);
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
  pipe2(p, O_CLOEXEC);
  sendto(sv[0], "hello", 5, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
  recvfrom(sv[1], buf, 10, MSG_PEEK, NULL, NULL);
  ioctl(sv[1], FIONREAD, &n);
  recvfrom(sv[1], buf, 10, 0, NULL, NULL);
  recvfrom(sv[1], buf, 10, MSG_DONTWAIT, NULL, NULL);
  struct iovec iov[2] = {{"ab", 2}, {"cdef", 4}};
  struct msghdr mh = {0}; mh.msg_iov = iov; mh.msg_iovlen = 2;
  sendmsg(sv[0], &mh, MSG_NOSIGNAL);
  struct iovec riov = {buf, 16}; struct msghdr rm = {0}; rm.msg_iov = &riov; rm.msg_iovlen = 1;
  recvmsg(sv[1], &rm, 0);
  recvmsg(sv[1], &rm, MSG_DONTWAIT);
  struct pollfd pf[3] = {{sv[1], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};
  poll(pf, 3, 0);
  poll(pf, 1, 0);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  fcntl(p[0], F_GETFL);
  fcntl(p[0], F_GETPIPE_SZ);
  read(p[0], buf, 10);
  socklen_t l = sizeof v;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l);
  shutdown(sv[0], SHUT_WR);
  write(p[1], "x\\0\\1\\n", 4);
  return 0;
}
`;
  it('socket, pipe and poll calls match the real strace (x86_64)', () => {
    if (process.arch !== 'x64') return;
    const src = join(tmp, 'sock.c'), exe = join(tmp, 'sock');
    writeFileSync(src, SOCKET_PROGRAM);
    execFileSync('gcc', ['-static', '-O0', '-w', '-o', exe, src]);
    const file = join(tmp, 'sock.native.trace');
    expect(spawnSync('strace', ['-o', file, exe], { stdio: 'ignore' }).status).toBe(0);
    const ours = join(tmp, 'sock.ucrun.trace');
    const r = spawnSync('node', [CLI, 'run', `--strace=${ours}`, exe], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const norm = (l: string) => l.replace(/ {2,}= /, ' = ').replace(/0x[0-9a-f]{5,}/g, 'ADDR');
    const from = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('rt_sigaction('))).map(norm);
    const native = from(readFileSync(file, 'utf8').trimEnd().split('\n'));
    expect(native.length).toBeGreaterThan(20);
    expect(from(readFileSync(ours, 'utf8').trimEnd().split('\n'))).toEqual(native);
  });
});
