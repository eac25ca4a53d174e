// The CLI as a user meets it: `node bin/ucrun.js run …` on things that are not runnable
// static ELF files must exit like a shell does (126 / 127 / 2) with one clear line on stderr.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'ucrun.js');
const GUEST = join(ROOT, 'guest');

let tmp: string;
const files: Record<string, string> = {};

beforeAll(() => {
  // dist/ and the guest programs are built by test/global_setup.ts.
  tmp = mkdtempSync(join(tmpdir(), 'ucrun-cli-'));
  let seed = 99;
  const rnd = Uint8Array.from({ length: 2048 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
  rnd[0] = 0;
  files.random = join(tmp, 'random.bin');
  writeFileSync(files.random, rnd, { mode: 0o755 });
  files.truncated = join(tmp, 'truncated');
  writeFileSync(files.truncated, readFileSync(join(GUEST, 'build', 'x86_64', 'hello')).subarray(0, 100), { mode: 0o755 });
  files.elf32 = join(tmp, 'elf32');
  try {
    writeFileSync(join(tmp, 's32.c'), 'void _start(void) { for (;;); }\n');
    execFileSync('gcc', ['-m32', '-nostdlib', '-static', join(tmp, 's32.c'), '-o', files.elf32], { stdio: 'ignore' });
  } catch {
    const b = new Uint8Array(128); // ELFCLASS32 header is all ucrun needs to see
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    writeFileSync(files.elf32, b, { mode: 0o755 });
  }
  // hello with its data segment's p_memsz raised to 1 TiB (demand-zero: must load at once)
  const hello = Buffer.from(readFileSync(join(GUEST, 'build', 'x86_64', 'hello')));
  const phoff = Number(hello.readBigUInt64LE(32)), phentsize = hello.readUInt16LE(54), phnum = hello.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (hello.readUInt32LE(o) === 1 && hello.readUInt32LE(o + 4) === 6) hello.writeBigUInt64LE(1n << 40n, o + 40);
  }
  files.huge = join(tmp, 'hello-1tib-bss');
  writeFileSync(files.huge, hello, { mode: 0o755 });
  files.stdinThreads = join(tmp, 'stdin-threads');
  writeFileSync(join(tmp, 'stdin-threads.c'), [
    '#include <pthread.h>', '#include <stdio.h>', '#include <unistd.h>', '#include <stdatomic.h>',
    'static atomic_int ticks;',
    'static void *ticker(void *a) { (void)a; for (int i = 0; i < 5; i++) { usleep(20000); ticks++; } return 0; }',
    'int main(void) { pthread_t t; pthread_create(&t, 0, ticker, 0); char b[64]; ssize_t n = read(0, b, sizeof b);',
    '  int seen = ticks; pthread_join(t, 0); printf("read %zd, ticks while reading %d\\n", n, seen); return 0; }', ''].join('\n'));
  execFileSync('gcc', ['-static', '-O2', '-pthread', join(tmp, 'stdin-threads.c'), '-o', files.stdinThreads], { stdio: 'ignore' });
  files.fifoOpen = join(tmp, 'fifo-open');
  writeFileSync(join(tmp, 'fifo-open.c'), [
    '#include <errno.h>', '#include <fcntl.h>', '#include <signal.h>', '#include <stdio.h>', '#include <string.h>',
    '#include <time.h>', '#include <unistd.h>',
    'static void on_alarm(int s) { (void)s; }',
    'static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }',
    'int main(int argc, char **argv) { /* argv[1]: w wn r rn rintr; argv[2]: the FIFO */',
    '  const char *m = argv[1]; int flags = m[0] == \'w\' ? O_WRONLY : O_RDONLY;',
    '  if (m[1] == \'n\') flags |= O_NONBLOCK;',
    '  if (!strcmp(m, "rintr")) { struct sigaction sa = { .sa_handler = on_alarm }; sigaction(SIGALRM, &sa, 0); alarm(1); }',
    '  double t0 = now(); int fd = open(argv[2], flags); int e = errno; double dt = now() - t0;',
    '  if (fd < 0) { printf("open: %s after %s\\n", strerror(e), dt > 0.3 ? "waiting" : "no wait"); return 1; }',
    '  char b[64] = { 0 }; ssize_t n = flags & O_WRONLY ? write(fd, "x\\n", 2) : read(fd, b, sizeof b - 1);',
    '  printf("open: ok after %s; %s %zd %s", dt > 0.3 ? "waiting" : "no wait", flags & O_WRONLY ? "wrote" : "read", n, b);',
    '  return 0; }', ''].join('\n'));
  execFileSync('gcc', ['-static', '-O2', join(tmp, 'fifo-open.c'), '-o', files.fifoOpen], { stdio: 'ignore' });
  files.tty = join(tmp, 'tty');
  writeFileSync(join(tmp, 'tty.c'), [
    '#include <stdio.h>', '#include <termios.h>', '#include <unistd.h>', '#include <sys/ioctl.h>',
    'int main(void) { struct termios t, u, v; struct winsize w;',
    '  int a = tcgetattr(0, &t) == 0; u = t; u.c_lflag &= ~ECHO; int b = tcsetattr(0, TCSANOW, &u) == 0;',
    '  tcgetattr(0, &v); int c = (v.c_lflag & ECHO) == 0; tcsetattr(0, TCSANOW, &t);',
    '  int d = ioctl(0, TIOCGWINSZ, &w) == 0; int e = tcgetpgrp(0) == getpgrp(); int f = tcgetsid(0) == getsid(0);',
    '  printf("tcgetattr %d tcsetattr %d echo-off %d winsize %d pgrp %d sid %d\\n", a, b, c, d, e, f); return 0; }', ''].join('\n'));
  execFileSync('gcc', ['-static', '-O2', join(tmp, 'tty.c'), '-o', files.tty], { stdio: 'ignore' });
  files.oom = join(tmp, 'oom');
  writeFileSync(join(tmp, 'oom.c'), [
    '#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include <sys/mman.h>', '#include <fcntl.h>', '#include <unistd.h>',
    'int main(int argc, char **argv) {',
    '  if (argc > 1) { /* the kernel reads 3 GiB nobody touched: the zero page, no frames */',
    '    size_t n = 3UL << 30; char *m = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);',
    '    int fd = open("/dev/null", O_WRONLY); long w = 0;',
    '    for (size_t off = 0; off < n; off += 1 << 20) w += write(fd, m + off, 1 << 20);',
    '    printf("wrote %ld\\n", w); return 0; }',
    '  for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); }',
    '}', ''].join('\n'));
  execFileSync('gcc', ['-static', '-O2', join(tmp, 'oom.c'), '-o', files.oom], { stdio: 'ignore' });
  for (const [arch, cc] of [['x86_64', 'gcc'], ['aarch64', 'aarch64-linux-gnu-gcc']]) {
    files[`pie-${arch}`] = join(tmp, `hello-pie-${arch}`);
    execFileSync(cc, ['-static-pie', '-O2', join(GUEST, 'hello.c'), '-o', files[`pie-${arch}`]], { stdio: 'ignore' });
  }
}, 120_000);

afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

function ucrun(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split('\n').filter((l) => l !== '') };
}

/** Exactly one line on stderr, prefixed "ucrun: ", and nothing that looks like a stack trace. */
function expectOneLine(r: ReturnType<typeof ucrun>, what: RegExp) {
  expect(r.lines, r.stderr).toHaveLength(1);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.lines[0]).toMatch(/^ucrun: /);
  expect(r.lines[0]).toMatch(what);
  expect(r.stderr).not.toMatch(/^\s+at |Error:|node:internal/m);
  expect(r.stdout).toBe('');
}

describe('ucrun run on things that cannot be executed', () => {
  it('a file of random bytes exits 126: Exec format error (not an ELF file)', () => {
    const r = ucrun('run', files.random);
    expect(r.status).toBe(126);
    expectOneLine(r, /Exec format error.*not an ELF file/);
  });

  it('a truncated ELF exits 126 and says it is truncated', () => {
    const r = ucrun('run', files.truncated);
    expect(r.status).toBe(126);
    expectOneLine(r, /Exec format error.*truncated/);
  });

  it('a dynamically linked ELF (/bin/true) exits 126 and says to build with -static', () => {
    const r = ucrun('run', '/bin/true');
    expect(r.status).toBe(126);
    expectOneLine(r, /dynamically linked.*-static/);
  });

  it('a 32-bit ELF exits 126: 32-bit ELF is not supported', () => {
    const r = ucrun('run', files.elf32);
    expect(r.status).toBe(126);
    expectOneLine(r, /32-bit ELF is not supported/);
  });

  it('a directory exits 126: Is a directory', () => {
    const r = ucrun('run', tmp);
    expect(r.status).toBe(126);
    expectOneLine(r, new RegExp(`${tmp}: Is a directory`));
  });

  it('a missing file exits 127: No such file or directory', () => {
    const missing = join(tmp, 'does-not-exist');
    const r = ucrun('run', missing);
    expect(r.status).toBe(127);
    expectOneLine(r, new RegExp(`${missing}: No such file or directory`));
  });

  it('a path through a regular file exits 127 like a shell (ENOTDIR)', () => {
    const r = ucrun('run', join(files.random, 'x'));
    expect(r.status).toBe(127);
    expectOneLine(r, /No such file or directory/);
  });

  it('a file without an execute bit exits 126: Permission denied (before it is read)', () => {
    const noexec = join(tmp, 'noexec');
    writeFileSync(noexec, readFileSync(join(GUEST, 'build', 'x86_64', 'hello')), { mode: 0o644 });
    const r = ucrun('run', noexec);
    expect(r.status).toBe(126);
    expectOneLine(r, new RegExp(`${noexec}: Permission denied`));
  });

  it('a FIFO and /dev/zero exit 126 at once: Permission denied (they are never read)', () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', ['-m', '0755', fifo]);
    for (const f of [fifo, '/dev/zero']) {
      const r = ucrun('run', f);
      expect(r.status).toBe(126);
      expectOneLine(r, /: Permission denied$/);
    }
  });

  it('an empty file exits 126: not an ELF file', () => {
    const empty = join(tmp, 'empty');
    writeFileSync(empty, '', { mode: 0o755 });
    const r = ucrun('run', empty);
    expect(r.status).toBe(126);
    expectOneLine(r, /not an ELF file/);
  });
});

describe('/proc is the guest\'s', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', ...args], { encoding: 'utf8', timeout: 20_000 });

  it('a host process\'s /proc/<pid> does not exist for the guest (never node\'s)', () => {
    for (const path of [`/proc/${process.pid}/status`, `/proc/${process.pid}/mem`, `/proc/${process.ppid}/cmdline`]) {
      const r = run('/bin/busybox', 'head', '-c', '16', path);
      expect(r.status, path).toBe(1);
      expect(r.stderr, path).toMatch(/No such file or directory/);
      expect(r.stdout, path).toBe('');
    }
  });

  it('/proc/self/mem is the guest\'s memory: nothing is mapped at address 0 (EIO), never node\'s', () => {
    const r = run('/bin/busybox', 'head', '-c', '16', '/proc/self/mem');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Input\/output error/);
  });

  it('names the kernel does not have under /proc and /sys are ENOENT (the host\'s are never looked up)', () => {
    for (const path of ['/proc/net/dev', '/proc/self/smaps', '/sys/class/net', '/proc/sys/net/core/somaxconn']) {
      const r = run('/bin/busybox', 'cat', path);
      expect(r.status, path).toBe(1);
      expect(r.stderr, path).toMatch(/No such file or directory/);
    }
  });
});

describe('--root', () => {
  it('/proc and /sys are the kernel\'s under a root that has neither', () => {
    const root = join(tmp, 'procroot');
    execFileSync('mkdir', ['-p', root]);
    writeFileSync(join(root, 'proc_sys'), readFileSync(join(GUEST, 'build', 'aarch64', 'proc_sys')), { mode: 0o755 });
    const r = spawnSync(process.execPath, [CLI, 'run', '--root', root, join(root, 'proc_sys')], { encoding: 'utf8', timeout: 20_000, cwd: root });
    expect(r.stdout).toMatch(/^all \d+ checks passed$/m);
    expect(r.status).toBe(0);
  });

  it('/proc/self/exe resolves under a root that has no /proc (the kernel\'s, always)', () => {
    const root = join(tmp, 'root');
    execFileSync('mkdir', ['-p', root]);
    writeFileSync(join(root, 'uname'), readFileSync(join(GUEST, 'build', 'x86_64', 'uname')), { mode: 0o755 });
    const r = spawnSync(process.execPath, [CLI, 'run', '--root', root, join(root, 'uname')], { encoding: 'utf8', timeout: 20_000, cwd: root });
    expect(r.stdout).toMatch(/^ok: \/proc\/self\/exe ends with "\/uname"$/m);
    expect(r.status).toBe(0);
  });
});

describe('host streams are polled', () => {
  it('a thread blocked reading ucrun\'s stdin (a pipe that stays empty for 1.5 s) lets the other threads run', () => {
    const r = spawnSync('sh', ['-c', `(sleep 1.5; echo hello) | "${process.execPath}" "${CLI}" run "${files.stdinThreads}"`], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout).toBe('read 6, ticks while reading 5\n');
    expect(r.status).toBe(0);
  });
});

describe('host FIFOs', () => {
  it('a guest reads a host FIFO a host program writes later: its task waits (polled), the emulator does not', () => {
    const fifo = join(tmp, 'guest-fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `sleep 0.3; echo from-host > ${fifo}`], { stdio: 'ignore' });
    const r = spawnSync(process.execPath, [CLI, 'run', '/bin/busybox', 'cat', fifo], { encoding: 'utf8', timeout: 20_000 });
    writer.kill();
    expect(r.stdout).toBe('from-host\n');
    expect(r.status).toBe(0);
  });

  const fifoRun = (mode: string, fifo: string) => spawnSync(process.execPath, [CLI, 'run', files.fifoOpen, mode, fifo], { encoding: 'utf8', timeout: 20_000 });

  it('a blocking O_WRONLY open waits for a reader (fifo_open), only that task waits', () => {
    const fifo = join(tmp, 'fifo-w');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('sh', ['-c', `sleep 2; cat ${fifo} > ${fifo}.out`], { stdio: 'ignore' });
    const r = fifoRun('w', fifo);
    expect(r.stdout).toBe('open: ok after waiting; wrote 2 ');
    expect(r.status).toBe(0);
    reader.kill();
  });

  it('O_WRONLY|O_NONBLOCK with no reader is ENXIO at once', () => {
    const fifo = join(tmp, 'fifo-wn');
    execFileSync('mkfifo', [fifo]);
    const r = fifoRun('wn', fifo);
    expect(r.stdout).toBe('open: No such device or address after no wait\n');
    expect(r.status).toBe(1);
  });

  it('a blocking O_RDONLY open waits for a writer; O_RDONLY|O_NONBLOCK does not', () => {
    const fifo = join(tmp, 'fifo-r');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `sleep 2; echo hi > ${fifo}`], { stdio: 'ignore' });
    const r = fifoRun('r', fifo);
    expect(r.stdout).toBe('open: ok after waiting; read 3 hi\n');
    expect(r.status).toBe(0);
    writer.kill();
    const n = fifoRun('rn', fifo);
    expect(n.stdout).toBe('open: ok after no wait; read 0 ');
  });

  it('a blocking FIFO open is interrupted by a signal: EINTR (handler without SA_RESTART)', () => {
    const fifo = join(tmp, 'fifo-intr');
    execFileSync('mkfifo', [fifo]);
    const r = fifoRun('rintr', fifo);
    expect(r.stdout).toBe('open: Interrupted system call after waiting\n');
    expect(r.status).toBe(1);
  });
});

describe('a terminal', () => {
  it('termios, the window size and job control on ucrun\'s terminal are as a native program sees them (a pty from script(1))', () => {
    const run = (cmd: string) => spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    const native = run(files.tty);
    expect(native.stdout).toMatch(/tcgetattr 1 tcsetattr 1 echo-off 1 winsize 1 pgrp 1 sid 1/);
    const u = run(`"${process.execPath}" "${CLI}" run "${files.tty}"`);
    expect(u.stdout).toBe(native.stdout);
  });
});

describe('guest memory limits', () => {
  it('an ELF segment with p_memsz of 1 TiB loads at once (demand-zero) and runs', () => {
    const t0 = performance.now();
    const r = ucrun('run', files.huge);
    expect(r.stdout).toBe('hello, world\n');
    expect(r.status).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('touching memory past --mem-limit is the OOM killer: SIGKILL (137) and one line, no host error', () => {
    const r = ucrun('run', '--mem-limit', '64', files.oom);
    expect(r.status).toBe(137);
    expectOneLine(r, /^ucrun: out of memory: killed pid 1 \(oom\): guest memory is limited to 64 MiB \(--mem-limit\)$/);
  });

  it('the kernel reading 3 GiB of untouched memory allocates nothing (the zero page)', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--mem-limit', '64', files.oom, 'read'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('wrote 3221225472\n');
    expect(r.status).toBe(0);
  });
});

describe('ucrun command line', () => {
  it('`ucrun run` with no ELF prints the usage on stderr and exits 2', () => {
    const r = ucrun('run');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage:/);
    expect(r.stderr).toMatch(/ucrun run .*ELF \[ARGS\.\.\.\]/);
    expect(r.stdout).toBe('');
  });

  it('`ucrun` with no command prints the usage and exits 2', () => {
    const r = ucrun();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage:/);
  });

  it('an unknown option exits 2 and names the option', () => {
    const r = ucrun('run', '--bogus', files.random);
    expect(r.status).toBe(2);
    expect(r.lines[0]).toBe('ucrun: unknown option --bogus');
  });

  it('`ucrun --help` prints the usage on stdout and exits 0', () => {
    const r = ucrun('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage:/);
    expect(r.stderr).toBe('');
  });
});

describe('ucrun run on static-pie (ET_DYN) programs', () => {
  it.each(['x86_64', 'aarch64'])('a %s static-pie hello prints "hello, world" and exits 0', (arch) => {
    const r = ucrun('run', files[`pie-${arch}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello, world\n');
    expect(r.status).toBe(0);
  });
});
