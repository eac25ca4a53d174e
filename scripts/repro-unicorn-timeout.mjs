// Reproduction: Unicorn 2.1.1 corrupts guest state when a run is stopped asynchronously.
//   npm run build && node scripts/repro-unicorn-timeout.mjs [slice_us]
// Runs gcc -O2's loop `s = s*31 + b[i]` over 4 MiB of 1s (one TLB fill per 4 KiB page) on a
// raw Engine (no kernel), restarting at the saved pc after each preemption by the watchdog
// (Engine.run's slice). With slice 0 the sum is right; with Unicorn 2.1.1 and 1000 us (a few
// dozen stops) it was wrong in every round, e.g. got 45af66b920a110c1 instead of
// 386f56b884000000: the corruption needs a register written earlier in the same translation
// block as a load that misses the TLB. With 2.1.4 (which ucrun requires) 0 rounds are wrong.
// guest/thread_chase.c covers the aarch64 case 2.1.4 still gets wrong (README, Engine facts).
import { Engine } from '../dist/engine/engine.js';
import { PhysMem } from '../dist/mm/physmem.js';
import { x86_64 } from '../dist/arch/x86_64/arch.js';

const timeoutUs = Number(process.argv[2] ?? 1000);
const phys = new PhysMem({});
const code = phys.allocFrame();
const pages = new Map();
const N = 4 << 20;
// mov rdx,0x1000000; mov rsi,0x1400000; xor eax,eax
// L: mov rcx,rax; add rdx,1; shl rcx,5; sub rcx,rax; movzx eax,byte [rdx-1]; add rax,rcx; cmp rdx,rsi; jne L
// syscall; jmp $
phys.u8.set([0x48, 0xc7, 0xc2, 0x00, 0x00, 0x00, 0x01, 0x48, 0xc7, 0xc6, 0x00, 0x00, 0x40, 0x01, 0x31, 0xc0,
  0x48, 0x89, 0xc1, 0x48, 0x83, 0xc2, 0x01, 0x48, 0xc1, 0xe1, 0x05, 0x48, 0x29, 0xc1, 0x0f, 0xb6, 0x42, 0xff,
  0x48, 0x01, 0xc8, 0x48, 0x39, 0xf2, 0x75, 0xe6, 0x0f, 0x05, 0xeb, 0xfe], code * 4096);
let engine;
let done = false;
const client = {
  lastPerms: 7,
  translate(va) {
    if (va >= 0x10000 && va < 0x11000) return code * 4096 + (va - 0x10000);
    if (va < 0x1000000 || va >= 0x1000000 + N) return -1;
    const vpn = Math.floor(va / 4096);
    let f = pages.get(vpn);
    if (f === undefined) { f = phys.allocFrame(); phys.u8.fill(1, f * 4096, f * 4096 + 4096); pages.set(vpn, f); }
    return f * 4096 + (va & 4095);
  },
  onSyscall() { done = true; engine.stop(); },
  onInterrupt() { engine.stop(); },
};
engine = new Engine(x86_64.cpu, phys, client);
let bad = 0;
for (let round = 0; round < 5; round++) {
  done = false;
  let pc = 0x10000, runs = 0;
  while (!done && runs < 1_000_000) { engine.run(pc, timeoutUs); runs++; pc = Number(engine.regBig(41)); }
  const got = engine.regBig(35);
  if (got !== 0x386f56b884000000n) bad++;
  console.log(`round ${round}: ${runs} runs, sum ${got.toString(16)}${got === 0x386f56b884000000n ? '' : ' (wrong)'}`);
}
console.log(`${bad} of 5 rounds wrong with timeout ${timeoutUs} us`);
