// The guest programs (guest/*.c) and how to run one under ucrun, natively, or under
// qemu-user. Shared by `npm start` (the demo table) and the vitest guest suite.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();
export const BIN = join(ROOT, 'bin/ucrun.js');
export const ARCHES = ['x86_64', 'aarch64'] as const;
export type Arch = (typeof ARCHES)[number];

/** Programs named bench_* are benchmarks, not checks (run by `npm run bench`). */
const isBenchmark = (name: string) => name.startsWith('bench_');

/**
 * Programs that block forever by design (guest/deadlock_*.c): natively they hang, so they run
 * only under ucrun, which must report the deadlock and exit with DEADLOCK_STATUS.
 */
export const isDeadlockProgram = (name: string) => name.startsWith('deadlock_');
export const DEADLOCK_EXIT = 124;

/**
 * Programs the qemu-user oracle cannot run here, and why (the native run still decides).
 * exec_main execve()s an aarch64 binary: qemu-aarch64 needs binfmt_misc for that, which a
 * CI machine does not have.
 */
export const QEMU_CANNOT: Readonly<Record<string, string>> = {
  exec_main: 'execve of an aarch64 binary from qemu-aarch64 needs binfmt_misc',
  thread_exec: 'execve from qemu-aarch64 needs binfmt_misc (and qemu asserts on execve from a threaded process)',
  exec_limits: 'qemu-aarch64 7.2 answers execveat with ENOSYS',
  proc_self: 'qemu-aarch64 passes /proc/self/status and comm through from the host (they describe qemu, with its threads)',
  misc_calls: 'qemu-aarch64 7.2 refuses preadv2 flags (RWF_HIPRI: ENOTSUP) that Linux accepts',
  mqueue: 'qemu-aarch64 7.2 answers mq_notify with ENOSYS',
  pidfd: 'qemu-aarch64 7.2 answers process_vm_readv/writev with ENOSYS',
  partial_fault: 'qemu-user locks whole guest buffers up front (lock_user): a buffer with an unmapped end is always EFAULT',
  privileged: 'qemu-aarch64 reports undefined instructions with si_code ILL_ILLOPN; arm64 Linux (do_undefinstr) says ILL_ILLOPC',
  proc_sys: 'qemu-aarch64 serves /proc/self/cmdline from a temporary file and passes fd/ and fdinfo/ through from the host',
  syscall_edges: 'qemu-user checks whole buffers up front and passes some bad pointers and flags through (sysinfo(NULL), nanosleep, dup3 flags); native Linux decides',
  thread_robust: 'qemu-aarch64 7.2 answers set_robust_list with ENOSYS: a dead owner is never marked and the next lock hangs',
  sysv_shm: 'qemu-aarch64 7.2 emulates shmat in its own mappings (SHM_REMAP without an address succeeds, shm_nattch misses mprotect\'s pieces) and execve of an aarch64 binary needs binfmt_misc',
  sysv_msg: 'qemu-aarch64 7.2 reports msg_lrpid as 0 in IPC_STAT and checks msgrcv\'s buffer before receiving (Linux dequeues first, then faults)',
  timerfd: 'qemu-aarch64 7.2 skips the copy-out of timerfd_gettime to a NULL pointer (returns 0, Linux says EFAULT)',
  signalfd: 'qemu-aarch64 7.2 converts the mask itself and accepts any sizemask (Linux: EINVAL unless 8)',
  posix_timer: 'qemu-aarch64 7.2 hands out its own timer ids (0xcaf0000 + slot) and rejects the host ids in raw calls; execve needs binfmt_misc',
};

export const guestPath = (arch: Arch, name: string) => join(ROOT, 'guest/build', arch, name);

export function guestPrograms(): string[] {
  const dir = join(ROOT, 'guest/build/x86_64');
  if (!existsSync(dir)) throw new Error('guest programs are not built: run `bash guest/build.sh`');
  return readdirSync(dir).filter((n) => !isBenchmark(n) && !n.includes('.')).sort();
}

export interface Outcome { status: number; stdout: string; stderr: string }

export type Runner = 'ucrun' | 'native' | 'qemu';

/** Run a program; status is the shell's (128+N for death by signal N). */
export function runGuest(runner: Runner, arch: Arch, name: string, args: string[] = [], timeoutMs = 120_000): Outcome {
  const elf = guestPath(arch, name);
  let cmd: string, argv: string[];
  if (runner === 'ucrun') { cmd = process.execPath; argv = [BIN, 'run', elf, ...args]; }
  else if (runner === 'native') { cmd = elf; argv = args; }
  else { cmd = `qemu-${arch}`; argv = [elf, ...args]; }
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, cwd: ROOT });
  if (r.error) throw r.error;
  const sig = r.signal ? (constants.signals as Record<string, number>)[r.signal] : undefined;
  return { status: r.status ?? 128 + (sig ?? 0), stdout: r.stdout, stderr: r.stderr };
}

/** Lines compared between runs: everything but `arch:` lines. */
export const comparable = (s: string) => s.split('\n').filter((l) => !l.startsWith('arch:')).join('\n');
