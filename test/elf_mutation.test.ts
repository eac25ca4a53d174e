// Mutated ELF files (a few hundred per arch, fixed seeds): each must end as a shell shows it,
// an exec error (126/127), an exit status, a signal or the --timeout, never as a host
// exception, a host signal or a hang. test/helpers/elf_mutants.mjs runs them in one process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestPath, ROOT } from '../src/cli/guests.js';

const ALLOWED = /^(exec-error 12[67]|exit \d+|signal \d+|timeout)$/;

describe.each(['x86_64', 'aarch64'] as const)('ELF mutants on %s', (arch) => {
  it.each([11, 12])('seed %i: 300 mutants of hello end like a shell says, none reaches the host', (seed) => {
    const root = mkdtempSync(join(tmpdir(), 'ucrun-mutants-'));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'test/helpers/elf_mutants.mjs'), guestPath(arch, 'hello'), String(seed), '300', root],
        { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20, cwd: root });
      expect(r.signal, r.stderr.slice(-2000)).toBeNull();
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const outcomes = r.stderr.split('\n').filter((l) => l.startsWith('{"i":')).map((l) => JSON.parse(l).outcome as string);
      expect(outcomes).toHaveLength(300);
      expect(outcomes.filter((o) => !ALLOWED.test(o.replace(/ \(pc=.*$/, '')))).toEqual([]);
      // The mutants exercise every outcome, not just one.
      expect(outcomes.some((o) => o.startsWith('exec-error'))).toBe(true);
      expect(outcomes.some((o) => o === 'exit 0')).toBe(true);
      expect(outcomes.some((o) => o.startsWith('signal'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});
