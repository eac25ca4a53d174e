// Process creation and reaping: fork, vfork, clone (without CLONE_VM), clone3, execve,
// execveat, wait4, waitid, and process groups/sessions (kernel/fork.c, kernel/exit.c,
// fs/exec.c, kernel/sys.c).
import { stringToBytes } from '../../abi/bytes.js';
import * as fs from 'node:fs';
import { CLONE, CLONE_ARGS_LAYOUT, SIGINFO_LAYOUT, WAIT, AT, PR } from '../abi.js';
import { TaskExit } from '../dispatch.js';
import { rusage as rusageOf } from './sys_time.js';
import { pidfdProcess } from './sys_pidfd.js';
import { MAY_EXEC, permitted } from '../vfs/permission.js';
import { CAP, CAP_LAST_CAP } from '../creds.js';
import { Errno } from '../errno.js';
import { buildImage, ExecFailure, parseShebang } from '../exec.js';
import type { Process, Task } from '../task.js';
import { block, SyscallResult } from '../wait.js';
import { lookup } from '../vfs/open.js';
import { readRegularFile } from '../exec.js';
import { exitTimers } from '../timers/posix_timers.js';

const { CLONE_VM, CLONE_VFORK, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID,
  CLONE_THREAD, CLONE_SIGHAND, CLONE_FILES, CLONE_FS, CLONE_PARENT, CLONE_NEWNS, CLONE_DETACHED, CLONE_SYSVSEM,
  CLONE_NEWUSER } = CLONE;
const { WNOHANG, WUNTRACED, WCONTINUED, WEXITED, WNOWAIT, __WALL, __WCLONE, __WNOTHREAD } = WAIT;
const CSIGNAL = 0xff;
/** Flags a new process (no CLONE_VM) may carry. */
const PROCESS_FLAGS = CSIGNAL | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
  CLONE_CHILD_CLEARTID | CLONE_PARENT | CLONE_DETACHED /* ignored, as Linux does */ | CLONE_SYSVSEM;
/** What glibc's and musl's pthread_create pass, and the optional extras. */
const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
  CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED;
const MAX_ARG_STRINGS = 0x7fffffff;
/** The whole argv+envp may not exceed this (a quarter of an 8 MiB stack rlimit, fs/exec.c). */
const MAX_ARG_BYTES = 32 << 20;

interface CloneRequest { flags: number; childStack: number; parentTid: number; childTid: number; tls: number }

/** copy_process's checks of flag combinations Linux refuses. */
function invalidCombination(flags: number): boolean {
  if ((flags & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return true;
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) === (CLONE_NEWUSER | CLONE_FS)) return true;
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return true;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return true;
  return false;
}

/** The one implementation behind fork, vfork, clone and clone3. */
function doClone(t: Task, req: CloneRequest): SyscallResult {
  const k = t.kernel;
  const flags = req.flags;
  if (invalidCombination(flags)) return -Errno.EINVAL;
  if (flags & CLONE_THREAD) return newThread(t, req);
  const parent = t.proc;
  if (flags & CLONE_VM) {
    // posix_spawn's clone(CLONE_VM|CLONE_VFORK) runs as vfork: fork + wait for exec/exit.
    // Other processes sharing memory (CLONE_VM without CLONE_THREAD) are not supported.
    if (!(flags & CLONE_VFORK) || (flags & (CLONE_SIGHAND | CLONE_FILES | CLONE_FS))) return -Errno.EINVAL;
  }
  if (flags & (CLONE_FILES | CLONE_FS | CLONE_NEWNS)) return -Errno.EINVAL;
  if (flags & ~(PROCESS_FLAGS | CLONE_VM)) return -Errno.EINVAL;
  if (k.liveCount() >= k.maxProcs) return -Errno.EAGAIN;
  const mm = parent.mm.fork();
  const child = k.createProcess(flags & CLONE_PARENT ? parent.parent ?? parent : parent, parent.arch, mm, parent.fds.clone(), parent.cwd);
  child.exePath = parent.exePath;
  child.argv = parent.argv;
  child.envp = parent.envp;
  child.auxv = parent.auxv;
  child.creds = parent.creds.clone();
  child.nice = parent.nice;
  child.personality = parent.personality;
  child.comm = parent.comm;
  child.umask = parent.umask;
  for (const [r, v] of parent.rlimits) child.rlimits.set(r, v);
  child.sigactions = new Map(parent.sigactions);
  child.pgid = parent.pgid;
  child.sid = parent.sid;
  // The child is a copy of the calling thread only (fork from a thread).
  const ct = child.tasks[0];
  ct.sigmask = t.sigmask;
  ct.altstack = { ...t.altstack };
  startCopy(t, ct, req);
  if (flags & CLONE_VFORK) {
    child.vforkParent = t;
    t.callState.vforkChild = child.pid;
    return block([]);
  }
  return child.pid;
}

/**
 * A new task starts as a copy of the caller, returning 0 from the call, on its own stack and
 * TLS; the tid words are written (the child's into the child's memory) and it becomes runnable.
 */
function startCopy(t: Task, ct: Task, req: CloneRequest): void {
  const arch = t.proc.arch;
  ct.engine.copyRegsFrom(t.engine, arch.contextRegs);
  ct.pc = t.engine.reg(arch.abi.pc) + arch.syscallPcAdjust;
  ct.engine.setReg(arch.abi.ret, 0);
  if (req.childStack) ct.engine.setReg(arch.abi.sp, req.childStack);
  if (req.flags & CLONE_SETTLS) arch.setTls(ct.engine, req.tls);
  if (req.flags & CLONE_PARENT_SETTID) t.mem.setI32(req.parentTid, ct.tid);
  if (req.flags & CLONE_CHILD_SETTID) ct.mem.setI32(req.childTid, ct.tid);
  if (req.flags & CLONE_CHILD_CLEARTID) ct.clearChildTid = req.childTid;
  t.kernel.sched.admit(ct);
  t.kernel.tracer?.forked?.(t, ct);
}

/** clone(CLONE_VM|CLONE_THREAD|...): a new thread of the caller's process. */
function newThread(t: Task, req: CloneRequest): SyscallResult {
  const k = t.kernel;
  const flags = req.flags;
  // A thread shares everything glibc and musl ask for; a thread with its own fd table or cwd
  // (CLONE_THREAD without CLONE_FILES/CLONE_FS) is not supported.
  if ((flags & ~THREAD_FLAGS & ~CSIGNAL) || (flags & (CLONE_FILES | CLONE_FS)) !== (CLONE_FILES | CLONE_FS)) return -Errno.EINVAL;
  if (k.tasks.size >= k.maxProcs * 16) return -Errno.EAGAIN;
  const nt = k.addThread(t.proc, k.allocPid());
  nt.sigmask = t.sigmask;
  // copy_process: a new thread on its own stack starts with no sigaltstack (CLONE_VM without VFORK).
  startCopy(t, nt, req);
  return nt.tid;
}

/** The vfork parent resumes when its child has exec'd or exited. */
function vforkDone(t: Task): SyscallResult | undefined {
  const pid = t.callState.vforkChild;
  if (pid === undefined) return undefined;
  const c = t.kernel.processes.get(pid);
  if (c && c.alive && c.vforkParent === t) return block([]);
  return pid;
}

/** Read a NULL-terminated array of string pointers (argv/envp). */
function readStrings(t: Task, addr: number): string[] | number {
  const out: string[] = [];
  if (!addr) return out;
  let bytes = 0;
  for (let i = 0; i < MAX_ARG_STRINGS; i++) {
    const p = t.mem.u64(addr + i * 8);
    if (!p) break;
    const s = t.mem.cstring(p, 128 * 1024);
    bytes += s.length + 1 + 8;
    if (bytes > MAX_ARG_BYTES) return -Errno.E2BIG;
    out.push(s);
  }
  return out;
}

/** Resolve an executable like do_open_execat: ENOENT, EACCES for non-files and non-executables. */
function openExec(t: Task, dirfd: number, path: string, flags: number): { guest: string; file: Uint8Array } | number {
  let r;
  if (path === '' && (flags & AT.AT_EMPTY_PATH)) {
    const f = t.proc.fds.get(dirfd);
    if (!f) return -Errno.EBADF;
    r = lookup(t, AT.AT_FDCWD, f.path, true);
  } else {
    r = lookup(t, dirfd, path, (flags & AT.AT_SYMLINK_NOFOLLOW) === 0);
  }
  if (typeof r === 'number') return r;
  if (!r.st) return r.vlink !== undefined ? -Errno.ELOOP : -Errno.ENOENT;
  // The resolved host path has no symlink left, unless NOFOLLOW kept the last one: Linux then
  // refuses it (ELOOP) rather than opening what it points to (it may lie outside the root).
  const st = r.st;
  if (st.isSymbolicLink()) return -Errno.ELOOP;
  // do_open_execat / may_open: only regular files with an execute bit (no FIFO, device or
  // directory: reading one would block or never end).
  if (!st.isFile() || !permitted(t.proc.creds, st, MAY_EXEC)) return -Errno.EACCES;
  try { return { guest: r.guest, file: readRegularFile(r.host) }; } catch { return -Errno.EACCES; }
}

function doExecve(t: Task, dirfd: number, pathAddr: number, argvAddr: number, envpAddr: number, flags: number): SyscallResult {
  if (flags & ~(AT.AT_EMPTY_PATH | AT.AT_SYMLINK_NOFOLLOW)) return -Errno.EINVAL;
  let path = t.mem.cstring(pathAddr);
  let argv = readStrings(t, argvAddr);
  if (typeof argv === 'number') return argv;
  const envp = readStrings(t, envpAddr);
  if (typeof envp === 'number') return envp;
  let execfn = path;
  // fs/exec.c exec_binprm: up to 5 levels of #! interpreters (ELOOP beyond).
  for (let depth = 0; ; depth++) {
    const opened = openExec(t, dirfd, path, depth === 0 ? flags : 0);
    if (typeof opened === 'number') return opened;
    const sb = parseShebang(opened.file);
    if (!sb) {
      let img;
      try { img = buildImage(t.kernel, opened.file, argv, envp, execfn, (a) => t.kernel.probeEngine(a), t.proc.creds); } catch (e) {
        if (e instanceof ExecFailure) {
          if (e.message.startsWith('dynamically linked')) t.kernel.log(`ucrun: ${path}: ${e.message}`);
          return -e.errno;
        }
        throw e;
      }
      commitExec(t, img, opened.guest, argv, envp);
      throw new TaskExit(); // the old image never sees a return value
    }
    // exec_binprm: at most 5 interpreter rewrites (a chain of five #! scripts runs).
    if (depth >= 5) return -Errno.ELOOP;
    if (sb.interp === '') return -Errno.EACCES; // "#!" and then nothing before a NUL
    argv = [sb.interp, ...(sb.arg !== undefined ? [sb.arg] : []), path, ...argv.slice(1)];
    path = sb.interp;
    execfn = path;
    dirfd = AT.AT_FDCWD;
  }
}

/** The point of no return (begin_new_exec): swap the image once the engine has stopped. */
function commitExec(t: Task, img: ReturnType<typeof buildImage>, guestPath: string, argv: string[], envp: string[]): void {
  const p = t.proc;
  const k = t.kernel;
  // de_thread: every other thread dies; the caller takes the leader's tid.
  k.becomeSoleThread(t);
  t.clearChildTid = 0;
  t.robustList = 0;
  p.fds.closeOnExec();
  exitTimers(p); // POSIX timers do not survive execve (exit_itimers in begin_new_exec)
  // Handled signals reset to default; ignored ones stay ignored; the mask is kept.
  for (const [sig, act] of [...p.sigactions]) if (act.handler > 1) p.sigactions.delete(sig);
  t.altstack = { sp: 0, size: 0, flags: 2 };
  p.exePath = guestPath;
  p.argv = argv;
  p.envp = envp;
  p.auxv = img.start.auxv;
  // execve of a program without set-id bits or file capabilities (cap_bprm_creds_from_file):
  // the saved ids become the effective ones, uid 0 (real or effective) gets the bounding set,
  // others nothing; PR_SET_KEEPCAPS is cleared.
  const cr = p.creds;
  cr.keepCaps = false;
  cr.suid = cr.fsuid = cr.euid;
  cr.sgid = cr.fsgid = cr.egid;
  cr.permitted = cr.uid === 0 || cr.euid === 0 ? cr.bounding : 0n;
  cr.effective = cr.euid === 0 ? cr.permitted : 0n;
  p.comm = guestPath.split('/').pop()!.slice(0, 15);
  if (p.vforkParent) { p.vforkParent.wake(); p.vforkParent = undefined; }
  k.tracer?.execed?.(t, guestPath, argv);
  t.stopThen((task) => {
    const old = p.mm;
    const sameArch = p.arch === img.arch;
    if (!sameArch) { task.engine.close(); p.arch = img.arch; task.engine = k.newEngine(task, img.arch); }
    p.setMm(img.mm);
    k.wireMm(p, img.mm);
    old.destroy();
    if (sameArch) { task.engine.flushTlb(); task.engine.flushCode(); }
    img.arch.startThread(task.engine, img.start.entry, img.start.sp);
    task.pc = img.start.entry;
  });
}

/** Does child `c` match wait4's pid argument for parent `p`? */
function matches(p: Process, c: Process, pid: number): boolean {
  if (pid > 0) return c.pid === pid;
  if (pid === -1) return true;
  if (pid === 0) return c.pgid === p.pgid;
  return c.pgid === -pid;
}

interface Found { c: Process; status: number; code: number; sstatus: number; consume: () => void }

/** The first child whose state change `options` asks for (do_wait's wait_consider_task). */
function findChild(p: Process, match: (c: Process) => boolean, options: number): Found | number {
  let any = false;
  for (const c of p.children) {
    if (!match(c)) continue;
    any = true;
    if (!c.alive && (options & WEXITED)) {
      const r = c.exitRecord!;
      return { c, status: c.waitStatus!, code: r.code, sstatus: r.status, consume: () => { if (!(options & WNOWAIT)) p.kernel.reap(c); } };
    }
    if (c.alive && c.stopped && !c.stopReported && (options & WUNTRACED)) {
      return { c, status: (c.stopSig << 8) | 0x7f, code: 5, sstatus: c.stopSig, consume: () => { if (!(options & WNOWAIT)) c.stopReported = true; } };
    }
    if (c.alive && !c.contReported && (options & WCONTINUED)) {
      return { c, status: 0xffff, code: 6, sstatus: 18, consume: () => { if (!(options & WNOWAIT)) c.contReported = true; } };
    }
  }
  return any ? 0 : -Errno.ECHILD;
}

export const processCalls = {
  /** fork(2), x86_64 only */
  fork(t: Task): SyscallResult { return vforkDone(t) ?? doClone(t, { flags: 17, childStack: 0, parentTid: 0, childTid: 0, tls: 0 }); },
  /** vfork(2), x86_64 only: the parent waits until the child execs or exits */
  vfork(t: Task): SyscallResult { return vforkDone(t) ?? doClone(t, { flags: CLONE_VFORK | 17, childStack: 0, parentTid: 0, childTid: 0, tls: 0 }); },
  /** clone(2): argument order per arch (aarch64 passes tls before child_tid) */
  clone(t: Task, a: number[]): SyscallResult {
    const o = t.proc.arch.data.CLONE_ARGS;
    return vforkDone(t) ?? doClone(t, { flags: a[o.flags] >>> 0, childStack: a[o.newsp], parentTid: a[o.parentTid], childTid: a[o.childTid], tls: a[o.tls] });
  },
  /** clone3(2) */
  clone3(t: Task, [uargs, size]: number[]): SyscallResult {
    const done = vforkDone(t);
    if (done !== undefined) return done;
    if (size < 64 || size > 4096) return -Errno.EINVAL;
    const b = t.mem.read(uargs, Math.min(size, CLONE_ARGS_LAYOUT.size));
    const dv = new DataView(b.buffer);
    const F = CLONE_ARGS_LAYOUT.fields;
    const u = (f: { offset: number }) => (f.offset + 8 <= b.length ? Number(dv.getBigUint64(f.offset, true)) : 0);
    const flags = u(F.flags);
    const exitSignal = u(F.exit_signal);
    if (flags > 0xffffffff || (exitSignal & ~CSIGNAL)) return -Errno.EINVAL;
    if ((flags & (CLONE_THREAD | CLONE_PARENT)) && exitSignal) return -Errno.EINVAL;
    const stack = u(F.stack), stackSize = u(F.stack_size);
    return doClone(t, {
      flags: (flags | exitSignal) >>> 0, childStack: stack ? stack + stackSize : 0, parentTid: u(F.parent_tid),
      childTid: u(F.child_tid), tls: u(F.tls),
    });
  },
  /** execve(2) */
  execve(t: Task, [path, argv, envp]: number[]): SyscallResult { return doExecve(t, AT.AT_FDCWD, path, argv, envp, 0); },
  /** execveat(2) */
  execveat(t: Task, [dirfd, path, argv, envp, flags]: number[]): SyscallResult { return doExecve(t, dirfd | 0, path, argv, envp, flags); },
  /** wait4(2) */
  wait4(t: Task, [pid, status, options, rusage]: number[]): SyscallResult {
    pid |= 0;
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) return -Errno.EINVAL;
    const p = t.proc;
    const f = findChild(p, (c) => matches(p, c, pid), options | WEXITED);
    if (typeof f === 'number') {
      if (f < 0) return f;
      if (options & WNOHANG) return 0;
      return block([p.childWait]);
    }
    if (status) t.mem.setI32(status, f.status);
    if (rusage) t.mem.write(rusage, rusageOf(f.c.cpuNs + f.c.childCpuNs, Math.max(f.c.maxRssKb, f.c.childMaxRssKb)));
    f.consume();
    return f.c.pid;
  },
  /** waitid(2) */
  waitid(t: Task, [idtype, id, infop, options]: number[]): SyscallResult {
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WEXITED | WNOWAIT | __WALL | __WCLONE | __WNOTHREAD)) return -Errno.EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return -Errno.EINVAL;
    const p = t.proc;
    let match: (c: Process) => boolean;
    if (idtype === 0) match = () => true; // P_ALL
    else if (idtype === 1) { if ((id | 0) <= 0) return -Errno.EINVAL; match = (c) => c.pid === (id | 0); } // P_PID
    else if (idtype === 2) { const g = (id | 0) || p.pgid; match = (c) => c.pgid === g; } // P_PGID
    else if (idtype === 3) { // P_PIDFD
      const target = pidfdProcess(t, id | 0);
      if (typeof target === 'number') return target;
      if (target.parent !== p) return -Errno.ECHILD;
      match = (c) => c === target;
    } else return -Errno.EINVAL;
    const f = findChild(p, match, options);
    if (typeof f === 'number') {
      if (f < 0) return f;
      if (options & WNOHANG) { if (infop) t.mem.write(infop, new Uint8Array(SIGINFO_LAYOUT.size)); return 0; }
      return block([p.childWait]);
    }
    if (infop) {
      const b = new Uint8Array(SIGINFO_LAYOUT.size);
      const dv = new DataView(b.buffer);
      const F = SIGINFO_LAYOUT.fields;
      dv.setInt32(F.si_signo.offset, 17, true);
      dv.setInt32(F.si_code.offset, f.code, true);
      dv.setInt32(F.si_pid.offset, f.c.pid, true);
      dv.setUint32(F.si_uid.offset, f.c.creds.uid, true);
      dv.setInt32(F.si_status.offset, f.sstatus, true);
      t.mem.write(infop, b);
    }
    f.consume();
    return 0;
  },
  /** setpgid(2) */
  setpgid(t: Task, [pid, pgid]: number[]): SyscallResult {
    const k = t.kernel;
    pid |= 0; pgid |= 0;
    if (pgid < 0) return -Errno.EINVAL;
    const target = pid === 0 ? t.proc : k.processes.get(pid);
    if (!target || !target.alive || (target !== t.proc && target.parent !== t.proc)) return -Errno.ESRCH;
    if (target.sid === target.pid) return -Errno.EPERM; // a session leader
    if (target.sid !== t.proc.sid) return -Errno.EPERM;
    const g = pgid === 0 ? target.pid : pgid;
    if (g !== target.pid && ![...k.processes.values()].some((q) => q.alive && q.pgid === g && q.sid === t.proc.sid)) return -Errno.EPERM;
    target.pgid = g;
    return 0;
  },
  /** getpgid(2) */
  getpgid(t: Task, [pid]: number[]): SyscallResult {
    const p = (pid | 0) === 0 ? t.proc : t.kernel.processes.get(pid | 0);
    return p && p.alive ? p.pgid : -Errno.ESRCH;
  },
  getpgrp: (t: Task): SyscallResult => t.proc.pgid,
  /** setsid(2) */
  setsid(t: Task): SyscallResult {
    const p = t.proc;
    if ([...t.kernel.processes.values()].some((q) => q.alive && q.pgid === p.pid)) return -Errno.EPERM;
    p.sid = p.pgid = p.pid;
    return p.pid;
  },
  /** getsid(2) */
  getsid(t: Task, [pid]: number[]): SyscallResult {
    const p = (pid | 0) === 0 ? t.proc : t.kernel.processes.get(pid | 0);
    return p && p.alive ? p.sid : -Errno.ESRCH;
  },
  getppid: (t: Task): SyscallResult => t.proc.ppid,
  /** prctl(2): the process-attribute options a user program sets (kernel/sys.c) */
  prctl(t: Task, [option, arg2]: number[]): SyscallResult {
    const p = t.proc;
    switch (option) {
      case PR.PR_SET_NAME: p.comm = t.mem.cstring(arg2, 16).slice(0, 15); return 0;
      case PR.PR_GET_NAME: {
        const b = new Uint8Array(16);
        b.set(stringToBytes(p.comm).subarray(0, 15));
        t.mem.write(arg2, b);
        return 0;
      }
      case PR.PR_SET_CHILD_SUBREAPER: p.subreaper = arg2 !== 0; return 0;
      case PR.PR_GET_CHILD_SUBREAPER: t.mem.setI32(arg2, p.subreaper ? 1 : 0); return 0;
      case PR.PR_SET_PDEATHSIG:
        if (arg2 < 0 || arg2 > 64) return -Errno.EINVAL;
        p.pdeathsig = arg2;
        return 0;
      case PR.PR_GET_PDEATHSIG: t.mem.setI32(arg2, p.pdeathsig); return 0;
      case PR.PR_GET_DUMPABLE: return p.dumpable;
      case PR.PR_SET_DUMPABLE: if (arg2 !== 0 && arg2 !== 1) return -Errno.EINVAL; p.dumpable = arg2; return 0;
      case PR.PR_SET_NO_NEW_PRIVS: if (arg2 !== 1) return -Errno.EINVAL; p.noNewPrivs = true; return 0;
      case PR.PR_GET_NO_NEW_PRIVS: return p.noNewPrivs ? 1 : 0;
      case PR.PR_GET_KEEPCAPS: return p.creds.keepCaps ? 1 : 0;
      case PR.PR_SET_KEEPCAPS: if (arg2 !== 0 && arg2 !== 1) return -Errno.EINVAL; p.creds.keepCaps = arg2 === 1; return 0;
      // The bounding set: every capability up to CAP_LAST_CAP, dropped ones removed (CAP_SETPCAP).
      case PR.PR_CAPBSET_READ: return arg2 < 0 || arg2 > CAP_LAST_CAP ? -Errno.EINVAL : (p.creds.bounding >> BigInt(arg2)) & 1n ? 1 : 0;
      case PR.PR_CAPBSET_DROP:
        if (arg2 < 0 || arg2 > CAP_LAST_CAP) return -Errno.EINVAL;
        if (!p.creds.capable(CAP.CAP_SETPCAP)) return -Errno.EPERM;
        p.creds.bounding &= ~(1n << BigInt(arg2));
        return 0;
      case PR.PR_GET_SECUREBITS: return 0;
      case PR.PR_SET_SECUREBITS: return p.creds.capable(CAP.CAP_SETPCAP) ? (arg2 === 0 ? 0 : -Errno.EINVAL) : -Errno.EPERM;
      case PR.PR_GET_TIMERSLACK: return p.timerSlackNs;
      case PR.PR_SET_TIMERSLACK: p.timerSlackNs = arg2 > 0 ? arg2 : 50000; return 0;
      case PR.PR_GET_THP_DISABLE: return p.thpDisable ? 1 : 0;
      case PR.PR_SET_THP_DISABLE: p.thpDisable = arg2 !== 0; return 0;
      case PR.PR_CAP_AMBIENT:
        if (arg2 === PR.PR_CAP_AMBIENT_CLEAR_ALL) return 0;
        if (arg2 === PR.PR_CAP_AMBIENT_IS_SET) return 0;
        return -Errno.EPERM; // raising ambient capabilities is not provided
      default: return -Errno.EINVAL;
    }
  },
};
