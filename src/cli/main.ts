// Command line: `ucrun run …` and `ucrun compare …`.
import { runProgram, reportError } from './run.js';
import { compare } from './compare.js';

const USAGE = `usage:
  ucrun run [--strace[=FILE]] [--root DIR] [-E NAME=VALUE]... [--mem-limit MiB] [--max-procs N] [--seed N] [--] ELF [ARGS...]
  ucrun compare [--strict] X86_ELF AARCH64_ELF [ARGS...]

  run      run a static x86_64 or aarch64 Linux ELF; exit status is the guest's
           (128+N when signal N killed it)
  compare  run both builds of one program and show exit status, stdout, stderr and the
           syscall sequence side by side; exit 0 only when status, stdout and
           stderr match (--strict: the syscall sequences too)
options:
  --strace[=FILE]  trace syscalls like strace (to stderr, or FILE)
  --root DIR       guest root directory (default /); paths cannot escape it
  -E NAME=VALUE    set a guest environment variable (repeatable)
  --mem-limit MiB  guest memory limit (default 2048; beyond it allocation fails with ENOMEM)
  --max-procs N    most guest processes alive at once (default 256; fork then fails with EAGAIN)
  --seed N         scheduling seed: decides, reproducibly, whether parent or child runs first
                   after each fork (default: the parent, as Linux)`;

export async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  if (cmd === 'run') return cmdRun(argv.slice(1));
  if (cmd === 'compare') return compare(argv.slice(1));
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  process.stderr.write(USAGE + '\n');
  return 2;
}

function cmdRun(argv: string[]): number {
  let strace: string | null = null;
  let root: string | undefined;
  let memLimit: number | undefined;
  let maxProcs: number | undefined;
  let seed: number | undefined;
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (a === '--strace') strace = '-';
    else if (a.startsWith('--strace=')) strace = a.slice(9);
    else if (a === '--root') root = argv[++i];
    else if (a.startsWith('--root=')) root = a.slice(7);
    else if (a === '-E') { const kv = argv[++i] ?? ''; const eq = kv.indexOf('='); if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1)); }
    else if (a === '--mem-limit') memLimit = Number(argv[++i]) * 1024 * 1024;
    else if (a === '--max-procs') maxProcs = Number(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a.startsWith('-')) { process.stderr.write(`ucrun: unknown option ${a}\n${USAGE}\n`); return 2; }
    else break;
  }
  const elf = argv[i];
  if (!elf) { process.stderr.write(USAGE + '\n'); return 2; }
  if (memLimit !== undefined && !(memLimit > 0)) { process.stderr.write('ucrun: --mem-limit needs a positive number of MiB\n'); return 2; }
  if (maxProcs !== undefined && !(Number.isInteger(maxProcs) && maxProcs > 0)) { process.stderr.write('ucrun: --max-procs needs a positive integer\n'); return 2; }
  if (seed !== undefined && !Number.isInteger(seed)) { process.stderr.write('ucrun: --seed needs an integer\n'); return 2; }
  try {
    const r = runProgram({ elf, args: argv.slice(i + 1), env: [...env].map(([k, v]) => `${k}=${v}`), root, strace, memLimit, maxProcs, seed });
    return r.status;
  } catch (e) {
    return reportError(e);
  }
}
