// `ucrun compare X86_ELF AARCH64_ELF [ARGS...]`: run both builds of one program (each in
// its own ucrun child, so their output cannot interleave) and print exit status, stdout,
// stderr and the syscall sequence side by side, marking every difference. Lines starting
// with "arch:" are expected to differ and are not compared.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';

export interface Side { status: number; stdout: string; stderr: string; syscalls: string[] }

const BIN = fileURLToPath(new URL('../../bin/ucrun.js', import.meta.url));

export function runSide(elf: string, args: string[], dir: string, tag: string, options: string[] = []): Side {
  const trace = join(dir, `${tag}.strace`);
  const r = spawnSync(process.execPath, [BIN, 'run', ...options, `--strace=${trace}`, '--', elf, ...args], {
    encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000,
  });
  let syscalls: string[] = [];
  try {
    syscalls = readFileSync(trace, 'utf8').split('\n')
      .map((l) => /^(?:\[pid \d+\] )?([a-z0-9_]+)\(/.exec(l)?.[1]).filter((x): x is string => !!x);
  } catch { /* no trace: the program did not start */ }
  return { status: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr, syscalls };
}

/** ucrun's crash report names the guest pc, which differs by arch by nature. */
const maskPc = (s: string) => s.replace(/\(pc=0x[0-9a-f]+/g, '(pc=*');
const comparable = (s: string) => s.split('\n').filter((l) => !l.startsWith('arch:'));

/** Side-by-side rows; returns the rendered text and whether everything matched. */
export function diffColumns(title: string, a: string[], b: string[]): { text: string; same: boolean } {
  const w = 48;
  const rows: string[] = [`== ${title}`];
  let same = true;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i] ?? '', r = b[i] ?? '';
    const differs = l !== r && !(l.startsWith('arch:') && r.startsWith('arch:'));
    if (differs) same = false;
    rows.push(`${differs ? '!' : ' '} ${l.slice(0, w).padEnd(w)} | ${r.slice(0, w)}`);
  }
  return { text: rows.join('\n'), same };
}

/**
 * The verdict covers what the program does (exit status, stdout, stderr); the syscall
 * sequences are aligned and every difference is marked, but each arch's libc legitimately
 * makes different calls (malloc thresholds, dup2 via fcntl, ...), so they count only with
 * `strict`.
 */
export function compareSides(x: Side, y: Side, strict = false): { text: string; same: boolean } {
  const calls = alignCalls(normalizeCalls(x.syscalls), normalizeCalls(y.syscalls));
  const parts = [
    diffColumns('exit status', [String(x.status)], [String(y.status)]),
    diffColumns('stdout', comparable(x.stdout), comparable(y.stdout)),
    diffColumns('stderr', comparable(maskPc(x.stderr)), comparable(maskPc(y.stderr))),
  ];
  const callDiffs = calls.a.filter((c, i) => c !== calls.b[i]).length;
  const callText = diffColumns(`syscalls (${callDiffs} differing rows${strict ? '' : ', not part of the verdict without --strict'})`, calls.a, calls.b);
  return {
    text: [...parts, callText].map((p) => p.text).join('\n'),
    same: parts.every((p) => p.same) && (!strict || callText.same),
  };
}

/** Align two call sequences by longest common subsequence ('' marks a gap). */
export function alignCalls(a: string[], b: string[]): { a: string[]; b: string[] } {
  if (a.length * b.length > 4_000_000) return { a, b };
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  }
  const ra: string[] = [], rb: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ra.push(a[i++]); rb.push(b[j++]); }
    else if (j >= m || (i < n && L[i + 1][j] >= L[i][j + 1])) { ra.push(a[i++]); rb.push(''); }
    else { ra.push(''); rb.push(b[j++]); }
  }
  return { a: ra, b: rb };
}

/**
 * Calls that exist only on one arch are the same operation under another name
 * (x86_64's legacy forms, arch_prctl for the TLS register); fold them so the sequences compare.
 */
const SAME_AS: Record<string, string | null> = {
  open: 'openat', stat: 'newfstatat', lstat: 'newfstatat', fstat: 'newfstatat', readlink: 'readlinkat',
  mkdir: 'mkdirat', unlink: 'unlinkat', rmdir: 'unlinkat', rename: 'renameat2', renameat: 'renameat2',
  access: 'faccessat', dup2: 'dup3', time: 'clock_gettime', arch_prctl: null, creat: 'openat',
  symlink: 'symlinkat', link: 'linkat', chmod: 'fchmodat', pipe: 'pipe2', poll: 'ppoll', select: 'pselect6',
  getdents: 'getdents64', fork: 'clone', vfork: 'clone', epoll_wait: 'epoll_pwait', epoll_create: 'epoll_create1',
};
export function normalizeCalls(calls: string[]): string[] {
  return calls.map((c) => (c in SAME_AS ? SAME_AS[c] : c)).filter((c): c is string => c !== null);
}

export function compare(argv: string[]): number {
  let strict = false;
  const parsed = parseOptions(argv, (w) => (w === '--strict' ? (strict = true) : false));
  if (typeof parsed === 'string') { process.stderr.write(parsed + '\n'); return 2; }
  // --strace is compare's own (it reads both traces); the rest go to both runs.
  const options = parsed.o.raw.filter((w) => !w.startsWith('--strace'));
  const [a, b, ...args] = argv.slice(parsed.next);
  if (!a || !b) {
    process.stderr.write('usage: ucrun compare [--strict] [OPTIONS] X86_ELF AARCH64_ELF [ARGS...]\n');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ucrun-compare-'));
  try {
    const x = runSide(a, args, dir, 'a', options), y = runSide(b, args, dir, 'b', options);
    const { text, same } = compareSides(x, y, strict);
    process.stdout.write(`${a} | ${b}\n${text}\n${same ? 'MATCH' : 'DIFFER'}\n`);
    return same ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
