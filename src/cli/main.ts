// Command line: `ucrun run …` and `ucrun compare …`.
import { runProgram, reportError } from './run.js';
import { compare } from './compare.js';
import { parseOptions } from './options.js';
import { DEADLOCK_STATUS, TIMEOUT_STATUS } from '../kernel/kernel.js';

const USAGE = `usage:
  ucrun run [OPTIONS] [--] ELF [ARGS...]
  ucrun compare [--strict] [OPTIONS] X86_ELF AARCH64_ELF [ARGS...]

  run      run a static x86_64 or aarch64 Linux ELF; exit status is the guest's
           (128+N when signal N killed it)
  compare  run both builds of one program (each with the same OPTIONS) and show exit status,
           stdout, stderr and the syscall sequence side by side; exit 0 only when status,
           stdout and stderr match (--strict: the syscall sequences too)
options:
  --strace[=FILE]  trace syscalls like strace -f (to stderr, or FILE)
  --root DIR       guest root directory (default /); paths cannot escape it
  -E NAME=VALUE    set a guest environment variable (repeatable)
  --mem-limit MiB  guest memory limit (default 2048; beyond it allocation fails with ENOMEM)
  --max-procs N    most guest processes alive at once (default 256; fork then fails with EAGAIN)
  --seed N         scheduling seed: decides, reproducibly, who runs first after each fork or
                   clone and whether a wake-up preempts the waker (default: the creator and
                   the waker continue, as Linux usually does)
  --timeout SECS   wall-clock limit for the whole run: then every guest process is killed,
                   ucrun prints what each thread was doing and exits ${TIMEOUT_STATUS}
  --slice-ms MS    preempt every run after MS ms even when nothing else is runnable (default:
                   10 ms slices only while another thread waits for the CPU; for measuring)
  --uid N, --gid N the first process's user and group ids (default: yours); the host's files
                   are still accessed as you, the guest's permissions are checked by ucrun
exit status: the guest's; ${DEADLOCK_STATUS} when every thread is blocked forever (deadlock); ${TIMEOUT_STATUS} on --timeout`;

export async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  if (cmd === 'run') return cmdRun(argv.slice(1));
  if (cmd === 'compare') return compare(argv.slice(1));
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  process.stderr.write(USAGE + '\n');
  return 2;
}

function cmdRun(argv: string[]): number {
  const parsed = parseOptions(argv);
  if (typeof parsed === 'string') { process.stderr.write(`${parsed}\n${USAGE}\n`); return 2; }
  const { o, next } = parsed;
  const elf = argv[next];
  if (!elf) { process.stderr.write(USAGE + '\n'); return 2; }
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  for (const [k, v] of o.env) env.set(k, v);
  try {
    const r = runProgram({
      elf, args: argv.slice(next + 1), env: [...env].map(([k, v]) => `${k}=${v}`), root: o.root, strace: o.strace,
      memLimit: o.memLimit, maxProcs: o.maxProcs, seed: o.seed, timeoutMs: o.timeoutMs, sliceMs: o.sliceMs, uid: o.uid, gid: o.gid,
    });
    return r.status;
  } catch (e) {
    return reportError(e);
  }
}
