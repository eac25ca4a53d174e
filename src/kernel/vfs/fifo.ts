// FIFOs the guest made (mknodat S_IFIFO): the host holds the node (so it is listed, stat'ed
// and removed like any file), the kernel's own pipe holds the data, shared by every guest
// process that opens the node (fs/pipe.c fifo_open). Host FIFOs the guest did not make are
// served through the host instead (open.ts openHostFifo).
//
// fifo_open: a blocking O_RDONLY open waits until a writer has opened (w_counter moved), a
// blocking O_WRONLY open until a reader has; O_RDWR never waits; O_WRONLY|O_NONBLOCK with no
// reader is ENXIO. The opener's end is counted while it waits, so two blocking opens of
// opposite ends meet. A wait parks the task and is interruptible; an interrupted open drops its
// end. Once no end is open the pipe and its data are gone.
import * as fs from 'node:fs';
import type { Stat } from '../../arch/stat.js';
import { Errno } from '../errno.js';
import { Pipe, PipeEnd } from '../pipe/pipe.js';
import type { Task } from '../task.js';
import { block, type Block } from '../wait.js';
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from './file.js';
import { statFromHost } from './hostfs.js';

/** The pipe of each guest-made FIFO node (by host dev:ino) while it has an open end. */
const made = new WeakMap<object, Map<string, Pipe | undefined>>();

const nodeKey = (st: { dev: number | bigint; ino: number | bigint }) => `${st.dev}:${st.ino}`;

function registry(t: Task): Map<string, Pipe | undefined> {
  let m = made.get(t.kernel);
  if (!m) made.set(t.kernel, (m = new Map()));
  return m;
}

/** Remember a FIFO node the guest just made. */
export function registerFifo(t: Task, st: fs.Stats): void { registry(t).set(nodeKey(st), undefined); }

/** Is this host node a FIFO the guest made in this run? */
export const isGuestFifo = (t: Task, st: fs.Stats) => registry(t).has(nodeKey(st));

/** An open end of a guest FIFO: a pipe end whose inode is the FIFO node's. */
class FifoEnd extends PipeEnd {
  constructor(pipe: Pipe, flags: number, path: string, readonly host: Buffer) { super(pipe, flags); this.path = path; }
  override stat(): Stat {
    try { return statFromHost(fs.statSync(this.host, { bigint: true })); } catch { return super.stat(); }
  }
}

/** Ends opened by tasks still waiting in open(2) for the other side. */
const waiting = new WeakMap<Task, { end: FifoEnd; opens: number }>();

export function openGuestFifo(t: Task, st: fs.Stats, host: Buffer, guest: string, flags: number): FifoEnd | number | Block {
  const reg = registry(t);
  const key = nodeKey(st);
  const o = t.proc.arch.o;
  const acc = flags & O_ACCMODE;
  const nonblock = (flags & o.O_NONBLOCK) !== 0;
  const pending = waiting.get(t);
  if (pending) {
    const p = pending.end.pipe;
    const partner = acc === O_RDONLY ? p.writeOpens : p.readOpens;
    if (partner !== pending.opens) { waiting.delete(t); t.abandon = undefined; return pending.end; }
    return block([p.waitq]);
  }
  let pipe = reg.get(key);
  if (!pipe) {
    if (acc === O_WRONLY && nonblock) return -Errno.ENXIO;
    pipe = new Pipe(t.kernel, o);
    pipe.onLastClose = () => { if (reg.get(key) === pipe) reg.set(key, undefined); };
    reg.set(key, pipe);
  }
  if (acc === O_WRONLY && nonblock && pipe.readers === 0) return -Errno.ENXIO;
  const opensBefore = acc === O_RDONLY ? pipe.writeOpens : pipe.readOpens;
  const end = new FifoEnd(pipe, flags, guest, host);
  pipe.waitq.notify(); // an opener waiting for this side goes on
  const partnerThere = acc === O_RDONLY ? pipe.writers > 0 : pipe.readers > 0;
  if (acc === O_RDWR || nonblock || partnerThere) return end;
  waiting.set(t, { end, opens: opensBefore });
  t.abandon = () => { waiting.delete(t); end.release(); };
  return block([pipe.waitq]);
}
