// POSIX message queues (ipc/mqueue.c): named queues private to this kernel (one IPC namespace
// per ucrun run), messages ordered by priority then arrival, bounded by mq_maxmsg and
// mq_msgsize. Knows nothing about fds or syscall arguments: the handlers are sys_mqueue.ts.
import { WaitQueue } from '../wait.js';

/** /proc/sys/fs/mqueue defaults: msg_default, msgsize_default, and the unprivileged maxima. */
export const MQ = { MSG_DEFAULT: 10, MSGSIZE_DEFAULT: 8192, MSG_MAX: 10, MSGSIZE_MAX: 8192, PRIO_MAX: 32768, QUEUES_MAX: 256 } as const;

export interface MqMessage { prio: number; data: Uint8Array }

export class MessageQueue {
  readonly messages: MqMessage[] = [];
  /** Senders and receivers wait here (room, or a message). */
  readonly waitq = new WaitQueue();
  /** mq_notify: who is told when the queue goes from empty to not empty (once). */
  notify: { pid: number; signo: number; value: bigint; none: boolean } | undefined;
  unlinked = false;
  refs = 0;

  constructor(readonly name: string, readonly maxmsg: number, readonly msgsize: number,
    public mode: number, public uid: number, public gid: number) {}

  get bytes(): number { return this.messages.reduce((n, m) => n + m.data.length, 0); }
  get full(): boolean { return this.messages.length >= this.maxmsg; }

  /** Queue a message after every message of higher or equal priority. */
  push(m: MqMessage): boolean {
    const wasEmpty = this.messages.length === 0;
    let i = this.messages.findIndex((x) => x.prio < m.prio);
    if (i < 0) i = this.messages.length;
    this.messages.splice(i, 0, m);
    this.waitq.notify();
    return wasEmpty;
  }

  /** The oldest message of the highest priority. */
  shift(): MqMessage | undefined {
    const m = this.messages.shift();
    if (m) this.waitq.notify();
    return m;
  }
}

/** The kernel's named queues. */
export class MqNamespace {
  readonly byName = new Map<string, MessageQueue>();
}

const spaces = new WeakMap<object, MqNamespace>();
export function mqNamespace(kernel: object): MqNamespace {
  let s = spaces.get(kernel);
  if (!s) spaces.set(kernel, (s = new MqNamespace()));
  return s;
}
