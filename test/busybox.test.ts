// Debian's busybox-static as a guest: `busybox sh -c '...'` under ucrun, on both arches, must
// give the same stdout and exit status as the same script under the host's /bin/busybox.
// The scripts need fork, execve (busybox re-runs its applets), wait, pipes, signals and
// redirection. The expected output is also spelled out, so a host whose busybox behaves
// differently is caught here rather than blamed on ucrun.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../src/cli/guests.js';

const HOST_BUSYBOX = '/bin/busybox';
const ARM64_BUSYBOX = join(ROOT, 'vendor/busybox-arm64/bin/busybox');
const TIMEOUT = 60_000;

// The same small environment for every run (ucrun hands its own environment to the guest).
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/tmp' };

interface Case { name: string; script: string; stdout: string; status: number }

const CASES: Case[] = [
  { name: 'echo', script: 'echo hi', stdout: 'hi\n', status: 0 },
  { name: 'pipeline of three applets', script: 'seq 1 2000 | sort -rn | head -3', stdout: '2000\n1999\n1998\n', status: 0 },
  { name: 'command substitution', script: 'echo $(echo nested)', stdout: 'nested\n', status: 0 },
  { name: 'subshell exit status', script: '(exit 3); echo $?', stdout: '3\n', status: 0 },
  { name: 'background job and wait', script: 'sleep 0.1 & wait; echo done', stdout: 'done\n', status: 0 },
  { name: 'trap on a signal sent to itself', script: 'trap "echo trapped" USR1; kill -USR1 $$; echo after', stdout: 'trapped\nafter\n', status: 0 },
  { name: 'killed by its own SIGTERM', script: 'kill -TERM $$', stdout: '', status: 128 + 15 },
  { name: 'pipeline inside $(...)', script: 'a=$(seq 1 5 | wc -l); echo $a', stdout: '5\n', status: 0 },
  { name: 'loop piped to sort', script: 'for i in 1 2 3; do echo $i; done | sort -r', stdout: '3\n2\n1\n', status: 0 },
  { name: 'cat /dev/null', script: 'cat /dev/null; echo ok', stdout: 'ok\n', status: 0 },
  { name: 'ls with redirection and &&', script: 'ls / > /dev/null && echo listed', stdout: 'listed\n', status: 0 },
  {
    name: 'exec redirection of fd 3',
    script: 'exec 3>/tmp/ucrun-bb-$$; echo x >&3; cat /tmp/ucrun-bb-$$; rm /tmp/ucrun-bb-$$',
    stdout: 'x\n',
    status: 0,
  },
];

interface Outcome { status: number; stdout: string; stderr: string }

function run(cmd: string, argv: string[]): Outcome {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: TIMEOUT - 5_000, maxBuffer: 16 << 20, cwd: ROOT, env: ENV });
  if (r.error) throw r.error;
  // status as a shell reports it: 128 + N for death by signal N
  const sig = r.signal ? (constants.signals as Record<string, number>)[r.signal] : undefined;
  return { status: r.status ?? 128 + (sig ?? 0), stdout: r.stdout, stderr: r.stderr };
}

const native = (script: string) => run(HOST_BUSYBOX, ['sh', '-c', script]);
const ucrun = (busybox: string, script: string) => run(process.execPath, [BIN, 'run', '--', busybox, 'sh', '-c', script]);

// scripts/setup.sh installs both; a missing one is a failure, never a skip.
it('the set-up installed Debian busybox-static for both arches', () => {
  expect(existsSync(HOST_BUSYBOX)).toBe(true);
  expect(existsSync(ARM64_BUSYBOX)).toBe(true);
});

describe.each(CASES)('busybox sh -c: $name', ({ script, stdout, status }) => {
  it('native run gives the expected output', () => {
    const n = native(script);
    expect(n.stdout).toBe(stdout);
    expect(n.status).toBe(status);
  }, TIMEOUT);

  it('x86_64 busybox under ucrun matches the native run', () => {
    const n = native(script);
    const u = ucrun(HOST_BUSYBOX, script);
    expect({ stdout: u.stdout, status: u.status }, `ucrun stderr:\n${u.stderr}`).toEqual({ stdout: n.stdout, status: n.status });
  }, TIMEOUT);

  it('aarch64 busybox under ucrun matches the native run', () => {
    const n = native(script);
    const u = ucrun(ARM64_BUSYBOX, script);
    expect({ stdout: u.stdout, status: u.status }, `ucrun stderr:\n${u.stderr}`).toEqual({ stdout: n.stdout, status: n.status });
  }, TIMEOUT);
});
