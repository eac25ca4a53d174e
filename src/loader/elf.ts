// ELF64 parsing for static executables (ET_EXEC) and static-pie (ET_DYN without PT_INTERP).
// Every offset and size read from the file is bounds-checked: a malformed file is an
// ExecFormatError, never a host exception.

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** The file is not something execve can run ("Exec format error", ENOEXEC). */
export class ExecFormatError extends Error {}
/** A dynamically linked program: ucrun runs static binaries only. */
export class DynamicallyLinked extends ExecFormatError {}

export interface ProgramHeader {
  type: number; flags: number; offset: number; vaddr: number; filesz: number; memsz: number; align: number;
}

export interface ElfImage {
  machine: number;
  type: number;
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  phdrs: ProgramHeader[];
  /** Whether the stack should be executable (PT_GNU_STACK with PF_X, or none). */
  execStack: boolean;
}

const u64 = (dv: DataView, off: number) => dv.getUint32(off + 4, true) * 4294967296 + dv.getUint32(off, true);

export function parseElf(file: Uint8Array): ElfImage {
  if (file.length < 4 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) {
    throw new ExecFormatError('not an ELF file');
  }
  if (file.length < 64) throw new ExecFormatError('truncated ELF header');
  if (file[4] !== 2) throw new ExecFormatError(file[4] === 1 ? '32-bit ELF is not supported' : 'bad ELF class');
  if (file[5] !== 1) throw new ExecFormatError('big-endian ELF is not supported');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_X86_64 && machine !== EM_AARCH64) throw new ExecFormatError(`unsupported machine ${machine}`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ExecFormatError(`not an executable (e_type ${type})`);
  const entry = u64(dv, 24);
  const phoff = u64(dv, 32);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize !== 56 || phnum === 0 || phnum > 4096) throw new ExecFormatError('bad program header table');
  if (phoff + phnum * phentsize > file.length) throw new ExecFormatError('truncated program header table');
  const phdrs: ProgramHeader[] = [];
  let execStack = true;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const ph: ProgramHeader = {
      type: dv.getUint32(o, true), flags: dv.getUint32(o + 4, true), offset: u64(dv, o + 8),
      vaddr: u64(dv, o + 16), filesz: u64(dv, o + 32), memsz: u64(dv, o + 40), align: u64(dv, o + 48),
    };
    if (ph.type === PT_INTERP) throw new DynamicallyLinked('dynamically linked: build with -static');
    if (ph.type === PT_GNU_STACK) execStack = (ph.flags & PF_X) !== 0;
    if (ph.type === PT_LOAD) {
      if (ph.filesz > ph.memsz) throw new ExecFormatError('segment file size exceeds memory size');
      if (ph.offset + ph.filesz > file.length) throw new ExecFormatError('truncated segment');
      if ((ph.offset % 4096) !== (ph.vaddr % 4096)) throw new ExecFormatError('misaligned segment');
      // No supported machine has more than 2^48 bytes of user space (aarch64; x86_64 has
      // less). The exact per-arch bound, load bias included, is checked by mapImage.
      if (ph.vaddr + ph.memsz > 2 ** 48) throw new ExecFormatError('segment outside the user address space');
    }
    phdrs.push(ph);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) throw new ExecFormatError('no loadable segment');
  return { machine, type, entry, phoff, phentsize, phnum, phdrs, execStack };
}
