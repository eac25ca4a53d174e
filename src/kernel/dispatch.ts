// The one place a syscall's result reaches a register (Blink's single exit point).
//
// Path: the engine traps -> onSyscall reads number + six arguments in one batch -> the
// per-arch table (number -> Linux name -> handler) -> the handler returns a number, a
// negative errno, or Block. Guest faults thrown inside a handler become -EFAULT here.
// Block parks the task and stops the CPU; the scheduler re-runs the same call on wake-up.
import type { ArchSpec } from '../arch/arch.js';
import { GuestFault } from '../mm/address_space.js';
import { StringTooLong } from '../mm/guest_memory.js';
import { OutOfMemory } from '../mm/physmem.js';
import { Errno } from './errno.js';
import type { ExitRecord, Process, QueuedSignal, Task } from './task.js';
import { Block, SyscallResult } from './wait.js';
import { nextSignal } from './signal_delivery.js';

export type Handler = (t: Task, a: number[]) => SyscallResult;

/** Thrown by handlers that end the task (exit, exit_group, fatal signal); nothing is written back. */
export class TaskExit extends Error {}

export interface SyscallTracer {
  enter(t: Task, name: string, args: number[]): void;
  /** A signal is being delivered (`--- SIGCHLD {...} ---`). */
  signal?(t: Task, info: QueuedSignal): void;
  /** The process ended (`+++ exited with 0 +++` / `+++ killed by SIGSEGV +++`). */
  exited?(p: Process, record: ExitRecord): void;
  /** A new process or thread exists (strace -f starts prefixing lines with [pid N]). */
  forked?(parent: Task, child: Task): void;
  /** execve reached its point of no return. */
  execed?(t: Task, path: string, argv: string[]): void;
  /** `ret` undefined: the call did not return (exit) or is blocking (resumed later). */
  exit(t: Task, name: string, args: number[], ret: number | undefined, blocked?: boolean): void;
}

interface ArchTable { handlers: (Handler | undefined)[]; names: Readonly<Record<number, string>>; regs: Int32Array }

export class Dispatcher {
  readonly #tables = new Map<ArchSpec, ArchTable>();
  readonly #warned = new Set<string>();
  readonly #vals: number[] = [0, 0, 0, 0, 0, 0, 0];
  tracer: SyscallTracer | undefined;
  /**
   * The task whose call is running (Linux's `current`), for the few file operations that
   * depend on the caller rather than on the file: a signalfd polls the caller's signals.
   */
  caller: Task | undefined;
  /** Where "unimplemented syscall" warnings go (once per name). */
  warn: (msg: string) => void = (m) => process.stderr.write(m + '\n');

  constructor(readonly handlers: Readonly<Record<string, Handler>>) {}

  #table(arch: ArchSpec): ArchTable {
    let t = this.#tables.get(arch);
    if (!t) {
      const handlers: (Handler | undefined)[] = [];
      for (const [nr, name] of Object.entries(arch.syscallNames)) handlers[Number(nr)] = arch.handlers[name] ?? this.handlers[name];
      t = { handlers, names: arch.syscallNames, regs: Int32Array.from([arch.abi.nr, ...arch.abi.args]) };
      this.#tables.set(arch, t);
    }
    return t;
  }

  /** Names of the calls an arch's table has handlers for (for docs and tests). */
  implemented(arch: ArchSpec): string[] {
    const t = this.#table(arch);
    return Object.entries(t.names).filter(([nr]) => t.handlers[Number(nr)]).map(([, n]) => n);
  }

  /** Trap entry, called inside uc_emu_start. */
  onSyscall(t: Task): void {
    const arch = t.proc.arch;
    const table = this.#table(arch);
    t.engine.readRegs(table.regs, this.#vals);
    const nr = this.#vals[0];
    const args = this.#vals.slice(1);
    const name = table.names[nr] ?? `syscall_${nr}`;
    this.tracer?.enter(t, name, args);
    const ret = this.#invoke(t, table.handlers[nr], name, args);
    this.#finish(t, nr, name, args, ret);
  }

  /** Re-run a parked call after a wake-up (outside uc_emu_start). Returns true if it completed. */
  retry(t: Task): boolean {
    const p = t.pending!;
    t.pending = undefined;
    const ret = this.#invoke(t, this.#table(t.proc.arch).handlers[p.nr], p.name, p.args);
    this.#finish(t, p.nr, p.name, p.args, ret);
    return t.pending === undefined;
  }

  #finish(t: Task, nr: number, name: string, args: number[], ret: SyscallResult | undefined): void {
    if (ret === undefined) { // the task is gone (exit) or was replaced (execve)
      this.tracer?.exit(t, name, args, undefined);
      t.engine.stop();
      return;
    }
    if (ret instanceof Block) {
      if (!t.pending) this.tracer?.exit(t, name, args, undefined, true);
      t.pending = { nr, name, args };
      t.park(ret);
      t.engine.stop();
      return;
    }
    t.callState = {};
    t.abandon = undefined;
    t.engine.setReg(t.proc.arch.abi.ret, ret);
    this.tracer?.exit(t, name, args, ret);
    // Back to user mode: a deliverable signal needs the engine stopped to build its frame;
    // otherwise a task this call woke may need the CPU.
    if (t.engine.running) {
      if (nextSignal(t) !== 0) t.engine.stop();
      else t.kernel.sched.maybePreempt(t);
    }
  }

  #invoke(t: Task, h: Handler | undefined, name: string, args: number[]): SyscallResult | undefined {
    if (!h) {
      if (!this.#warned.has(name)) {
        this.#warned.add(name);
        this.warn(`ucrun: unimplemented syscall ${name} (returns ENOSYS)`);
      }
      return -Errno.ENOSYS;
    }
    this.caller = t;
    try {
      return h(t, args);
    } catch (e) {
      if (e instanceof GuestFault) return -Errno.EFAULT;
      if (e instanceof StringTooLong) return -Errno.ENAMETOOLONG;
      if (e instanceof OutOfMemory) return -Errno.ENOMEM;
      if (e instanceof TaskExit) return undefined;
      // A guest value that reached a Node API unchecked (ERR_OUT_OF_RANGE, ERR_INVALID_ARG_*):
      // a handler bug, but the guest's input, so it must not take the host down. Reported once
      // per call; the guest gets EINVAL. Any other exception is a kernel bug and propagates.
      const code = (e as { code?: unknown }).code;
      if (e instanceof Error && typeof code === 'string' && code.startsWith('ERR_')) {
        const key = `internal:${name}`;
        if (!this.#warned.has(key)) {
          this.#warned.add(key);
          this.warn(`ucrun: internal error in ${name}: ${e.message} (returns EINVAL)`);
        }
        return -Errno.EINVAL;
      }
      throw e;
    } finally {
      this.caller = undefined;
    }
  }
}
