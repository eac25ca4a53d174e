// Map an ELF image into an address space and build the initial stack exactly as Linux's
// fs/binfmt_elf.c (load_elf_binary, create_elf_tables) lays it out:
//
//   stackTop:  [NULL pointer slot] execfn string, envp strings, argv strings
//              platform string, 16 random bytes (AT_RANDOM)
//              (16-byte aligned) auxv pairs ... AT_NULL, NULL, envp[], NULL, argv[], argc  <- sp
import { stringToBytes } from '../abi/bytes.js';
import type { ArchSpec } from '../arch/arch.js';
import { AddressSpace, pageDown, pageUp, PROT_EXEC, PROT_READ, PROT_WRITE } from '../mm/address_space.js';
import { GuestMemory } from '../mm/guest_memory.js';
import { ElfImage, ET_DYN, ExecFormatError, PF_R, PF_W, PF_X, PT_LOAD, PT_PHDR } from './elf.js';
import { AUXV as AT } from '../kernel/abi.js';

export const STACK_SIZE = 8 << 20;

export interface ProcessIds { uid: number; euid: number; gid: number; egid: number }

export interface StartInfo {
  entry: number;
  sp: number;
  /** Addresses the auxv points at, for tests and /proc. */
  phdr: number;
  random: number;
  execfn: number;
  /** The auxiliary vector as written to the stack (/proc/<pid>/auxv: mm->saved_auxv). */
  auxv: Uint8Array;
}

/** Where `image` is loaded for `arch`: 0 for ET_EXEC, arch.dynBase for a static-pie. */
export const loadBias = (arch: ArchSpec, image: ElfImage): number => (image.type === ET_DYN ? arch.dynBase : 0);

/**
 * Throw ExecFormatError unless every PT_LOAD, load bias included, lies below arch.taskSize
 * and clear of the stack area [stackTop - STACK_SIZE, stackTop). Linux's load_elf_binary
 * refuses a segment past TASK_SIZE, and its MAP_FIXED_NOREPLACE elf_map fails on one that
 * would land on the stack set up before it. Touches no memory, so callers may run it first.
 */
export function checkSegments(arch: ArchSpec, image: ElfImage): void {
  const bias = loadBias(arch, image);
  const stackLo = arch.stackTop - STACK_SIZE;
  for (const p of image.phdrs) {
    if (p.type !== PT_LOAD || p.memsz === 0) continue;
    const start = pageDown(p.vaddr + bias), end = pageUp(p.vaddr + bias + p.memsz);
    if (end > arch.taskSize || (start < arch.stackTop && end > stackLo)) {
      throw new ExecFormatError('segment outside the user address space');
    }
  }
}

/**
 * Map PT_LOAD segments and set brk. Returns the load bias. A segment outside the user
 * address space is an ExecFormatError thrown before anything is mapped (checkSegments).
 */
export function mapImage(mm: AddressSpace, mem: GuestMemory, arch: ArchSpec, image: ElfImage, file: Uint8Array): number {
  checkSegments(arch, image);
  const bias = loadBias(arch, image);
  const loads = image.phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0);
  // Map every segment writable first so the kernel can copy file bytes in, then apply the
  // final protections in program-header order (a later segment wins a shared page, as the
  // successive MAP_FIXED mmaps of load_elf_binary do).
  // Only the gaps between what is already mapped, each in one piece: a segment's size costs
  // nothing (its pages are demand-zero), so a 1 TiB p_memsz loads at once, as on Linux.
  for (const p of loads) {
    const start = pageDown(p.vaddr + bias), end = pageUp(p.vaddr + bias + p.memsz);
    for (let a = start; a < end;) {
      const v = mm.find(a);
      if (v) { a = v.end; continue; }
      const next = mm.vmas.find((x) => x.start > a)?.start ?? end;
      const stop = Math.min(next, end);
      mm.map(a, stop - a, PROT_READ | PROT_WRITE, false, '');
      a = stop;
    }
  }
  let brk = 0;
  for (const p of loads) {
    mem.write(p.vaddr + bias, file.subarray(p.offset, p.offset + p.filesz));
    brk = Math.max(brk, p.vaddr + bias + p.memsz);
  }
  for (const p of loads) {
    const prot = (p.flags & PF_R ? PROT_READ : 0) | (p.flags & PF_W ? PROT_WRITE : 0) | (p.flags & PF_X ? PROT_EXEC : 0);
    const start = pageDown(p.vaddr + bias);
    mm.protect(start, pageUp(p.vaddr + bias + p.memsz) - start, prot);
  }
  mm.brkStart = mm.brk = pageUp(brk);
  mm.mmapBase = arch.mmapBase;
  return bias;
}

export function buildStack(
  mm: AddressSpace, mem: GuestMemory, arch: ArchSpec, image: ElfImage, bias: number,
  argv: string[], envp: string[], execfn: string, hw: { hwcap: number; hwcap2: number },
  ids: ProcessIds, randomBytes: Uint8Array, execStack: boolean,
): StartInfo {
  const top = arch.stackTop;
  mm.map(top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE | (execStack ? PROT_EXEC : 0), false, '[stack]');
  let p = top - 8; // binfmt leaves one NULL pointer slot at the very top
  const pushString = (s: string): number => {
    const b = stringToBytes(s);
    p -= b.length + 1;
    mem.write(p, b);
    mem.write(p + b.length, new Uint8Array(1));
    return p;
  };
  const execfnAddr = pushString(execfn);
  // argv strings lowest, then envp strings, ending just below execfn (copy_strings order).
  // argv and envp are byte strings (src/abi/bytes.ts): their bytes go to the stack as they are.
  const strings = [...argv, ...envp].map(stringToBytes);
  p -= strings.reduce((n, b) => n + b.length + 1, 0);
  const addrs: number[] = [];
  let q = p;
  for (const b of strings) {
    addrs.push(q);
    mem.write(q, b);
    mem.write(q + b.length, new Uint8Array(1));
    q += b.length + 1;
  }
  const argAddrs = addrs.slice(0, argv.length), envAddrs = addrs.slice(argv.length);
  p -= p % 16;
  const platformAddr = pushString(arch.platform);
  p -= 16;
  const randomAddr = p;
  mem.write(randomAddr, randomBytes);
  p -= p % 16;

  const phdrSeg = image.phdrs.find((ph) => ph.type === PT_PHDR);
  const firstLoad = image.phdrs.find((ph) => ph.type === PT_LOAD)!;
  const phdr = bias + (phdrSeg ? phdrSeg.vaddr : firstLoad.vaddr - firstLoad.offset + image.phoff);
  const auxv: [number, number][] = [
    [AT.AT_HWCAP, hw.hwcap], [AT.AT_PAGESZ, 4096], [AT.AT_CLKTCK, 100],
    [AT.AT_PHDR, phdr], [AT.AT_PHENT, image.phentsize], [AT.AT_PHNUM, image.phnum],
    [AT.AT_BASE, 0], [AT.AT_FLAGS, 0], [AT.AT_ENTRY, bias + image.entry],
    [AT.AT_UID, ids.uid], [AT.AT_EUID, ids.euid], [AT.AT_GID, ids.gid], [AT.AT_EGID, ids.egid],
    [AT.AT_SECURE, 0], [AT.AT_RANDOM, randomAddr], [AT.AT_HWCAP2, hw.hwcap2],
    [AT.AT_EXECFN, execfnAddr], [AT.AT_PLATFORM, platformAddr], [AT.AT_NULL, 0],
  ];
  const words = 1 + argv.length + 1 + envp.length + 1 + auxv.length * 2;
  p -= words * 8;
  p -= p % 16;
  const table = new BigUint64Array(words);
  let i = 0;
  table[i++] = BigInt(argv.length);
  for (const a of argAddrs) table[i++] = BigInt(a);
  table[i++] = 0n;
  for (const e of envAddrs) table[i++] = BigInt(e);
  table[i++] = 0n;
  for (const [k, v] of auxv) { table[i++] = BigInt(k); table[i++] = BigInt.asUintN(64, BigInt(v)); }
  mem.write(p, new Uint8Array(table.buffer));
  const auxvBytes = new Uint8Array(table.buffer, (words - auxv.length * 2) * 8).slice();
  return { entry: bias + image.entry, sp: p, phdr, random: randomAddr, execfn: execfnAddr, auxv: auxvBytes };
}
