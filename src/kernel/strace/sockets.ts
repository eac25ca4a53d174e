// Socket, pipe and poll arguments: sockaddrs (AF_UNIX paths, abstract names, unnamed),
// msghdr with its iovecs and control messages, pollfd arrays, fd_sets, sockopt values,
// epoll events -- strace's sockaddr.c, msghdr.c, poll.c, desc.c and net.c in miniature.
import {
  CMSGHDR_LAYOUT, IOVEC_LAYOUT, MSGHDR_LAYOUT, POLLFD_LAYOUT, SOCK, SOCKADDR_IN6_LAYOUT, SOCKADDR_IN_LAYOUT,
  SOCKADDR_UN_LAYOUT, UCRED_LAYOUT,
} from '../abi.js';
import { type ArgDef, type Call, type RetFmt, array, failed, i32, inp, intp, outp, str, struct, view } from './call.js';
import { addr, flags, hex, quote, xval } from './format.js';
import { sigset, timespec, timeval } from './structs.js';
import { ADDRFAMS, EPOLL_EVENTS, MSG_FLAGS, POLL_FLAGS, SCM_TYPES, SOCKET_LAYERS } from './xlat.js';

const FAMILY = SOCKADDR_UN_LAYOUT.fields.sun_family.size;

/** print_sockaddr(): a sockaddr of `len` bytes at `at` (decode_sockaddr: < 2 bytes -> the address). */
export function sockaddr(c: Call, at: number, len: number): string {
  if (len < FAMILY || at === 0) return addr(at);
  const b = c.mem.read(at, Math.min(len, 128));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fam = dv.getUint16(0, true);
  let s = `{sa_family=${xval(fam, ADDRFAMS, 'AF_???')}`;
  if (b.length <= FAMILY) return s + '}';
  const un = SOCKADDR_UN_LAYOUT.fields.sun_path;
  if (fam === SOCK.AF_UNIX) {
    const p = b.subarray(un.offset, Math.min(b.length, un.offset + un.size));
    if (p[0] !== 0) {
      const z = p.indexOf(0);
      const name = z < 0 ? p : p.subarray(0, z);
      return `${s}, sun_path=${quote(name, name.length)}}`;
    }
    return `${s}, sun_path=@${quote(p.subarray(1), p.length)}}`;
  }
  if (fam === SOCK.AF_INET && b.length >= SOCKADDR_IN_LAYOUT.size) {
    const f = SOCKADDR_IN_LAYOUT.fields;
    return `${s}, sin_port=htons(${dv.getUint16(f.sin_port.offset, false)}), `
      + `sin_addr=inet_addr("${[...b.subarray(f.sin_addr.offset, f.sin_addr.offset + 4)].join('.')}")}`;
  }
  if (fam === SOCK.AF_INET6 && b.length >= SOCKADDR_IN6_LAYOUT.fields.sin6_scope_id.offset) {
    const f = SOCKADDR_IN6_LAYOUT.fields;
    const words = [...Array(8)].map((_, k) => dv.getUint16(f.sin6_addr.offset + 2 * k, false));
    s += `, sin6_port=htons(${dv.getUint16(f.sin6_port.offset, false)}), sin6_flowinfo=htonl(${dv.getUint32(f.sin6_flowinfo.offset, false)}), `
      + `inet_pton(AF_INET6, "${ipv6(words)}", &sin6_addr)`;
    if (b.length > f.sin6_scope_id.offset) s += `, sin6_scope_id=${dv.getUint32(f.sin6_scope_id.offset, true)}`;
    return s + '}';
  }
  return `${s}, sa_data=${quote(b.subarray(FAMILY), b.length)}}`;
}

/** inet_ntop(AF_INET6): the longest run of two or more zero words becomes "::". */
function ipv6(w: number[]): string {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hx = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hx(w) : `${hx(w.slice(0, best))}::${hx(w.slice(best + bestLen))}`;
}

/** `[ulen]` or `[ulen => rlen]`: a socklen_t the kernel updates. */
const socklen = (ulen: number, rlen: number) => `[${ulen !== rlen ? `${ulen} => ` : ''}${rlen}]`;

/** An input sockaddr whose length is argument `lenArg` (bind, connect, sendto). */
export const sockaddrIn = (lenArg: number): ArgDef => inp((c, i) => sockaddr(c, c.args[i], c.args[lenArg] | 0));

/**
 * The address/length pair of accept, getsockname, recvfrom: the length passed in is read when
 * the call is entered; afterwards the address prints with min(in, out) bytes and the length as
 * `[110 => 2]`. Without both pointers, both print as addresses.
 */
export const sockaddrOut: ArgDef = {
  out: true,
  fmt: (c, i) => {
    const ulen = c.saved[i + 1] as number | undefined;
    if (ulen === undefined || failed(c)) return addr(c.args[i]);
    return sockaddr(c, c.args[i], Math.min(ulen, i32(c, c.args[i + 1])));
  },
};
export const socklenInOut: ArgDef = {
  out: true,
  save: (c, i) => (c.args[i] && c.args[i - 1] ? i32(c, c.args[i]) : undefined),
  fmt: (c, i) => {
    const ulen = c.saved[i] as number | undefined;
    if (ulen === undefined) return addr(c.args[i]);
    if (failed(c)) return `[${ulen}]`;
    return socklen(ulen, i32(c, c.args[i]));
  },
};

/** int[2] filled by pipe, pipe2, socketpair: `[3, 4]`. */
export const fdPair: ArgDef = outp((c, i) => `[${i32(c, c.args[i])}, ${i32(c, c.args[i] + 4)}]`);

// --- msghdr ----------------------------------------------------------------------

/** An iovec array; `data` bytes of content are shown in total (Infinity: all of each). */
export function iovecs(c: Call, at: number, count: number, data: number): string {
  if (at === 0) return 'NULL';
  const f = IOVEC_LAYOUT.fields;
  const n = Math.min(count, 33);
  const dv = view(c, at, n * IOVEC_LAYOUT.size);
  let left = data;
  return array(count, (k) => {
    const base = Number(dv.getBigUint64(k * IOVEC_LAYOUT.size + f.iov_base.offset, true));
    const len = Number(dv.getBigUint64(k * IOVEC_LAYOUT.size + f.iov_len.offset, true));
    const show = Math.min(len, left);
    left -= show;
    return `{iov_base=${str(c, base, show)}, iov_len=${len}}`;
  });
}

function cmsgs(c: Call, at: number, len: number): string {
  const L = CMSGHDR_LAYOUT;
  if (len < L.size) return addr(at);
  const buf = view(c, at, Math.min(len, 4096));
  const parts: string[] = [];
  let [off, left] = [0, buf.byteLength];
  while (left >= L.size) {
    const clen = Number(buf.getBigUint64(off + L.fields.cmsg_len.offset, true));
    const level = buf.getInt32(off + L.fields.cmsg_level.offset, true);
    const type = buf.getInt32(off + L.fields.cmsg_type.offset, true);
    const len1 = Math.min(clen, left);
    const dlen = Math.max(0, len1 - L.size);
    let s = `{cmsg_len=${clen}, cmsg_level=${xval(level, SOCKET_LAYERS, 'SOL_???')}, cmsg_type=`;
    if (level === SOCK.SOL_SOCKET) {
      s += xval(type, SCM_TYPES, 'SCM_???');
      const d = off + L.size;
      if (type === SOCK.SCM_RIGHTS && dlen >= 4) s += `, cmsg_data=${array(dlen >> 2, (k) => String(buf.getInt32(d + 4 * k, true)))}`;
      if (type === SOCK.SCM_CREDENTIALS && dlen >= UCRED_LAYOUT.size) {
        const u = UCRED_LAYOUT.fields;
        s += `, cmsg_data={pid=${buf.getInt32(d + u.pid.offset, true)}, uid=${buf.getUint32(d + u.uid.offset, true)}, gid=${buf.getUint32(d + u.gid.offset, true)}}`;
      }
    } else s += hex(type);
    parts.push(s + '}');
    if (len1 < L.size) { left -= L.size; break; }
    const next = (clen + 7) & ~7;
    if (next >= left) { left = 0; break; }
    off += next;
    left -= next;
  }
  if (left) parts.push(`... /* ${hex(at + buf.byteLength - left)} */`);
  else if (buf.byteLength < len) parts.push('...');
  return `[${parts.join(', ')}]`;
}

/** struct msghdr; `data` limits the iovec contents shown (recvmsg: the result), `ulen` the name length passed in. */
export function msghdr(c: Call, at: number, data: number, ulen?: number): string {
  const { get } = struct(c, at, MSGHDR_LAYOUT);
  const namelen = get('msg_namelen', true);
  const shown = ulen !== undefined && namelen > ulen ? ulen : namelen;
  let s = `{msg_name=${sockaddr(c, get('msg_name'), shown)}, msg_namelen=${ulen !== undefined && ulen !== namelen ? `${ulen} => ` : ''}${namelen}`;
  const iovlen = get('msg_iovlen');
  s += `, msg_iov=${iovecs(c, get('msg_iov'), iovlen, data)}, msg_iovlen=${iovlen}`;
  const clen = get('msg_controllen');
  if (clen) s += `, msg_control=${cmsgs(c, get('msg_control'), clen)}`;
  return `${s}, msg_controllen=${clen}, msg_flags=${flags(get('msg_flags'), MSG_FLAGS, 'MSG_???')}}`;
}

export const msghdrIn: ArgDef = inp((c, i) => (c.args[i] ? msghdr(c, c.args[i], Infinity) : 'NULL'));
/** recvmsg: msg_namelen is read on entry; on failure strace prints only `{msg_namelen=N}`. */
export const msghdrOut: ArgDef = {
  out: true,
  save: (c, i) => (c.args[i] ? i32(c, c.args[i] + MSGHDR_LAYOUT.fields.msg_namelen.offset) : undefined),
  fmt: (c, i) => {
    const ulen = c.saved[i] as number | undefined;
    if (ulen === undefined) return addr(c.args[i]);
    if (failed(c)) return `{msg_namelen=${ulen}}`;
    return msghdr(c, c.args[i], c.ret!, ulen);
  },
};

// --- getsockopt / setsockopt ---------------------------------------------------------

function sockoptValue(c: Call, at: number, len: number): string {
  if (at === 0) return 'NULL';
  const [level, name] = [c.args[1] | 0, c.args[2] | 0];
  if (level === SOCK.SOL_SOCKET && name === SOCK.SO_PEERCRED && len > 0) {
    const u = UCRED_LAYOUT.fields;
    const dv = view(c, at, Math.min(len, UCRED_LAYOUT.size));
    const parts = [['pid', u.pid], ['uid', u.uid], ['gid', u.gid]] as const;
    return `{${parts.filter(([, f]) => f.offset + 4 <= dv.byteLength).map(([k, f]) => `${k}=${dv.getInt32(f.offset, true)}`).join(', ')}}`;
  }
  if (level === SOCK.SOL_SOCKET && name === SOCK.SO_LINGER && len >= 8) {
    const dv = view(c, at, 8);
    return `{l_onoff=${dv.getInt32(0, true)}, l_linger=${dv.getInt32(4, true)}}`;
  }
  return len === 4 ? intp(c, at) : str(c, at, len);
}

export const optvalIn: ArgDef = inp((c, i) => sockoptValue(c, c.args[i], c.args[i + 1] | 0));
/** getsockopt's value: the returned length decides how it prints. */
export const optvalOut: ArgDef = {
  out: true,
  fmt: (c, i) => {
    const ulen = c.saved[i + 1] as number | undefined;
    if (ulen === undefined || failed(c)) return addr(c.args[i]);
    const rlen = i32(c, c.args[i + 1]);
    return ulen <= 0 || rlen <= 0 ? addr(c.args[i]) : sockoptValue(c, c.args[i], rlen);
  },
};
export const optlenInOut: ArgDef = {
  out: true,
  save: (c, i) => (c.args[i] ? i32(c, c.args[i]) : undefined),
  fmt: (c, i) => {
    const ulen = c.saved[i] as number | undefined;
    if (ulen === undefined) return addr(c.args[i]);
    return failed(c) ? `[${ulen}]` : socklen(ulen, i32(c, c.args[i]));
  },
};

// --- poll, select, epoll ----------------------------------------------------------------

const F = POLLFD_LAYOUT.fields;

/** The pollfd array as entered: `[{fd=3, events=POLLIN}, {fd=-1}]`. */
export const pollfds: ArgDef = inp((c, i) => {
  const [at, n] = [c.args[i], c.args[i + 1] >>> 0];
  if (at === 0) return 'NULL';
  const dv = view(c, at, Math.min(n, 33) * POLLFD_LAYOUT.size);
  return array(n, (k) => {
    const fd = dv.getInt32(k * POLLFD_LAYOUT.size + F.fd.offset, true);
    const ev = dv.getUint16(k * POLLFD_LAYOUT.size + F.events.offset, true);
    return fd < 0 ? `{fd=${fd}}` : `{fd=${fd}, events=${flags(ev, POLL_FLAGS, 'POLL???')}}`;
  });
});

/** poll/ppoll results: `1 ([{fd=3, revents=POLLIN}], left {...})`, `0 (Timeout)`. */
export const pollRet = (tsArg?: number): RetFmt => (c, ret) => {
  if (ret === 0) return '0 (Timeout)';
  const [at, n] = [c.args[0], c.args[1] >>> 0];
  const parts: string[] = [];
  if (at && n) {
    const dv = view(c, at, n * POLLFD_LAYOUT.size);
    for (let k = 0; k < n; k++) {
      const rev = dv.getUint16(k * POLLFD_LAYOUT.size + F.revents.offset, true);
      if (!rev) continue;
      if (parts.length >= 32) { parts.push('...'); break; }
      parts.push(`{fd=${dv.getInt32(k * POLLFD_LAYOUT.size + F.fd.offset, true)}, revents=${flags(rev, POLL_FLAGS, 'POLL???')}}`);
    }
  }
  const aux = [parts.length ? `[${parts.join(', ')}]` : ''];
  if (tsArg !== undefined && c.args[tsArg]) aux.push(`left ${timespec(c, c.args[tsArg])}`);
  const s = aux.filter(Boolean).join(', ');
  return s ? `${ret} (${s})` : String(ret);
};

/** The fds set in an fd_set of `nfds` bits. */
function fdset(c: Call, at: number, nfds: number): number[] {
  const bytes = ((((nfds + 7) >> 3) + 7) & ~7);
  const b = c.mem.read(at, bytes);
  const out: number[] = [];
  for (let fd = 0; fd < nfds; fd++) if (b[fd >> 3] & (1 << (fd & 7))) out.push(fd);
  return out;
}

const nfdsOf = (c: Call) => Math.min(Math.max(c.args[0] | 0, 0), 1024 * 1024);

/** An fd_set as select is entered: `[3 4]`, NULL, or the address if unreadable. */
export const fdsetIn: ArgDef = inp((c, i) => (c.args[i] === 0 ? 'NULL' : nfdsOf(c) === 0 ? addr(c.args[i]) : `[${fdset(c, c.args[i], nfdsOf(c)).join(' ')}]`));

/** select/pselect6 results: `2 (in [3], out [4], left {tv_sec=0, tv_usec=999})`, `0 (Timeout)`. */
export const selectRet = (timeout: (c: Call, at: number) => string): RetFmt => (c, ret) => {
  if (ret === 0) return '0 (Timeout)';
  const parts: string[] = [];
  let ready = ret;
  ['in', 'out', 'except'].forEach((label, k) => {
    const at = c.args[k + 1];
    if (!at || ready <= 0) return;
    const fds = fdset(c, at, nfdsOf(c)).slice(0, ready);
    ready -= fds.length;
    if (fds.length) parts.push(`${label} [${fds.join(' ')}]`);
  });
  if (c.args[4]) parts.push(`left ${timeout(c, c.args[4])}`);
  return `${ret} (${parts.join(', ')})`;
};

/** pselect6's sixth argument: `{sigmask=[], sigsetsize=8}`. */
export const pselectSig: ArgDef = inp((c, i) => {
  const at = c.args[i];
  if (at === 0) return 'NULL';
  const dv = view(c, at, 16);
  const [ss, len] = [Number(dv.getBigUint64(0, true)), Number(dv.getBigUint64(8, true))];
  const mask = ss === 0 ? 'NULL' : len !== 8 ? addr(ss) : sigset(c, ss);
  return `{sigmask=${mask}, sigsetsize=${len}}`;
});

export const timevalIn: ArgDef = inp((c, i) => timeval(c, c.args[i]));

/** struct epoll_event (12 bytes packed on x86_64, 16 on aarch64). */
export function epollEvent(c: Call, at: number): string {
  const L = c.data.EPOLL_EVENT_LAYOUT;
  const dv = view(c, at, L.size);
  const data = dv.getBigUint64(L.fields.data.offset, true);
  return `{events=${flags(dv.getUint32(L.fields.events.offset, true), EPOLL_EVENTS, 'EPOLL???')}, data={u32=${Number(data & 0xffffffffn)}, u64=${data}}}`;
}
export const epollEventIn: ArgDef = inp((c, i) => (c.args[i] ? epollEvent(c, c.args[i]) : 'NULL'));
/** epoll_wait's array: the `ret` events the kernel stored. */
export const epollEventsOut: ArgDef = outp((c, i) => array(c.ret!, (k) => epollEvent(c, c.args[i] + k * c.data.EPOLL_EVENT_LAYOUT.size)));
