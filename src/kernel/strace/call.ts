// What an argument decoder sees of one traced call, and the small readers every decoder
// uses. Decoders run twice per call like strace's: input arguments when the call is entered
// (before the kernel changes anything), output arguments when it has returned. A decoder
// that cannot read guest memory throws; the tracer then prints the raw address.
import type { SigreturnFrame } from '../../arch/signal_frame.js';
import type { ArchAbiData, StructLayout } from '../abi.js';
import { readField } from '../abi.js';
import { MAX_STR, addr, quote, u64 } from './format.js';

/** The guest memory a decoder may read (GuestMemory, or a fake in tests). */
export interface Mem {
  read(addr: number, len: number): Uint8Array;
  /** Bytes up to (not including) a NUL, at most `max`; throws if there is no NUL. */
  cbytes(addr: number, max: number): Uint8Array;
}

export interface Call {
  readonly name: string;
  readonly mem: Mem;
  /** The arch's layouts and O_* values. */
  readonly data: ArchAbiData;
  readonly args: readonly number[];
  /** The result; undefined while entering (and for calls that do not return). */
  ret: number | undefined;
  /** What input/output arguments read before the call (e.g. the socklen passed in), by index. */
  readonly saved: Record<number, unknown>;
  /** rt_sigreturn only: the stack pointer at the call, and the arch's frame layout found from it. */
  readonly sp?: number;
  readonly sigreturn?: SigreturnFrame;
}

/** One argument's decoder. */
export interface ArgDef {
  /** Printed after the call (output buffers, structs the kernel fills). */
  readonly out?: boolean;
  /** Runs when the call is entered; its result is kept in `c.saved[i]` for `fmt`. */
  readonly save?: (c: Call, i: number) => unknown;
  /** The argument's text; null leaves the argument out (openat's mode without O_CREAT). */
  readonly fmt: (c: Call, i: number) => string | null;
}

/** How the value after "= " prints for a successful call: hex, octal, or a full custom text. */
export type RetFmt = 'hex' | 'oct' | ((c: Call, ret: number) => string);

export interface Spec { readonly args: readonly (string | ArgDef)[]; readonly ret?: RetFmt }

/** The call failed (or has not returned): output structs print as their address. */
export const failed = (c: Call): boolean => c.ret === undefined || (c.ret < 0 && c.ret >= -4095);

export const inp = (fmt: ArgDef['fmt'], save?: ArgDef['save']): ArgDef => ({ fmt, save });
/** An output argument: `fmt` runs only after a successful call; otherwise the address prints. */
export const outp = (fmt: ArgDef['fmt'], save?: ArgDef['save']): ArgDef =>
  ({ out: true, save, fmt: (c, i) => (failed(c) ? addr(c.args[i]) : fmt(c, i)) });

// --- readers ------------------------------------------------------------------

export function view(c: Call, at: number, len: number): DataView {
  const b = c.mem.read(at, len);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A struct at `at` read whole, with a field getter (numbers; 8-byte fields exact below 2^53). */
export function struct<K extends string>(c: Call, at: number, l: StructLayout<K>) {
  const dv = view(c, at, l.size);
  return { dv, get: (k: K, signed = false) => readField(dv, 0, l.fields[k], signed) };
}

export const i32 = (c: Call, at: number): number => view(c, at, 4).getInt32(0, true);
export const u32 = (c: Call, at: number): number => view(c, at, 4).getUint32(0, true);
export const i64 = (c: Call, at: number): bigint => view(c, at, 8).getBigInt64(0, true);
export const q64 = (c: Call, at: number): bigint => view(c, at, 8).getBigUint64(0, true);

/** printstrn(): `len` bytes at `at`, quoted and cut at 32 (NULL for a null pointer). */
export function str(c: Call, at: number, len: number, hexOnly = false): string {
  if (at === 0) return 'NULL';
  const n = Number(u64(len) > BigInt(MAX_STR + 1) ? MAX_STR + 1 : u64(len));
  return quote(c.mem.read(at, n), MAX_STR, hexOnly);
}

/** printpath(): a NUL-terminated path, never cut at 32. */
export function path(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const b = c.mem.cbytes(at, 4096);
  return quote(b, b.length);
}

/** printnum_int(): `[5]`. */
export const intp = (c: Call, at: number): string => (at === 0 ? 'NULL' : `[${i32(c, at)}]`);

/** print_array(): up to 32 elements, then `...`. */
export function array(count: number, item: (k: number) => string, limit = MAX_STR): string {
  const parts: string[] = [];
  for (let k = 0; k < count; k++) {
    if (k >= limit) { parts.push('...'); break; }
    parts.push(item(k));
  }
  return `[${parts.join(', ')}]`;
}
