// `npm start`: run every guest program on both arches under ucrun and natively, and print
// one row per program: exit status and whether stdout matches the native x86_64 run.
import { ARCHES, comparable, DEADLOCK_EXIT, guestPrograms, isDeadlockProgram, runGuest } from './guests.js';

const rows: string[][] = [['program', 'x86_64 (ucrun)', 'aarch64 (ucrun)', 'native x86_64', 'match']];
let allMatch = true;
for (const name of guestPrograms()) {
  if (isDeadlockProgram(name)) {
    // Blocks forever natively by design; ucrun must report the deadlock instead of hanging.
    const cells = [name];
    let ok = true;
    for (const arch of ARCHES) {
      const r = runGuest('ucrun', arch, name);
      const good = r.status === DEADLOCK_EXIT && /deadlock: pid 1 (tid \d+ )?blocked in/.test(r.stderr);
      ok &&= good;
      cells.push(good ? 'deadlock reported' : `exit ${r.status} (expected a deadlock report)`);
    }
    cells.push('(hangs)', ok ? 'yes' : 'NO');
    allMatch &&= ok;
    rows.push(cells);
    continue;
  }
  const native = runGuest('native', 'x86_64', name);
  const cells = [name];
  let match = true;
  for (const arch of ARCHES) {
    const r = runGuest('ucrun', arch, name);
    const same = r.status === native.status && comparable(r.stdout) === comparable(native.stdout);
    match &&= same;
    cells.push(`exit ${r.status}${same ? '' : ' (differs)'}`);
  }
  cells.push(`exit ${native.status}`, match ? 'yes' : 'NO');
  allMatch &&= match;
  rows.push(cells);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
console.log(allMatch ? '\nevery program matches its native run on both architectures'
  : '\nsome programs differ: run `npx ucrun compare guest/build/x86_64/NAME guest/build/aarch64/NAME`');
process.exitCode = allMatch ? 0 : 1;
