// The guest programs about credentials and ownership, run as an unprivileged user: natively
// through setpriv (uid and gid 65534, no groups), under ucrun with --uid 65534 --gid 65534
// (the host files are still accessed as the user running the tests; ucrun checks the guest's
// permissions itself). Outputs must be identical on both arches.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARCHES, BIN, guestPath } from '../src/cli/guests.js';

const PROGRAMS = ['creds', 'ownership', 'mkfifo', 'statfs', 'proc_sys', 'proc_misc', 'splice', 'misc_calls', 'file_locks', 'memfd', 'xattr', 'inotify', 'mqueue', 'pidfd'];
const ID = '65534';

function native(name: string) {
  return spawnSync('setpriv', [`--reuid=${ID}`, `--regid=${ID}`, '--clear-groups', guestPath('x86_64', name)],
    { encoding: 'utf8', timeout: 60_000, cwd: '/tmp' });
}

describe.each(PROGRAMS)('%s as uid 65534', (name) => {
  it.each(ARCHES)('%s under ucrun --uid 65534 --gid 65534 matches the native run under setpriv', (arch) => {
    const n = native(name);
    expect(n.error).toBeUndefined();
    const u = spawnSync(process.execPath, [BIN, 'run', '--uid', ID, '--gid', ID, guestPath(arch, name)],
      { encoding: 'utf8', timeout: 60_000, cwd: '/tmp' });
    expect(u.stdout).toBe(n.stdout);
    expect(u.status).toBe(n.status);
  }, 120_000);
});
