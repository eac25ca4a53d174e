// The AF_UNIX transport on its own: no fds, no tasks, guest memory as physical chunks.
import { beforeEach, describe, expect, it } from 'vitest';
import { PhysMem, PAGE_SIZE } from '../../src/mm/physmem.js';
import { loadRingModule } from '../../src/kernel/ring.js';
import { UnixSocket, RCV_SHUTDOWN, SEND_SHUTDOWN } from '../../src/kernel/socket/unix.js';
import { MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM } from '../../src/kernel/socket/types.js';
import { Errno } from '../../src/kernel/errno.js';
import type { PhysChunk } from '../../src/mm/guest_memory.js';

let phys: PhysMem;
let host: { phys: PhysMem; ring: ReturnType<typeof loadRingModule> };
const creds = { pid: 7, uid: 0, gid: 0 };

beforeEach(() => {
  phys = new PhysMem({ initialBytes: 16 << 20, limitBytes: 256 << 20 });
  host = { phys, ring: loadRingModule(phys.memory) };
});

/** A guest buffer in its own frame(s), holding `bytes`. */
function buf(bytes: Uint8Array | number): PhysChunk[] {
  const data = typeof bytes === 'number' ? new Uint8Array(bytes) : bytes;
  const frames = Math.max(1, Math.ceil(data.length / PAGE_SIZE));
  const f = phys.allocContiguous(frames);
  phys.u8.set(data, f * PAGE_SIZE);
  return [{ pa: f * PAGE_SIZE, len: data.length }];
}
const text = (s: string) => buf(new TextEncoder().encode(s));
const read = (c: PhysChunk[], n: number) => new TextDecoder().decode(phys.u8.subarray(c[0].pa, c[0].pa + n));

describe('stream pairs', () => {
  it('data written on one end is read on the other, in order, without boundaries', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    expect(a.send(text('hel'), 3, 0)).toBe(3);
    expect(a.send(text('lo'), 2, 0)).toBe(2);
    const out = buf(10);
    const r = b.recv(out, 10, 0, 0);
    expect(r).toMatchObject({ n: 5 });
    expect(read(out, 5)).toBe('hello');
  });

  it('recv on an empty socket asks to wait, and the peer write notifies the shared queue', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    expect(b.recv(buf(4), 4, 0, 0)).toEqual({ wait: true, done: 0 });
    let woken = 0;
    const fakeTask = { wake: () => { woken++; } } as never;
    b.waitq.add(fakeTask);
    a.send(text('x'), 1, 0);
    expect(woken).toBe(1);
  });

  it('MSG_PEEK leaves the data queued', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    a.send(text('abc'), 3, 0);
    expect(b.recv(buf(8), 8, MSG_PEEK, 0)).toMatchObject({ n: 3 });
    expect(b.inq()).toBe(3);
  });

  it('MSG_WAITALL waits until the whole length arrived, keeping progress', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    a.send(text('ab'), 2, 0);
    const out = buf(4);
    expect(b.recv(out, 4, MSG_WAITALL, 0)).toEqual({ wait: true, done: 2 });
    a.send(text('cd'), 2, 0);
    expect(b.recv(out, 4, MSG_WAITALL, 2)).toMatchObject({ n: 4 });
    expect(read(out, 4)).toBe('abcd');
  });

  it('a sender stops at its send buffer and resumes when the reader drains', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    a.setSndbuf(8192);
    const big = buf(64 << 10);
    const first = a.send(big, 64 << 10, 0);
    expect(first).toMatchObject({ wait: true });
    const sent = (first as { done: number }).done;
    expect(sent).toBeGreaterThanOrEqual(8192);
    expect(sent).toBeLessThan(64 << 10);
    expect(b.recv(buf(sent), sent, 0, 0)).toMatchObject({ n: sent });
    expect(a.wmem).toBe(0);
  });

  it('closing with unread data resets the peer: ECONNRESET once, then EOF', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    b.send(text('unread'), 6, 0);
    a.release();
    expect(b.recv(buf(8), 8, 0, 0)).toMatchObject({ n: -Errno.ECONNRESET });
    expect(b.recv(buf(8), 8, 0, 0)).toMatchObject({ n: 0 });
    expect(b.send(text('x'), 1, 0)).toBe(-Errno.EPIPE);
  });

  it('shutdown(SHUT_WR) makes own writes EPIPE and the peer read EOF after draining', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_STREAM, creds);
    a.send(text('z'), 1, 0);
    a.shutdownConn(1);
    expect(a.shutdown & SEND_SHUTDOWN).toBeTruthy();
    expect(b.shutdown & RCV_SHUTDOWN).toBeTruthy();
    expect(a.send(text('y'), 1, 0)).toBe(-Errno.EPIPE);
    expect(b.recv(buf(4), 4, 0, 0)).toMatchObject({ n: 1 });
    expect(b.recv(buf(4), 4, 0, 0)).toMatchObject({ n: 0 });
  });

  it('poll after SHUT_RDWR reports IN, OUT, RDHUP and HUP', () => {
    const [a] = UnixSocket.pair(host, SOCK_STREAM, creds);
    a.shutdownConn(2);
    expect(a.pollMask() & 0x2015).toBe(0x2015);
  });
});

describe('record pairs', () => {
  it.each([SOCK_DGRAM, SOCK_SEQPACKET])('type %i keeps boundaries and truncates with MSG_TRUNC', (type) => {
    const [a, b] = UnixSocket.pair(host, type, creds);
    a.send(text('first'), 5, 0);
    a.send(text(''), 0, 0);
    a.send(text('third!'), 6, 0);
    expect(b.recv(buf(3), 3, 0, 0)).toMatchObject({ n: 3, msgFlags: MSG_TRUNC });
    expect(b.recv(buf(8), 8, 0, 0)).toMatchObject({ n: 0, msgFlags: 0 });
    expect(b.recv(buf(2), 2, MSG_TRUNC, 0)).toMatchObject({ n: 6, msgFlags: MSG_TRUNC });
    expect(b.recv(buf(2), 2, 0, 0)).toEqual({ wait: true, done: 0 });
  });

  it('a message larger than the send buffer fails with EMSGSIZE', () => {
    const [a] = UnixSocket.pair(host, SOCK_DGRAM, creds);
    a.setSndbuf(4608);
    expect(a.send(buf(8192), 8192, 0)).toBe(-Errno.EMSGSIZE);
  });

  it('a datagram peer that closed refuses the first write, then the socket is unconnected', () => {
    const [a, b] = UnixSocket.pair(host, SOCK_DGRAM, creds);
    a.release();
    expect(b.send(text('x'), 1, 0)).toBe(-Errno.ECONNREFUSED);
    expect(b.send(text('x'), 1, 0)).toBe(-Errno.ENOTCONN);
  });
});
