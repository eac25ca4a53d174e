// Processes and tasks. A Process owns an address space, an fd table, a cwd and one Unicorn
// engine; a Task is a schedulable thread of it (one per process until threads exist).
// The Task is the engine's client: TLB fills go to the address space, traps to the dispatcher.
import type { ArchSpec } from '../arch/arch.js';
import { Engine, EngineClient } from '../engine/engine.js';
import { AddressSpace } from '../mm/address_space.js';
import { GuestMemory } from '../mm/guest_memory.js';
import type { FdTable } from './vfs/fdtable.js';
import type { Kernel } from './kernel.js';
import { Block, WaitQueue } from './wait.js';
import type { SigAction } from './syscalls/sys_signal.js';

export type TaskState = 'runnable' | 'running' | 'blocked' | 'dead';

/** A syscall that returned Block and will be re-run on wake-up. */
export interface PendingCall { nr: number; name: string; args: number[] }

export class Process {
  readonly mem: GuestMemory;
  engine!: Engine;
  readonly tasks: Task[] = [];
  /** Exit status as wait() encodes it, once the last task is gone. */
  waitStatus: number | undefined;
  /** The guest path of the running executable (/proc/self/exe). */
  exePath = '';
  umask = 0o022;
  /** Parent pid (0 for the first process, like a process whose parent is outside). */
  ppid = 0;
  readonly rlimits = new Map<number, [number, number]>();
  /** rt_sigaction dispositions (absent: SIG_DFL), the blocked mask and pending signals (bit N-1). */
  readonly sigactions = new Map<number, SigAction>();
  sigmask = 0n;
  sigpending = 0n;

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    readonly arch: ArchSpec,
    readonly mm: AddressSpace,
    public fds: FdTable,
    public cwd: string,
  ) {
    this.mem = new GuestMemory(mm, kernel.phys);
  }
}

export class Task implements EngineClient {
  state: TaskState = 'runnable';
  /** Where the CPU resumes. */
  pc = 0;
  pending: PendingCall | undefined;
  /** Per-call scratch that survives restarts of a blocked call (e.g. a sleep deadline). */
  callState: Record<string, number> = {};
  blockedOn: Block | undefined;
  clearChildTid = 0;

  constructor(readonly proc: Process, readonly tid: number) {}

  get kernel(): Kernel { return this.proc.kernel; }
  get engine(): Engine { return this.proc.engine; }
  get mem(): GuestMemory { return this.proc.mem; }

  // --- EngineClient ---
  get lastPerms(): number { return this.proc.mm.lastPerms; }
  translate(vaddr: number, type: number): number { return this.proc.mm.translate(vaddr, type); }
  onSyscall(): void { this.kernel.dispatcher.onSyscall(this); }
  onInterrupt(intno: number): void { this.kernel.onInterrupt(this, intno); }

  /** Park on the block's queues until notified or its deadline passes. */
  park(b: Block): void {
    this.state = 'blocked';
    this.blockedOn = b;
    for (const q of b.queues) q.add(this);
    this.kernel.sched.parked(this);
  }

  /** Called by WaitQueue.notify and timers: make runnable again (the call is re-run). */
  wake(): void {
    if (this.state !== 'blocked') return;
    for (const q of this.blockedOn?.queues ?? []) q.remove(this);
    this.blockedOn = undefined;
    this.state = 'runnable';
    this.kernel.sched.enqueue(this);
  }
}

export const noQueues: readonly WaitQueue[] = [];
