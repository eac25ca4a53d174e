// Runs mutated copies of a static ELF, each in its own Kernel inside this process, and prints
// one JSON line per mutant: how it ended. A mutant must end as a shell would show it (an exec
// error with 126/127, an exit status, a signal, a timeout), never as a host exception; a host
// crash kills this process, which the test sees too.
//   node test/helpers/elf_mutants.mjs ELF SEED COUNT ROOT
import { readFileSync } from 'node:fs';
import { ExecError, Kernel } from '../../dist/kernel/kernel.js';

const [elf, seedArg, countArg, root] = process.argv.slice(2);
const base = readFileSync(elf);
let seed = Number(seedArg) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
const phoff = Number(base.readBigUInt64LE(32)), phnum = base.readUInt16LE(56), phentsize = base.readUInt16LE(54);
const headerEnd = Math.min(base.length, phoff + phnum * phentsize);

function mutant() {
  const b = Buffer.from(base);
  const kind = rnd() % 8;
  if (kind === 0) return b.subarray(0, rnd() % headerEnd); // truncated inside the headers
  const flips = 1 + (rnd() % 4);
  for (let i = 0; i < flips; i++) {
    const at = rnd() % headerEnd;
    if (kind === 1) b[at] ^= 1 << (rnd() % 8); // one bit
    else if (kind === 2) b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(rnd()) << BigInt(rnd() % 40)), Math.min(at, headerEnd - 8)); // a huge field
    else b[at] = rnd() & 0xff;
  }
  return b;
}

for (let i = 0; i < Number(countArg); i++) {
  const file = mutant();
  let outcome;
  const k = new Kernel({ root, timeoutMs: 3000, memLimit: 256 << 20, log: () => {} });
  try {
    k.spawnImage(file, elf, [elf], []);
    const r = k.run();
    outcome = r.status === 125 ? 'timeout' : r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  } catch (e) {
    if (e instanceof ExecError) outcome = `exec-error ${e.status}`;
    else outcome = `HOST ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e)}`;
  }
  process.stderr.write(JSON.stringify({ i, outcome }) + '\n');
}
