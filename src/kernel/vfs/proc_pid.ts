// The kernel's /proc/<pid> and /proc/<pid>/task/<tid> (fs/proc/base.c, array.c, task_mmu.c):
// made from the guest process when looked up, never read from the host's /proc (where
// /proc/self is ucrun's own process). Every name is listed here; others do not exist.
import type { Process, Task } from '../task.js';
import type { VirtualDir, VirtualNode } from './path.js';
import { ProcMemFile, vfile as file, virtualDir, vlink as link } from './procfs_files.js';

const hex = (n: number, w = 0) => n.toString(16).padStart(w, '0');

/** /proc/<pid>/maps: one line per VMA, like show_map_vma (no device or inode numbers). */
function maps(p: Process): string {
  return p.mm.vmas.map((v) => {
    const perms = `${v.prot & 1 ? 'r' : '-'}${v.prot & 2 ? 'w' : '-'}${v.prot & 4 ? 'x' : '-'}${v.shared ? 's' : 'p'}`;
    const head = `${hex(v.start, 8)}-${hex(v.end, 8)} ${perms} 00000000 00:00 0`;
    return v.name ? `${head.padEnd(73)}${v.name}\n` : `${head}\n`;
  }).join('');
}

function state(p: Process, t: Task | undefined): string {
  if (p.stopped) return 'T (stopped)';
  const running = (x: Task) => x.state === 'running' || x.state === 'runnable';
  return (t ? running(t) : p.tasks.some(running)) ? 'R (running)' : 'S (sleeping)';
}

const vmSize = (p: Process) => p.mm.vmas.reduce((n, v) => n + v.end - v.start, 0);

/** /proc/<pid>/status (task_state, task_mem, task_sig): the fields programs and harnesses read. */
function status(p: Process, t: Task | undefined): string {
  const c = p.creds;
  const mask = (t ?? p.tasks[0])?.sigmask ?? 0n;
  const sig = (m: bigint) => m.toString(16).padStart(16, '0');
  const cap = sig;
  const caught = [...p.sigactions].reduce((m, [s, a]) => (a.handler > 1 ? m | (1n << BigInt(s - 1)) : m), 0n);
  const ignored = [...p.sigactions].reduce((m, [s, a]) => (a.handler === 1 ? m | (1n << BigInt(s - 1)) : m), 0n);
  return [
    `Name:\t${p.comm}`, `Umask:\t${p.umask.toString(8).padStart(4, '0')}`, `State:\t${state(p, t)}`, `Tgid:\t${p.pid}`,
    `Ngid:\t0`, `Pid:\t${t?.tid ?? p.pid}`, `PPid:\t${p.ppid}`, `TracerPid:\t0`, `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}`, `Groups:\t${c.groups.join(' ')}${c.groups.length ? ' ' : ''}`, `FDSize:\t${Math.max(64, p.fds.limit)}`,
    `VmSize:\t${vmSize(p) / 1024} kB`, `VmRSS:\t${p.mm.pt.size * 4} kB`,
    `Threads:\t${p.tasks.length}`, `SigBlk:\t${sig(mask)}`, `SigIgn:\t${sig(ignored)}`, `SigCgt:\t${sig(caught)}`,
    `CapInh:\t${cap(c.inheritable)}`, `CapPrm:\t${cap(c.permitted)}`, `CapEff:\t${cap(c.effective)}`,
    `NoNewPrivs:\t${p.noNewPrivs ? 1 : 0}`, '',
  ].join('\n');
}

/** /proc/<pid>/stat (do_task_stat): 52 fields; those ucrun does not track are 0. */
function stat(p: Process, t: Task | undefined, clockTicks: (ns: number) => number): string {
  const cpu = clockTicks(t ? t.cpuNs : p.cpuNs);
  const fields: (number | string)[] = [t?.tid ?? p.pid, `(${p.comm})`, state(p, t)[0], p.ppid, p.pgid, p.sid, 0, -1, 0x400000,
    0, 0, 0, 0, cpu, 0, 0, 0, 20, 0, p.tasks.length, 0, 0, vmSize(p), p.mm.pt.size];
  while (fields.length < 52) fields.push(0);
  return fields.join(' ') + '\n';
}

/** /proc/<pid>/statm: sizes in pages (size resident shared text lib data dt). */
const statm = (p: Process) => `${vmSize(p) / 4096} ${p.mm.pt.size} 0 0 0 0 0\n`;

const nulJoin = (xs: string[]) => xs.map((a) => a + '\0').join('');

/** /proc/<pid>/fdinfo/N (seq_show): position, status flags (octal, with O_CLOEXEC), mount id. */
function fdinfo(p: Process, fd: number): string | undefined {
  const e = p.fds.entry(fd);
  if (!e) return undefined;
  const flags = (e.file.flags & ~p.arch.o.O_CLOEXEC) | (e.cloexec ? p.arch.o.O_CLOEXEC : 0);
  return `pos:\t${e.file.offset}\nflags:\t0${flags.toString(8)}\nmnt_id:\t0\nino:\t0\n`;
}

const MOUNTS = 'ucrun / ucrun rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n'
  + 'sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n';

/** The fd/ and fdinfo/ directories. */
function fdDir(p: Process, info: boolean): VirtualDir {
  const names = () => p.fds.fds().map(String);
  return virtualDir(names, (name) => {
    if (!/^\d+$/.test(name)) return undefined;
    const fd = Number(name);
    if (info) { const s = fdinfo(p, fd); return s === undefined ? undefined : file(() => fdinfo(p, fd) ?? ''); }
    const f = p.fds.get(fd);
    return f ? link(f.path) : undefined;
  });
}

const PID_ENTRIES = ['auxv', 'cmdline', 'comm', 'cwd', 'environ', 'exe', 'fd', 'fdinfo', 'maps', 'mem', 'mounts',
  'root', 'stat', 'statm', 'status', 'task'];

/** /proc/<pid> (t undefined) or /proc/<pid>/task/<tid> (no task/ entry in it). */
export function pidDir(p: Process, t: Task | undefined, clockTicks: (ns: number) => number): VirtualDir {
  const names = () => (t ? PID_ENTRIES.filter((n) => n !== 'task') : PID_ENTRIES);
  return virtualDir(names, (name): VirtualNode | undefined => {
    if (!p.alive) return undefined;
    switch (name) {
      case 'auxv': return file(() => p.auxv);
      case 'cmdline': return file(() => nulJoin(p.argv));
      case 'comm': return file(() => `${p.comm}\n`);
      case 'cwd': return link(p.cwd);
      case 'environ': return file(() => nulJoin(p.envp));
      case 'exe': return link(p.exePath);
      case 'fd': return fdDir(p, false);
      case 'fdinfo': return fdDir(p, true);
      case 'maps': return file(() => maps(p));
      case 'mem': return { kind: 'file', content: () => '', open: (flags: number, guest: string) => new ProcMemFile(flags, guest, p) };
      case 'mounts': return file(() => MOUNTS);
      case 'root': return link('/');
      case 'stat': return file(() => stat(p, t, clockTicks));
      case 'statm': return file(() => statm(p));
      case 'status': return file(() => status(p, t));
      case 'task':
        if (t) return undefined;
        return virtualDir(() => p.tasks.map((x) => String(x.tid)), (tid) => {
          const x = p.tasks.find((y) => String(y.tid) === tid);
          return x ? pidDir(p, x, clockTicks) : undefined;
        });
      default: return undefined;
    }
  });
}
