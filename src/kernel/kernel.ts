// The kernel: physical memory, the dispatcher, the scheduler, the process and thread tables
// and the lifecycle of processes and threads (creation, faults, stop/continue, exit, reaping).
// One host thread runs every guest task, each on its own engine; a task runs until it blocks,
// exits, faults, yields or its time slice ends. An engine is closed only while it is not
// running (a thread that ends inside its own syscall hook is closed after its run returns).
import { readFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { displayText, hostText } from '../abi/bytes.js';
import { hostname, release } from 'node:os';
import { resolve as hostResolve } from 'node:path';
import type { ArchSpec } from '../arch/arch.js';
import { Engine } from '../engine/engine.js';
import { UC_ERR_INSN_INVALID } from '../engine/unicorn.js';
import { AddressSpace } from '../mm/address_space.js';
import { PhysMem } from '../mm/physmem.js';
import { Dispatcher, Handler, SyscallTracer } from './dispatch.js';
import { buildImage, ExecFailure, Image, readRegularFile } from './exec.js';
import { loadRingModule, RingModule } from './ring.js';
import { UnixNamespace } from './socket/namespace.js';
import { Scheduler } from './scheduler.js';
import { bit, deliverSignals, sendSignal } from './signal_delivery.js';
import { describeDeath, Signal } from './signals.js';
import { allHandlers } from './syscalls/index.js';
import { Futexes } from './futex.js';
import { IpcNamespace } from './ipc/namespace.js';
import { Process, Task } from './task.js';
import { FdTable } from './vfs/fdtable.js';
import { hostLimits, NR_OPEN } from './limits.js';
import { RLIMIT } from './abi.js';
import { stdStreams } from './vfs/open.js';
import { exitTimers } from './timers/posix_timers.js';

export interface KernelOptions {
  /** Guest root directory on the host (default "/"). */
  root?: string;
  /** Guest memory limit in bytes (default 2 GiB). */
  memLimit?: number;
  /** Most processes alive at once (fork fails with EAGAIN beyond; default 256). */
  maxProcs?: number;
  /** Scheduling seed: decides deterministically whether parent or child runs first after fork. */
  seed?: number;
  /** Warnings and crash reports (default: stderr). */
  log?: (line: string) => void;
  /** Wall-clock limit for the whole run (ms); then every process is killed (TIMEOUT_STATUS). */
  timeoutMs?: number;
  /** Preempt every run after this many ms, even with nothing else runnable (measurement). */
  sliceMs?: number;
  /** The first process's uid and gid (default: the user running ucrun). */
  uid?: number;
  gid?: number;
}

export interface ExitInfo {
  /** The exit status a shell shows: the code, or 128+N for death by signal N. */
  status: number;
  signal?: number;
  /** Deadlock report, if that is why it stopped. */
  deadlock?: string;
}

/** Exit status when every task is blocked forever (distinct from any guest status). */
export const DEADLOCK_STATUS = 124;
/** Exit status when --timeout ended the run. */
export const TIMEOUT_STATUS = 125;

/** A program that cannot be executed, with the shell status for it (126/127). */
export class ExecError extends Error {
  constructor(message: string, readonly status: number) { super(message); }
}

/** Most idle engines kept per arch for new threads. */
const ENGINE_POOL = 16;

const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

export class Kernel {
  readonly phys: PhysMem;
  /** The AssemblyScript ring module bound to `phys` (pipe and socket data path). */
  readonly ring: RingModule;
  /** Bound AF_UNIX names of this ucrun instance (abstract names never reach the host). */
  readonly unixNames = new UnixNamespace();
  readonly dispatcher: Dispatcher;
  readonly sched: Scheduler;
  readonly root: string;
  readonly log: (line: string) => void;
  /** Live processes and zombies by pid. */
  readonly processes = new Map<number, Process>();
  /** Live threads by tid (a process's leader has tid == pid). */
  readonly tasks = new Map<number, Task>();
  /** Futex wait queues (keyed by mm + address, or by physical address for shared memory). */
  readonly futexes = new Futexes();
  /** SysV semaphores, shared memory and message queues (one IPC namespace per kernel). */
  readonly ipc: IpcNamespace;
  readonly maxProcs: number;
  /**
   * The UTS names uname(2) and /proc/sys/kernel report (the host's node name and release, as
   * qemu-user does; the version says which kernel answers).
   */
  readonly uts = { sysname: 'Linux', nodename: hostText(hostname()), release: hostText(release()), version: '#1 SMP ucrun', domainname: '(none)' };
  /** When this kernel booted: performance.now() ms and the wall clock (/proc/uptime, btime). */
  readonly bootMs = performance.now();
  readonly bootEpochMs = Date.now();
  /** /proc/sys/kernel/random/boot_id: one per kernel instance. */
  readonly bootId = randomUUID();
  #nextPid = 1;
  #rng: number;
  /** Set when the initial process is gone. */
  exit: ExitInfo | undefined;
  /** One engine per arch kept for AT_HWCAP probing of exec'd images. */
  readonly #probes = new Map<ArchSpec, Engine>();
  /**
   * Engines of ended threads, kept for the next thread (uc_open costs ~0.3-0.5 ms, a
   * pthread_create+join cycle would pay it every time). Only engines of threads that ended by
   * exit/exit_group: a CPU that took an exception is never reused.
   */
  readonly #pool = new Map<ArchSpec, { engine: Engine; mm: number; stale: boolean }[]>();

  /** Code was rewritten or freed: pooled engines must drop their translations when reused. */
  #poolCodeStale(): void { for (const pool of this.#pool.values()) for (const e of pool) e.stale = true; }

  constructor(readonly opts: KernelOptions = {}) {
    this.phys = new PhysMem({ limitBytes: opts.memLimit });
    this.ring = loadRingModule(this.phys.memory);
    this.ipc = new IpcNamespace(this.phys);
    this.phys.onCodeFrameFreed = () => {
      for (const t of this.tasks.values()) if (!t.engineClosed) t.engine.flushCode();
      this.#poolCodeStale();
    };
    this.dispatcher = new Dispatcher(allHandlers as Record<string, Handler>);
    this.sched = new Scheduler(this);
    this.root = hostResolve(opts.root ?? '/');
    this.log = opts.log ?? ((l) => process.stderr.write(l + '\n'));
    this.dispatcher.warn = this.log;
    this.maxProcs = opts.maxProcs ?? 256;
    this.#rng = (opts.seed ?? 0) >>> 0;
    if (opts.timeoutMs !== undefined) this.sched.wallDeadline = performance.now() + opts.timeoutMs;
  }

  get tracer(): SyscallTracer | undefined { return this.dispatcher.tracer; }

  /** Deterministic pseudo-random bits from --seed (xorshift32). */
  random(): number {
    let x = this.#rng || 0x9e3779b9;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.#rng = x >>> 0;
    return this.#rng;
  }

  liveCount(): number {
    let n = 0;
    for (const p of this.processes.values()) if (p.alive) n++;
    return n;
  }

  /** A pid or tid no live process or thread uses (one number space, as Linux's). */
  allocPid(): number {
    while (this.processes.has(this.#nextPid) || this.tasks.has(this.#nextPid)) this.#nextPid++;
    return this.#nextPid++;
  }

  /** The most recently allocated pid (/proc/loadavg's last field). */
  get lastPid(): number { return this.#nextPid - 1; }

  /** An engine whose client is `t` for `arch`: a pooled one if there is one. */
  newEngine(t: Task, arch: ArchSpec): Engine {
    const idle = this.#pool.get(arch)?.pop();
    if (idle) { idle.engine.reuse(t, !idle.stale && idle.mm === t.proc.mm.id); return idle.engine; }
    return new Engine(arch.cpu, this.phys, t);
  }

  /** Point the address space's TLB/code notifications at every thread's engine. */
  wireMm(p: Process, mm: AddressSpace): void {
    mm.pid = p.pid;
    mm.onFlush = () => { for (const t of p.tasks) if (!t.engineClosed) t.engine.flushTlb(); };
    mm.onCodeWrite = () => { for (const t of p.tasks) if (!t.engineClosed) t.engine.flushCode(); this.#poolCodeStale(); };
  }

  probeEngine(arch: ArchSpec): Engine {
    for (const t of this.tasks.values()) if (!t.engineClosed && t.proc.arch === arch) return t.engine;
    let e = this.#probes.get(arch);
    if (!e) {
      e = new Engine(arch.cpu, this.phys, { lastPerms: 0, translate: () => -1, onSyscall() {}, onInterrupt() {} });
      this.#probes.set(arch, e);
    }
    return e;
  }

  /** Load a static ELF from the host path `hostPath` as the first process. */
  spawn(hostPath: string, argv: string[], envp: string[]): Process {
    return this.spawnImage(readProgram(hostPath), hostPath, argv, envp);
  }

  /**
   * The first process from ELF bytes already read (`hostPath` names it in messages and /proc).
   * `hostPath`, `argv` and `envp` are the host's text (node strings); the guest gets their
   * UTF-8 bytes (src/abi/bytes.ts).
   */
  spawnImage(file: Uint8Array, hostPath: string, hostArgv: string[], hostEnvp: string[]): Process {
    let img: Image;
    const argv = hostArgv.map(hostText), envp = hostEnvp.map(hostText);
    // AT_EXECFN is the filename as given to execve (bprm->filename), not the resolved path.
    const uid = this.opts.uid ?? process.getuid?.() ?? 0, gid = this.opts.gid ?? process.getgid?.() ?? 0;
    try { img = buildImage(this, file, argv, envp, hostText(hostPath), (a) => this.probeEngine(a), { uid, euid: uid, gid, egid: gid }); } catch (e) {
      if (e instanceof ExecFailure) throw new ExecError(`${hostPath}: ${e.message}`, 126);
      throw e;
    }
    const fds = new FdTable();
    // RLIMIT_NOFILE as ucrun's own process has it (what a native run started the same way gets).
    const nofile = hostLimits()[RLIMIT.RLIMIT_NOFILE][0];
    fds.limit = nofile > 0 && nofile < NR_OPEN ? nofile : NR_OPEN;
    stdStreams(fds);
    const cwd = guestPathOf(this.root, process.cwd()) ?? '/';
    const abs = hostResolve(hostPath);
    const proc = this.createProcess(undefined, img.arch, img.mm, fds, cwd);
    proc.exePath = guestPathOf(this.root, abs) ?? hostText(abs);
    proc.argv = argv;
    proc.envp = envp;
    proc.auxv = img.start.auxv;
    proc.comm = proc.exePath.split('/').pop()!.slice(0, 15);
    const t = proc.tasks[0];
    img.arch.startThread(t.engine, img.start.entry, img.start.sp);
    t.pc = img.start.entry;
    this.sched.enqueue(t);
    return proc;
  }

  /** A process with one task and its engine (registers not set). */
  createProcess(parent: Process | undefined, arch: ArchSpec, mm: AddressSpace, fds: FdTable, cwd: string): Process {
    const pid = this.allocPid();
    const proc = new Process(this, pid, arch, mm, fds, cwd);
    this.addThread(proc, pid);
    this.wireMm(proc, mm);
    if (parent) { proc.parent = parent; parent.children.add(proc); proc.pgid = parent.pgid; proc.sid = parent.sid; }
    this.processes.set(pid, proc);
    return proc;
  }

  /** The live thread with tid `tid`; with `self`, tid 0 names it (sched_*, get_robust_list). */
  liveTask(tid: number, self?: Task): Task | undefined {
    if (tid === 0 && self) return self;
    const t = this.tasks.get(tid);
    return t && t.state !== 'dead' ? t : undefined;
  }

  /** A new thread of `p` with its own engine (registers not set); not yet runnable. */
  addThread(p: Process, tid: number): Task {
    const t = new Task(p, tid);
    p.tasks.push(t);
    this.tasks.set(tid, t);
    t.engine = this.newEngine(t, p.arch);
    return t;
  }

  /** Run every task to completion; returns how the first process ended. */
  run(): ExitInfo {
    this.sched.loop();
    for (const t of this.tasks.values()) this.#closeEngine(t);
    for (const pool of this.#pool.values()) for (const e of pool.splice(0)) e.engine.close();
    for (const e of this.#probes.values()) e.close();
    return this.exit ?? { status: 0 };
  }

  /** Run one task's CPU until it stops; then run deferred work and deliver signals. */
  runTask(t: Task): void {
    if (!deliverSignals(t)) { this.#afterRun(t); return; }
    t.state = 'running';
    const err = t.engine.run(t.pc, this.sched.sliceUs(t));
    this.sched.ranFor(t);
    if ((t.state as string) !== 'dead') t.pc = t.engine.reg(t.proc.arch.abi.pc);
    for (const fn of t.afterStop.splice(0)) fn(t);
    if ((t.state as string) === 'dead') { this.#afterRun(t); return; }
    if (err !== 0 && t.outOfMemory) {
      // The OOM killer: SIGKILL for the process whose page fault found no memory.
      t.outOfMemory = false;
      const mib = Math.round(this.phys.limitBytes / (1 << 20));
      this.log(`ucrun: out of memory: killed pid ${t.proc.pid} (${displayText(t.proc.comm)}): guest memory is limited to ${mib} MiB (--mem-limit)`);
      this.killProcess(t.proc, Signal.SIGKILL, undefined, undefined, false, true);
      this.#afterRun(t);
      return;
    }
    if (err !== 0 && !t.faulted) {
      t.everFaulted = true;
      const fault = t.engine.lastFault;
      if (err === UC_ERR_INSN_INVALID) this.fault(t, Signal.SIGILL, t.proc.arch.illegalInsnCode, t.pc);
      else {
        // The fill hook only knows the page: re-run the instruction to learn the byte.
        const page = Number(fault?.addr ?? 0n);
        const exact = fault?.type === 18 /* fetch */ ? page : t.engine.faultAddress(t.pc, page - (page % 4096));
        const addr = exact ?? page;
        const mm = t.proc.mm;
        if (mm.isBusAddress(addr)) this.fault(t, Signal.SIGBUS, 2 /* BUS_ADRERR */, addr);
        else this.fault(t, Signal.SIGSEGV, mm.find(addr) ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */, addr);
      }
    }
    t.faulted = false;
    if ((t.state as string) === 'dead') { this.#afterRun(t); return; }
    deliverSignals(t);
    if ((t.state as string) === 'running') { t.state = 'runnable'; this.sched.enqueue(t); }
    this.#afterRun(t);
  }

  #afterRun(t: Task): void {
    if (t.state === 'dead') this.#closeEngine(t);
  }

  #closeEngine(t: Task): void {
    if (t.engineClosed || t.engine.running) return;
    t.engineClosed = true;
    const arch = t.proc.arch;
    let pool = this.#pool.get(arch);
    if (!pool) this.#pool.set(arch, (pool = []));
    if (!this.exit && !t.everFaulted && pool.length < ENGINE_POOL) {
      pool.push({ engine: t.engine, mm: t.proc.mm.id, stale: false });
    } else t.engine.close();
  }

  /**
   * A synchronous fault (force_sig_fault): delivered to a handler if there is one and it is
   * not blocked or ignored; otherwise the process dies of it, as Linux resets the action.
   */
  fault(t: Task, sig: number, code: number, addr: number): void {
    const p = t.proc;
    const act = p.sigactions.get(sig);
    const blocked = (t.sigmask & bit(sig)) !== 0n;
    if (!act || act.handler <= 1 || blocked) {
      p.sigactions.delete(sig);
      t.sigmask &= ~bit(sig);
      if (p.pid === 1) this.log(describeDeath(sig, t.pc, sig === Signal.SIGSEGV || sig === Signal.SIGBUS ? addr : undefined));
      this.killProcess(p, sig, undefined, undefined, true, true);
      return;
    }
    // A synchronous fault goes to the thread that caused it (force_sig_fault).
    sendSignal(p, { sig, code, pid: 0, uid: 0, addr }, t);
  }

  /** A CPU exception other than the syscall trap: stop and raise it outside the hook. */
  onInterrupt(t: Task, intno: number): void {
    const { sig, code, freshCpu } = t.proc.arch.cpuException(intno);
    t.faulted = true;
    t.everFaulted = true;
    t.stopThen((task) => {
      if (freshCpu) this.freshEngine(task);
      this.fault(task, sig, code, task.pc);
    });
  }

  /** Move a stopped task to a new engine with the same registers. */
  freshEngine(t: Task): void {
    const p = t.proc;
    const old = t.engine;
    const e = this.newEngine(t, p.arch);
    e.copyRegsFrom(old, p.arch.contextRegs);
    old.close();
    t.engine = e;
  }

  /** exit_group(): every task of the process ends with `code`. */
  exitProcess(p: Process, code: number): void {
    this.#terminate(p, (code & 0xff) << 8, { code: CLD_EXITED, status: code & 0xff }, { status: code & 0xff });
  }

  /**
   * exit(2) of one thread (do_exit): its robust futexes are released, clear_child_tid is
   * zeroed and woken (pthread_join), and it leaves the thread group. The last thread's exit
   * ends the process, with the leader's code if the leader ended first (pthread_exit in main).
   */
  exitThread(t: Task, code: number): void {
    const p = t.proc;
    if (p.tasks.length <= 1) { this.exitProcess(p, p.leaderExit ?? code); return; }
    this.#releaseThread(t, true);
    if (t.tid === p.pid) p.leaderExit = code & 0xff;
  }

  /** A thread leaves its group: futex cleanup, scheduler, tables; its engine closes when idle. */
  #releaseThread(t: Task, clearTid: boolean): void {
    const p = t.proc;
    this.futexes.exitRobustList(t);
    if (clearTid && t.clearChildTid) {
      // mm_release: *clear_child_tid = 0; futex(clear_child_tid, FUTEX_WAKE, 1).
      try { t.mem.setU32(t.clearChildTid, 0); this.futexes.wake(t, t.clearChildTid, false, 1, -1); } catch { /* EFAULT is ignored */ }
    }
    t.abandon?.();
    t.abandon = undefined;
    this.sched.remove(t);
    if (t.state === 'running') t.engine.stop();
    t.state = 'dead';
    const i = p.tasks.indexOf(t);
    if (i >= 0) p.tasks.splice(i, 1);
    if (this.tasks.get(t.tid) === t) this.tasks.delete(t.tid);
    this.#closeEngine(t);
  }

  /** execve from any thread (de_thread): the others die and the caller becomes the leader. */
  becomeSoleThread(t: Task): void {
    const p = t.proc;
    for (const o of [...p.tasks]) if (o !== t) this.#releaseThread(o, false);
    if (t.tid !== p.pid) {
      this.tasks.delete(t.tid);
      t.tid = p.pid;
      this.tasks.set(t.tid, t);
    }
    p.leaderExit = undefined;
  }

  /** Death by signal; `report` prints the shell's line for the first process. */
  killProcess(p: Process, sig: number, pc?: number, addr?: number, core = false, quiet = false): void {
    // Like bash, say nothing for SIGPIPE and SIGINT deaths.
    if (!quiet && p.pid === 1 && sig !== Signal.SIGPIPE && sig !== Signal.SIGINT && p.alive) this.log(describeDeath(sig, pc, addr));
    this.#terminate(p, (sig & 0x7f) | (core ? 0x80 : 0), { code: core ? CLD_DUMPED : CLD_KILLED, status: sig },
      { status: 128 + sig, signal: sig });
  }

  /** A stop signal's default action (do_signal_stop). */
  stopProcess(p: Process, sig: number): void {
    if (!p.alive || p.stopped) return;
    p.stopped = true;
    p.stopSig = sig;
    p.stopReported = false;
    for (const t of p.tasks) {
      if (t.state === 'running') { t.state = 'stopped'; t.engine.stop(); }
      else if (t.state === 'runnable') { this.sched.remove(t); t.state = 'stopped'; }
    }
    this.#notifyParent(p, CLD_STOPPED, sig);
  }

  continueProcess(p: Process): void {
    if (!p.stopped) return;
    p.stopped = false;
    p.contReported = false;
    for (const t of p.tasks) if (t.state === 'stopped') { t.state = 'runnable'; this.sched.enqueue(t); }
    this.#notifyParent(p, CLD_CONTINUED, Signal.SIGCONT);
  }

  #notifyParent(p: Process, code: number, status: number): void {
    const parent = p.parent;
    if (!parent?.alive) return;
    parent.childWait.notify();
    const act = parent.sigactions.get(Signal.SIGCHLD);
    if ((code === CLD_STOPPED || code === CLD_CONTINUED) && act && (act.flags & 1 /* SA_NOCLDSTOP */)) return;
    sendSignal(parent, { sig: Signal.SIGCHLD, code, pid: p.pid, uid: p.creds.uid, status });
  }

  #terminate(p: Process, waitStatus: number, record: { code: number; status: number }, info: ExitInfo): void {
    if (!p.alive) return;
    p.waitStatus = waitStatus;
    p.exitRecord = record;
    p.exitWait.notify();
    this.tracer?.exited?.(p, record);
    for (const t of [...p.tasks]) this.#releaseThread(t, false);
    // exit_sem: SEM_UNDO adjustments, after the threads left every queue they waited in.
    this.ipc.exitProcess(p, p.pid);
    exitTimers(p);
    p.fds.closeAll();
    p.maxRssKb = Math.max(p.maxRssKb, p.mm.pt.size * 4);
    p.mm.destroy();
    if (p.vforkParent) { p.vforkParent.wake(); p.vforkParent = undefined; }
    // Orphans go to the nearest subreaper ancestor, else to pid 1 (a pid namespace's init).
    let heir = p.parent;
    while (heir && !(heir.alive && heir.subreaper)) heir = heir.parent;
    heir ??= this.processes.get(1);
    for (const c of p.children) {
      // PR_SET_PDEATHSIG: the child hears of its parent's death.
      if (c.alive && c.pdeathsig) sendSignal(c, { sig: c.pdeathsig, code: 0, pid: p.pid, uid: 0 });
      c.parent = heir?.alive ? heir : undefined;
      if (c.parent) {
        c.parent.children.add(c);
        if (!c.alive) c.parent.childWait.notify();
      } else if (!c.alive) this.reap(c);
    }
    p.children.clear();
    const parent = p.parent;
    const sigchld = parent?.sigactions.get(Signal.SIGCHLD);
    // A parent that ignores SIGCHLD (or sets SA_NOCLDWAIT) never sees zombies (auto-reap).
    if (!parent?.alive || (sigchld && (sigchld.handler === 1 || (sigchld.flags & 2 /* SA_NOCLDWAIT */)))) {
      if (parent?.alive) parent.childWait.notify();
      this.reap(p);
    } else {
      this.#notifyParent(p, record.code, record.status);
    }
    if (p.pid === 1) {
      this.exit = info;
      // The first process is init of ucrun's pid namespace: the rest die with it.
      for (const q of this.processes.values()) if (q.alive && q !== p) this.killProcess(q, Signal.SIGKILL, undefined, undefined, false, true);
    }
  }

  /** Remove a zombie from the process table (wait4 or auto-reap). */
  reap(p: Process): void {
    const parent = p.parent;
    if (parent) {
      parent.childCpuNs += p.cpuNs + p.childCpuNs;
      parent.childMaxRssKb = Math.max(parent.childMaxRssKb, p.maxRssKb, p.childMaxRssKb);
    }
    p.parent?.children.delete(p);
    if (p.pid !== 1) this.processes.delete(p.pid);
  }
}

/** The program a user asked to run, checked like the shell and execve check it. */
function readProgram(path: string): Uint8Array {
  let st;
  try { st = statSync(path); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ExecError(`${path}: No such file or directory`, 127);
    throw new ExecError(`${path}: ${(e as Error).message}`, 126);
  }
  if (st.isDirectory()) throw new ExecError(`${path}: Is a directory`, 126);
  // A FIFO or a device would block or never end; a file without an execute bit is EACCES.
  if (!st.isFile() || (st.mode & 0o111) === 0) throw new ExecError(`${path}: Permission denied`, 126);
  try { return readRegularFile(path); } catch (e) { throw new ExecError(`${path}: ${(e as Error).message}`, 126); }
}

/** The guest path of a host path under root, or undefined if it is outside. */
/** The guest path (a byte string) of a host path (host text) inside the root, if it is inside. */
export function guestPathOf(root: string, host: string): string | undefined {
  if (root === '/') return hostText(host);
  if (host === root) return '/';
  if (host.startsWith(root + '/')) return hostText(host.slice(root.length));
  return undefined;
}
