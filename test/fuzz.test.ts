// The guest syscall fuzzer (test/helpers/fuzz_syscalls.c), built for both arches and run only
// under ucrun, on an empty --root: every syscall number with hostile integers and pointers,
// batches in forked children. ucrun must finish every batch with no host exception, no
// internal-error report and no hang; the only stderr lines allowed are ENOSYS reports.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../src/cli/guests.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ucrun-fuzz-'));
  const src = join(ROOT, 'test/helpers/fuzz_syscalls.c');
  execFileSync('gcc', ['-static', '-O2', '-o', join(root, 'fuzz_x86_64'), src]);
  execFileSync('aarch64-linux-gnu-gcc', ['-static', '-O2', '-o', join(root, 'fuzz_aarch64'), src]);
}, 120_000);
afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

describe.each(['x86_64', 'aarch64'] as const)('syscall fuzzer on %s', (arch) => {
  it.each([1, 2, 3])('seed %i: 40 batches of every syscall with bad arguments, no host error', (seed) => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--root', root, '--timeout', '120', join(root, `fuzz_${arch}`), String(seed), '40'],
      { encoding: 'latin1', timeout: 180_000, maxBuffer: 64 << 20, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.stdout).toBe('fuzz done: 40 batches\n');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => !/^ucrun: unimplemented syscall \S+ \(returns ENOSYS\)$/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    // The guest's fd 0 was ucrun's stdin, the host's /dev/null: it must be as it was.
    expect(statSync('/dev/null').mode & 0o777).toBe(0o666);
  }, 200_000);
});
