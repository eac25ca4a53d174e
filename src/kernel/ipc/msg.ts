// System V message queues (ipc/msg.c): msgget's queues, msgsnd, msgrcv's five search modes
// and msgctl. As in Linux, a sender first offers its message to the receivers already
// waiting (pipelined_send): the first whose type test matches gets it without it ever being
// queued (or E2BIG if its buffer is too small and it did not ask for MSG_NOERROR, and the
// offer goes on to the next). Senders that find the queue full wait on `senders` and try
// again when a receive or IPC_SET makes room (ss_wakeup); they re-run, so nothing is handed
// to them. A receiver about to be interrupted by a signal (`leaving`) is passed over.
//
// Invariants: cbytes is the sum of the queued texts' lengths; every receiver in `receivers`
// has no result yet; the namespace's hdrs/bytes are the totals over all queues.
import { MSG } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { WaitQueue } from '../wait.js';
import {
  type IpcCaller, IpcIds, IpcPerm, ipcGet, ipcOwnerOrAdmin, ipcPermits, ipcUpdatePerm, type PermUpdate,
  type PermView, permView, realSeconds,
} from './util.js';

const IPC_NOWAIT = 0o4000;
const S_IRUGO = 0o444, S_IWUGO = 0o222;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n), LONG_MAX = 2n ** 63n - 1n;

export interface Msg { readonly type: bigint; readonly text: Uint8Array }

/** convert_mode's search modes (SEARCH_ANY, ...). */
const Search = { Any: 1, Equal: 2, NotEqual: 3, LessEqual: 4, Number: 5 } as const;
type Search = (typeof Search)[keyof typeof Search];

/** A msgrcv that waits (struct msg_receiver). */
export class MsgReceiver {
  /** undefined while waiting; the message a sender handed over, or -errno (E2BIG, EIDRM; EAGAIN: start over). */
  result: Msg | number | undefined;
  /** Notified when `result` is set. */
  readonly wake = new WaitQueue();
  constructor(
    readonly queue: MsgQueue, readonly type: bigint, readonly mode: Search, readonly maxsize: number,
    readonly pid: number, readonly leaving: () => boolean,
  ) {}
}

export class MsgQueue {
  readonly messages: Msg[] = [];
  cbytes = 0;
  stime = 0;
  rtime = 0;
  ctime = realSeconds();
  lspid = 0;
  lrpid = 0;
  readonly receivers: MsgReceiver[] = [];
  /** Senders waiting for room. */
  readonly senders = new WaitQueue();
  constructor(readonly perm: IpcPerm, public qbytes: number) {}
}

export interface MsgStat {
  perm: PermView; stime: number; rtime: number; ctime: number; cbytes: number; qnum: number; qbytes: number;
  lspid: number; lrpid: number; ret: number;
}
/** struct msginfo, by member name. */
export type MsgInfo = Record<'msgpool' | 'msgmap' | 'msgmax' | 'msgmnb' | 'msgmni' | 'msgssz' | 'msgtql' | 'msgseg', number>;

/** convert_mode: the search mode and the type it compares with (msgtyp < 0: |msgtyp|). */
function convertMode(msgtyp: bigint, flg: number): [Search, bigint] {
  if (flg & MSG.MSG_COPY) return [Search.Number, msgtyp];
  if (msgtyp === 0n) return [Search.Any, msgtyp];
  if (msgtyp < 0n) return [Search.LessEqual, msgtyp === LONG_MIN ? LONG_MAX : -msgtyp];
  return [flg & MSG.MSG_EXCEPT ? Search.NotEqual : Search.Equal, msgtyp];
}

function testmsg(m: Msg, type: bigint, mode: Search): boolean {
  switch (mode) {
    case Search.Any: case Search.Number: return true;
    case Search.LessEqual: return m.type <= type;
    case Search.Equal: return m.type === type;
    default: return m.type !== type;
  }
}

/**
 * find_msg: the first match; for LessEqual the lowest type not above `type`, the first of
 * that type; for Number (MSG_COPY) the message at position `type`.
 */
function findMsg(q: MsgQueue, type: bigint, mode: Search): number {
  let found = -1, count = 0n;
  for (let i = 0; i < q.messages.length; i++) {
    const m = q.messages[i];
    if (!testmsg(m, type, mode)) continue;
    if (mode === Search.LessEqual && m.type !== 1n) { type = m.type - 1n; found = i; }
    else if (mode === Search.Number) { if (type === count) return i; }
    else return i;
    count++;
  }
  return found;
}

/** The message-queue side of an IPC namespace (msg_ids, msg_ctlmax/ctlmnb/ctlmni). */
export class MsgIds {
  readonly ids = new IpcIds<MsgQueue>();
  msgmax: number = MSG.MSGMAX;
  msgmnb: number = MSG.MSGMNB;
  msgmni: number = MSG.MSGMNI;
  /** Queued messages and bytes in all queues (percpu_msg_hdrs, percpu_msg_bytes). */
  hdrs = 0;
  bytes = 0;

  /** msgget(2): newque gives a queue of msgmnb bytes. */
  msgget(c: IpcCaller, key: number, flg: number): number {
    return ipcGet(this.ids, c, key, flg, () => this.ids.add(new MsgQueue(new IpcPerm(key, flg, c.creds), this.msgmnb), this.msgmni));
  }

  /**
   * The queue part of do_msgsnd (the caller checked the size and type and copied the text):
   * EINVAL for no such queue, EACCES without write permission, EAGAIN when full with
   * IPC_NOWAIT; the queue itself when the sender must wait on `senders` and call again.
   */
  msgsnd(c: IpcCaller, id: number, msg: Msg, flg: number): number | MsgQueue {
    const q = this.ids.obtain(id);
    if (typeof q === 'number') return q;
    if (!ipcPermits(c, q.perm, S_IWUGO)) return -Errno.EACCES;
    const size = msg.text.length;
    // msg_fits_inqueue: bytes and (as Linux counts them) messages against msg_qbytes.
    if (size + q.cbytes > q.qbytes || 1 + q.messages.length > q.qbytes) return flg & IPC_NOWAIT ? -Errno.EAGAIN : q;
    q.lspid = c.pid;
    q.stime = realSeconds();
    if (!this.#pipelinedSend(q, msg)) {
      q.messages.push(msg);
      q.cbytes += size;
      this.hdrs++;
      this.bytes += size;
    }
    return 0;
  }

  /**
   * do_msgrcv after the argument checks: the message taken (or, with MSG_COPY, copied), or
   * -errno (EINVAL, EACCES, E2BIG for a longer message without MSG_NOERROR, ENOMSG with
   * IPC_NOWAIT), or a queued MsgReceiver to park on.
   */
  msgrcv(c: IpcCaller, id: number, bufsz: number, msgtyp: bigint, flg: number, leaving: () => boolean): Msg | number | MsgReceiver {
    const [mode, type] = convertMode(msgtyp, flg);
    const q = this.ids.obtain(id);
    if (typeof q === 'number') return q;
    if (!ipcPermits(c, q.perm, S_IRUGO)) return -Errno.EACCES;
    const i = findMsg(q, type, mode);
    if (i >= 0) {
      const m = q.messages[i];
      if (bufsz < m.text.length && !(flg & MSG.MSG_NOERROR)) return -Errno.E2BIG;
      // copy_msg: the copy buffer holds min(bufsz, msgmax) bytes.
      if (flg & MSG.MSG_COPY) return m.text.length > Math.min(bufsz, this.msgmax) ? -Errno.EINVAL : m;
      q.messages.splice(i, 1);
      q.rtime = realSeconds();
      q.lrpid = c.pid;
      q.cbytes -= m.text.length;
      this.hdrs--;
      this.bytes -= m.text.length;
      q.senders.notify();
      return m;
    }
    if (flg & IPC_NOWAIT) return -Errno.ENOMSG;
    const r = new MsgReceiver(q, type, mode, flg & MSG.MSG_NOERROR ? INT_MAX : bufsz, c.pid, leaving);
    q.receivers.push(r);
    return r;
  }

  /** The receiver gives up (signal, thread exit) or starts over. */
  cancel(r: MsgReceiver): void {
    const i = r.queue.receivers.indexOf(r);
    if (i >= 0) r.queue.receivers.splice(i, 1);
  }

  /** msgctl IPC_STAT / MSG_STAT / MSG_STAT_ANY (msgctl_stat). */
  stat(c: IpcCaller, id: number, cmd: number): MsgStat | number {
    const byIdx = cmd === MSG.MSG_STAT || cmd === MSG.MSG_STAT_ANY;
    const q = byIdx ? this.ids.obtainIdx(id) : this.ids.obtain(id);
    if (typeof q === 'number') return q;
    if (cmd !== MSG.MSG_STAT_ANY && !ipcPermits(c, q.perm, S_IRUGO)) return -Errno.EACCES;
    return {
      perm: permView(q.perm), stime: q.stime, rtime: q.rtime, ctime: q.ctime, cbytes: q.cbytes, qnum: q.messages.length,
      qbytes: q.qbytes, lspid: q.lspid, lrpid: q.lrpid, ret: byIdx ? q.perm.id : 0,
    };
  }

  /** msgctl IPC_INFO / MSG_INFO (msgctl_info); returns the highest index. */
  info(cmd: number): { info: MsgInfo; ret: number } {
    const used = cmd === MSG.MSG_INFO;
    const info: MsgInfo = {
      msgmni: this.msgmni, msgmax: this.msgmax, msgmnb: this.msgmnb, msgssz: MSG.MSGSSZ, msgseg: MSG.MSGSEG,
      msgpool: used ? this.ids.inUse : MSG.MSGPOOL,
      msgmap: used ? Math.min(this.hdrs, INT_MAX) : MSG.MSGMAP,
      msgtql: used ? Math.min(this.bytes, INT_MAX) : MSG.MSGTQL,
    };
    return { info, ret: Math.max(0, this.ids.maxIdx()) };
  }

  /**
   * msgctl IPC_SET / IPC_RMID (msgctl_down). IPC_SET: raising msg_qbytes past msgmnb needs
   * CAP_SYS_RESOURCE (EPERM); waiting receivers start over (expunge_all(-EAGAIN): the new
   * permissions may exclude them) and senders try again. IPC_RMID (freeque): every waiter
   * fails with EIDRM and the messages go.
   */
  down(c: IpcCaller, id: number, upd: (PermUpdate & { qbytes: number }) | undefined): number {
    const q = this.ids.obtain(id);
    if (typeof q === 'number') return q;
    if (!ipcOwnerOrAdmin(c, q.perm)) return -Errno.EPERM;
    if (!upd) {
      this.#expunge(q, -Errno.EIDRM);
      this.ids.remove(q);
      this.hdrs -= q.messages.length;
      this.bytes -= q.cbytes;
      q.messages.length = 0;
      q.cbytes = 0;
      q.senders.notify();
      return 0;
    }
    if (upd.qbytes > this.msgmnb && !c.creds.capable(CAP.CAP_SYS_RESOURCE)) return -Errno.EPERM;
    const e = ipcUpdatePerm(upd, q.perm);
    if (e) return e;
    q.qbytes = upd.qbytes;
    q.ctime = realSeconds();
    this.#expunge(q, -Errno.EAGAIN);
    q.senders.notify();
    return 0;
  }

  #expunge(q: MsgQueue, res: number): void {
    for (const r of q.receivers.splice(0)) { r.result = res; r.wake.notify(); }
  }

  /** pipelined_send: hand `msg` to the first waiting receiver it matches; false if none took it. */
  #pipelinedSend(q: MsgQueue, msg: Msg): boolean {
    for (const r of [...q.receivers]) {
      if (r.leaving() || !testmsg(msg, r.type, r.mode)) continue;
      this.cancel(r);
      if (r.maxsize < msg.text.length) {
        r.result = -Errno.E2BIG;
        r.wake.notify();
        continue;
      }
      q.lrpid = r.pid;
      q.rtime = realSeconds();
      r.result = msg;
      r.wake.notify();
      return true;
    }
    return false;
  }
}
