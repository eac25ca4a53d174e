// sockaddr_un encode/decode follows unix_mkname and unix_getname.
import { describe, expect, it } from 'vitest';
import { AF_UNIX, decodeSockaddrUn, encodeSockaddrUn, SOCKADDR_UN_SIZE } from '../../src/kernel/socket/types.js';
import { Errno } from '../../src/kernel/errno.js';

const raw = (...bytes: number[]) => new Uint8Array([AF_UNIX, 0, ...bytes]);
const enc = (s: string) => [...new TextEncoder().encode(s)];

describe('sockaddr_un', () => {
  it('is 110 bytes with the path at offset 2', () => expect(SOCKADDR_UN_SIZE).toBe(110));
  it('decodes a filesystem path up to its first NUL', () => {
    expect(decodeSockaddrUn(raw(...enc('/tmp/s'), 0, 120), 11)).toEqual({ kind: 'path', path: '/tmp/s' });
  });
  it('decodes an abstract name of exactly addrlen - 3 bytes, NULs included', () => {
    const r = decodeSockaddrUn(raw(0, 97, 0, 98), 6);
    expect(r).toEqual({ kind: 'abstract', name: new Uint8Array([97, 0, 98]) });
  });
  it('treats a bare family as unnamed', () => expect(decodeSockaddrUn(raw(), 2)).toEqual({ kind: 'unnamed' }));
  it('refuses a short, long or foreign address with EINVAL', () => {
    expect(decodeSockaddrUn(raw(), 1)).toBe(-Errno.EINVAL);
    expect(decodeSockaddrUn(new Uint8Array(120), 111)).toBe(-Errno.EINVAL);
    expect(decodeSockaddrUn(new Uint8Array([2, 0, 1]), 3)).toBe(-Errno.EINVAL);
  });
  it('encodes with Linux address lengths: unnamed 2, path strlen+3, abstract name+3', () => {
    expect(encodeSockaddrUn({ kind: 'unnamed' }).length).toBe(2);
    expect(encodeSockaddrUn({ kind: 'path', path: '/a' })).toEqual(raw(47, 97, 0));
    expect(encodeSockaddrUn({ kind: 'abstract', name: new Uint8Array([1, 2, 3, 4, 5]) }).length).toBe(2 + 1 + 5);
  });
});
