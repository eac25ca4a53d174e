import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { aarch64 } from '../../src/arch/aarch64/arch.js';
import type { ArchSpec } from '../../src/arch/arch.js';
import { x86_64 } from '../../src/arch/x86_64/arch.js';
import { ElfImage, ET_DYN, ET_EXEC, ExecFormatError, PF_R, PT_LOAD, parseElf } from '../../src/loader/elf.js';
import { checkSegments, mapImage, STACK_SIZE } from '../../src/loader/load.js';
import { AddressSpace } from '../../src/mm/address_space.js';
import { GuestMemory } from '../../src/mm/guest_memory.js';
import { PhysMem, RESERVED_BYTES, WASM_PAGE } from '../../src/mm/physmem.js';

const GUEST = join(import.meta.dirname, '..', '..', 'guest', 'build');
const real = (arch: string) => readFileSync(join(GUEST, arch, 'hello'));

/** `file` with its first PT_LOAD (file offset 0) moved to `vaddr`. */
function firstLoadAt(file: Uint8Array, vaddr: bigint): Uint8Array {
  const b = Uint8Array.from(file);
  const dv = new DataView(b.buffer);
  const phoff = Number(dv.getBigUint64(32, true)), phnum = dv.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 56;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    expect(dv.getBigUint64(o + 8, true)).toBe(0n); // offset 0: any page-aligned vaddr agrees with it
    dv.setBigUint64(o + 16, vaddr, true);
    return b;
  }
  throw new Error('no PT_LOAD');
}

/** A one-segment image (no file bytes needed by checkSegments). */
const image = (type: number, vaddr: number, memsz: number): ElfImage => ({
  machine: 62, type, entry: vaddr, phoff: 64, phentsize: 56, phnum: 1, execStack: false,
  phdrs: [{ type: PT_LOAD, flags: PF_R, offset: 0, vaddr, filesz: 0, memsz, align: 4096 }],
});

let phys: PhysMem;
const setup = (arch: ArchSpec) => {
  const mm = new AddressSpace(phys, arch.taskSize);
  return { mm, mem: new GuestMemory(mm, phys) };
};

beforeEach(() => {
  phys = new PhysMem({ limitBytes: 64 << 20, initialBytes: RESERVED_BYTES + 16 * WASM_PAGE });
});

function loadError(arch: ArchSpec, file: Uint8Array): { err: unknown; mm: AddressSpace } {
  const { mm, mem } = setup(arch);
  try { mapImage(mm, mem, arch, parseElf(file), file); } catch (err) { return { err, mm }; }
  throw new Error('mapImage accepted the image');
}

describe('mapImage keeps every segment inside the arch user address space', () => {
  it.each([['x86_64', x86_64], ['aarch64', aarch64]] as const)('maps the real %s hello', (name, arch) => {
    const file = real(name);
    const { mm, mem } = setup(arch);
    expect(mapImage(mm, mem, arch, parseElf(file), file)).toBe(0);
    expect(mm.find(0x400000)).toBeDefined();
    expect(mm.brk).toBeGreaterThan(0x400000);
  });

  it('x86_64: a PT_LOAD at TASK_SIZE (below 2^47) is an ExecFormatError, not a GuestFault, and nothing is mapped', () => {
    const file = firstLoadAt(real('x86_64'), BigInt(x86_64.taskSize));
    const { err, mm } = loadError(x86_64, file);
    expect(err).toBeInstanceOf(ExecFormatError);
    expect((err as Error).message).toBe('segment outside the user address space');
    expect(mm.vmas).toEqual([]);
    expect(phys.usedFrames).toBe(0);
  });

  it('x86_64: a PT_LOAD on the stack area below stackTop is an ExecFormatError and nothing is mapped', () => {
    const file = firstLoadAt(real('x86_64'), BigInt(x86_64.stackTop - STACK_SIZE / 2));
    const { err, mm } = loadError(x86_64, file);
    expect(err).toBeInstanceOf(ExecFormatError);
    expect(mm.vmas).toEqual([]);
    expect(phys.usedFrames).toBe(0);
  });

  it('aarch64: a PT_LOAD at 2^47 is inside its 2^48 user space and is mapped there', () => {
    const file = firstLoadAt(real('aarch64'), 0x8000_0000_0000n);
    const { mm, mem } = setup(aarch64);
    mapImage(mm, mem, aarch64, parseElf(file), file);
    expect(mm.find(2 ** 47)).toBeDefined();
    expect(mem.read(2 ** 47, 4)).toEqual(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]));
  });
});

describe('checkSegments', () => {
  it('accepts a segment ending exactly at the bottom of the stack area', () => {
    expect(() => checkSegments(x86_64, image(ET_EXEC, x86_64.stackTop - STACK_SIZE - 4096, 4096))).not.toThrow();
    expect(() => checkSegments(x86_64, image(ET_EXEC, x86_64.stackTop - STACK_SIZE - 4096, 4097))).toThrow(ExecFormatError);
  });

  it('counts the static-pie load bias: an ET_DYN segment fine as ET_EXEC ends past TASK_SIZE', () => {
    const vaddr = x86_64.taskSize - x86_64.dynBase; // biased, it starts at TASK_SIZE
    expect(() => checkSegments(x86_64, image(ET_EXEC, vaddr, 4096))).not.toThrow();
    expect(() => checkSegments(x86_64, image(ET_DYN, vaddr, 4096))).toThrow(ExecFormatError);
  });

  it('aarch64: accepts the page between stackTop and 2^48, refuses one reaching past 2^48', () => {
    expect(() => checkSegments(aarch64, image(ET_EXEC, aarch64.stackTop, 4096))).not.toThrow();
    expect(() => checkSegments(aarch64, image(ET_EXEC, aarch64.stackTop, 8192))).toThrow(ExecFormatError);
  });

  it('ignores segments with memsz 0', () => {
    expect(() => checkSegments(x86_64, image(ET_EXEC, x86_64.taskSize + 4096, 0))).not.toThrow();
  });
});
