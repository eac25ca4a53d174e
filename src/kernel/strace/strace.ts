// --strace: one line per syscall in strace's format, from the same name table the
// dispatcher uses. Arguments are decoded by the per-call specs in ./specs.ts; output
// buffers are read after the call (as strace does), strings are quoted and cut at 32 bytes.
import type { SyscallTracer } from '../dispatch.js';
import { errnoMessage, errnoName } from '../errno.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import { ArgKind, SPECS, flagNames } from './specs.js';

const MAX_STR = 32;

export function quote(bytes: Uint8Array, max = MAX_STR): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0c) s += '\\f';
    else if (c === 0x0b) s += '\\v';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + c.toString(8);
  }
  s += '"';
  if (bytes.length > max) s += '...';
  return s;
}

const hex = (v: number) => (v < 0 ? '0x' + (BigInt(v) & 0xffff_ffff_ffff_ffffn).toString(16) : '0x' + v.toString(16));

export class Strace implements SyscallTracer {
  constructor(
    readonly kernel: Kernel,
    /** Where lines go; undefined collects names only. */
    readonly out: ((line: string) => void) | undefined,
    /** If given, every completed call's name is pushed here (compare). */
    readonly names?: string[],
  ) {}

  #prefix(t: Task): string {
    return this.kernel.processes.size > 1 ? `[pid ${t.proc.pid}] ` : '';
  }

  enter(): void {}

  exit(t: Task, name: string, args: number[], ret: number | undefined, blocked?: boolean): void {
    if (blocked) return;
    this.names?.push(name);
    if (!this.out) return;
    const line = `${this.#prefix(t)}${name}(${this.formatArgs(t, name, args, ret)}) = ${this.formatRet(name, ret)}`;
    this.out(line);
    if (ret === undefined && (name === 'exit_group' || name === 'exit')) {
      this.out(`${this.#prefix(t)}+++ exited with ${args[0] & 0xff} +++`);
    }
  }

  /** A line for a signal that killed the process (`+++ killed by SIGSEGV +++`). */
  note(line: string): void { this.out?.(line); }

  formatRet(name: string, ret: number | undefined): string {
    if (ret === undefined) return '?';
    if (ret < 0 && ret >= -4095) return `-1 ${errnoName(-ret)} (${errnoMessage(-ret)})`;
    const kind = SPECS[name]?.ret;
    if (kind === 'hex' || (ret > 0xffff && kind !== 'int')) return hex(ret);
    return String(ret);
  }

  formatArgs(t: Task, name: string, args: number[], ret: number | undefined): string {
    const spec = SPECS[name];
    if (!spec) return args.slice(0, 3).map(hex).join(', ');
    return spec.args.map((k, i) => this.arg(t, k, args, i, ret)).join(', ');
  }

  arg(t: Task, kind: ArgKind, args: number[], i: number, ret: number | undefined): string {
    const v = args[i];
    try {
      switch (kind) {
        case 'int': return String(v | 0);
        case 'long': return String(v);
        case 'uint': return String(v);
        case 'hex': return hex(v);
        case 'ptr': return v === 0 ? 'NULL' : hex(v);
        case 'oct': return '0' + (v >>> 0).toString(8);
        case 'fd': case 'dirfd': return (v | 0) === -100 ? 'AT_FDCWD' : String(v | 0);
        case 'path': return v === 0 ? 'NULL' : quote(t.mem.cbytes(v, 4096), 4096);
        case 'ibuf': return v === 0 ? 'NULL' : quote(t.mem.read(v, Math.min(args[i + 1], MAX_STR + 1)));
        case 'obuf': {
          if (ret === undefined || ret < 0) return hex(v);
          return quote(t.mem.read(v, Math.min(ret, MAX_STR + 1)));
        }
        case 'iov': case 'oiov': {
          if (kind === 'oiov' && (ret === undefined || ret < 0)) return hex(v);
          const vecs = t.mem.iovecs(v, Math.min(args[i + 1], 8));
          let left = kind === 'oiov' ? ret! : Infinity;
          const parts = vecs.map((x) => {
            const n = Math.min(x.len, left, MAX_STR + 1);
            left -= Math.min(x.len, left);
            return `{iov_base=${quote(t.mem.read(x.base, n))}, iov_len=${x.len}}`;
          });
          return `[${parts.join(', ')}${args[i + 1] > 8 ? ', ...' : ''}]`;
        }
        case 'str': return quote(t.mem.cbytes(v, 4096), 4096);
        default: return flagNames(kind, v, t.proc.arch);
      }
    } catch {
      return hex(v);
    }
  }
}
