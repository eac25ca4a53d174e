// `ucrun run`: run one static ELF under the emulated kernel and return the shell status.
import { createWriteStream, writeSync, openSync, closeSync } from 'node:fs';
import { ExecError, Kernel, ExitInfo } from '../kernel/kernel.js';
import { Strace } from '../kernel/strace/strace.js';
import { UnicornUnavailable } from '../engine/unicorn.js';

export interface RunOptions {
  elf: string;
  args: string[];
  env: string[];
  root?: string;
  /** '-' or undefined for stderr, else a file path; null: no trace. */
  strace: string | null;
  memLimit?: number;
  maxProcs?: number;
  seed?: number;
  timeoutMs?: number;
  sliceMs?: number;
  uid?: number;
  gid?: number;
}

export interface RunResult extends ExitInfo { syscalls: string[] }

/** Run a program; `collect` also returns the syscall names in order (for compare). */
export function runProgram(o: RunOptions, collect = false): RunResult {
  const names: string[] = [];
  let traceFd: number | undefined;
  const kernel = new Kernel({ root: o.root, memLimit: o.memLimit, maxProcs: o.maxProcs, seed: o.seed, timeoutMs: o.timeoutMs, sliceMs: o.sliceMs, uid: o.uid, gid: o.gid });
  if (o.strace !== null || collect) {
    let out: ((l: string) => void) | undefined;
    if (o.strace !== null) {
      traceFd = o.strace === '-' ? 2 : openSync(o.strace, 'w');
      const fd = traceFd;
      out = (l) => writeSync(fd, l + '\n');
    }
    kernel.dispatcher.tracer = new Strace(kernel, out, collect ? names : undefined);
  }
  try {
    kernel.spawn(o.elf, [o.elf, ...o.args], o.env);
    const r = kernel.run();
    return { ...r, syscalls: names };
  } finally {
    if (traceFd !== undefined && traceFd !== 2) closeSync(traceFd);
  }
}

/** Errors that are the user's, reported in one line with a shell-like status. */
export function reportError(e: unknown): number {
  if (e instanceof ExecError) { process.stderr.write(`ucrun: ${e.message}\n`); return e.status; }
  if (e instanceof UnicornUnavailable) { process.stderr.write(e.message + '\n'); return 1; }
  throw e;
}

export { createWriteStream };
