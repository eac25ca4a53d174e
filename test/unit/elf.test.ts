import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamicallyLinked, EM_AARCH64, EM_X86_64, ET_DYN, ET_EXEC, ExecFormatError, PF_X, PT_INTERP, PT_LOAD, parseElf,
} from '../../src/loader/elf.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GUEST = join(ROOT, 'guest');
const ARCHES = [
  { dir: 'x86_64', machine: EM_X86_64, cc: 'gcc' },
  { dir: 'aarch64', machine: EM_AARCH64, cc: 'aarch64-linux-gnu-gcc' },
] as const;

let tmp: string;
const pie: Record<string, Uint8Array> = {};
let elf32: Uint8Array;
let elf32Source: 'gcc -m32' | 'hand-made';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ucrun-elf-'));
  for (const a of ARCHES) {
    const out = join(tmp, `hello-pie-${a.dir}`);
    execFileSync(a.cc, ['-static-pie', '-O2', join(GUEST, 'hello.c'), '-o', out], { stdio: 'ignore' });
    pie[a.dir] = readFileSync(out);
  }
  try {
    // -nostdlib: a 32-bit libgcc is often not installed, and only the ELF header matters here.
    const src = join(tmp, 's32.c');
    writeFileSync(src, 'void _start(void) { for (;;); }\n');
    execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-O2', src, '-o', join(tmp, 's32')], { stdio: 'ignore' });
    elf32 = readFileSync(join(tmp, 's32'));
    elf32Source = 'gcc -m32';
  } catch {
    elf32 = handMade32();
    elf32Source = 'hand-made';
  }
}, 120_000);

afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

const real = (arch: string, name = 'hello') => readFileSync(join(GUEST, 'build', arch, name));

/** A minimal ELF32 header (EM_386, ET_EXEC) followed by one PT_LOAD. */
function handMade32(): Uint8Array {
  const b = new Uint8Array(52 + 32 + 16);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, ET_EXEC, true); dv.setUint16(18, 3, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x8048000 + 84, true); dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, 1, true);
  dv.setUint32(52, PT_LOAD, true); dv.setUint32(60, 0x8048000, true);
  dv.setUint32(68, b.length, true); dv.setUint32(72, b.length, true);
  return b;
}

/** Offsets of the program headers of `file` with type `type`. */
function phdrOffsets(file: Uint8Array, type: number): number[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const phoff = Number(dv.getBigUint64(32, true)), phnum = dv.getUint16(56, true);
  const out: number[] = [];
  for (let i = 0; i < phnum; i++) if (dv.getUint32(phoff + i * 56, true) === type) out.push(phoff + i * 56);
  return out;
}

function patched(file: Uint8Array, fn: (dv: DataView, b: Uint8Array) => void): Uint8Array {
  const b = Uint8Array.from(file);
  fn(new DataView(b.buffer), b);
  return b;
}

function errorOf(file: Uint8Array): Error {
  try { parseElf(file); } catch (e) { return e as Error; }
  throw new Error('parseElf accepted the file');
}

describe.each(ARCHES)('parseElf on the real $dir guest binaries', (a) => {
  it.each(['hello', 'hello_musl', 'args'])(`%s is a static ET_EXEC for machine ${a.machine}`, (name) => {
    const file = real(a.dir, name);
    const img = parseElf(file);
    expect(img.machine).toBe(a.machine);
    expect(img.type).toBe(ET_EXEC);
    expect(img.phentsize).toBe(56);
    expect(img.phdrs.length).toBe(img.phnum);
    expect(img.phdrs.some((p) => p.type === PT_INTERP)).toBe(false);
    const loads = img.phdrs.filter((p) => p.type === PT_LOAD);
    expect(loads.length).toBeGreaterThan(0);
    for (const p of loads) {
      expect(p.filesz).toBeLessThanOrEqual(p.memsz);
      expect(p.offset + p.filesz).toBeLessThanOrEqual(file.length);
    }
    // The entry point lies in an executable PT_LOAD.
    const text = loads.find((p) => img.entry >= p.vaddr && img.entry < p.vaddr + p.memsz);
    expect(text).toBeDefined();
    expect(text!.flags & PF_X).toBe(PF_X);
    expect(img.execStack).toBe(false);
  });

  it('agrees with the raw header fields (entry, phoff, phnum)', () => {
    const file = real(a.dir);
    const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const img = parseElf(file);
    expect(img.entry).toBe(Number(dv.getBigUint64(24, true)));
    expect(img.phoff).toBe(Number(dv.getBigUint64(32, true)));
    expect(img.phnum).toBe(dv.getUint16(56, true));
    expect(img.entry).toBeGreaterThanOrEqual(0x400000);
  });

  it('a static-pie build is ET_DYN with a low entry and no PT_INTERP', () => {
    const img = parseElf(pie[a.dir]);
    expect(img.type).toBe(ET_DYN);
    expect(img.machine).toBe(a.machine);
    expect(img.phdrs.some((p) => p.type === PT_INTERP)).toBe(false);
    expect(img.entry).toBeLessThan(0x400000); // relative to the load bias
    expect(img.phdrs.filter((p) => p.type === PT_LOAD).length).toBeGreaterThan(0);
  });
});

describe('parseElf rejects bad input with ExecFormatError', () => {
  it('random bytes: "not an ELF file"', () => {
    let seed = 12345;
    const rnd = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    rnd[0] = 0x12;
    const e = errorOf(rnd);
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e).not.toBeInstanceOf(DynamicallyLinked);
    expect(e.message).toBe('not an ELF file');
  });

  it('an empty file and a shell script are not ELF files', () => {
    expect(errorOf(new Uint8Array(0)).message).toBe('not an ELF file');
    expect(errorOf(new TextEncoder().encode('#!/bin/sh\necho hi\n')).message).toBe('not an ELF file');
  });

  it('the ELF magic alone: "truncated ELF header"', () => {
    const e = errorOf(real('x86_64').subarray(0, 20));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('truncated ELF header');
  });

  it('the first 100 bytes of a real ELF: truncated program header table', () => {
    const e = errorOf(real('x86_64').subarray(0, 100));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toMatch(/truncated program header table/);
  });

  it('a real ELF cut in the middle of a segment: "truncated segment"', () => {
    const file = real('x86_64');
    const e = errorOf(file.subarray(0, 0x2000));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('truncated segment');
  });

  it('a 32-bit ELF: "32-bit ELF is not supported"', () => {
    expect(elf32[4]).toBe(1); // ELFCLASS32, whichever way it was made
    const e = errorOf(elf32);
    expect(e, `32-bit ELF made by ${elf32Source}`).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('32-bit ELF is not supported');
  });

  it('an unknown ELF class: "bad ELF class"', () => {
    expect(errorOf(patched(real('x86_64'), (_dv, b) => { b[4] = 7; })).message).toBe('bad ELF class');
  });

  it('a dynamically linked ELF (/bin/true) throws DynamicallyLinked', () => {
    const e = errorOf(readFileSync('/bin/true'));
    expect(e).toBeInstanceOf(DynamicallyLinked);
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toMatch(/dynamically linked.*-static/);
  });

  it('a big-endian header: "big-endian ELF is not supported"', () => {
    const e = errorOf(patched(real('x86_64'), (_dv, b) => { b[5] = 2; }));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('big-endian ELF is not supported');
  });

  it('a wrong machine (EM_ARM = 40): "unsupported machine 40"', () => {
    const e = errorOf(patched(real('x86_64'), (dv) => dv.setUint16(18, 40, true)));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('unsupported machine 40');
  });

  it('a relocatable object (ET_REL) is not an executable', () => {
    const e = errorOf(patched(real('aarch64'), (dv) => dv.setUint16(16, 1, true)));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('not an executable (e_type 1)');
  });

  it('a program header table pointing past the end of the file', () => {
    const file = real('x86_64');
    const e = errorOf(patched(file, (dv) => dv.setBigUint64(32, BigInt(file.length - 10), true)));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('truncated program header table');
  });

  it('a program header offset near 2^64 does not wrap around', () => {
    const e = errorOf(patched(real('x86_64'), (dv) => dv.setBigUint64(32, 0xffff_ffff_ffff_ffc0n, true)));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('truncated program header table');
  });

  it.each([
    ['phentsize 32', (dv: DataView) => dv.setUint16(54, 32, true)],
    ['phnum 0', (dv: DataView) => dv.setUint16(56, 0, true)],
  ])('a bad program header table (%s)', (_n, fn) => {
    const e = errorOf(patched(real('x86_64'), fn));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('bad program header table');
  });

  it('a PT_LOAD with filesz > memsz', () => {
    const file = real('x86_64');
    const [off] = phdrOffsets(file, PT_LOAD);
    const e = errorOf(patched(file, (dv) => {
      const memsz = dv.getBigUint64(off + 40, true);
      dv.setBigUint64(off + 32, memsz + 1n, true);
    }));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('segment file size exceeds memory size');
  });

  it('a PT_LOAD whose offset and vaddr disagree modulo the page size', () => {
    const file = real('aarch64');
    const off = phdrOffsets(file, PT_LOAD)[1];
    const e = errorOf(patched(file, (dv) => dv.setBigUint64(off + 16, dv.getBigUint64(off + 16, true) + 8n, true)));
    expect(e.message).toBe('misaligned segment');
  });

  it('a PT_LOAD reaching above 2^48 (no supported machine has user space there)', () => {
    const file = real('x86_64');
    const off = phdrOffsets(file, PT_LOAD)[0];
    const e = errorOf(patched(file, (dv) => dv.setBigUint64(off + 16, 0xffff_ffff_f000n + 0x1000n, true)));
    expect(e).toBeInstanceOf(ExecFormatError);
    expect(e.message).toBe('segment outside the user address space');
  });

  it('a PT_LOAD between 2^47 and 2^48 parses: aarch64 user space is 2^48, mapImage checks per arch', () => {
    const file = real('aarch64');
    const off = phdrOffsets(file, PT_LOAD)[0];
    const img = parseElf(patched(file, (dv) => dv.setBigUint64(off + 16, 0x8000_0000_0000n + (dv.getBigUint64(off + 16, true) & 0xfffn), true)));
    expect(img.phdrs.find((p) => p.type === PT_LOAD)!.vaddr).toBeGreaterThanOrEqual(2 ** 47);
  });

  it('no PT_LOAD at all: "no loadable segment"', () => {
    const file = real('x86_64');
    const e = errorOf(patched(file, (dv) => { for (const o of phdrOffsets(file, PT_LOAD)) dv.setUint32(o, 4, true); }));
    expect(e.message).toBe('no loadable segment');
  });

  it('random corruption of the headers only ever yields an image or an ExecFormatError', () => {
    const file = Uint8Array.from(real('x86_64').subarray(0, 0x2000 + 64));
    const dv = new DataView(file.buffer);
    // Keep the segments inside this prefix so the valid case can still parse.
    const cut = phdrOffsets(real('x86_64'), PT_LOAD);
    for (const o of cut) { dv.setBigUint64(o + 8, 0n, true); dv.setBigUint64(o + 32, 0x100n, true); dv.setBigUint64(o + 16, dv.getBigUint64(o + 16, true) & ~0xfffn, true); }
    expect(parseElf(file).phdrs.length).toBe(10);
    const headerEnd = 64 + 10 * 56;
    let seed = 7, accepted = 0, rejected = 0;
    const rnd = (n: number) => ((seed = (seed * 1664525 + 1013904223) >>> 0) % n);
    for (let i = 0; i < 3000; i++) {
      const copy = Uint8Array.from(file);
      for (let k = 1 + rnd(4); k > 0; k--) copy[rnd(headerEnd)] = rnd(256);
      try { parseElf(copy); accepted++; } catch (e) {
        if (!(e instanceof ExecFormatError)) throw new Error(`host exception on mutation ${i}: ${e}`);
        rejected++;
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
