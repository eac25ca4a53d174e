// Processes and tasks. A Process (a thread group) owns an address space, an fd table, a cwd
// and the signal dispositions; a Task is one thread of it, with its own Unicorn engine,
// signal mask, pending set and sigaltstack (Linux's task_struct vs signal_struct/sighand).
// The Task is its engine's client: TLB fills go to the shared address space, traps to the
// dispatcher. Invariant: `proc.tasks` holds exactly the live threads; the process is alive
// while it has one, and its pid is the thread-group leader's tid.
import { getPriority } from 'node:os';
import { Creds, hostGroups } from './creds.js';
import { closedBy } from './vfs/locks.js';

import type { ArchSpec } from '../arch/arch.js';
import { Engine, EngineClient } from '../engine/engine.js';
import { AddressSpace } from '../mm/address_space.js';
import { GuestMemory } from '../mm/guest_memory.js';
import { OutOfMemory } from '../mm/physmem.js';
import type { FdTable } from './vfs/fdtable.js';
import type { Kernel } from './kernel.js';
import { Block, WaitQueue } from './wait.js';
import type { SigAction } from './syscalls/sys_signal.js';

let hostNiceValue: number | undefined;
const hostNice = () => { try { return (hostNiceValue ??= getPriority()); } catch { return 0; } };

export type TaskState = 'runnable' | 'running' | 'blocked' | 'stopped' | 'dead';

/** A syscall that returned Block and will be re-run on wake-up. */
export interface PendingCall { nr: number; name: string; args: number[] }

/** How a process ended, for wait4/waitid and SIGCHLD. */
export interface ExitRecord {
  /** CLD_EXITED (1), CLD_KILLED (2) or CLD_DUMPED (3). */
  code: number;
  /** Exit code or signal number. */
  status: number;
}

/** A signal waiting for delivery, with the siginfo it carries. */
export interface QueuedSignal {
  sig: number; code: number; pid: number; uid: number; status?: number; addr?: number; fd?: number;
  /** A siginfo the sender supplied whole (rt_sigqueueinfo), si_signo already set. */
  raw?: Uint8Array;
  /** A POSIX timer's signal (SI_TIMER): src/kernel/timers/posix_timers.ts. */
  timer?: TimerSignal;
}

/** The timer part of an SI_TIMER siginfo, and the timer's hooks (the kernel's k_itimer sigq). */
export interface TimerSignal {
  /** si_timerid, si_overrun (set when the signal is taken), si_value. */
  id: number; overrun: number; value: bigint;
  /** Dequeued for delivery, sigtimedwait or signalfd (posixtimer_deliver_signal: rearm, overrun). */
  taken(q: QueuedSignal): void;
  /** Flushed from a pending set without being taken (SIG_IGN, SIGCONT/stop flushing). */
  discarded(q: QueuedSignal): void;
}

/** Work to do once the engine has stopped (never inside a hook). */
export type AfterStop = (t: Task) => void;

/** SIGRTMIN as the kernel numbers it: signals from here on queue every instance. */
export const SIGRTMIN = 32;

/**
 * A set of pending signals (kernel/signal.c struct sigpending): standard signals are pending
 * at most once (the first siginfo is kept), real-time signals queue every instance in order.
 */
export class PendingSignals {
  mask = 0n;
  readonly #queue = new Map<number, QueuedSignal[]>();

  has(sig: number): boolean { return (this.mask & (1n << BigInt(sig - 1))) !== 0n; }

  /**
   * Queue `info`; false when a standard signal is already pending (it is merged). A POSIX
   * timer's signal always queues its own entry (send_sigqueue does not check legacy_queue).
   */
  add(info: QueuedSignal): boolean {
    const q = this.#queue.get(info.sig);
    if (q && info.sig < SIGRTMIN && !info.timer) return false;
    if (q) q.push(info); else this.#queue.set(info.sig, [info]);
    this.mask |= 1n << BigInt(info.sig - 1);
    return true;
  }

  /** Take this very entry out (a POSIX timer re-set or deleted drops its pending signal). */
  remove(info: QueuedSignal): boolean {
    const q = this.#queue.get(info.sig);
    const i = q ? q.indexOf(info) : -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) { this.#queue.delete(info.sig); this.mask &= ~(1n << BigInt(info.sig - 1)); }
    return true;
  }

  take(sig: number): QueuedSignal | undefined {
    const q = this.#queue.get(sig);
    const info = q?.shift();
    if (!q || q.length === 0) { this.#queue.delete(sig); this.mask &= ~(1n << BigInt(sig - 1)); }
    return info;
  }

  discard(sig: number): void {
    const q = this.#queue.get(sig);
    this.#queue.delete(sig);
    this.mask &= ~(1n << BigInt(sig - 1));
    if (q) for (const info of q) info.timer?.discarded(info);
  }
}

export class Process {
  mem: GuestMemory;
  /** Live threads, the leader first while it lives. */
  readonly tasks: Task[] = [];
  /** Exit code of the leader if it ended first with exit(2) (pthread_exit in main). */
  leaderExit: number | undefined;
  /** CPU time of every thread, dead ones included (ns, guest run time). */
  cpuNs = 0;
  /** CPU time of waited-for children and their own waited-for children (RUSAGE_CHILDREN, tms_cutime). */
  childCpuNs = 0;
  /** Largest resident set of those children, in KiB (RUSAGE_CHILDREN ru_maxrss). */
  childMaxRssKb = 0;
  /** Largest resident set so far, in KiB (ru_maxrss). */
  maxRssKb = 0;
  /** wait() status word once the process is a zombie. */
  waitStatus: number | undefined;
  exitRecord: ExitRecord | undefined;
  /** The guest path of the running executable (/proc/self/exe). */
  exePath = '';
  /** argv and envp as execve received them (/proc/<pid>/cmdline, environ). */
  argv: string[] = [];
  envp: string[] = [];
  /** The auxiliary vector the program started with (/proc/<pid>/auxv). */
  auxv: Uint8Array = new Uint8Array(16);
  umask = 0o022;
  /** personality(2) persona (PER_LINUX 0; inherited by fork and kept across exec). */
  personality = 0;
  /** Nice value, -20..19 (getpriority/setpriority; inherited by fork; the first process has ucrun's). */
  nice = hostNice();
  /** Real/effective/saved/fs ids, groups and capabilities (shared by the threads). */
  creds: Creds;
  parent: Process | undefined;
  readonly children = new Set<Process>();
  pgid: number;
  sid: number;
  /** PR_SET_CHILD_SUBREAPER. */
  subreaper = false;
  /** Stopped by a stop signal (not yet continued); `stopReported`/`contReported` for wait. */
  stopped = false;
  stopSig = 0;
  stopReported = true;
  contReported = true;
  readonly rlimits = new Map<number, [number, number]>();
  /** rt_sigaction dispositions (absent: SIG_DFL), shared by the threads (CLONE_SIGHAND). */
  sigactions = new Map<number, SigAction>();
  /** Signals sent to the process as a whole (kill); each task also has its own set (tkill). */
  readonly shared = new PendingSignals();
  /** The thread chosen for the last process-directed signal (signal->curr_target). */
  currTarget: Task | undefined;
  /** ITIMER_REAL: absolute deadline (performance.now() ms) and interval (ms), 0 = off. */
  itimer = { deadline: 0, interval: 0 };
  /**
   * ITIMER_VIRTUAL (1) and ITIMER_PROF (2): the process CPU time (cpuNs) at which each fires
   * and its interval, in ns; 0 = off. Guest time is not split into user and system, so both
   * count the same clock (the run time of the process's threads).
   */
  readonly cpuTimers: Record<number, { deadline: number; interval: number }> = {};
  /** Parent blocked in vfork until this child execs or exits. */
  vforkParent: Task | undefined;
  /** Notified when the process exits (pidfd readiness). */
  readonly exitWait = new WaitQueue();
  /** Wait queue for wait4/waitid in this process (children changed state). */
  readonly childWait = new WaitQueue();
  /** Notified when a signal becomes pending (rt_sigtimedwait). */
  readonly sigWait = new WaitQueue();
  comm = '';
  /** prctl state: PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS. */
  pdeathsig = 0;
  dumpable = 1;
  noNewPrivs = false;
  /** PR_SET_TIMERSLACK (ns), PR_SET_THP_DISABLE. */
  timerSlackNs = 50000;
  thpDisable = false;

  get ppid(): number { return this.parent?.pid ?? 0; }

  /** Closing any fd of a file drops this process's POSIX locks on it (fs/locks.c). */
  #hookFds(): void {
    this.fds.onClose = (f) => closedBy(this.kernel, this, f);
  }

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    public arch: ArchSpec,
    public mm: AddressSpace,
    public fds: FdTable,
    public cwd: string,
  ) {
    this.mem = new GuestMemory(mm, kernel.phys);
    this.#hookFds();
    this.creds = new Creds(kernel.opts.uid ?? process.getuid?.() ?? 0, kernel.opts.gid ?? process.getgid?.() ?? 0);
    // The invoking user's supplementary groups come along unless other ids were asked for.
    if (kernel.opts.uid === undefined && kernel.opts.gid === undefined) this.creds.groups = [...hostGroups()];
    this.pgid = pid;
    this.sid = pid;
  }

  get alive(): boolean { return this.waitStatus === undefined; }

  /** The thread-group leader if it lives, else any live thread (for per-process defaults). */
  get main(): Task | undefined { return this.tasks[0]; }

  /** Replace the address space (execve); the old one is the caller's to destroy. */
  setMm(mm: AddressSpace): void {
    this.mm = mm;
    this.mem = new GuestMemory(mm, this.kernel.phys);
  }
}

/** A thread waiting in FUTEX_WAIT*, LOCK_PI or a requeue target (kernel/futex). */
export interface FutexWaiter { task: Task; key: string; bitset: number; woken: boolean; pi?: boolean }

export class Task implements EngineClient {
  state: TaskState = 'runnable';
  engine!: Engine;
  /** The engine was closed (the thread ended). */
  engineClosed = false;
  /** Blocked signals (per thread, as sigprocmask is). */
  sigmask = 0n;
  altstack = { sp: 0, size: 0, flags: 2 /* SS_DISABLE */ };
  /** set_robust_list: the head's address and length (0: none). */
  robustList = 0;
  /** This thread's run time (CLOCK_THREAD_CPUTIME_ID), ns. */
  cpuNs = 0;
  /** The futex this thread waits on, while it waits. */
  futex: FutexWaiter | undefined;
  /**
   * Undo for a parked call that is abandoned (interrupted by a signal, or the thread dies):
   * e.g. leave a futex queue. Cleared when the call completes.
   */
  abandon: (() => void) | undefined;
  /** Where the CPU resumes. */
  pc = 0;
  pending: PendingCall | undefined;
  /** Per-call scratch that survives restarts of a blocked call (e.g. a sleep deadline). */
  callState: Record<string, number> = {};
  blockedOn: Block | undefined;
  clearChildTid = 0;
  /** Signals sent to this task alone (tgkill, tkill, raise), taken before the process's. */
  readonly private = new PendingSignals();
  /** A signal arrived while the task was blocked: the pending call must be interrupted. */
  interrupted = false;
  /** Mask to restore after rt_sigsuspend's handler frame is built (saved into uc_sigmask). */
  savedMask: bigint | undefined;
  /** A CPU exception was already turned into a signal by the interrupt hook. */
  faulted = false;
  /** The CPU ever took an exception (its engine is not reused for another thread). */
  everFaulted = false;
  /** A CPU access found no free guest memory (the OOM killer's case, not a SIGSEGV). */
  outOfMemory = false;
  /** Run once the engine stops (exec image swap, signal frames, sigreturn). */
  readonly afterStop: AfterStop[] = [];

  constructor(public proc: Process, public tid: number) {}

  get kernel(): Kernel { return this.proc.kernel; }
  /**
   * Syscall argument `i` as the exact signed 64-bit value (during the call): for the few
   * arguments whose value beyond 2^53 matters (loff_t offsets); the others are exact numbers.
   */
  argBig(i: number): bigint { return BigInt.asIntN(64, this.engine.regBig(this.proc.arch.abi.args[i])); }
  get mem(): GuestMemory { return this.proc.mem; }

  // --- EngineClient ---
  get lastPerms(): number { return this.proc.mm.lastPerms; }
  /**
   * A CPU access: demand paging may run out of guest memory, which is not a fault of the
   * instruction: the access is refused and the process is killed after the run (oomKill).
   */
  translate(vaddr: number, type: number): number {
    try { return this.proc.mm.translate(vaddr, type); } catch (e) {
      if (!(e instanceof OutOfMemory)) throw e;
      this.outOfMemory = true;
      return -1;
    }
  }
  onSyscall(): void { this.kernel.dispatcher.onSyscall(this); }
  onInterrupt(intno: number): void { this.kernel.onInterrupt(this, intno); }

  /** Park on the block's queues until notified or its deadline passes. */
  park(b: Block): void {
    this.state = 'blocked';
    this.blockedOn = b;
    for (const q of b.queues) q.add(this);
    this.kernel.sched.parked(this);
  }

  /** Called by WaitQueue.notify, timers and signals: make runnable again (the call is re-run). */
  wake(): void {
    if (this.state !== 'blocked') return;
    for (const q of this.blockedOn?.queues ?? []) q.remove(this);
    this.blockedOn = undefined;
    this.state = 'runnable';
    this.kernel.sched.enqueue(this);
  }

  /** Ask for the CPU to stop after the current instruction and run `fn` then. */
  stopThen(fn: AfterStop): void {
    this.afterStop.push(fn);
    this.engine.stop();
  }
}

export const noQueues: readonly WaitQueue[] = [];
