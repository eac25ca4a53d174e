// Proves the ABI tables (src/kernel/abi.ts, src/kernel/errno.ts,
// src/arch/stat.ts, src/arch/<arch>/{abi_data,syscall_names}.ts) match the C
// headers of both toolchains. For each arch a C program is generated FROM the
// TS data (so every exported constant/layout is covered), compiled once, and
// run natively (x86_64) or under qemu-aarch64; it prints the C view:
//
//   N name nr                 every __NR_* of <asm/unistd.h>
//   K NAME value | K NAME ?   a macro as the kernel uapi headers define it
//   L NAME value | L NAME ?   the same macro as glibc headers define it
//   Z key size / F key field offset size     sizeof / offsetof of each layout
//   E n \t name \t message    strerrorname_np / strerror
//   D major minor dev         glibc makedev
//   B tag hex                 a struct stat / statx filled member by member
//   C status                  clone(2) argument-order probe
//
// A constant is compared with the uapi value when the uapi headers define it
// (the emulator implements the kernel ABI; e.g. glibc's O_LARGEFILE is 0),
// else with glibc's; it must be defined by one of them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as aarch64Data from '../src/arch/aarch64/abi_data.js';
import * as aarch64Sys from '../src/arch/aarch64/syscall_names.js';
import * as statMod from '../src/arch/stat.js';
import { devMajor, devMinor, encodeStatx, makedev, STATX_SIZE, type Stat } from '../src/arch/stat.js';
import * as x86Data from '../src/arch/x86_64/abi_data.js';
import * as x86Sys from '../src/arch/x86_64/syscall_names.js';
import * as abi from '../src/kernel/abi.js';
import { Errno, errnoMessage, errnoName } from '../src/kernel/errno.js';

type ConstGroup = Record<string, number | bigint>;
type ArchData = typeof x86Data | typeof aarch64Data;

const MACRO = /^_*[A-Z][A-Z0-9_]*$/;

/** Exported objects whose keys are all macro names and values all integers. */
function constGroups(mod: Record<string, unknown>): Map<string, ConstGroup> {
  const out = new Map<string, ConstGroup>();
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const entries = Object.entries(v);
    if (entries.length === 0) continue;
    if (entries.every(([k, x]) => MACRO.test(k) && (typeof x === 'number' || typeof x === 'bigint'))) {
      out.set(name, v as ConstGroup);
    }
  }
  return out;
}

function isLayout(v: unknown): v is abi.StructLayout {
  return typeof v === 'object' && v !== null && 'cType' in v && 'header' in v && 'size' in v && 'fields' in v;
}

/** Exported StructLayouts, keyed `${prefix}.${exportName}`. */
function layouts(prefix: string, mod: Record<string, unknown>): Map<string, abi.StructLayout> {
  const out = new Map<string, abi.StructLayout>();
  for (const [name, v] of Object.entries(mod)) if (isLayout(v)) out.set(`${prefix}.${name}`, v);
  return out;
}

/** ERESTART* are kernel-internal (include/linux/errno.h): not in any uapi header. */
const KERNEL_INTERNAL_ERRNO: Record<string, number> = {
  ERESTARTSYS: 512,
  ERESTARTNOINTR: 513,
  ERESTARTNOHAND: 514,
  ERESTART_RESTARTBLOCK: 516,
};
const ERRNO_GROUP: ConstGroup = Object.fromEntries(
  Object.entries(Errno).filter(([k]) => !(k in KERNEL_INTERNAL_ERRNO)),
);

/** `__NR_*` macros that are not system calls (same rule as scripts/gen-arch-tables.mjs). */
const NOT_SYSCALLS = new Set(['syscalls', 'arch_specific_syscall']);

const UAPI_HEADERS = [
  'linux/types.h', 'asm/unistd.h', 'asm/errno.h', 'linux/fcntl.h', 'linux/stat.h', 'asm/stat.h',
  'linux/mman.h', 'linux/eventpoll.h', 'linux/signal.h', 'linux/time.h', 'linux/time_types.h',
  'linux/times.h', 'linux/auxvec.h', 'linux/resource.h', 'asm/ioctls.h', 'asm/termios.h',
  'linux/fs.h', 'linux/random.h', 'linux/sched.h', 'linux/wait.h', 'linux/futex.h', 'asm/poll.h',
  'linux/prctl.h', 'linux/utsname.h', 'linux/sysinfo.h', 'asm/statfs.h', 'linux/uio.h',
  'linux/un.h', 'linux/in.h', 'linux/in6.h', 'asm/socket.h', 'linux/magic.h',
];
const UAPI_OPTIONAL = ['asm/prctl.h', 'asm/hwcap.h'];
const LIBC_HEADERS = [
  'stdio.h', 'string.h', 'errno.h', 'dirent.h', 'sys/socket.h', 'sys/eventfd.h', 'sys/timerfd.h',
  'sys/sysmacros.h', 'sys/stat.h', 'sys/wait.h', 'sched.h', 'unistd.h', 'sys/syscall.h',
  'sys/ipc.h', 'sys/sem.h', 'sys/shm.h', 'sys/msg.h',
];
const isUapiHeader = (h: string) => /^(linux|asm|asm-generic)\//.test(h);

// Independent C-member mapping of Stat (kernel cp_new_stat / cp_statx).
const STAT_C: ReadonlyArray<readonly [string, (s: Stat) => number]> = [
  ['st_dev', (s) => s.dev], ['st_ino', (s) => s.ino], ['st_mode', (s) => s.mode],
  ['st_nlink', (s) => s.nlink], ['st_uid', (s) => s.uid], ['st_gid', (s) => s.gid],
  ['st_rdev', (s) => s.rdev], ['st_size', (s) => s.size], ['st_blksize', (s) => s.blksize],
  ['st_blocks', (s) => s.blocks], ['st_atime', (s) => s.atimeSec], ['st_atime_nsec', (s) => s.atimeNsec],
  ['st_mtime', (s) => s.mtimeSec], ['st_mtime_nsec', (s) => s.mtimeNsec],
  ['st_ctime', (s) => s.ctimeSec], ['st_ctime_nsec', (s) => s.ctimeNsec],
];
const STATX_C: ReadonlyArray<readonly [string, (s: Stat) => number]> = [
  ['stx_blksize', (s) => s.blksize], ['stx_nlink', (s) => s.nlink], ['stx_uid', (s) => s.uid],
  ['stx_gid', (s) => s.gid], ['stx_mode', (s) => s.mode], ['stx_ino', (s) => s.ino],
  ['stx_size', (s) => s.size], ['stx_blocks', (s) => s.blocks],
  ['stx_atime.tv_sec', (s) => s.atimeSec], ['stx_atime.tv_nsec', (s) => s.atimeNsec],
  ['stx_mtime.tv_sec', (s) => s.mtimeSec], ['stx_mtime.tv_nsec', (s) => s.mtimeNsec],
  ['stx_ctime.tv_sec', (s) => s.ctimeSec], ['stx_ctime.tv_nsec', (s) => s.ctimeNsec],
];

const STAT_SAMPLES: Stat[] = [
  {
    dev: 0x4560012378, ino: 0x100000002, mode: 0o100644, nlink: 3, uid: 1000, gid: 1001,
    rdev: 0x405, size: 0x200000007, blksize: 4096, blocks: 9,
    atimeSec: 1700000001, atimeNsec: 111111111, mtimeSec: 1700000002, mtimeNsec: 222222222,
    ctimeSec: 1700000003, ctimeNsec: 333333333, birthSec: 1600000004, birthNsec: 444444444,
  },
  {
    dev: 0x800001, ino: 7, mode: 0o20620, nlink: 0x10001, uid: 0xfffffffe, gid: 5,
    rdev: 0xfff00fffff, size: 0, blksize: 1024, blocks: 0,
    atimeSec: -1, atimeNsec: 999999999, mtimeSec: -20000000000, mtimeNsec: 0,
    ctimeSec: 0x7fffffff01, ctimeNsec: 1,
  },
];
const STATX_MASK = abi.STATX.STATX_BASIC_STATS | abi.STATX.STATX_BTIME | abi.STATX.STATX_MNT_ID;
const DEV_SAMPLES: ReadonlyArray<readonly [number, number]> = [
  [0, 0], [1, 3], [8, 1], [0x123, 0x45678], [0xfff, 0xfffff], [0x1000, 0x100000], [0x1fffff, 0xffffffff],
];

const lit = (v: number | bigint) => `(${BigInt(v)}LL)`;
const cstr = (s: string) => JSON.stringify(s);

function printMacro(tag: 'K' | 'L', name: string): string {
  return [
    `#ifdef ${name}`,
    `  printf("${tag} %s %lld\\n", ${cstr(name)}, (long long)(${name}));`,
    '#else',
    `  printf("${tag} %s ?\\n", ${cstr(name)});`,
    '#endif',
  ].join('\n');
}

function printLayout(key: string, l: abi.StructLayout): string {
  const lines = [`  printf("Z %s %lu\\n", ${cstr(key)}, (unsigned long)sizeof(${l.cType}));`];
  for (const f of Object.keys(l.fields)) {
    lines.push(
      `  printf("F %s %s %lu %lu\\n", ${cstr(key)}, ${cstr(f)}, (unsigned long)__builtin_offsetof(${l.cType}, ${f}), (unsigned long)sizeof(((${l.cType} *)0)->${f}));`,
    );
  }
  return lines.join('\n');
}

const DUMP_FN = `static void dump_bytes(const char *tag, const void *p, unsigned long n) {
  printf("B %s ", tag);
  for (unsigned long i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\n");
}`;

interface ArchCfg {
  arch: 'x86_64' | 'aarch64';
  cc: string;
  cflags: string[];
  run: (exe: string) => string;
  data: ArchData;
  sys: typeof x86Sys | typeof aarch64Sys;
}

const ARCHES: ArchCfg[] = [
  { arch: 'x86_64', cc: 'gcc', cflags: [], run: (exe) => execFileSync(exe, { encoding: 'utf8' }), data: x86Data, sys: x86Sys },
  {
    arch: 'aarch64',
    cc: 'aarch64-linux-gnu-gcc',
    cflags: ['-static'],
    run: (exe) => execFileSync('qemu-aarch64', [exe], { encoding: 'utf8' }),
    data: aarch64Data,
    sys: aarch64Sys,
  },
];

/** Groups and layouts checked on an arch: the shared ones plus the arch's own. */
function archGroups(cfg: ArchCfg): Map<string, ConstGroup> {
  const g = new Map<string, ConstGroup>();
  for (const [k, v] of constGroups(abi)) g.set(`abi.${k}`, v);
  for (const [k, v] of constGroups(cfg.data)) g.set(`${cfg.arch}.${k}`, v);
  g.set('errno.Errno', ERRNO_GROUP);
  return g;
}
function archLayouts(cfg: ArchCfg): Map<string, abi.StructLayout> {
  return new Map([...layouts('abi', abi), ...layouts('stat', statMod), ...layouts(cfg.arch, cfg.data)]);
}

function syscallMacros(cc: string): string[] {
  const out = execFileSync(cc, ['-E', '-dM', '-x', 'c', '-'], { input: '#include <asm/unistd.h>\n', encoding: 'utf8' });
  const names: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^#define __NR_(\w+) /.exec(line);
    if (m && !NOT_SYSCALLS.has(m[1]!)) names.push(m[1]!);
  }
  return names;
}

function genUapi(cfg: ArchCfg, syscalls: string[], names: string[], lays: Map<string, abi.StructLayout>): string {
  const headers = new Set(UAPI_HEADERS);
  for (const l of lays.values()) if (isUapiHeader(l.header)) headers.add(l.header);
  const statDumps = STAT_SAMPLES.map((s, i) =>
    [
      '  {',
      '    struct stat s;',
      '    __builtin_memset(&s, 0, sizeof s);',
      ...STAT_C.map(([m, get]) => `    s.${m} = ${lit(get(s))};`),
      `    dump_bytes("stat${i}", &s, sizeof s);`,
      '  }',
    ].join('\n'),
  );
  return [
    ...[...headers].map((h) => `#include <${h}>`),
    ...UAPI_OPTIONAL.map((h) => `#if __has_include(<${h}>)\n#include <${h}>\n#endif`),
    'int printf(const char *, ...);',
    DUMP_FN,
    'void dump_uapi(void) {',
    ...syscalls.map((n) => `  printf("N %s %lld\\n", ${cstr(n)}, (long long)__NR_${n});`),
    ...names.map((n) => printMacro('K', n)),
    ...[...lays].filter(([, l]) => isUapiHeader(l.header)).map(([k, l]) => printLayout(k, l)),
    ...statDumps,
    '}',
    '',
  ].join('\n');
}

function genLibc(cfg: ArchCfg, names: string[], lays: Map<string, abi.StructLayout>): string {
  const headers = new Set(LIBC_HEADERS);
  for (const l of lays.values()) if (!isUapiHeader(l.header)) headers.add(l.header);
  const statxDumps = STAT_SAMPLES.map((s, i) => {
    const mask = s.birthSec === undefined ? STATX_MASK & ~abi.STATX.STATX_BTIME : STATX_MASK;
    return [
      '  {',
      '    struct statx x;',
      '    memset(&x, 0, sizeof x);',
      `    x.stx_mask = ${lit(mask)};`,
      ...STATX_C.map(([m, get]) => `    x.${m} = ${lit(get(s))};`),
      ...(s.birthSec === undefined
        ? []
        : [`    x.stx_btime.tv_sec = ${lit(s.birthSec)};`, `    x.stx_btime.tv_nsec = ${lit(s.birthNsec ?? 0)};`]),
      `    x.stx_rdev_major = major(${lit(s.rdev)}); x.stx_rdev_minor = minor(${lit(s.rdev)});`,
      `    x.stx_dev_major = major(${lit(s.dev)}); x.stx_dev_minor = minor(${lit(s.dev)});`,
      `    dump_bytes("statx${i}", &x, sizeof x);`,
      '  }',
    ].join('\n');
  });
  const ca = cfg.data.CLONE_ARGS;
  return [
    '#define _GNU_SOURCE',
    ...[...headers].map((h) => `#include <${h}>`),
    DUMP_FN,
    // Raw syscalls: the clone child runs with a bogus thread pointer, so it must
    // not touch TLS (no errno, no stack protector).
    `static long raw5(long nr, long a, long b, long c, long d, long e) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return ret;
#else
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
#endif
}
static unsigned long thread_pointer(void) {
  unsigned long v = 0;
#if defined(__x86_64__)
  raw5(__NR_arch_prctl, 0x1003 /* ARCH_GET_FS */, (long)&v, 0, 0, 0);
#else
  __asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
#endif
  return v;
}
/* clone(CLONE_SETTLS|SIGCHLD) with the TLS value in register tls_idx and a decoy in decoy_idx;
   the child exits 42 iff its thread pointer is the TLS value. */
static int clone_probe(int flags_idx, int tls_idx, int decoy_idx) {
  long a[5] = {0, 0, 0, 0, 0};
  a[flags_idx] = CLONE_SETTLS | SIGCHLD;
  a[tls_idx] = 0x5a5a5000L;
  a[decoy_idx] = 0x1000L;
  long pid = raw5(__NR_clone, a[0], a[1], a[2], a[3], a[4]);
  if (pid == 0) {
    raw5(__NR_exit_group, thread_pointer() == 0x5a5a5000UL ? 42 : 43, 0, 0, 0, 0);
    for (;;) {}
  }
  int st = 0;
  if (pid < 0 || waitpid((pid_t)pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -2;
}`,
    'void dump_uapi(void);',
    'int main(void) {',
    '  dump_uapi();',
    ...names.map((n) => printMacro('L', n)),
    ...[...lays].filter(([, l]) => !isUapiHeader(l.header)).map(([k, l]) => printLayout(k, l)),
    '  for (int i = 1; i <= 140; i++) {',
    '    const char *n = strerrorname_np(i);',
    '    printf("E %d\\t%s\\t%s\\n", i, n ? n : "", strerror(i));',
    '  }',
    ...DEV_SAMPLES.map(
      ([ma, mi]) => `  printf("D ${ma} ${mi} %llu\\n", (unsigned long long)makedev(${ma}U, ${mi}U));`,
    ),
    ...statxDumps,
    `  printf("C %d %d\\n", clone_probe(${ca.flags}, ${ca.tls}, ${ca.childTid}), clone_probe(${ca.flags}, ${ca.childTid}, ${ca.tls}));`,
    '  fflush(stdout);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

interface Probe {
  nr: Map<string, number>;
  k: Map<string, bigint | null>;
  l: Map<string, bigint | null>;
  sizes: Map<string, number>;
  fields: Map<string, { offset: number; size: number }>;
  errno: Map<number, { name: string; msg: string }>;
  dev: Array<[number, number, bigint]>;
  bytes: Map<string, string>;
  clone: [number, number] | null;
}

function parse(out: string): Probe {
  const p: Probe = {
    nr: new Map(), k: new Map(), l: new Map(), sizes: new Map(), fields: new Map(),
    errno: new Map(), dev: [], bytes: new Map(), clone: null,
  };
  for (const line of out.split('\n')) {
    if (!line) continue;
    const tag = line[0];
    if (tag === 'E') {
      const [head, name, msg] = line.split('\t');
      p.errno.set(Number(head!.slice(2)), { name: name!, msg: msg! });
      continue;
    }
    const w = line.split(' ');
    switch (tag) {
      case 'N': p.nr.set(w[1]!, Number(w[2])); break;
      case 'K': p.k.set(w[1]!, w[2] === '?' ? null : BigInt(w[2]!)); break;
      case 'L': p.l.set(w[1]!, w[2] === '?' ? null : BigInt(w[2]!)); break;
      case 'Z': p.sizes.set(w[1]!, Number(w[2])); break;
      case 'F': p.fields.set(`${w[1]}:${w[2]}`, { offset: Number(w[3]), size: Number(w[4]) }); break;
      case 'D': p.dev.push([Number(w[1]), Number(w[2]), BigInt(w[3]!)]); break;
      case 'B': p.bytes.set(w[1]!, w[2]!); break;
      case 'C': p.clone = [Number(w[1]), Number(w[2])]; break;
      default: throw new Error(`unexpected probe output: ${line}`);
    }
  }
  return p;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let tmp = '';
const probes = new Map<string, Probe>();

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ucrun-abi-'));
  for (const cfg of ARCHES) {
    const names = [...new Set([...archGroups(cfg).values()].flatMap((g) => Object.keys(g)))];
    const lays = archLayouts(cfg);
    const k = join(tmp, `${cfg.arch}-uapi.c`);
    const l = join(tmp, `${cfg.arch}-libc.c`);
    const exe = join(tmp, `${cfg.arch}-probe`);
    writeFileSync(k, genUapi(cfg, syscallMacros(cfg.cc), names, lays));
    writeFileSync(l, genLibc(cfg, names, lays));
    execFileSync(cfg.cc, ['-O1', '-fno-stack-protector', '-w', ...cfg.cflags, '-o', exe, k, l], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = cfg.run(exe);
    if (process.env.UCRUN_ABI_KEEP) writeFileSync(`${exe}.out`, out);
    probes.set(cfg.arch, parse(out));
  }
}, 120_000);

afterAll(() => {
  // UCRUN_ABI_KEEP=1 keeps the generated C sources, binaries and their output for inspection.
  if (process.env.UCRUN_ABI_KEEP) console.log(`arch_data: probe files kept in ${tmp}`);
  else if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.each(ARCHES)('$arch', (cfg) => {
  const probe = () => probes.get(cfg.arch)!;

  it('SYSCALL_NAMES / SYSCALL_NUMBERS are exactly the __NR_* of <asm/unistd.h>', () => {
    const fromC = Object.fromEntries([...probe().nr].map(([n, nr]) => [nr, n]));
    expect(probe().nr.size).toBeGreaterThan(250);
    expect(Object.keys(fromC).length).toBe(probe().nr.size); // no two names share a number
    expect({ ...cfg.sys.SYSCALL_NAMES }).toEqual(fromC);
    expect({ ...cfg.sys.SYSCALL_NUMBERS }).toEqual(Object.fromEntries(probe().nr));
  });

  it('every constant matches the headers', () => {
    const bad: string[] = [];
    for (const [group, g] of archGroups(cfg)) {
      for (const [name, v] of Object.entries(g)) {
        const kv = probe().k.get(name);
        const lv = probe().l.get(name);
        const c = kv ?? lv;
        const ts = typeof v === 'bigint' ? BigInt.asIntN(64, v) : BigInt(v);
        if (c === undefined || c === null) bad.push(`${group}.${name}: not defined by the headers`);
        else if (c !== ts) bad.push(`${group}.${name}: TS ${v}, C ${c} (${kv != null ? 'uapi' : 'libc'})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every struct layout matches sizeof/offsetof', () => {
    const bad: string[] = [];
    for (const [key, l] of archLayouts(cfg)) {
      const size = probe().sizes.get(key);
      if (size !== l.size) bad.push(`${key} (${l.cType}): size TS ${l.size}, C ${size}`);
      for (const [f, fl] of Object.entries(l.fields)) {
        const c = probe().fields.get(`${key}:${f}`);
        if (!c || c.offset !== fl.offset || c.size !== fl.size) {
          bad.push(`${key}.${f}: TS ${fl.offset}+${fl.size}, C ${c ? `${c.offset}+${c.size}` : 'missing'}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('scalar sizes agree with their layouts', () => {
    const d = cfg.data;
    expect(d.STAT_SIZE).toBe(d.STAT_LAYOUT.size);
    expect(d.EPOLL_EVENT_SIZE).toBe(d.EPOLL_EVENT_LAYOUT.size);
    expect(d.EPOLL_EVENT_SIZE).toBe(cfg.arch === 'x86_64' ? 12 : 16);
    expect(d.STAT_SIZE).toBe(cfg.arch === 'x86_64' ? 144 : 128);
    expect(d.ARCH).toBe(cfg.arch);
    expect(d.ABI_DATA).toEqual({
      arch: cfg.arch,
      SYSCALL_NAMES: cfg.sys.SYSCALL_NAMES,
      SYSCALL_NUMBERS: cfg.sys.SYSCALL_NUMBERS,
      STAT_SIZE: d.STAT_SIZE,
      STAT_LAYOUT: d.STAT_LAYOUT,
      encodeStat: d.encodeStat,
      OPEN_FLAGS: d.OPEN_FLAGS,
      EPOLL_EVENT_SIZE: d.EPOLL_EVENT_SIZE,
      EPOLL_EVENT_LAYOUT: d.EPOLL_EVENT_LAYOUT,
      SIGNAL_STACK: d.SIGNAL_STACK,
      MMAP_ARCH_FLAGS: d.MMAP_ARCH_FLAGS,
      CLONE_ARGS: d.CLONE_ARGS,
      SEMID64_DS_LAYOUT: d.SEMID64_DS_LAYOUT,
    });
  });

  it('encodeStat writes the same bytes as C filling struct stat member by member', () => {
    STAT_SAMPLES.forEach((s, i) => {
      const buf = new Uint8Array(cfg.data.STAT_SIZE + 16).fill(0xee);
      cfg.data.encodeStat(new DataView(buf.buffer), 8, s);
      expect(hex(buf.subarray(0, 8))).toBe('ee'.repeat(8)); // no write before...
      expect(hex(buf.subarray(8 + cfg.data.STAT_SIZE))).toBe('ee'.repeat(8)); // ...or after
      expect(hex(buf.subarray(8, 8 + cfg.data.STAT_SIZE))).toBe(probe().bytes.get(`stat${i}`));
    });
  });

  it('encodeStatx writes the same bytes as C filling struct statx member by member', () => {
    STAT_SAMPLES.forEach((s, i) => {
      const buf = new Uint8Array(STATX_SIZE + 16).fill(0xee);
      encodeStatx(new DataView(buf.buffer), 8, s, STATX_MASK);
      expect(hex(buf.subarray(0, 8))).toBe('ee'.repeat(8));
      expect(hex(buf.subarray(8 + STATX_SIZE))).toBe('ee'.repeat(8));
      expect(hex(buf.subarray(8, 8 + STATX_SIZE))).toBe(probe().bytes.get(`statx${i}`));
    });
  });

  it('makedev/devMajor/devMinor match glibc', () => {
    expect(probe().dev.length).toBe(DEV_SAMPLES.length);
    for (const [ma, mi, dev] of probe().dev) {
      expect(BigInt(makedev(ma, mi))).toBe(dev);
      expect(devMajor(Number(dev))).toBe(ma);
      expect(devMinor(Number(dev))).toBe(mi);
    }
  });

  it('errnoName/errnoMessage match glibc strerrorname_np/strerror', () => {
    expect(probe().errno.size).toBe(140);
    for (const [n, { name, msg }] of probe().errno) {
      expect(errnoName(n)).toBe(name || String(n));
      expect(errnoName(-n)).toBe(name || String(n));
      expect(errnoMessage(n)).toBe(msg);
      if (name) expect((Errno as Record<string, number>)[name]).toBe(n);
    }
  });

  it('CLONE_ARGS is the kernel clone(2) register order', () => {
    // [probe with TS order, probe with tls/child_tid swapped]
    expect(probe().clone).toEqual([42, 43]);
  });
});

describe('cross-arch', () => {
  it('kernel-internal errnos and their strace text', () => {
    for (const [n, v] of Object.entries(KERNEL_INTERNAL_ERRNO)) {
      expect((Errno as Record<string, number>)[n]).toBe(v);
      expect(errnoName(v)).toBe(n);
    }
    expect(errnoMessage(Errno.ERESTARTSYS)).toBe('To be restarted if SA_RESTART is set');
    expect(errnoMessage(Errno.ERESTART_RESTARTBLOCK)).toBe('Interrupted by signal');
    expect(`${errnoName(2)} (${errnoMessage(2)})`).toBe('ENOENT (No such file or directory)');
  });

  it('both arch modules export the same names with the same shapes', () => {
    const archOnly = new Set(['ARCH_PRCTL', 'HWCAP', 'HWCAP2']);
    const common = (m: object) => Object.keys(m).filter((k) => !archOnly.has(k)).sort();
    expect(common(x86Data)).toEqual(common(aarch64Data));
    expect(Object.keys(x86Data.OPEN_FLAGS).sort()).toEqual(Object.keys(aarch64Data.OPEN_FLAGS).sort());
    expect(Object.keys(x86Data.STAT_LAYOUT.fields).sort()).toEqual(Object.keys(aarch64Data.STAT_LAYOUT.fields).sort());
    // The flags documented as differing do differ; the rest are shared.
    const differ = Object.keys(x86Data.OPEN_FLAGS).filter(
      (k) => x86Data.OPEN_FLAGS[k as abi.OpenFlagName] !== aarch64Data.OPEN_FLAGS[k as abi.OpenFlagName],
    );
    expect(differ.sort()).toEqual(['O_DIRECT', 'O_DIRECTORY', 'O_LARGEFILE', 'O_NOFOLLOW', 'O_TMPFILE']);
  });

  it('the checked groups are the expected ones (a renamed export cannot skip the check)', () => {
    expect([...constGroups(abi).keys()].sort()).toEqual(
      [
        'AT', 'AUXV', 'CLOCK', 'CLONE', 'DT', 'EPOLL', 'FCNTL', 'FD_FLAGS', 'FS_MAGIC', 'FUTEX', 'GRND', 'IOCTL',
        'IPC', 'MADV', 'MAP', 'MODE', 'MREMAP', 'MSG', 'MSYNC', 'POLL', 'PR', 'PROT', 'RENAME', 'RLIMIT', 'RLIM_LIMITS',
        'SA', 'SEEK', 'SEM', 'SFD', 'SHM', 'SIG', 'SIGEV', 'SI_CODE', 'SOCK', 'STATX', 'TERMIOS', 'WAIT',
      ].sort(),
    );
    expect([...constGroups(x86Data).keys()].sort()).toEqual(['ARCH_PRCTL', 'MMAP_ARCH_FLAGS', 'OPEN_FLAGS', 'SIGNAL_STACK']);
    expect([...constGroups(aarch64Data).keys()].sort()).toEqual(['HWCAP', 'HWCAP2', 'MMAP_ARCH_FLAGS', 'OPEN_FLAGS', 'SIGNAL_STACK']);
    expect(layouts('abi', abi).size).toBeGreaterThanOrEqual(25);
  });

  it('derived scalars', () => {
    expect(abi.SIGSET_SIZE).toBe(abi.SIGSET_LAYOUT.size);
    expect(abi.NSIG).toBe(abi.SIGSET_SIZE * 8);
    expect(abi.DIRENT64_NAME_OFFSET).toBe(abi.DIRENT64_LAYOUT.fields.d_name.offset);
    expect(abi.dirent64RecLen(1)).toBe(24);
    expect(abi.dirent64RecLen(4)).toBe(24);
    expect(abi.dirent64RecLen(5)).toBe(32);
  });

  it('field accessors round-trip signed/unsigned values of every size', () => {
    const dv = new DataView(new ArrayBuffer(16));
    for (const size of [1, 2, 4, 8]) {
      const f = { offset: 4, size };
      for (const v of [0, 1, -1, 0x7f, -0x80, 2 ** (size * 8 - 1) - 1, -(2 ** (size * 8 - 1))]) {
        if (size === 8 && !Number.isSafeInteger(v)) continue;
        abi.writeField(dv, 0, f, v);
        expect(abi.readField(dv, 0, f, true)).toBe(size === 8 ? v : Number(BigInt.asIntN(size * 8, BigInt(v))));
        expect(abi.readFieldBig(dv, 0, f)).toBe(BigInt.asUintN(size * 8, BigInt(v)));
      }
    }
    abi.writeFieldBig(dv, 0, { offset: 8, size: 8 }, 0xfedcba9876543210n);
    expect(abi.readFieldBig(dv, 0, { offset: 8, size: 8 })).toBe(0xfedcba9876543210n);
    abi.writeField(dv, 0, { offset: 0, size: 8 }, -20000000000);
    expect(abi.readFieldBig(dv, 0, { offset: 0, size: 8 }, true)).toBe(-20000000000n);
  });
});
