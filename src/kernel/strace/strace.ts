// --strace: one line per syscall in strace's format, from the same name table the
// dispatcher uses. Each call's arguments are decoded by its Spec (./specs.ts): inputs when
// the call is entered, outputs (buffers and structs the kernel fills) when it returns, so a
// call that blocks and is re-run still shows what the program passed in. Signals and
// process ends print as strace's `--- SIGCHLD {...} ---` and `+++ exited with 0 +++` lines.
import type { SyscallTracer } from '../dispatch.js';
import { Errno, errnoMessage, errnoName } from '../errno.js';
import type { Kernel } from '../kernel.js';
import type { ExitRecord, Process, QueuedSignal, Task } from '../task.js';
import { type ArgDef, type Call, type Mem, type Spec } from './call.js';
import { addr, hex, signal, signame } from './format.js';
import { KINDS, SPECS } from './specs.js';
import { siginfo } from './structs.js';

export { quote } from './format.js';
export { siginfo };

/** A call that has been entered and not yet printed. */
interface Entered { call: Call; spec: Spec | undefined; parts: (string | null | undefined)[] }

const RESTARTS = new Set<number>([Errno.ERESTARTSYS, Errno.ERESTARTNOINTR, Errno.ERESTARTNOHAND, Errno.ERESTART_RESTARTBLOCK]);

export function argDef(a: string | ArgDef): ArgDef {
  if (typeof a !== 'string') return a;
  const d = KINDS[a];
  if (!d) throw new Error(`strace: unknown argument kind ${a}`);
  return d;
}

/** One argument's text; unreadable memory prints the raw value as strace does. */
function fmtArg(d: ArgDef, c: Call, i: number): string | null {
  try {
    return d.fmt(c, i);
  } catch {
    return addr(c.args[i]);
  }
}

/** Decode the input arguments of a call being entered (and what its outputs need saved). */
export function enterCall(c: Call, spec: Spec | undefined): Entered {
  const parts: (string | null | undefined)[] = [];
  spec?.args.forEach((a, i) => {
    const d = argDef(a);
    if (d.save) { try { c.saved[i] = d.save(c, i); } catch { c.saved[i] = undefined; } }
    parts[i] = d.out ? undefined : fmtArg(d, c, i);
  });
  return { call: c, spec, parts };
}

/** The whole argument list once the call has returned (`ret` undefined: it did not). */
export function finishArgs(e: Entered, ret: number | undefined): string {
  const c = e.call;
  c.ret = ret;
  if (!e.spec) return c.args.slice(0, 3).map(hex).join(', ');
  return e.spec.args
    .map((a, i) => (e.parts[i] !== undefined ? e.parts[i] : fmtArg(argDef(a), c, i)))
    .filter((s): s is string => s !== null)
    .join(', ');
}

/** What follows " = ": `3`, `0x4ac000`, `-1 ENOENT (No such file or directory)`, `?`. */
export function formatRet(c: Call, spec: Spec | undefined, ret: number | undefined): string {
  if (ret === undefined) return c.name === 'execve' ? '0' : '?';
  if (ret < 0 && ret >= -4095) {
    const e = -ret;
    return RESTARTS.has(e) ? `? ${errnoName(e)} (${errnoMessage(e)})` : `-1 ${errnoName(e)} (${errnoMessage(e)})`;
  }
  const kind = spec?.ret;
  if (kind === 'hex') return hex(ret);
  if (kind === 'oct') return ret ? '0' + ret.toString(8) : '0';
  if (typeof kind === 'function') { try { return kind(c, ret); } catch { return String(ret); } }
  return String(ret);
}

export class Strace implements SyscallTracer {
  readonly #entered = new Map<Task, Entered>();
  /** Lines held back until the call being printed for this task has its own line out. */
  readonly #after = new Map<Task, string[]>();

  constructor(
    readonly kernel: Kernel,
    /** Where lines go; undefined collects names only. */
    readonly out: ((line: string) => void) | undefined,
    /** If given, every completed call's name is pushed here (compare). */
    readonly names?: string[],
  ) {}

  /**
   * strace -f's `[pid     2] ` while more than one process is traced. A process that has
   * just ended still counts for its own last lines (exit_group's `= ?`, `+++ exited +++`).
   */
  #prefix(t: Task | Process): string {
    const proc = 'proc' in t ? t.proc : t;
    const id = 'proc' in t ? t.tid : t.pid;
    let n = proc.alive ? 0 : 1;
    for (const p of this.kernel.processes.values()) if (p.alive) n += p.tasks.length;
    return n > 1 ? `[pid ${String(id).padStart(5)}] ` : '';
  }

  #call(t: Task, name: string, args: number[]): Call {
    const c: Call = { name, mem: t.mem as Mem, data: t.proc.arch.data, args, ret: undefined, saved: {} };
    if (name !== 'rt_sigreturn') return c;
    return { ...c, sp: t.engine.reg(t.proc.arch.abi.sp), sigreturn: t.proc.arch.frames.sigreturnFrame };
  }

  enter(t: Task, name: string, args: number[]): void {
    if (!this.out) return;
    this.#entered.set(t, enterCall(this.#call(t, name, args), SPECS[name]));
  }

  exit(t: Task, name: string, args: number[], ret: number | undefined, blocked?: boolean): void {
    if (blocked) return;
    this.names?.push(name);
    if (!this.out) return;
    let e = this.#entered.get(t);
    if (!e || e.call.name !== name || e.call.args !== args) e = enterCall(this.#call(t, name, args), SPECS[name]);
    this.#entered.delete(t);
    (e.call as { mem: Mem }).mem = t.mem;
    // rt_sigreturn writes no result: strace shows the return register the frame restores.
    if (ret === undefined && name === 'rt_sigreturn' && t.proc.alive && typeof e.call.saved[0] === 'number') ret = e.call.saved[0];
    this.out(`${this.#prefix(t)}${name}(${finishArgs(e, ret)}) = ${formatRet(e.call, e.spec, ret)}`);
    const held = this.#after.get(t);
    if (held) { this.#after.delete(t); held.forEach((l) => this.out!(l)); }
  }

  signal(t: Task, info: QueuedSignal): void {
    this.out?.(`${this.#prefix(t)}--- ${signame(info.sig) ?? info.sig} ${siginfo(info)} ---`);
  }

  exited(p: Process, record: ExitRecord): void {
    if (!this.out) return;
    const prefix = this.#prefix(p);
    const line = `${prefix}+++ ${record.code === 1 ? `exited with ${record.status}` : `killed by ${signal(record.status)}${record.code === 3 ? ' (core dumped)' : ''}`} +++`;
    for (const t of p.tasks) {
      const e = this.#entered.get(t);
      if (!e) continue;
      if (!t.pending) { // exit/exit_group is running right now: its "= ?" line comes first
        this.#after.set(t, [...(this.#after.get(t) ?? []), line]);
        return;
      }
      this.#entered.delete(t); // killed while blocked in a call
      this.out(`${prefix}${e.call.name}(${finishArgs(e, undefined)}) = ?`);
    }
    this.out(line);
  }

  /** A free-form line (kept for callers that report deaths themselves). */
  note(line: string): void { this.out?.(line); }
}
