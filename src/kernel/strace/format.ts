// Low-level pieces of strace's output language: quoted strings (-s 32), hex and octal
// numbers as printf's %#x / %#o print them, flag sets and named values ("xlat" tables in
// strace's own order), signal names and sigsets. Everything here is pure: no guest memory.
import { MODE, SIG } from '../abi.js';

/** An ordered name -> value table, as strace's src/xlat/*.in lists it. */
export type Xlat = ReadonlyArray<readonly [name: string, value: number]>;

/** strace's default -s: strings are cut after this many bytes and "..." is appended. */
export const MAX_STR = 32;

const OCT = (c: number) => String.fromCharCode(0x30 + c);

/**
 * A byte string quoted as strace's string_quote() does: printable ASCII as is, C escapes for
 * \t \n \v \f \r " \\, other bytes in octal (three digits when an octal digit follows);
 * `hex` (QUOTE_FORCE_HEX, as getrandom uses) prints every byte as \xNN. More than `max`
 * bytes: the first `max` and `...` after the closing quote.
 */
export function quote(bytes: Uint8Array, max = MAX_STR, hex = false): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (hex) { s += '\\x' + c.toString(16).padStart(2, '0'); continue; }
    switch (c) {
      case 0x22: s += '\\"'; continue;
      case 0x5c: s += '\\\\'; continue;
      case 0x0a: s += '\\n'; continue;
      case 0x09: s += '\\t'; continue;
      case 0x0d: s += '\\r'; continue;
      case 0x0c: s += '\\f'; continue;
      case 0x0b: s += '\\v'; continue;
    }
    if (c >= 0x20 && c < 0x7f) { s += String.fromCharCode(c); continue; }
    const next = i + 1 < n ? bytes[i + 1] : -1;
    s += '\\';
    if (next >= 0x30 && next <= 0x37) s += OCT(c >> 6) + OCT((c >> 3) & 7);
    else if (c >> 3) { if (c >> 6) s += OCT(c >> 6); s += OCT((c >> 3) & 7); }
    s += OCT(c & 7);
  }
  return s + '"' + (bytes.length > max ? '...' : '');
}

/** Two's-complement 64-bit view of a syscall argument (numbers may be negative). */
export const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));

/** printf("%#llx"): 0 stays "0". */
export function hex(v: number | bigint): string {
  const b = u64(v);
  return b === 0n ? '0' : '0x' + b.toString(16);
}

/** An address: NULL or hex (strace's printaddr). */
export const addr = (v: number): string => (v === 0 ? 'NULL' : hex(v));

/** printf("%#03o"), strace's print_numeric_umode_t: 0 -> "000", 0644 -> "0644". */
export function oct(v: number): string {
  const s = (v >>> 0).toString(8);
  return s === '0' ? '000' : ('0' + s).padStart(3, '0');
}

/** Unsigned 64-bit decimal (size_t). */
export const udec = (v: number): string => (v >= 0 && Number.isSafeInteger(v) ? String(v) : u64(v).toString());

/**
 * printflags(): known bits in table order, then leftover bits in hex. Zero prints the table's
 * zero-valued name if it has one, else "0" ("" when `dflt` is null, as termios flags do).
 * Only unknown bits: hex, followed by `/* MSG_??? *\/` when `dflt` names the prefix.
 */
export function flags(v: number | bigint, table: Xlat, dflt?: string | null): string {
  let rest = u64(v);
  if (rest === 0n) {
    const z = table.find(([, x]) => x === 0);
    return z ? z[0] : dflt === null ? '' : '0';
  }
  const parts: string[] = [];
  for (const [name, x] of table) {
    const b = u64(x);
    if (b !== 0n && (rest & b) === b) { parts.push(name); rest &= ~b; }
  }
  if (!parts.length) return dflt ? `${hex(rest)} /* ${dflt} */` : hex(rest);
  if (rest) parts.push(hex(rest));
  return parts.join('|');
}

/** printxval(): the value's name, else `0x63 /* CLOCK_??? *\/`. */
export function xval(v: number, table: Xlat, dflt: string): string {
  for (const [name, x] of table) if (x === v) return name;
  return `${hex(v)} /* ${dflt} */`;
}

/** Like xval but unknown values in decimal without a comment (used where strace prints %d). */
export function xvalDec(v: number, table: Xlat): string {
  for (const [name, x] of table) if (x === v) return name;
  return String(v);
}

// ---------------------------------------------------------------------------
// Signals: strace's signalent (SIGHUP..SIGSYS, SIGRTMIN = 32), then SIGRT_n.

const SIGNAMES: string[] = [];
for (const [name, n] of Object.entries(SIG)) SIGNAMES[n] ??= name;

/** signame(): "SIGPIPE", "SIGRTMIN", "SIGRT_8"; undefined outside 1..64. */
export function signame(sig: number): string | undefined {
  if (sig > 0 && sig < SIGNAMES.length) return SIGNAMES[sig];
  if (sig >= 32 && sig <= 64) return `SIGRT_${sig - 32}`;
  return undefined;
}

/** printsignal(): a name or the number. */
export const signal = (sig: number): string => signame(sig | 0) ?? String(sig | 0);

/**
 * sprintsigmask_n(): `[INT USR1]`, or `~[RTMIN RT_1]` when 2/3 or more of the bits are set.
 * `bytes` is the sigset size read (8 for rt_* calls).
 */
export function sigmask(mask: bigint, bytes = 8): string {
  const bits = Math.min(bytes, 8) * 8;
  const words = Math.ceil(Math.min(bytes, 8) / 4);
  let m = BigInt.asUintN(bits, mask);
  let pop = 0;
  for (let x = m; x; x >>= 1n) pop += Number(x & 1n);
  let s = '';
  if (pop >= Math.floor((words * 32 * 2) / 3)) { s = '~'; m = BigInt.asUintN(words * 32, ~m); }
  const names: string[] = [];
  for (let i = 0; i < words * 32; i++) {
    if (!((m >> BigInt(i)) & 1n)) continue;
    const sig = i + 1;
    names.push(sig < SIGNAMES.length ? SIGNAMES[sig].slice(3) : sig <= 64 ? `RT_${sig - 32}` : String(sig));
  }
  return `${s}[${names.join(' ')}]`;
}

// ---------------------------------------------------------------------------
// File modes and times.

const MODETYPES: Xlat = [
  ['S_IFREG', MODE.S_IFREG], ['S_IFSOCK', MODE.S_IFSOCK], ['S_IFIFO', MODE.S_IFIFO], ['S_IFLNK', MODE.S_IFLNK],
  ['S_IFDIR', MODE.S_IFDIR], ['S_IFBLK', MODE.S_IFBLK], ['S_IFCHR', MODE.S_IFCHR],
];

/** print_symbolic_mode_t(): `S_IFDIR|S_ISVTX|0777`, `S_IFREG|0644`. */
export function symbolicMode(mode: number): string {
  const fmt = mode & MODE.S_IFMT;
  const type = fmt ? MODETYPES.find(([, v]) => v === fmt)?.[0] : '';
  if (type === undefined) return oct(mode);
  return (type ? type + '|' : '') + (mode & MODE.S_ISUID ? 'S_ISUID|' : '') + (mode & MODE.S_ISGID ? 'S_ISGID|' : '')
    + (mode & MODE.S_ISVTX ? 'S_ISVTX|' : '') + oct(mode & 0o777);
}

/** sprinttime(): `2026-11-26T12:06:28+0000` in local time, as strace prints time(2) results. */
export function isoTime(sec: number): string {
  const d = new Date(sec * 1000);
  const off = -d.getTimezoneOffset();
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
    + `${off < 0 ? '-' : '+'}${p(Math.trunc(off / 60))}${p(off % 60)}`;
}
