// Building a new program image (fs/binfmt_elf.c, fs/binfmt_script.c): the first process and
// execve share it. Everything here happens before execve's point of no return: on error the
// new address space is destroyed and the caller's process is untouched.
import { bytesToString } from '../abi/bytes.js';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { aarch64 } from '../arch/aarch64/arch.js';
import type { ArchSpec } from '../arch/arch.js';
import { x86_64 } from '../arch/x86_64/arch.js';
import type { Engine } from '../engine/engine.js';
import { DynamicallyLinked, EM_AARCH64, ExecFormatError, parseElf } from '../loader/elf.js';
import { buildStack, checkSegments, mapImage, StartInfo } from '../loader/load.js';
import { AddressSpace } from '../mm/address_space.js';
import { GuestMemory } from '../mm/guest_memory.js';
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';

export interface Image { arch: ArchSpec; mm: AddressSpace; start: StartInfo }

/** Why an image could not be built: an errno for execve, a message for the CLI. */
export class ExecFailure extends Error {
  constructor(readonly errno: number, message: string) { super(message); }
}

export const archOf = (machine: number): ArchSpec => (machine === EM_AARCH64 ? aarch64 : x86_64);

/** The arch of an ELF file, or an ExecFailure (ENOEXEC). */
export function parseProgram(file: Uint8Array) {
  try {
    return parseElf(file);
  } catch (e) {
    if (e instanceof DynamicallyLinked) throw new ExecFailure(Errno.ENOEXEC, 'dynamically linked: build with -static');
    if (e instanceof ExecFormatError) throw new ExecFailure(Errno.ENOEXEC, `Exec format error (${e.message})`);
    throw e;
  }
}

/**
 * Map `file` into a fresh address space and lay out its stack. `probe` is an engine of the
 * same arch for AT_HWCAP (x86 asks the emulated CPU), or undefined to use a scratch one.
 */
export function buildImage(
  kernel: Kernel, file: Uint8Array, argv: string[], envp: string[], execfn: string, probe: (arch: ArchSpec) => Engine,
  creds: { uid: number; euid: number; gid: number; egid: number },
): Image {
  const elf = parseProgram(file);
  const arch = archOf(elf.machine);
  try { checkSegments(arch, elf); } catch (e) {
    if (e instanceof ExecFormatError) throw new ExecFailure(Errno.ENOEXEC, `Exec format error (${e.message})`);
    throw e;
  }
  const mm = new AddressSpace(kernel.phys, arch.taskSize);
  try {
    const mem = new GuestMemory(mm, kernel.phys);
    const bias = mapImage(mm, mem, arch, elf, file);
    mapTrampoline(kernel, mm, arch);
    const ids = { uid: creds.uid, euid: creds.euid, gid: creds.gid, egid: creds.egid };
    const start = buildStack(mm, mem, arch, elf, bias, argv, envp, execfn, arch.hwcaps(probe(arch)), ids, randomBytes(16), elf.execStack);
    return { arch, mm, start };
  } catch (e) {
    mm.destroy();
    throw e;
  }
}

/**
 * The signal-return trampoline page (aarch64 returns from handlers through it when libc
 * sets no SA_RESTORER, where Linux uses the vDSO's __kernel_rt_sigreturn). It is not a vDSO
 * image, so AT_SYSINFO_EHDR is not announced.
 */
function mapTrampoline(kernel: Kernel, mm: AddressSpace, arch: ArchSpec): void {
  if (!arch.trampoline) return;
  const { addr, code } = arch.trampoline;
  mm.map(addr, 4096, 1 | 2, false, '[sigpage]');
  new GuestMemory(mm, kernel.phys).write(addr, code);
  mm.protect(addr, 4096, 1 | 4);
}

/** `#!interpreter [arg]` of a script, or undefined (fs/binfmt_script.c, 256-byte line). */
export function parseShebang(file: Uint8Array): { interp: string; arg?: string } | undefined {
  if (file.length < 2 || file[0] !== 0x23 || file[1] !== 0x21) return undefined;
  let end = file.indexOf(0x0a);
  if (end < 0 || end >= 256) {
    // binfmt_script with no newline in its 256-byte buffer (zero-padded past the file's end):
    // a name that starts at a NUL is the empty interpreter, which execve refuses (EACCES).
    let i = 2;
    while (i < file.length && i < 256 && (file[i] === 0x20 || file[i] === 0x09)) i++;
    if (i >= file.length || file[i] === 0) return { interp: '' };
  }
  if (end < 0) end = Math.min(file.length, 256);
  const line = bytesToString(file.subarray(2, Math.min(end, 256))).replace(/[ \t]+$/, '');
  const m = /^[ \t]*(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!m) return undefined;
  return { interp: m[1], arg: m[2]?.length ? m[2] : undefined };
}

/** Largest program file read whole into memory. */
const MAX_PROGRAM_BYTES = 1 << 30;

/**
 * Read a host file that must be a regular file, without ever blocking: it is opened
 * non-blocking and checked after opening (a FIFO or device swapped in after a stat is refused,
 * not read). Throws on anything else.
 */
export function readRegularFile(path: string | Buffer): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_PROGRAM_BYTES) throw new Error('file too large');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
