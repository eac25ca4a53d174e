// The kernel's own /proc/<pid> files (fs/proc/array.c, task_mmu.c, base.c): made from the guest
// process when opened, never read from the host's /proc (where /proc/self is ucrun's process).
// Served: maps, status, stat, comm, cmdline, environ (argv and envp as execve received them).
// Other names under /proc/<pid> do not exist (ENOENT).
import type { Stat } from '../../arch/stat.js';
import type { PhysChunk } from '../../mm/guest_memory.js';
import { copyToChunks } from '../../mm/guest_memory.js';
import type { Process } from '../task.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { OpenFile, POLLIN, S_IFREG } from './file.js';

const hex = (n: number, w = 0) => n.toString(16).padStart(w, '0');

/** /proc/<pid>/maps: one line per VMA, like show_map_vma (no device or inode numbers). */
function maps(p: Process): string {
  return p.mm.vmas.map((v) => {
    const perms = `${v.prot & 1 ? 'r' : '-'}${v.prot & 2 ? 'w' : '-'}${v.prot & 4 ? 'x' : '-'}${v.shared ? 's' : 'p'}`;
    const head = `${hex(v.start, 8)}-${hex(v.end, 8)} ${perms} 00000000 00:00 0`;
    return v.name ? `${head.padEnd(73)}${v.name}\n` : `${head}\n`;
  }).join('');
}

function state(p: Process): string {
  if (p.stopped) return 'T (stopped)';
  return p.tasks.some((t) => t.state === 'running' || t.state === 'runnable') ? 'R (running)' : 'S (sleeping)';
}

/** /proc/<pid>/status: the fields programs and test harnesses read. */
function status(p: Process): string {
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  const rss = p.mm.pt.size * 4;
  const sigmask = (p.tasks[0]?.sigmask ?? 0n).toString(16).padStart(16, '0');
  return [
    `Name:\t${p.comm}`, `Umask:\t${p.umask.toString(8).padStart(4, '0')}`, `State:\t${state(p)}`, `Tgid:\t${p.pid}`,
    `Ngid:\t0`, `Pid:\t${p.pid}`, `PPid:\t${p.ppid}`, `TracerPid:\t0`, `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    `Gid:\t${gid}\t${gid}\t${gid}\t${gid}`, `FDSize:\t${Math.max(64, p.fds.limit)}`, `VmRSS:\t${rss} kB`,
    `Threads:\t${p.tasks.length}`, `SigBlk:\t${sigmask}`, '',
  ].join('\n');
}

/** /proc/<pid>/stat: pid (comm) state ppid pgrp session ... (the first fields, then zeros). */
function stat(p: Process): string {
  const fields = [p.pid, `(${p.comm})`, state(p)[0], p.ppid, p.pgid, p.sid, 0, -1, 0, 0, 0, 0, 0,
    Math.floor(p.cpuNs / 1e7), 0, 0, 0, 20, 0, p.tasks.length, 0, 0, p.mm.vmas.reduce((n, v) => n + v.end - v.start, 0), p.mm.pt.size];
  return fields.join(' ') + '\n';
}

/** The content maker of /proc/<pid>/NAME, or undefined: no such file. */
export function procFileContent(p: Process, name: string): (() => string) | undefined {
  switch (name) {
    case 'maps': return () => maps(p);
    case 'status': return () => status(p);
    case 'stat': return () => stat(p);
    case 'comm': return () => `${p.comm}\n`;
    case 'cmdline': return () => p.argv.map((a) => a + '\0').join('');
    case 'environ': return () => p.envp.map((a) => a + '\0').join('');
    default: return undefined;
  }
}

export function procStat(): Stat {
  const now = Math.floor(Date.now() / 1000);
  return { dev: 23, ino: 5000, mode: S_IFREG | 0o444, nlink: 1, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0,
    rdev: 0, size: 0, blksize: 1024, blocks: 0, atimeSec: now, atimeNsec: 0, mtimeSec: now, mtimeNsec: 0, ctimeSec: now, ctimeNsec: 0 };
}

/** An open /proc file: its bytes were made at open (seq_file's snapshot per open). */
export class ProcFile extends OpenFile {
  readonly #data: Uint8Array;
  constructor(flags: number, path: string, content: string) {
    super(flags, path);
    this.#data = new TextEncoder().encode(content);
  }

  override get seekable(): boolean { return true; }
  stat(): Stat { return procStat(); }
  override size(): number { return 0; }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    const at = pos ?? this.offset;
    const part = this.#data.subarray(Math.min(at, this.#data.length), Math.min(at + len, this.#data.length));
    copyToChunks(t.kernel.phys.u8, dst, part);
    if (pos === undefined) this.offset += part.length;
    return part.length;
  }

  override poll(): number { return POLLIN; }
}
