// Every guest program (guest/*.c) under ucrun on both arches must match the native x86_64
// run (stdout without `arch:` lines, and exit status), the aarch64 build must also match
// qemu-aarch64, and `ucrun compare` of the two builds must report a match.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, comparable, DEADLOCK_EXIT, guestPath, guestPrograms, isDeadlockProgram, QEMU_CANNOT, runGuest } from '../src/cli/guests.js';

const all = (() => { try { return guestPrograms(); } catch { return ['hello']; } })();
const programs = all.filter((n) => !isDeadlockProgram(n));
const deadlocks = all.filter(isDeadlockProgram);

describe.each(deadlocks)('guest program %s (blocks forever by design)', (name) => {
  it.each(['x86_64', 'aarch64'] as const)('is reported as a deadlock on %s, not a hang', (arch) => {
    const r = runGuest('ucrun', arch, name, [], 60_000);
    expect(r.stdout).toContain('about to block');
    if (name === 'deadlock_threads') {
      // Both threads hold one mutex and wait for the other's (main waits in pthread_join).
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('ucrun: deadlock:'));
      expect(lines.filter((l) => /^ucrun: deadlock: pid 1 tid \d+ blocked in futex\(0x[0-9a-f]+, FUTEX_WAIT_PRIVATE, 2\)$/.test(l))).toHaveLength(2);
      expect(lines.some((l) => /^ucrun: deadlock: pid 1 tid 1 blocked in futex\(/.test(l))).toBe(true);
    } else {
      expect(r.stderr).toMatch(/^ucrun: deadlock: pid 1 blocked in (read|write)\(\d+\)$/m);
    }
    expect(r.status).toBe(DEADLOCK_EXIT);
  });
});

describe.each(programs)('guest program %s', (name) => {
  it('x86_64 build under ucrun matches the native run', () => {
    const native = runGuest('native', 'x86_64', name);
    const ours = runGuest('ucrun', 'x86_64', name);
    expect(comparable(ours.stdout)).toBe(comparable(native.stdout));
    expect(ours.status).toBe(native.status);
    expect(ours.stdout).not.toMatch(/FAIL/);
  });

  it('aarch64 build under ucrun matches native x86_64 and qemu-aarch64', () => {
    const native = runGuest('native', 'x86_64', name);
    const ours = runGuest('ucrun', 'aarch64', name);
    expect(comparable(ours.stdout)).toBe(comparable(native.stdout));
    expect(ours.status).toBe(native.status);
    if (QEMU_CANNOT[name]) return; // the native run above decides (see QEMU_CANNOT)
    const qemu = runGuest('qemu', 'aarch64', name);
    expect(comparable(ours.stdout)).toBe(comparable(qemu.stdout));
    expect(ours.status).toBe(qemu.status);
  });

  it('ucrun compare of the two builds reports a match', () => {
    const r = spawnSync(process.execPath, [BIN, 'compare', guestPath('x86_64', name), guestPath('aarch64', name)], { encoding: 'utf8', maxBuffer: 256 << 20 });
    expect(r.stdout).toMatch(/MATCH$/m);
    expect(r.status).toBe(0);
  });
});
