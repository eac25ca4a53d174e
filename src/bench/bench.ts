// `npm run bench`: wall-time benchmarks of ucrun against native execution and qemu-user.
//
// For every entry of BENCHES and every guest arch, the program is run by each runner
// (x86_64: native, ucrun, qemu-x86_64; aarch64: ucrun, qemu-aarch64; "native" is whichever
// arch the host is) N times, round-robin so that drift hits every runner alike, after one
// untimed warm-up round. One sample is the wall time of one whole process, spawnSync
// measured with performance.now(). The report gives medians, the ratios ucrun/native and
// ucrun/qemu-user, and PASS/MISS for each entry's target; build/bench.json keeps everything.
//
// Entries with `marginal` are also run at a smaller count n, and their target is checked on
// the marginal cost (t(n_big) - t(n_small)) / (n_big - n_small), which cancels start-up.
//
// Every run is checked: exit status 0 and stdout identical (after dropping `arch:` lines)
// to every other run of the same program and arguments, on every runner and arch. Any
// misbehaving run stops the benchmark with exit status 1.
//
// Usage: node dist/bench/bench.js [--runs N] [--quick] [--only NAME[,NAME...]] [--strict]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadUnicorn } from '../engine/unicorn.js';

// ---------------------------------------------------------------------------------------
// The benchmark table. A new benchmark is one entry here.

export type Arch = 'x86_64' | 'aarch64';
export type RunnerId = 'native' | 'ucrun' | 'qemu';

export interface Target {
  /** What ucrun is compared with. */
  vs: 'qemu' | 'native';
  /** metric 'time' (default): PASS when ucrun time / reference time <= ratio.
   *  metric 'throughput': PASS when ucrun throughput / reference throughput >= ratio. */
  ratio: number;
  metric?: 'time' | 'throughput';
}

export interface Bench {
  name: string;
  /** File name under guest/build/<arch>/. */
  program: string;
  /** Arguments of the main (whole-process) run. */
  args: string[];
  target?: Target;
  /** Also time a second count and judge the target on the per-unit cost. */
  marginal?: { n: [small: number, big: number]; args: (n: number) => string[]; unit: string };
  /** Bytes the main run moves, to print a throughput. */
  bytes?: number;
  /** Extra `ucrun run` options (e.g. --slice-ms). */
  ucrunOptions?: string[];
  /** Skipped with a note (instead of failing) when the program has not been built. */
  optional?: boolean;
  note?: string;
}

const MiB = 1024 * 1024;

export const BENCHES: Bench[] = [
  {
    name: 'bench_cpu', program: 'bench_cpu', args: [],
    target: { vs: 'qemu', ratio: 2.5 },
    note: 'sieve to 16M + FNV-1a/xorshift hash; ~0.1 s natively',
  },
  {
    name: 'bench_syscall', program: 'bench_syscall', args: ['200000'],
    target: { vs: 'qemu', ratio: 4 },
    marginal: { n: [20000, 200000], args: (n) => [String(n)], unit: 'round trip' },
    note: 'N x (1-byte write /dev/null + 1-byte read /dev/zero)',
  },
  // The socket issue's targets: bulk throughput >= 35% of qemu-user's, round trip <= 4x.
  // Both are judged per unit (two sizes, start-up cancels out).
  {
    name: 'bench_sock', program: 'bench_sock', args: ['512'],
    marginal: { n: [64, 512], args: (n) => [String(n)], unit: 'MiB' },
    target: { vs: 'qemu', ratio: 0.35, metric: 'throughput' },
    bytes: 512 * MiB,
    note: 'socketpair throughput, 64 KiB writes and reads',
  },
  // The AF_UNIX issue's targets: ratios to qemu-user of at most 5x, per unit.
  {
    name: 'bench_accept', program: 'bench_accept', args: ['10000'],
    marginal: { n: [2000, 10000], args: (n) => [String(n)], unit: 'connect+accept+close' },
    target: { vs: 'qemu', ratio: 5 },
    note: 'connect + accept + close over a named socket',
  },
  {
    name: 'bench_epoll', program: 'bench_epoll', args: ['20000'],
    marginal: { n: [4000, 20000], args: (n) => [String(n)], unit: 'round trip' },
    target: { vs: 'qemu', ratio: 5 },
    note: 'write -> epoll_wait -> read echo round trip',
  },
  {
    name: 'bench_sock_rtt', program: 'bench_sock_rtt', args: ['100000'],
    marginal: { n: [10000, 100000], args: (n) => [String(n)], unit: 'round trip' },
    target: { vs: 'qemu', ratio: 4 },
    note: '1-byte socketpair round trip',
  },
  // The threads issue: ratios to qemu-user, per unit. qemu-user runs guest threads on host
  // threads in parallel and uses host futexes; ucrun runs every thread on one host thread.
  {
    name: 'thread_handoff', program: 'bench_thread', args: ['handoff', '20000'],
    marginal: { n: [2000, 20000], args: (n) => ['handoff', String(n)], unit: 'round trip' },
    target: { vs: 'qemu', ratio: 1.5 },
    note: 'mutex + condvar hand-off between two threads',
  },
  {
    name: 'thread_lock', program: 'bench_thread', args: ['lock', '4000000'],
    marginal: { n: [400000, 4000000], args: (n) => ['lock', String(n)], unit: 'lock+unlock' },
    target: { vs: 'qemu', ratio: 2 },
    note: 'uncontended pthread_mutex_lock/unlock (guest atomics only, no syscall)',
  },
  {
    name: 'thread_create', program: 'bench_thread', args: ['create', '4000'],
    marginal: { n: [400, 4000], args: (n) => ['create', String(n)], unit: 'create+join' },
    target: { vs: 'qemu', ratio: 2 },
    note: 'pthread_create of an empty thread + pthread_join',
  },
  {
    name: 'thread_parallel', program: 'bench_thread', args: ['parallel', '400000000'],
    marginal: { n: [40000000, 400000000], args: (n) => ['parallel', String(n)], unit: 'hash round' },
    note: '4 threads hashing: CPU-parallel under qemu-user (4 host threads), serial under ucrun (no target)',
  },
  {
    name: 'bench_cpu_sliced', program: 'bench_cpu', args: [], ucrunOptions: ['--slice-ms', '1'],
    target: { vs: 'qemu', ratio: 2.5 },
    note: 'bench_cpu preempted every 1 ms (--slice-ms 1): the cost of preemption vs bench_cpu',
  },
];

// ---------------------------------------------------------------------------------------
// Runners

const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

const ARCHES: Arch[] = ['x86_64', 'aarch64'];
const HOST_ARCH: Arch | null = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : null;
const UCRUN = join(ROOT, 'bin/ucrun.js');
const RUNNER_LABEL: Record<RunnerId, string> = { native: 'native', ucrun: 'ucrun', qemu: 'qemu-user' };

function runnersFor(arch: Arch): RunnerId[] {
  return arch === HOST_ARCH ? ['native', 'ucrun', 'qemu'] : ['ucrun', 'qemu'];
}

function command(runner: RunnerId, arch: Arch, elf: string, args: string[], opts: string[] = []): [string, string[]] {
  switch (runner) {
    case 'native': return [elf, args];
    case 'ucrun': return [process.execPath, [UCRUN, 'run', ...opts, '--', elf, ...args]];
    case 'qemu': return [`qemu-${arch}`, [elf, ...args]];
  }
}

class BenchFailure extends Error {}

interface Sample { ms: number; stdout: string; raw: string }

/** Reference stdout per program+args, shared by all runners and arches. */
const expected = new Map<string, { stdout: string; who: string }>();

function runOnce(runner: RunnerId, arch: Arch, elf: string, args: string[], opts: string[] = []): Sample {
  const [file, argv] = command(runner, arch, elf, args, opts);
  const t0 = performance.now();
  const r = spawnSync(file, argv, {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8',
    maxBuffer: 64 * MiB, timeout: 300_000,
  });
  const ms = performance.now() - t0;
  const who = `${RUNNER_LABEL[runner]} ${arch}: ${[file, ...argv].map((s) => (s === process.execPath ? 'node' : s.startsWith(ROOT + '/') ? relative(ROOT, s) : s)).join(' ')}`;
  const tail = (s: string | null) => (s ?? '').split('\n').slice(-15).join('\n');
  if (r.error) throw new BenchFailure(`${who}\n  could not run: ${r.error.message}`);
  if (r.status !== 0) {
    throw new BenchFailure(`${who}\n  exited with ${r.status === null ? 'signal ' + r.signal : 'status ' + r.status}` +
      `\n  --- stdout (tail) ---\n${tail(r.stdout)}\n  --- stderr (tail) ---\n${tail(r.stderr)}`);
  }
  const stdout = r.stdout.split('\n').filter((l) => !l.startsWith('arch:')).join('\n');
  if (stdout.trim() === '') throw new BenchFailure(`${who}\n  printed nothing on stdout\n  --- stderr ---\n${tail(r.stderr)}`);
  const key = [elf.split('/').pop(), ...args].join('\0');
  const ref = expected.get(key);
  if (!ref) expected.set(key, { stdout, who });
  else if (ref.stdout !== stdout) {
    throw new BenchFailure(`${who}\n  stdout differs from ${ref.who}\n  --- expected ---\n${ref.stdout}\n  --- got ---\n${stdout}`);
  }
  return { ms, stdout, raw: r.stdout };
}

// ---------------------------------------------------------------------------------------
// Measuring

interface Cell { samples: number[]; median: number }
/** Results of one bench on one arch: per runner, per argument set ("main" / "small"). */
interface ArchResult {
  arch: Arch;
  runners: RunnerId[];
  main: Partial<Record<RunnerId, Cell>>;
  small?: Partial<Record<RunnerId, Cell>>;
  /** ns per marginal unit, per runner. */
  perUnitNs?: Partial<Record<RunnerId, number>>;
  ratios: { vsNative?: number; vsQemu?: number; perUnitVsNative?: number; perUnitVsQemu?: number };
  target?: { measured: number; pass: boolean; on: 'whole process' | 'per unit'; describe: string };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function measure(bench: Bench, runs: number): ArchResult[] {
  // Jobs: every (arch, runner, argument set), timed round-robin.
  interface Job { arch: Arch; runner: RunnerId; set: 'main' | 'small'; elf: string; args: string[]; samples: number[] }
  const jobs: Job[] = [];
  for (const arch of ARCHES) {
    const elf = join(ROOT, 'guest/build', arch, bench.program);
    for (const runner of runnersFor(arch)) {
      const bigArgs = bench.args;
      jobs.push({ arch, runner, set: 'main', elf, args: bigArgs, samples: [] });
      if (bench.marginal) {
        const [nSmall, nBig] = bench.marginal.n;
        const want = bench.marginal.args(nBig);
        if (want.join('\0') !== bigArgs.join('\0')) {
          throw new BenchFailure(`${bench.name}: marginal.args(${nBig}) must equal args (the main run is the big count)`);
        }
        jobs.push({ arch, runner, set: 'small', elf, args: bench.marginal.args(nSmall), samples: [] });
      }
    }
  }
  const tty = process.stderr.isTTY;
  if (!tty) process.stderr.write(`bench: ${bench.name}: ${jobs.length} commands x (1 warm-up + ${runs} timed rounds)\n`);
  for (let rep = -1; rep < runs; rep++) {
    if (tty) process.stderr.write(`\r  ${bench.name}: ${rep < 0 ? 'warm-up' : `run ${rep + 1}/${runs}`}   `);
    for (const j of jobs) {
      const s = runOnce(j.runner, j.arch, j.elf, j.args, bench.ucrunOptions);
      if (rep >= 0) j.samples.push(s.ms);
    }
  }
  if (tty) process.stderr.write('\r' + ' '.repeat(40) + '\r');

  const out: ArchResult[] = [];
  for (const arch of ARCHES) {
    const runners = runnersFor(arch);
    const r: ArchResult = { arch, runners, main: {}, ratios: {} };
    for (const j of jobs.filter((x) => x.arch === arch)) {
      const cell = { samples: j.samples.map((x) => +x.toFixed(3)), median: median(j.samples) };
      if (j.set === 'main') r.main[j.runner] = cell;
      else (r.small ??= {})[j.runner] = cell;
    }
    const m = (id: RunnerId) => r.main[id]?.median;
    const u = m('ucrun')!;
    if (m('native') !== undefined) r.ratios.vsNative = u / m('native')!;
    r.ratios.vsQemu = u / m('qemu')!;
    if (bench.marginal && r.small) {
      const [nSmall, nBig] = bench.marginal.n;
      r.perUnitNs = {};
      for (const id of runners) {
        r.perUnitNs[id] = ((r.main[id]!.median - r.small[id]!.median) * 1e6) / (nBig - nSmall);
      }
      const pu = r.perUnitNs.ucrun!;
      if (r.perUnitNs.native !== undefined) r.ratios.perUnitVsNative = pu / r.perUnitNs.native;
      r.ratios.perUnitVsQemu = pu / r.perUnitNs.qemu!;
    }
    const t = bench.target;
    if (t && !(t.vs === 'native' && !runners.includes('native'))) {
      const perUnit = !!bench.marginal;
      const timeRatio = perUnit
        ? (t.vs === 'qemu' ? r.ratios.perUnitVsQemu! : r.ratios.perUnitVsNative!)
        : (t.vs === 'qemu' ? r.ratios.vsQemu : r.ratios.vsNative!);
      const ref = t.vs === 'qemu' ? 'qemu-user' : 'native';
      if (t.metric === 'throughput') {
        const frac = 1 / timeRatio;
        r.target = { measured: frac, pass: frac >= t.ratio, on: perUnit ? 'per unit' : 'whole process',
          describe: `ucrun throughput >= ${pct(t.ratio)} of ${ref}` };
      } else {
        r.target = { measured: timeRatio, pass: timeRatio <= t.ratio, on: perUnit ? 'per unit' : 'whole process',
          describe: `ucrun/${ref} ${perUnit ? 'per ' + bench.marginal!.unit : 'wall time'} <= ${t.ratio}x` };
      }
    }
    out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Report

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const fx = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(2)}x`);
const fms = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
const fns = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)} ns`);

function table(rows: string[][], rightFrom = 2): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < rightFrom ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function machine() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]
    ?? /^(?:Hardware|CPU part|uarch)\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const uc = loadUnicorn();
  const v = uc.version >>> 0;
  const unicorn = `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
  const qemu: Record<string, string> = {};
  for (const arch of ARCHES) {
    const r = spawnSync(`qemu-${arch}`, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new BenchFailure(`qemu-${arch} not runnable (${r.error?.message ?? 'status ' + r.status}); install qemu-user`);
    qemu[arch] = r.stdout.split('\n')[0].trim();
  }
  return { cpu, cpus: cpus().length, kernel: release(), node: process.version, unicorn, unicornPath: uc.path, qemu };
}

function parseArgs(argv: string[]) {
  let runs = 5, strict = false;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') runs = 3;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      const v = a === '--runs' ? argv[++i] : a.slice(7);
      runs = Number(v);
      if (!Number.isInteger(runs) || runs < 1) throw new BenchFailure(`--runs needs a positive integer, got ${v}`);
    } else if (a === '--only') only = (argv[++i] ?? '').split(',');
    else if (a === '--strict') strict = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/bench/bench.js [--runs N (default 5)] [--quick (3 runs)] [--only NAME,...] [--strict (exit 1 on MISS)]\n');
      process.exit(0);
    } else throw new BenchFailure(`unknown argument ${a} (try --help)`);
  }
  return { runs, strict, only };
}

const FORK_TARGET_US = 50_000;

/** Run bench_fork under every runner and read the `fork_us` line it prints. */
function forkBench(
  runners: (a: Arch) => RunnerId[], once: (r: RunnerId, a: Arch, elf: string, args: string[]) => Sample,
): { arch: Arch; runner: RunnerId; us: number }[] {
  const out: { arch: Arch; runner: RunnerId; us: number }[] = [];
  for (const arch of ARCHES) {
    const elf = join(ROOT, 'guest/build', arch, 'bench_fork');
    if (!existsSync(elf)) throw new BenchFailure(`${elf} missing - run \`bash guest/build.sh\``);
    for (const runner of runners(arch)) {
      const s = once(runner, arch, elf, ['256']);
      const m = /fork_us (\d+)/.exec(s.raw);
      if (!m) throw new BenchFailure(`bench_fork under ${runner} (${arch}) printed no fork_us line`);
      out.push({ arch, runner, us: Number(m[1]) });
    }
  }
  return out;
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const mach = machine();
  const out: string[] = [];
  const say = (s = '') => { out.push(s); process.stdout.write(s + '\n'); };

  say(`machine: ${mach.cpu} (${mach.cpus} CPUs), Linux ${mach.kernel}`);
  say(`node ${mach.node}, unicorn ${mach.unicorn} (${mach.unicornPath}), ${mach.qemu.x86_64}`);
  say(`${opts.runs} timed runs per cell after 1 warm-up; median wall time of the whole process ` +
    `(spawnSync + performance.now(), includes start-up)`);
  say();

  const benches = BENCHES.filter((b) => !opts.only || opts.only.includes(b.name));
  if (opts.only) for (const n of opts.only) if (!BENCHES.some((b) => b.name === n)) throw new BenchFailure(`--only: no benchmark ${n}`);
  const results: { bench: Bench; arches: ArchResult[] }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const b of benches) {
    const missing = ARCHES.map((a) => join('guest/build', a, b.program)).filter((p) => !existsSync(join(ROOT, p)));
    if (missing.length) {
      if (b.optional) { skipped.push({ name: b.name, reason: `not built: ${missing.join(', ')}` }); continue; }
      throw new BenchFailure(`${missing.join(', ')} missing - run \`bash guest/build.sh\``);
    }
    results.push({ bench: b, arches: measure(b, opts.runs) });
  }

  // Whole-process table.
  const rows: string[][] = [['benchmark', 'arch', 'native', 'ucrun', 'qemu-user', 'ucrun/native', 'ucrun/qemu']];
  for (const { bench, arches } of results) {
    for (const r of arches) {
      rows.push([bench.name + (bench.args.length ? ' ' + bench.args.join(' ') : ''), r.arch,
        fms(r.main.native?.median), fms(r.main.ucrun?.median), fms(r.main.qemu?.median), fx(r.ratios.vsNative), fx(r.ratios.vsQemu)]);
      if (bench.bytes) {
        const mbs = (id: RunnerId) => { const c = r.main[id]; return c ? `${(bench.bytes! / MiB / (c.median / 1000)).toFixed(0)} MiB/s` : '-'; };
        rows.push(['  throughput', '', mbs('native'), mbs('ucrun'), mbs('qemu'), '', '']);
      }
    }
  }
  say('whole-process wall time (median):');
  say(table(rows));

  // Per-unit table.
  const marg = results.filter((x) => x.bench.marginal);
  if (marg.length) {
    say();
    say('per-iteration cost = (median t(n_big) - median t(n_small)) / (n_big - n_small), start-up cancels:');
    const pr: string[][] = [['benchmark', 'arch', 'n_small/n_big', 'native', 'ucrun', 'qemu-user', 'ucrun/native', 'ucrun/qemu']];
    for (const { bench, arches } of marg) {
      for (const r of arches) {
        pr.push([`${bench.name} (per ${bench.marginal!.unit})`, r.arch, bench.marginal!.n.join('/'),
          fns(r.perUnitNs?.native), fns(r.perUnitNs?.ucrun), fns(r.perUnitNs?.qemu), fx(r.ratios.perUnitVsNative), fx(r.ratios.perUnitVsQemu)]);
      }
    }
    say(table(pr));
  }

  // Targets.
  say();
  say('targets:');
  const tr: string[][] = [['benchmark', 'arch', 'target', 'measured on', 'measured', 'result']];
  let misses = 0;
  for (const { bench, arches } of results) {
    for (const r of arches) {
      if (!r.target) continue;
      const t = bench.target!;
      if (!r.target.pass) misses++;
      tr.push([bench.name, r.arch, r.target.describe,
        r.target.on === 'per unit' ? `per ${bench.marginal!.unit}` : 'whole process',
        t.metric === 'throughput' ? pct(r.target.measured) : fx(r.target.measured), r.target.pass ? 'PASS' : 'MISS']);
    }
  }
  // Fork of a large process: reported by the guest itself (the parent times fork()).
  const forkRows = forkBench(runnersFor, runOnce);
  for (const f of forkRows) {
    if (f.runner !== 'ucrun') continue;
    const pass = f.us <= FORK_TARGET_US;
    if (!pass) misses++;
    tr.push(['bench_fork 256 MiB', f.arch, `fork() <= ${FORK_TARGET_US / 1000} ms`, 'in the guest', `${(f.us / 1000).toFixed(1)} ms`, pass ? 'PASS' : 'MISS']);
  }
  say(table(tr, 4));
  say(`fork of a 256 MiB touched process (median of 5, timed by the parent): ` +
    forkRows.map((f) => `${f.arch} ${f.runner} ${(f.us / 1000).toFixed(1)} ms`).join(', '));
  for (const s of skipped) say(`skipped ${s.name} (optional): ${s.reason}`);
  const secs = (performance.now() - t0) / 1000;
  say();
  say(`${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}; every run exited 0 with the same stdout; ${secs.toFixed(1)} s total`);

  const json = {
    date: new Date().toISOString(),
    machine: mach,
    runs: opts.runs,
    method: 'median wall time of whole-process runs (spawnSync + performance.now()) after 1 warm-up; ' +
      'per-unit cost = (median t(n_big) - median t(n_small)) / (n_big - n_small)',
    benchmarks: results.map(({ bench, arches }) => ({
      name: bench.name, program: bench.program, args: bench.args, note: bench.note,
      target: bench.target, bytes: bench.bytes,
      marginal: bench.marginal && { n: bench.marginal.n, unit: bench.marginal.unit,
        argsSmall: bench.marginal.args(bench.marginal.n[0]), argsBig: bench.marginal.args(bench.marginal.n[1]) },
      arches,
    })),
    skipped,
    misses,
    seconds: +secs.toFixed(2),
    text: out.join('\n'),
  };
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  writeFileSync(join(ROOT, 'build/bench.json'), JSON.stringify(json, null, 2) + '\n');
  say('wrote build/bench.json');
  return opts.strict && misses ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (e instanceof BenchFailure) process.stderr.write(`bench: FAILED\n${e.message}\n`);
  else process.stderr.write(`bench: FAILED\n${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
}
