// The Dispatcher against a real Kernel and a real (not running) guest task: registers in,
// handler, result register out. The last block runs a whole guest program with a custom table.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchSpec } from '../../src/arch/arch.js';
import { Dispatcher, Handler, SyscallTracer, TaskExit } from '../../src/kernel/dispatch.js';
import { Errno } from '../../src/kernel/errno.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { allHandlers } from '../../src/kernel/syscalls/index.js';
import type { Task } from '../../src/kernel/task.js';
import { block, WaitQueue } from '../../src/kernel/wait.js';
import { StringTooLong } from '../../src/mm/guest_memory.js';
import { OutOfMemory } from '../../src/mm/physmem.js';

const ROOT = join(import.meta.dirname, '..', '..');
const hello = (arch: string) => join(ROOT, 'guest', 'build', arch, 'hello');

const kernels: Kernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) for (const t of k.tasks.values()) t.engine.close();
});

/** A spawned (never run) guest task and helpers to issue a syscall on it by hand. */
function setup(archName: 'x86_64' | 'aarch64', handlers: Record<string, Handler>) {
  const logs: string[] = [];
  const kernel = new Kernel({ log: (l) => logs.push(l) });
  kernels.push(kernel);
  const proc = kernel.spawn(hello(archName), ['hello'], []);
  const task = proc.tasks[0];
  const arch: ArchSpec = proc.arch;
  const d = new Dispatcher(handlers);
  const warnings: string[] = [];
  d.warn = (m) => warnings.push(m);
  const nr = (name: string) => {
    const e = Object.entries(arch.syscallNames).find(([, n]) => n === name);
    if (!e) throw new Error(`no syscall ${name} on ${archName}`);
    return Number(e[0]);
  };
  const call = (nrOrName: number | string, ...args: (number | bigint)[]): number => {
    task.engine.setReg(arch.abi.nr, typeof nrOrName === 'number' ? nrOrName : nr(nrOrName));
    arch.abi.args.forEach((r, i) => task.engine.setReg(r, args[i] ?? 0));
    d.onSyscall(task);
    return task.engine.reg(arch.abi.ret);
  };
  return { kernel, proc, task, arch, d, warnings, logs, call, nr };
}

describe.each(['x86_64', 'aarch64'] as const)('Dispatcher on %s', (archName) => {
  it('passes the six argument registers to the handler and writes its result to the return register', () => {
    let seen: number[] = [];
    const s = setup(archName, { getpid: (_t, a) => { seen = [...a]; return 4242; } });
    expect(s.call('getpid', 1, 2, 0x7fff_0000_1000, -1n, 5, 6)).toBe(4242);
    expect(seen).toEqual([1, 2, 0x7fff_0000_1000, -1, 5, 6]);
  });

  it('the handler gets the task the syscall came from', () => {
    let who: Task | undefined;
    const s = setup(archName, { getpid: (t) => { who = t; return t.proc.pid; } });
    expect(s.call('getpid')).toBe(s.proc.pid);
    expect(who).toBe(s.task);
  });

  it('a negative result reaches the guest as a negative 64-bit value', () => {
    const s = setup(archName, { getpid: () => -Errno.EPERM });
    expect(s.call('getpid')).toBe(-1);
    expect(s.task.engine.regBig(s.arch.abi.ret)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('an unimplemented syscall returns -ENOSYS and warns once per name', () => {
    const s = setup(archName, {});
    expect(s.call('getuid')).toBe(-Errno.ENOSYS);
    expect(s.call('getuid')).toBe(-Errno.ENOSYS);
    expect(s.call('getgid')).toBe(-Errno.ENOSYS);
    expect(s.call('getuid')).toBe(-Errno.ENOSYS);
    expect(s.warnings).toEqual([
      'ucrun: unimplemented syscall getuid (returns ENOSYS)',
      'ucrun: unimplemented syscall getgid (returns ENOSYS)',
    ]);
  });

  it('a syscall number with no name is ENOSYS and warned as syscall_<nr>', () => {
    const s = setup(archName, {});
    expect(s.call(4000)).toBe(-Errno.ENOSYS);
    expect(s.call(4000)).toBe(-Errno.ENOSYS);
    expect(s.warnings).toEqual(['ucrun: unimplemented syscall syscall_4000 (returns ENOSYS)']);
  });

  it('a handler that touches unmapped guest memory (GuestFault) returns -EFAULT', () => {
    const s = setup(archName, { getpid: (t, [addr]) => { t.mem.read(addr, 8); return 0; } });
    expect(s.call('getpid', 0x10)).toBe(-Errno.EFAULT);
    expect(s.warnings).toEqual([]);
  });

  it('StringTooLong becomes -ENAMETOOLONG and OutOfMemory becomes -ENOMEM', () => {
    const s = setup(archName, {
      getpid: () => { throw new StringTooLong(0); },
      getppid: () => { throw new OutOfMemory(); },
    });
    expect(s.call('getpid')).toBe(-Errno.ENAMETOOLONG);
    expect(s.call('getppid')).toBe(-Errno.ENOMEM);
  });

  it('TaskExit writes no result and the tracer sees ret undefined', () => {
    const exits: (number | undefined)[] = [];
    const s = setup(archName, { getpid: () => { throw new TaskExit(); } });
    s.d.tracer = { enter() {}, exit(_t, _n, _a, ret) { exits.push(ret); } };
    s.task.engine.setReg(s.arch.abi.args[0], 777);
    s.call('getpid', 777);
    // On x86_64 the number register is also the return register; either way nothing new was written.
    expect(s.task.engine.reg(s.arch.abi.ret)).toBe(s.arch.abi.ret === s.arch.abi.nr ? s.nr('getpid') : 777);
    expect(exits).toEqual([undefined]);
  });

  it('any other exception from a handler propagates (a kernel bug is not hidden as an errno)', () => {
    const s = setup(archName, { getpid: () => { throw new TypeError('kernel bug'); } });
    expect(() => s.call('getpid')).toThrow('kernel bug');
  });

  it('the tracer sees enter and exit with the Linux name, arguments and result', () => {
    const events: string[] = [];
    const tracer: SyscallTracer = {
      enter: (_t, name, args) => events.push(`enter ${name} ${args[0]}`),
      exit: (_t, name, _a, ret) => events.push(`exit ${name} ${ret}`),
    };
    const s = setup(archName, { getpid: () => 7 });
    s.d.tracer = tracer;
    s.call('getpid', 3);
    s.call('getuid', 4);
    expect(events).toEqual(['enter getpid 3', 'exit getpid 7', 'enter getuid 4', `exit getuid ${-Errno.ENOSYS}`]);
  });

  it('a Block result parks the task; retry() re-runs the call and then writes the result', () => {
    const q = new WaitQueue();
    let ready = false, runs = 0;
    const s = setup(archName, { getpid: () => { runs++; return ready ? 99 : block([q]); } });
    s.call('getpid', 11, 22);
    expect(s.task.state).toBe('blocked');
    expect(s.task.pending).toEqual({ nr: s.nr('getpid'), name: 'getpid', args: [11, 22, 0, 0, 0, 0] });
    expect(q.size).toBe(1);
    expect(s.d.retry(s.task)).toBe(false); // still not ready: parked again
    expect(s.task.pending).toBeDefined();
    ready = true;
    expect(s.d.retry(s.task)).toBe(true);
    expect(s.task.pending).toBeUndefined();
    expect(s.task.engine.reg(s.arch.abi.ret)).toBe(99);
    expect(runs).toBe(3);
  });

  it('implemented() lists the names that have a handler in this dispatcher or the arch table', () => {
    const s = setup(archName, { getpid: () => 1 });
    const names = s.d.implemented(s.arch);
    expect(names).toContain('getpid');
    expect(names).not.toContain('getuid');
    for (const n of Object.keys(s.arch.handlers)) expect(names).toContain(n);
  });
});

describe('Dispatcher running a whole guest program', () => {
  it.each(['x86_64', 'aarch64'])('%s hello runs to exit 0 with a custom table: write captured, missing calls warned once, faults become EFAULT', (archName) => {
    const out: string[] = [];
    // brk is left out: glibc falls back to mmap when brk fails, and calls it several times.
    const { brk: _brk, ...withoutBrk } = allHandlers;
    const handlers: Record<string, Handler> = {
      ...withoutBrk,
      write: (t, [fd, buf, len]) => { out.push(`${fd}:${new TextDecoder().decode(t.mem.read(buf, len))}`); return len; },
      // glibc ignores the result of set_robust_list; make it fault on a bad pointer.
      set_robust_list: (t) => { t.mem.read(0x8, 1); return 0; },
    };
    const logs: string[] = [];
    const kernel = new Kernel({ log: (l) => logs.push(l) });
    kernels.push(kernel);
    const d = new Dispatcher(handlers);
    const warnings: string[] = [];
    d.warn = (m) => warnings.push(m);
    const rets = new Map<string, (number | undefined)[]>();
    d.tracer = {
      enter() {},
      exit(_t, name, _a, ret) { if (!rets.has(name)) rets.set(name, []); rets.get(name)!.push(ret); },
    };
    (kernel as { dispatcher: Dispatcher }).dispatcher = d;
    kernel.spawn(hello(archName), ['hello'], []);
    const r = kernel.run();
    kernels.pop();
    expect(r.status).toBe(0);
    expect(out).toEqual(['1:hello, world\n']);
    expect(rets.get('set_robust_list')).toEqual([-Errno.EFAULT]);
    expect(rets.get('brk')!.length).toBeGreaterThan(1);
    expect(rets.get('brk')!.every((x) => x === -Errno.ENOSYS)).toBe(true);
    expect(warnings).toEqual(['ucrun: unimplemented syscall brk (returns ENOSYS)']);
    expect(logs).toEqual([]);
  });
});
