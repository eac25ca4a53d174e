// The SysV IPC objects (src/kernel/ipc/) without a guest: ids and keys, permissions, the
// semaphore hand-off queue and undo, pipelined message delivery, segment lifetime.
import { describe, expect, it } from 'vitest';
import { AddressSpace, ACCESS_WRITE, PROT_READ, PROT_WRITE } from '../../src/mm/address_space.js';
import { PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';
import { IPC, SEM, SHM } from '../../src/kernel/abi.js';
import { Creds } from '../../src/kernel/creds.js';
import { Errno } from '../../src/kernel/errno.js';
import { MsgReceiver } from '../../src/kernel/ipc/msg.js';
import { IpcNamespace } from '../../src/kernel/ipc/namespace.js';
import { SemWaiter } from '../../src/kernel/ipc/sem.js';
import { IPCMNI } from '../../src/kernel/ipc/util.js';

const phys = () => new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
const root = { pid: 1, creds: new Creds(0, 0) };
const user = (pid: number, uid = 1000) => ({ pid, creds: new Creds(uid, uid) });
const staying = () => false;

describe('ids and keys (ipc/util.c)', () => {
  it('ids cycle through indexes; reusing an index bumps the sequence number', () => {
    const ns = new IpcNamespace(phys());
    const a = ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600);
    const b = ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600);
    expect([a, b]).toEqual([0, 1]);
    expect(ns.msg.down(root, a, undefined)).toBe(0);
    expect(ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600)).toBe(2); // cyclic: not the freed 0
    for (let i = 3; i < 64; i++) ns.msg.down(root, ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600), undefined);
    const c = ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600); // past ipc_min_cycle: wraps to 0
    expect(c % IPCMNI).toBe(0);
    expect(Math.floor(c / IPCMNI)).toBe(1);
    expect(ns.msg.stat(root, a, IPC.IPC_STAT)).toBe(-Errno.EINVAL); // the old id names nothing
  });

  it('ipcperms: owner bits for the owner, other bits for others, CAP_IPC_OWNER passes', () => {
    const ns = new IpcNamespace(phys());
    const owner = user(10, 1000);
    const id = ns.sem.semget(owner, 77, 1, IPC.IPC_CREAT | 0o604);
    expect(ns.sem.semget(user(11, 2000), 77, 1, 0o004)).toBe(id);
    expect(ns.sem.semget(user(11, 2000), 77, 1, 0o002)).toBe(-Errno.EACCES);
    expect(ns.sem.semget(root, 77, 1, 0o666)).toBe(id);
    expect(ns.sem.down(user(11, 2000), id, undefined)).toBe(-Errno.EPERM);
    expect(ns.sem.down(owner, id, undefined)).toBe(0);
  });
});

describe('semaphores (ipc/sem.c)', () => {
  it('the process that changes the set runs the queued operations in order, on the sleepers\' behalf', () => {
    const ns = new IpcNamespace(phys());
    const id = ns.sem.semget(root, IPC.IPC_PRIVATE, 1, 0o600);
    const w1 = ns.sem.semop(user(2, 0), {}, id, [{ num: 0, op: -2, flg: 0 }], staying) as SemWaiter;
    const w2 = ns.sem.semop(user(3, 0), {}, id, [{ num: 0, op: -1, flg: 0 }], staying) as SemWaiter;
    expect(w1).toBeInstanceOf(SemWaiter);
    expect(ns.sem.get(root, id, 0, SEM.GETNCNT)).toBe(2);
    expect(ns.sem.semop(root, {}, id, [{ num: 0, op: 1, flg: 0 }], staying)).toBe(0);
    expect([w1.status, w2.status]).toEqual([undefined, 0]);
    expect(ns.sem.semop(root, {}, id, [{ num: 0, op: 2, flg: 0 }], staying)).toBe(0);
    expect(w1.status).toBe(0);
    expect(ns.sem.get(root, id, 0, SEM.GETVAL)).toBe(0);
    expect(ns.sem.get(root, id, 0, SEM.GETPID)).toBe(2);
  });

  it('a sleeper about to take a signal is passed over; removal fails the rest with EIDRM', () => {
    const ns = new IpcNamespace(phys());
    const id = ns.sem.semget(root, IPC.IPC_PRIVATE, 1, 0o600);
    const leaving = ns.sem.semop(root, {}, id, [{ num: 0, op: -1, flg: 0 }], () => true) as SemWaiter;
    const other = ns.sem.semop(root, {}, id, [{ num: 0, op: -2, flg: 0 }], staying) as SemWaiter;
    ns.sem.semop(root, {}, id, [{ num: 0, op: 1, flg: 0 }], staying);
    expect(leaving.status).toBeUndefined();
    expect(ns.sem.get(root, id, 0, SEM.GETVAL)).toBe(1);
    ns.sem.down(root, id, undefined);
    expect(other.status).toBe(-Errno.EIDRM);
  });

  it('SEM_UNDO at exit is clamped at 0 and dropped by SETVAL', () => {
    const ns = new IpcNamespace(phys());
    const id = ns.sem.semget(root, IPC.IPC_PRIVATE, 2, 0o600);
    const proc = {};
    ns.sem.semop(root, proc, id, [{ num: 0, op: 3, flg: SEM.SEM_UNDO }, { num: 1, op: 5, flg: SEM.SEM_UNDO }], staying);
    ns.sem.semop(root, {}, id, [{ num: 0, op: -3, flg: 0 }], staying);
    ns.sem.setVal(root, id, 1, 7);
    ns.sem.exitUndo(proc, 9);
    expect([ns.sem.get(root, id, 0, SEM.GETVAL), ns.sem.get(root, id, 1, SEM.GETVAL)]).toEqual([0, 7]);
    expect(ns.sem.get(root, id, 0, SEM.GETPID)).toBe(9);
  });
});

describe('message queues (ipc/msg.c)', () => {
  const msg = (type: number, text: string) => ({ type: BigInt(type), text: new TextEncoder().encode(text) });

  it('a send goes straight to a matching waiting receiver; one too small gets E2BIG and the offer moves on', () => {
    const ns = new IpcNamespace(phys());
    const q = ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600);
    const small = ns.msg.msgrcv(root, q, 2, 0n, 0, staying) as MsgReceiver;
    const wants7 = ns.msg.msgrcv(root, q, 64, 7n, 0, staying) as MsgReceiver;
    const any = ns.msg.msgrcv(root, q, 64, 0n, 0, staying) as MsgReceiver;
    expect(ns.msg.msgsnd(root, q, msg(5, 'hello'), 0)).toBe(0);
    expect(small.result).toBe(-Errno.E2BIG);
    expect(wants7.result).toBeUndefined();
    expect((any.result as { type: bigint }).type).toBe(5n);
    expect((ns.msg.stat(root, q, IPC.IPC_STAT) as { qnum: number }).qnum).toBe(0);
  });

  it('msgtyp < 0 takes the lowest type up to |msgtyp|, the first of it', () => {
    const ns = new IpcNamespace(phys());
    const q = ns.msg.msgget(root, IPC.IPC_PRIVATE, 0o600);
    for (const [t, s] of [[3, 'a'], [2, 'b'], [2, 'c'], [1, 'd']] as const) ns.msg.msgsnd(root, q, msg(t, s), 0);
    const got = (n: bigint) => new TextDecoder().decode((ns.msg.msgrcv(root, q, 64, n, 0, staying) as { text: Uint8Array }).text);
    expect(got(-2n)).toBe('d');
    expect(got(-2n)).toBe('b');
    expect(ns.msg.msgrcv(root, q, 64, -1n, IPC.IPC_NOWAIT, staying)).toBe(-Errno.ENOMSG);
  });
});

describe('shared memory (ipc/shm.c)', () => {
  it('IPC_RMID of an attached segment defers destruction to the last detach', () => {
    const pm = phys();
    const ns = new IpcNamespace(pm);
    const id = ns.shm.shmget(root, IPC.IPC_PRIVATE, 8192, 0o600);
    const seg = ns.shm.attachable(root, id, 0);
    if (typeof seg === 'number') throw new Error('no segment');
    const mm = new AddressSpace(pm, 0x7ffffffff000);
    mm.pid = 4;
    mm.map(0x10000, 8192, PROT_READ | PROT_WRITE, true, seg.name, { backing: seg.pages, pgoff: 0 });
    pm.u8[mm.translate(0x10000, ACCESS_WRITE)] = 42;
    const child = mm.fork();
    expect(seg.nattch).toBe(2);
    expect(ns.shm.down(root, id, undefined)).toBe(0);
    const st = ns.shm.stat(root, id, IPC.IPC_STAT) as { perm: { key: number; mode: number } };
    expect(st.perm.mode & SHM.SHM_DEST).toBe(SHM.SHM_DEST);
    mm.destroy();
    expect(ns.shm.stat(root, id, IPC.IPC_STAT)).not.toBe(-Errno.EINVAL);
    child.destroy();
    expect(ns.shm.stat(root, id, IPC.IPC_STAT)).toBe(-Errno.EINVAL);
    expect(ns.shm.shmTot).toBe(0);
  });
});
