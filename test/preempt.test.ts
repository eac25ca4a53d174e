// Preemption, --timeout, --seed and the native helper, through the CLI as a user runs them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUnicorn } from '../src/engine/unicorn.js';
import { loadWatchdog } from '../src/engine/watchdog.js';
import { BIN, guestPath, ROOT } from '../src/cli/guests.js';

const run = (args: string[], timeout = 120_000) =>
  spawnSync(process.execPath, [BIN, 'run', ...args], { encoding: 'utf8', timeout, cwd: ROOT });

describe('the native helper', () => {
  it('finds uc_struct.no_exit_request in the pinned libunicorn (exit checks only between blocks)', () => {
    const w = loadWatchdog(loadUnicorn());
    expect(w.noExitRequestOffset).toBeGreaterThan(0);
  });
});

describe.each(['x86_64', 'aarch64'] as const)('preemption on %s', (arch) => {
  it('a self-addressed load (p = *p) is never replayed, even preempted every 50 us', () => {
    const r = run(['--slice-ms', '0.05', guestPath(arch, 'thread_chase')]);
    expect(r.stdout).toContain('all 2 checks passed');
    expect(r.status).toBe(0);
  });

  it('--timeout ends a CPU loop that makes no syscall, with one line per thread and status 125', () => {
    const t0 = performance.now();
    const busybox = arch === 'x86_64' ? '/bin/busybox' : join(ROOT, 'vendor/busybox-arm64/bin/busybox');
    const r = run(['--timeout', '1', busybox, 'sh', '-c', 'while :; do :; done']);
    const ms = performance.now() - t0;
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^ucrun: timeout: 1 s elapsed$/m);
    expect(r.stderr).toMatch(/^ucrun: timeout: pid 1 running$/m);
    expect(ms).toBeLessThan(20_000);
  });

  it('--seed makes a racy interleaving reproducible: the same seed, the same output', () => {
    const a = run(['--seed', '7', guestPath(arch, 'thread_basic')]);
    const b = run(['--seed', '7', guestPath(arch, 'thread_basic')]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
});
