// The kernel's own trees: /proc and /sys under every root, and /dev when the root has none.
// Nothing under /proc or /sys is ever looked up on the host: there /proc/self is ucrun's own
// process (its memory, its fds) and /sys describes the host machine. A name these trees do
// not list does not exist (ENOENT). Contents follow fs/proc/*.c and the sysctl tables; the
// numbers are the kernel's (its memory limit, its processes, its boot time).
import { randomUUID } from 'node:crypto';
import type { Kernel } from '../kernel.js';
import { NR_CPUS, NR_OPEN, PID_MAX } from '../limits.js';
import type { Task } from '../task.js';
import { PIPE_MAX_SIZE } from '../pipe/pipe.js';
import { DEVICE_NAMES } from './devices.js';
import { VIRTUAL_NONE, type VirtualDir, type VirtualFile, type VirtualLink, type VirtualNode } from './path.js';
import { pidDir } from './proc_pid.js';
import { vfile as file, virtualDir } from './procfs_files.js';

/** USER_HZ: /proc times are in clock ticks of 10 ms (AT_CLKTCK 100). */
const ticks = (ns: number) => Math.floor(ns / 1e7);
const line = (v: string | number) => file(() => `${v}\n`);

/** A fixed directory: the names in the order given. */
function staticDir(entries: Record<string, () => VirtualNode>): VirtualDir {
  return virtualDir(() => Object.keys(entries), (name) => (Object.hasOwn(entries, name) ? entries[name]() : undefined));
}

/** What sysinfo(2), /proc/uptime, loadavg and meminfo report. */
export function systemStats(k: Kernel) {
  const uptime = (performance.now() - k.bootMs) / 1000;
  let cpuNs = 0, running = 0, threads = 0;
  for (const p of k.processes.values()) {
    cpuNs += p.cpuNs;
    for (const t of p.tasks) { threads++; if (t.state === 'running' || t.state === 'runnable') running++; }
  }
  const total = k.phys.limitBytes;
  const free = Math.max(0, total - k.phys.usedFrames * 4096);
  // One guest thread runs at a time: the load is the runnable threads now (no decay kept).
  return { uptime, idle: Math.max(0, uptime * NR_CPUS - cpuNs / 1e9), cpuNs, running, threads, total, free,
    loads: [running, running, running], procs: [...k.processes.values()].filter((p) => p.alive).length };
}

function meminfo(k: Kernel): string {
  const s = systemStats(k);
  const kb = (n: number) => `${Math.floor(n / 1024)} kB`;
  const rows: [string, string][] = [
    ['MemTotal', kb(s.total)], ['MemFree', kb(s.free)], ['MemAvailable', kb(s.free)], ['Buffers', kb(0)], ['Cached', kb(0)],
    ['SwapCached', kb(0)], ['Active', kb(s.total - s.free)], ['Inactive', kb(0)], ['SwapTotal', kb(0)], ['SwapFree', kb(0)],
    ['Shmem', kb(0)], ['CommitLimit', kb(s.total)], ['Committed_AS', kb(s.total - s.free)],
    ['HugePages_Total', '0'], ['HugePages_Free', '0'], ['Hugepagesize', '2048 kB'],
  ];
  return rows.map(([n, v]) => `${`${n}:`.padEnd(16)}${v.padStart(v.endsWith('kB') ? 11 : 8)}\n`).join('');
}

/** /proc/stat (fs/proc/stat.c): guest run time counts as user time, the rest as idle. */
function procStatFile(k: Kernel): string {
  const s = systemStats(k);
  const user = ticks(s.cpuNs), idle = Math.floor(s.idle * 100);
  const cpu = (name: string, u: number, i: number) => `${name} ${u} 0 0 ${i} 0 0 0 0 0 0\n`;
  let out = cpu('cpu ', user, idle);
  for (let c = 0; c < NR_CPUS; c++) out += cpu(`cpu${c}`, c === 0 ? user : 0, Math.floor(idle / NR_CPUS));
  return `${out}intr 0\nctxt 0\nbtime ${Math.floor(k.bootEpochMs / 1000)}\nprocesses ${k.lastPid}\n`
    + `procs_running ${Math.max(1, s.running)}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`;
}

/** /proc/sys: the sysctls programs read (kernel/sysctl.c, fs, vm). */
function sysctl(k: Kernel): VirtualDir {
  return staticDir({
    kernel: () => staticDir({
      ostype: () => line(k.uts.sysname), osrelease: () => line(k.uts.release), version: () => line(k.uts.version),
      hostname: () => line(k.uts.nodename), domainname: () => line(k.uts.domainname),
      pid_max: () => line(PID_MAX), 'threads-max': () => line(k.maxProcs), ngroups_max: () => line(65536),
      cap_last_cap: () => line(40), overflowuid: () => line(65534), overflowgid: () => line(65534),
      // No address-space randomisation: every run lays memory out the same way.
      randomize_va_space: () => line(0),
      // The IPC namespace's limits (ipc/ipc_sysctl.c): sem is SEMMSL SEMMNS SEMOPM SEMMNI.
      shmmax: () => line(String(k.ipc.shm.shmmax)), shmall: () => line(String(k.ipc.shm.shmall)),
      shmmni: () => line(k.ipc.shm.shmmni),
      sem: () => line([k.ipc.sem.semmsl, k.ipc.sem.semmns, k.ipc.sem.semopm, k.ipc.sem.semmni].join('\t')),
      msgmax: () => line(k.ipc.msg.msgmax), msgmnb: () => line(k.ipc.msg.msgmnb), msgmni: () => line(k.ipc.msg.msgmni),
      random: () => staticDir({
        boot_id: () => line(k.bootId), uuid: () => file(() => `${randomUUID()}\n`),
        entropy_avail: () => line(256), poolsize: () => line(256),
      }),
    }),
    vm: () => staticDir({ overcommit_memory: () => line(0), max_map_count: () => line(65530) }),
    fs: () => staticDir({ 'file-max': () => line(9223372036854775807n.toString()), nr_open: () => line(NR_OPEN),
      'pipe-max-size': () => line(PIPE_MAX_SIZE) }),
  });
}

/** The /proc entry of a pid or tid (a thread's /proc/<tid> exists without being listed). */
function pidNode(k: Kernel, name: string): VirtualNode | undefined {
  if (!/^[1-9]\d*$/.test(name)) return undefined;
  const id = Number(name);
  const p = k.processes.get(id);
  if (p?.alive) return pidDir(p, undefined, ticks);
  const t = k.tasks.get(id);
  return t ? pidDir(t.proc, t, ticks) : undefined;
}

function procRoot(t: Task): VirtualDir {
  const k = t.kernel;
  const files: Record<string, () => VirtualNode> = {
    cpuinfo: () => file(() => t.proc.arch.cpuinfo(t.engine, NR_CPUS)),
    meminfo: () => file(() => meminfo(k)),
    uptime: () => file(() => { const s = systemStats(k); return `${s.uptime.toFixed(2)} ${s.idle.toFixed(2)}\n`; }),
    loadavg: () => file(() => {
      const s = systemStats(k);
      return `${s.loads.map((l) => l.toFixed(2)).join(' ')} ${s.running}/${s.threads} ${k.lastPid}\n`;
    }),
    stat: () => file(() => procStatFile(k)),
    version: () => line(`${k.uts.sysname} version ${k.uts.release} (ucrun) ${k.uts.version}`),
    filesystems: () => file(() => 'nodev\tsysfs\nnodev\tproc\nnodev\tdevtmpfs\n'),
    mounts: () => ({ kind: 'link', target: 'self/mounts' }),
    self: () => ({ kind: 'link', target: String(t.proc.pid) }),
    'thread-self': () => ({ kind: 'link', target: `${t.proc.pid}/task/${t.tid}` }),
    sys: () => sysctl(k),
  };
  const pids = () => [...k.processes.values()].filter((p) => p.alive).map((p) => String(p.pid));
  return virtualDir(() => [...Object.keys(files), ...pids()],
    (name) => (Object.hasOwn(files, name) ? files[name]() : pidNode(k, name)));
}

/** /sys: the CPU topology glibc reads for sysconf(_SC_NPROCESSORS_*) and get_nprocs_conf. */
function sysRoot(): VirtualDir {
  const range = line(NR_CPUS === 1 ? '0' : `0-${NR_CPUS - 1}`);
  const cpuDirs: Record<string, () => VirtualNode> = {};
  for (let c = 0; c < NR_CPUS; c++) cpuDirs[`cpu${c}`] = () => staticDir({ online: () => line(1) });
  return staticDir({
    devices: () => staticDir({
      system: () => staticDir({
        cpu: () => staticDir({
          online: () => range, possible: () => range, present: () => range, kernel_max: () => line(NR_CPUS - 1), ...cpuDirs,
        }),
      }),
    }),
    kernel: () => staticDir({
      mm: () => staticDir({
        transparent_hugepage: () => staticDir({ enabled: () => line('always madvise [never]') }),
      }),
    }),
  });
}

/** The node at a guest path inside `root`, VIRTUAL_NONE when the tree has no such name. */
function walk(root: VirtualDir, rest: string[]): string | typeof VIRTUAL_NONE | VirtualDir | VirtualFile {
  let node: VirtualNode = root;
  for (const name of rest) {
    if (node.kind !== 'dir') return VIRTUAL_NONE; // resolvePath asks component by component
    const next: VirtualNode | undefined = node.child(name);
    if (!next) return VIRTUAL_NONE;
    node = next;
  }
  return node.kind === 'link' ? node.target : node;
}

/**
 * Kernel-provided nodes for `t`'s lookups (the VirtualLink of resolvePath): /proc and /sys
 * always, /dev when the guest root has no /dev directory (its entries are the kernel's devices).
 */
export function kernelNodes(t: Task, rootHas: (dir: string) => boolean): VirtualLink {
  return (guest: string) => {
    const parts = guest.split('/');
    const top = parts[1];
    if (top === 'proc' || top === 'sys') return walk(top === 'proc' ? procRoot(t) : sysRoot(), parts.slice(2));
    if (guest === '/dev' && !rootHas('/dev')) return virtualDir(() => DEVICE_NAMES, () => ({ kind: 'file', content: () => '' }));
    return undefined;
  };
}
