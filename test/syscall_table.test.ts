// The README's syscall table is generated from the dispatcher's tables (src/cli/syscall_table.ts):
// it must be current, and every status must be true to the tables.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/cli/guests.js';
import { BEGIN, END, syscallTable } from '../src/cli/syscall_table.js';
import { allHandlers } from '../src/kernel/syscalls/index.js';
import { PARTIAL } from '../src/kernel/syscalls/status.js';
import { SPECS } from '../src/kernel/strace/specs.js';

describe('the README syscall table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('is the generated one (run `node dist/cli/syscall_table.js --write` after adding a syscall)', () => {
    const a = readme.indexOf(BEGIN), b = readme.indexOf(END);
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a, b + END.length)).toBe(syscallTable());
  });

  it('every implemented syscall has a --strace spec', () => {
    expect(Object.keys(allHandlers).filter((n) => !(n in SPECS))).toEqual([]);
  });

  it('names only real handlers as partial', () => {
    for (const name of Object.keys(PARTIAL)) expect(name in allHandlers, name).toBe(true);
  });
});
