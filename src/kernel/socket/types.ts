// Socket constants, limits and the sockaddr_un codec. Values are the Linux ABI (the same on
// x86_64 and aarch64; test/arch_data.test.ts checks them against both toolchains' headers).
import { bytesToString, stringToBytes } from '../../abi/bytes.js';
import { SOCK } from '../abi.js';
import { Errno } from '../errno.js';

export const {
  AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_NONBLOCK,
  SOCK_CLOEXEC, SOL_SOCKET, SO_TYPE, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, SO_PEERCRED, SO_ACCEPTCONN,
  SO_PROTOCOL, SO_DOMAIN, SO_SNDBUFFORCE, SO_RCVBUFFORCE, SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER, SO_RCVLOWAT,
  SO_SNDLOWAT, SO_RCVTIMEO_OLD, SO_SNDTIMEO_OLD, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_OOBINLINE,
  SHUT_RD, SHUT_WR, SHUT_RDWR, MSG_OOB, MSG_PEEK, MSG_CTRUNC, MSG_TRUNC, MSG_DONTWAIT, MSG_EOR, MSG_WAITALL,
  MSG_NOSIGNAL, MSG_CMSG_CLOEXEC,
} = SOCK;

/** Mask of the socket type within socket()'s `type` argument (include/linux/net.h SOCK_TYPE_MASK). */
export const SOCK_TYPE_MASK = 0xf;

export enum SocketState { Unbound, Bound, Listening, Connecting, Connected, Disconnected }

/**
 * Buffer sizes as this kernel's sysctls give them (net.core.{w,r}mem_default / _max): the
 * default is 212992; setsockopt doubles the value it is given, capped at twice the max, and
 * never goes below the minimum (SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF: 2 * (2048 + skb overhead)).
 */
export const SOCK_BUF_DEFAULT = 212992;
export const SOCK_BUF_MAX = 4194304;
export const SOCK_MIN_SNDBUF = 4608;
export const SOCK_MIN_RCVBUF = 2304;
/** net.unix.max_dgram_qlen: datagrams queued on one receiver before senders wait. */
export const MAX_DGRAM_QLEN = 10;

/** Linux sockaddr_un: sa_family_t (2 bytes) + sun_path[108]. */
export const SUN_PATH_OFFSET = 2;
export const SUN_PATH_MAX = 108;
export const SOCKADDR_UN_SIZE = SUN_PATH_OFFSET + SUN_PATH_MAX;

/** A decoded AF_UNIX address. */
export type UnixAddress =
  | { kind: 'unnamed' }
  | { kind: 'path'; path: string }
  | { kind: 'abstract'; name: Uint8Array };

/**
 * Decode `len` bytes of a sockaddr_un (net/unix/af_unix.c unix_mkname): -EINVAL when shorter
 * than the family, longer than the struct or of another family; an empty path is unnamed; a
 * leading NUL makes an abstract name of exactly len-3 bytes (NULs included); a path stops at
 * its first NUL.
 */
export function decodeSockaddrUn(bytes: Uint8Array, len: number): UnixAddress | number {
  if (len < SUN_PATH_OFFSET || len > SOCKADDR_UN_SIZE) return -Errno.EINVAL;
  const family = bytes[0] | (bytes[1] << 8);
  if (family !== AF_UNIX) return -Errno.EINVAL;
  if (len === SUN_PATH_OFFSET) return { kind: 'unnamed' };
  const path = bytes.subarray(SUN_PATH_OFFSET, len);
  if (path[0] === 0) return { kind: 'abstract', name: path.slice(1) };
  const end = path.indexOf(0);
  return { kind: 'path', path: bytesToString(end < 0 ? path : path.subarray(0, end)) };
}

/**
 * Encode an address as getsockname/getpeername return it, with Linux's address length:
 * unnamed 2, path offsetof(sun_path) + strlen + 1, abstract offsetof + 1 + name length.
 */
export function encodeSockaddrUn(a: UnixAddress): Uint8Array {
  const body = a.kind === 'unnamed' ? new Uint8Array(0)
    : a.kind === 'path' ? new Uint8Array([...stringToBytes(a.path), 0])
    : new Uint8Array([0, ...a.name]);
  const out = new Uint8Array(SUN_PATH_OFFSET + body.length);
  out[0] = AF_UNIX & 0xff;
  out[1] = AF_UNIX >> 8;
  out.set(body, SUN_PATH_OFFSET);
  return out;
}
