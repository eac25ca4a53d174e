// The kernel: physical memory, the dispatcher, the scheduler and process start-up.
// One host thread runs every guest task (run()); a task runs until it blocks, exits or
// faults; when every task is blocked the kernel sleeps until the next deadline, and if
// nothing can ever wake them it reports a deadlock instead of hanging.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve as hostResolve } from 'node:path';
import { aarch64 } from '../arch/aarch64/arch.js';
import type { ArchSpec } from '../arch/arch.js';
import { x86_64 } from '../arch/x86_64/arch.js';
import { Engine } from '../engine/engine.js';
import { UC_ERR_INSN_INVALID } from '../engine/unicorn.js';
import { buildStack, checkSegments, mapImage } from '../loader/load.js';
import { DynamicallyLinked, EM_AARCH64, ExecFormatError, parseElf } from '../loader/elf.js';
import { AddressSpace } from '../mm/address_space.js';
import { PhysMem } from '../mm/physmem.js';
import { Dispatcher, Handler } from './dispatch.js';
import { Scheduler } from './scheduler.js';
import { signalFault, Signal, signalName, describeDeath, DEFAULT_IGNORED } from './signals.js';
import { Process, Task } from './task.js';
import { FdTable } from './vfs/fdtable.js';
import { stdStreams } from './vfs/open.js';
import { allHandlers } from './syscalls/index.js';
import { loadRingModule, RingModule } from './ring.js';

export interface KernelOptions {
  /** Guest root directory on the host (default "/"). */
  root?: string;
  /** Guest memory limit in bytes (default 2 GiB). */
  memLimit?: number;
  /** Write a line per syscall here (strace format). */
  strace?: (line: string) => void;
  /** Warnings and crash reports (default: stderr). */
  log?: (line: string) => void;
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

/** A program that cannot be executed, with the shell status for it (126/127). */
export class ExecError extends Error {
  constructor(message: string, readonly status: number) { super(message); }
}

export class Kernel {
  readonly phys: PhysMem;
  /** The AssemblyScript ring module bound to `phys` (pipe and socket data path). */
  readonly ring: RingModule;
  readonly dispatcher: Dispatcher;
  readonly sched = new Scheduler(this);
  readonly root: string;
  readonly log: (line: string) => void;
  readonly processes = new Map<number, Process>();
  #nextPid = 1;
  /** Set when the initial process is gone. */
  exit: ExitInfo | undefined;
  readonly startTime = performance.now();

  constructor(readonly opts: KernelOptions = {}) {
    this.phys = new PhysMem({ limitBytes: opts.memLimit });
    this.ring = loadRingModule(this.phys.memory);
    this.phys.onCodeFrameFreed = () => { for (const p of this.processes.values()) p.engine.flushCode(); };
    this.dispatcher = new Dispatcher(allHandlers as Record<string, Handler>);
    this.root = hostResolve(opts.root ?? '/');
    this.log = opts.log ?? ((l) => process.stderr.write(l + '\n'));
    this.dispatcher.warn = this.log;
  }

  /** Load a static ELF from the host path `hostPath` as the first process. */
  spawn(hostPath: string, argv: string[], envp: string[]): Process {
    const file = readProgram(hostPath);
    const image = parseOrThrow(file, hostPath);
    const arch: ArchSpec = image.machine === EM_AARCH64 ? aarch64 : x86_64;
    try { checkSegments(arch, image); } catch (e) {
      if (e instanceof ExecFormatError) throw new ExecError(`${hostPath}: Exec format error (${e.message})`, 126);
      throw e;
    }
    const pid = this.#nextPid++;
    const mm = new AddressSpace(this.phys, arch.taskSize);
    const fds = new FdTable();
    stdStreams(fds);
    const abs = hostResolve(hostPath);
    const cwd = guestPathOf(this.root, process.cwd()) ?? '/';
    const proc = new Process(this, pid, arch, mm, fds, cwd);
    proc.exePath = guestPathOf(this.root, abs) ?? abs;
    const task = new Task(proc, pid);
    proc.tasks.push(task);
    proc.engine = new Engine(arch.cpu, this.phys, task);
    mm.onFlush = () => proc.engine.flushTlb();
    mm.onCodeWrite = () => proc.engine.flushCode();
    const bias = mapImage(mm, proc.mem, arch, image, file);
    // AT_EXECFN is the filename as given to execve (bprm->filename), not the resolved path.
    const start = buildStack(mm, proc.mem, arch, image, bias, argv, envp, hostPath, arch.hwcaps(proc.engine),
      { uid: process.getuid?.() ?? 0, euid: process.geteuid?.() ?? 0, gid: process.getgid?.() ?? 0, egid: process.getegid?.() ?? 0 },
      randomBytes(16), image.execStack);
    arch.startThread(proc.engine, start.entry, start.sp);
    task.pc = start.entry;
    this.processes.set(pid, proc);
    this.sched.enqueue(task);
    return proc;
  }

  /** Run every task to completion; returns how the first process ended. */
  run(): ExitInfo {
    this.sched.loop();
    for (const p of this.processes.values()) p.engine.close();
    return this.exit ?? { status: 0 };
  }

  /** Run one task's CPU until it stops; turns CPU faults into signals. */
  runTask(t: Task): void {
    t.state = 'running';
    const err = t.engine.run(t.pc);
    if ((t.state as string) === 'dead') return;
    t.pc = t.engine.reg(t.proc.arch.abi.pc);
    if (err !== 0) {
      const fault = t.engine.lastFault;
      const sig = err === UC_ERR_INSN_INVALID ? Signal.SIGILL : Signal.SIGSEGV;
      this.killProcess(t.proc, sig, t.pc, sig === Signal.SIGSEGV ? Number(fault?.addr ?? 0n) : undefined);
      return;
    }
    if (t.state === 'running') { t.state = 'runnable'; this.sched.enqueue(t); }
  }

  /** A CPU exception other than the syscall trap (arch exception numbers). */
  onInterrupt(t: Task, intno: number): void {
    const sig = signalFault(t.proc.arch.name, intno);
    const pc = t.engine.reg(t.proc.arch.abi.pc);
    const addr = sig === Signal.SIGSEGV ? Number(t.engine.lastFault?.addr ?? 0n) : undefined;
    this.killProcess(t.proc, sig, pc, addr);
    t.engine.stop();
  }

  /** exit_group(): every task of the process ends with `code`. */
  exitProcess(p: Process, code: number): void {
    this.#reap(p, (code & 0xff) << 8, { status: code & 0xff });
  }

  /**
   * A signal the kernel raises at the calling task itself (SIGPIPE from a write). Returns
   * true if it killed the process; the caller then throws TaskExit. Blocked or handled
   * signals stay pending (handlers run once signal delivery exists); ignored ones vanish.
   */
  signalSelf(t: Task, sig: number): boolean {
    const p = t.proc;
    const act = p.sigactions.get(sig);
    const handler = act?.handler ?? 0;
    if (handler === 1 || (handler === 0 && DEFAULT_IGNORED.has(sig))) return false;
    const bit = 1n << BigInt(sig - 1);
    if (handler !== 0 || (p.sigmask & bit)) { p.sigpending |= bit; return false; }
    this.killProcess(p, sig);
    return true;
  }

  /** Death by signal, reported the way a shell does. */
  killProcess(p: Process, sig: number, pc?: number, addr?: number): void {
    // Like bash, say nothing for SIGPIPE and SIGINT deaths.
    if (p.pid === 1 && sig !== Signal.SIGPIPE && sig !== Signal.SIGINT) this.log(describeDeath(sig, pc, addr));
    this.#reap(p, sig & 0x7f, { status: 128 + sig, signal: sig });
  }

  #reap(p: Process, waitStatus: number, info: ExitInfo): void {
    if (p.waitStatus !== undefined) return;
    p.waitStatus = waitStatus;
    for (const t of p.tasks) this.sched.remove(t);
    for (const t of p.tasks) t.state = 'dead';
    p.fds.closeAll();
    p.mm.destroy();
    if (p.pid === 1) this.exit = info;
  }

  /** Monotonic nanoseconds since the kernel started (CLOCK_MONOTONIC). */
  monotonicNs(): bigint { return process.hrtime.bigint(); }
}

export { signalName };

function readProgram(path: string): Uint8Array {
  let st;
  try { st = statSync(path); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ExecError(`${path}: No such file or directory`, 127);
    throw new ExecError(`${path}: ${(e as Error).message}`, 126);
  }
  if (st.isDirectory()) throw new ExecError(`${path}: Is a directory`, 126);
  try { return readFileSync(path); } catch (e) { throw new ExecError(`${path}: ${(e as Error).message}`, 126); }
}

function parseOrThrow(file: Uint8Array, path: string) {
  try { return parseElf(file); } catch (e) {
    if (e instanceof DynamicallyLinked) throw new ExecError(`${path}: dynamically linked: build with -static`, 126);
    if (e instanceof ExecFormatError) throw new ExecError(`${path}: Exec format error (${e.message})`, 126);
    throw e;
  }
}

/** The guest path of a host path under root, or undefined if it is outside. */
export function guestPathOf(root: string, host: string): string | undefined {
  if (root === '/') return host;
  if (host === root) return '/';
  if (host.startsWith(root + '/')) return host.slice(root.length);
  return undefined;
}
