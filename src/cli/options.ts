// The options `ucrun run` and `ucrun compare` share.

/** Options shared by `run` and `compare`, as parsed, plus their raw words (compare passes them on). */
export interface ParsedOptions {
  strace: string | null; root?: string; memLimit?: number; maxProcs?: number; seed?: number; timeoutMs?: number; sliceMs?: number;
  uid?: number; gid?: number;
  env: Map<string, string>; raw: string[];
}

/** Options up to the first non-option word (or `--`); returns them and the index of the rest, or an error line. */
export function parseOptions(argv: string[], extra: (a: string) => boolean = () => false): { o: ParsedOptions; next: number } | string {
  const o: ParsedOptions = { strace: null, env: new Map(), raw: [] };
  const value = (i: number, what: string): string => {
    const v = argv[i];
    if (v === undefined) throw new Error(`${what} needs a value`);
    return v;
  };
  let i = 0;
  try {
    for (; i < argv.length; i++) {
      const a = argv[i];
      const start = i;
      if (a === '--') { i++; break; }
      if (extra(a)) continue;
      if (a === '--strace') o.strace = '-';
      else if (a.startsWith('--strace=')) o.strace = a.slice(9);
      else if (a === '--root') o.root = value(++i, a);
      else if (a.startsWith('--root=')) o.root = a.slice(7);
      else if (a === '-E') { const kv = value(++i, a); const eq = kv.indexOf('='); if (eq > 0) o.env.set(kv.slice(0, eq), kv.slice(eq + 1)); }
      else if (a === '--mem-limit') o.memLimit = Number(value(++i, a)) * 1024 * 1024;
      else if (a === '--max-procs') o.maxProcs = Number(value(++i, a));
      else if (a === '--seed') o.seed = Number(value(++i, a));
      else if (a === '--timeout') o.timeoutMs = Number(value(++i, a)) * 1000;
      else if (a === '--slice-ms') o.sliceMs = Number(value(++i, a));
      else if (a === '--uid') o.uid = Number(value(++i, a));
      else if (a === '--gid') o.gid = Number(value(++i, a));
      else if (a.startsWith('-')) return `ucrun: unknown option ${a}`;
      else break;
      o.raw.push(...argv.slice(start, i + 1));
    }
  } catch (e) { return `ucrun: ${(e as Error).message}`; }
  if (o.memLimit !== undefined && !(o.memLimit > 0)) return 'ucrun: --mem-limit needs a positive number of MiB';
  if (o.maxProcs !== undefined && !(Number.isInteger(o.maxProcs) && o.maxProcs > 0)) return 'ucrun: --max-procs needs a positive integer';
  if (o.seed !== undefined && !Number.isInteger(o.seed)) return 'ucrun: --seed needs an integer';
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) return 'ucrun: --timeout needs a positive number of seconds';
  if (o.sliceMs !== undefined && !(o.sliceMs > 0)) return 'ucrun: --slice-ms needs a positive number';
  for (const [k, v] of [['--uid', o.uid], ['--gid', o.gid]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v < 0xffffffff)) return `ucrun: ${k} needs an id from 0 to 4294967294`;
  }
  return { o, next: i };
}

