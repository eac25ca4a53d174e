// Signal frames on a real Engine and a real address space: setup writes the frame at the
// offsets the C headers give (printed by offsetof() with gcc / aarch64-linux-gnu-gcc against
// the uapi headers), sets the handler's registers, and restore (rt_sigreturn) brings every
// register back. The last tests of each arch run real handler code on the frame.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineClient } from '../../src/engine/engine.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Process } from '../../src/kernel/task.js';
import { GuestFault } from '../../src/mm/address_space.js';
import type { FrameRequest } from '../../src/arch/signal_frame.js';
import { X86_REG } from '../../src/arch/x86_64/regs.js';
import { x86SignalFrames } from '../../src/arch/x86_64/signal_frame.js';
import { A64_REG, xreg } from '../../src/arch/aarch64/arch.js';
import { a64SignalFrames, BadFrame } from '../../src/arch/aarch64/signal_frame.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SA_SIGINFO = 0x4, SA_RESTORER = 0x04000000, SA_ONSTACK = 0x08000000;
const SS_DISABLE = 2, SS_AUTODISARM = 0x80000000;

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0)) f(); });

/**
 * A spawned (never run) process for its address space, and a scratch Engine on that address
 * space whose syscall/interrupt hooks just stop it (so a test can run handler code and call
 * restore by hand).
 */
function world(arch: 'x86_64' | 'aarch64') {
  const kernel = new Kernel({ log: () => {} });
  const proc: Process = kernel.spawn(join(ROOT, 'guest', 'build', arch, 'hello'), ['hello'], []);
  let engine: Engine | undefined;
  const stops: string[] = [];
  const client: EngineClient = {
    get lastPerms() { return proc.mm.lastPerms; },
    translate: (va, type) => proc.mm.translate(va, type),
    onSyscall: () => { stops.push('syscall'); engine!.stop(); },
    onInterrupt: (n) => { stops.push(`intr ${n}`); engine!.stop(); },
  };
  engine = new Engine(proc.arch.cpu, kernel.phys, client);
  const initialSp = proc.tasks[0].engine.reg(proc.arch.abi.sp);
  cleanup.push(() => { engine!.close(); for (const t of kernel.tasks.values()) t.engine.close(); });
  return { kernel, proc, mem: proc.mem, mm: proc.mm, engine, stops, initialSp };
}

const rd = (v: number, a: number) => v - (v % a);
const u64 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true);
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u16 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint16(o, true);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pattern = (seed: number, n = 16) => Uint8Array.from({ length: n }, (_, k) => (seed * 37 + k * 11 + 1) & 0xff);
const siginfoFor = (sig: number) => {
  const si = pattern(0x77, 128);
  new DataView(si.buffer).setInt32(0, sig, true);
  return si;
};

function baseReq(sig: number, over: Partial<FrameRequest> = {}): FrameRequest {
  return {
    sig, siginfo: siginfoFor(sig), handler: 0x10000000, flags: SA_SIGINFO | SA_RESTORER, restorer: 0x10000100,
    savedMask: 0x8000_0000_0000_4001n, ucStack: { sp: 0, flags: SS_DISABLE, size: 0 },
    trampoline: 0x10000200, faultAddr: 0xdead_b000, ...over,
  };
}

// ---------------------------------------------------------------------------------------
// x86_64: offsets from <asm/sigcontext.h>, <asm/ucontext.h> (rt_sigframe of asm/sigframe.h)

const XF = { pretcode: 0, uc_flags: 8, uc_link: 16, ss_sp: 24, ss_flags: 32, ss_size: 40, mcontext: 48, sigmask: 304, info: 312, size: 440 };
const XSC = {
  r8: 0, r9: 8, r10: 16, r11: 24, r12: 32, r13: 40, r14: 48, r15: 56, rdi: 64, rsi: 72, rbp: 80, rbx: 88,
  rdx: 96, rax: 104, rcx: 112, rsp: 120, rip: 128, eflags: 136, cs: 144, gs: 146, fs: 148, ss: 150,
  err: 152, trapno: 160, oldmask: 168, cr2: 176, fpstate: 184,
};
const XFP = { cwd: 0, swd: 2, twd: 4, fop: 6, rip: 8, rdp: 16, mxcsr: 24, mxcsr_mask: 28, st: 32, xmm: 160 };

const X_GPRS = ['R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'RDI', 'RSI', 'RBP', 'RBX', 'RDX', 'RAX', 'RCX'] as const;
const gprValue = (i: number) => BigInt.asUintN(64, 0x9e37_79b9_7f4a_7c15n * BigInt(i + 1));
/** Two normal 80-bit values (significand with the integer bit, then sign/exponent). */
const ST_A = Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xff, 0x3f]);
const ST_B = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0xc0]);

function x86Known(e: Engine, rsp: number, rip: number) {
  X_GPRS.forEach((r, i) => e.setReg(X86_REG[r], gprValue(i)));
  e.setReg(X86_REG.RSP, rsp);
  e.setReg(X86_REG.RIP, rip);
  e.setReg(X86_REG.EFLAGS, 0x2 | 0x1 | 0x40 | 0x80 | 0x400 | 0x800); // CF ZF SF DF OF
  e.setReg(X86_REG.FPCW, 0x027f);
  e.setReg(X86_REG.FPSW, (6 << 11) | 0x20); // TOP = 6, PE
  const st = new Uint8Array(16);
  st.set(ST_A); e.writeRaw(X86_REG.ST0, st);
  st.fill(0); st.set(ST_B); e.writeRaw(X86_REG.ST0 + 1, st);
  e.setReg(X86_REG.FPTAG, 0x0fff); // physical 6 and 7 (= ST0, ST1) valid, the rest empty
  e.setReg(X86_REG.FOP, 0x1d9);
  e.setReg(X86_REG.FIP, 0x401234);
  e.setReg(X86_REG.FDP, 0x7fff_0000_1000);
  e.setReg(X86_REG.MXCSR, 0x3fa0);
  for (let i = 0; i < 16; i++) e.writeRaw(X86_REG.XMM0 + i, pattern(i));
}

function x86Snapshot(e: Engine) {
  const low = (id: number, bits: number) => e.regBig(id) & ((1n << BigInt(bits)) - 1n);
  const raw = (id: number, n: number) => { const b = new Uint8Array(16); e.readRaw(id, b); return hex(b.subarray(0, n)); };
  return {
    gprs: [...X_GPRS, 'RSP', 'RIP'].map((r) => e.regBig(X86_REG[r as keyof typeof X86_REG])),
    eflags: low(X86_REG.EFLAGS, 32), fpcw: low(X86_REG.FPCW, 16), fpsw: low(X86_REG.FPSW, 16),
    fptag: low(X86_REG.FPTAG, 16), fop: low(X86_REG.FOP, 16), fip: e.regBig(X86_REG.FIP), fdp: e.regBig(X86_REG.FDP),
    mxcsr: low(X86_REG.MXCSR, 32),
    st: Array.from({ length: 8 }, (_, i) => raw(X86_REG.ST0 + i, 10)),
    xmm: Array.from({ length: 16 }, (_, i) => raw(X86_REG.XMM0 + i, 16)),
  };
}

function x86Scribble(e: Engine) {
  for (const r of [...X_GPRS, 'RSP', 'RIP'] as const) e.setReg(X86_REG[r], 0xbad0_bad0_bad0_bad0n);
  e.setReg(X86_REG.EFLAGS, 0x2);
  e.setReg(X86_REG.FPCW, 0x37f); e.setReg(X86_REG.FPSW, 0); e.setReg(X86_REG.FPTAG, 0xffff);
  e.setReg(X86_REG.MXCSR, 0x1f80); e.setReg(X86_REG.FOP, 0); e.setReg(X86_REG.FIP, 0); e.setReg(X86_REG.FDP, 0);
  for (let i = 0; i < 8; i++) e.writeRaw(X86_REG.FP0 + i, new Uint8Array(16));
  for (let i = 0; i < 16; i++) e.writeRaw(X86_REG.XMM0 + i, new Uint8Array(16));
}

describe('x86_64 signal frame', () => {
  it('syscallInsnLength is 2 (syscall = 0f 05)', () => {
    expect(x86SignalFrames.syscallInsnLength).toBe(2);
  });

  it('setup writes struct rt_sigframe at the C offsets and starts the handler as Linux does; restore brings every register back', () => {
    const w = world('x86_64');
    const e = w.engine;
    const rsp = rd(w.initialSp - 0x10000, 16) - 3; // deliberately misaligned
    x86Known(e, rsp, 0x401abc);
    const before = x86Snapshot(e);
    const req = baseReq(10);
    const res = x86SignalFrames.setup(e, w.mem, req);

    // Placement: red zone, 512-byte fxsave image 64-aligned, then the frame with (frame+8) % 16 == 0.
    const fpstate = rd(rsp - 128 - 512, 64);
    const frame = rd(fpstate - 440, 16) - 8;
    expect(res).toEqual({ sp: frame, pc: req.handler });
    expect((frame + 8) % 16).toBe(0);

    // Handler registers.
    expect(e.reg(X86_REG.RIP)).toBe(req.handler);
    expect(e.reg(X86_REG.RSP)).toBe(frame);
    expect(e.reg(X86_REG.RDI)).toBe(10);
    expect(e.reg(X86_REG.RSI)).toBe(frame + XF.info);
    expect(e.reg(X86_REG.RDX)).toBe(frame + 8);
    expect(e.reg(X86_REG.RAX)).toBe(0);
    expect(e.regBig(X86_REG.RBX)).toBe(before.gprs[X_GPRS.indexOf('RBX')]);
    expect(Number(e.regBig(X86_REG.EFLAGS) & 0xffffffffn)).toBe(0x2 | 0x1 | 0x40 | 0x80 | 0x800); // DF cleared
    // The handler starts with a clean FPU (fpu__clear_user_states).
    const h = x86Snapshot(e);
    expect(h.fpcw).toBe(0x37fn);
    expect(h.mxcsr).toBe(0x1f80n);
    expect(h.fptag).toBe(0xffffn);
    expect(h.xmm[3]).toBe('00'.repeat(16));

    // The frame.
    const f = w.mem.read(frame, XF.size);
    expect(u64(f, XF.pretcode)).toBe(BigInt(req.restorer));
    expect(u64(f, XF.uc_flags)).toBe(0x6n); // UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
    expect(u64(f, XF.uc_link)).toBe(0n);
    expect([u64(f, XF.ss_sp), u32(f, XF.ss_flags), u64(f, XF.ss_size)]).toEqual([0n, SS_DISABLE, 0n]);
    const sc = (k: keyof typeof XSC) => XF.mcontext + XSC[k];
    expect(u64(f, sc('rip'))).toBe(0x401abcn);
    expect(u64(f, sc('rsp'))).toBe(BigInt(rsp));
    expect(u64(f, sc('r8'))).toBe(gprValue(0));
    expect(u64(f, sc('r15'))).toBe(gprValue(7));
    expect(u64(f, sc('rdi'))).toBe(gprValue(8));
    expect(u64(f, sc('rax'))).toBe(gprValue(13));
    expect(u64(f, sc('rcx'))).toBe(gprValue(14));
    expect(u64(f, sc('eflags'))).toBe(BigInt(0x2 | 0x1 | 0x40 | 0x80 | 0x400 | 0x800));
    expect([u16(f, sc('cs')), u16(f, sc('gs')), u16(f, sc('fs')), u16(f, sc('ss'))]).toEqual([0x33, 0, 0, 0x2b]);
    expect(u64(f, sc('oldmask'))).toBe(req.savedMask);
    expect(u64(f, sc('cr2'))).toBe(0xdead_b000n);
    expect(u64(f, sc('fpstate'))).toBe(BigInt(fpstate));
    expect(u64(f, XF.sigmask)).toBe(req.savedMask);
    expect(hex(f.subarray(XF.info, XF.info + 128))).toBe(hex(req.siginfo));

    // The fxsave image.
    const fx = w.mem.read(fpstate, 512);
    expect(u16(fx, XFP.cwd)).toBe(0x027f);
    expect(u16(fx, XFP.swd)).toBe((6 << 11) | 0x20);
    expect(fx[XFP.twd]).toBe(0xc0); // abridged: physical 6 and 7 in use
    expect(u16(fx, XFP.fop)).toBe(0x1d9);
    expect(u64(fx, XFP.rip)).toBe(0x401234n);
    expect(u64(fx, XFP.rdp)).toBe(0x7fff_0000_1000n);
    expect(u32(fx, XFP.mxcsr)).toBe(0x3fa0);
    expect(u32(fx, XFP.mxcsr_mask)).toBe(0xffff);
    expect(hex(fx.subarray(XFP.st, XFP.st + 10))).toBe(hex(ST_A));
    expect(hex(fx.subarray(XFP.st + 16, XFP.st + 26))).toBe(hex(ST_B));
    expect(hex(fx.subarray(XFP.xmm + 3 * 16, XFP.xmm + 4 * 16))).toBe(hex(pattern(3)));
    expect(hex(fx.subarray(XFP.xmm + 15 * 16, XFP.xmm + 16 * 16))).toBe(hex(pattern(15)));

    // rt_sigreturn after the restorer's `ret` popped pretcode.
    x86Scribble(e);
    e.setReg(X86_REG.RSP, frame + 8);
    const back = x86SignalFrames.restore(e, w.mem);
    expect(back).toEqual({ mask: req.savedMask, ucStack: { sp: 0, flags: SS_DISABLE, size: 0 } });
    expect(x86Snapshot(e)).toEqual(before);
  });

  it('skips the 128-byte red zone below the interrupted rsp and leaves it untouched', () => {
    const w = world('x86_64');
    const e = w.engine;
    const rsp = rd(w.initialSp - 0x8000, 16);
    x86Known(e, rsp, 0x401000);
    const guard = pattern(0x55, 128 + 64);
    w.mem.write(rsp - 128, guard);
    const { sp: frame } = x86SignalFrames.setup(e, w.mem, baseReq(12));
    const fpstate = Number(u64(w.mem.read(frame + XF.mcontext + XSC.fpstate, 8), 0));
    expect(fpstate).toBe(rd(rsp - 128 - 512, 64));
    expect(fpstate + 512).toBeLessThanOrEqual(rsp - 128);
    expect(frame + XF.size).toBeLessThanOrEqual(fpstate);
    expect(hex(w.mem.read(rsp - 128, 128 + 64))).toBe(hex(guard));
  });

  it('builds the frame at the top of the alternate stack (no red zone there) and saves uc_stack', () => {
    const w = world('x86_64');
    const e = w.engine;
    const alt = 0x2000_0000;
    w.mm.map(alt, 0x10000, 3, false, 'altstack');
    const rsp = rd(w.initialSp - 0x8000, 16);
    x86Known(e, rsp, 0x401000);
    const stackBefore = hex(w.mem.read(rsp - 0x1000, 0x1000));
    const req = baseReq(11, {
      flags: SA_SIGINFO | SA_RESTORER | SA_ONSTACK,
      altStack: { sp: alt, size: 0x8000 }, ucStack: { sp: alt, flags: 0, size: 0x8000 },
    });
    const { sp: frame } = x86SignalFrames.setup(e, w.mem, req);
    const fpstate = alt + 0x8000 - 512; // already 64-aligned: nothing skipped
    expect(frame).toBe(rd(fpstate - 440, 16) - 8);
    expect(e.reg(X86_REG.RSP)).toBe(frame);
    const f = w.mem.read(frame, XF.size);
    expect(u64(f, XF.mcontext + XSC.fpstate)).toBe(BigInt(fpstate));
    expect(u64(f, XF.mcontext + XSC.rsp)).toBe(BigInt(rsp));
    expect([u64(f, XF.ss_sp), u32(f, XF.ss_flags), u64(f, XF.ss_size)]).toEqual([BigInt(alt), 0, 0x8000n]);
    expect(hex(w.mem.read(rsp - 0x1000, 0x1000))).toBe(stackBefore);

    e.setReg(X86_REG.RSP, frame + 8);
    expect(x86SignalFrames.restore(e, w.mem).ucStack).toEqual({ sp: alt, flags: 0, size: 0x8000 });
    expect(e.reg(X86_REG.RSP)).toBe(rsp);
  });

  it('an alternate stack too small for the frame faults (force_sigsegv), also when already on it', () => {
    const w = world('x86_64');
    const e = w.engine;
    const alt = 0x2000_0000;
    w.mm.map(alt, 0x10000, 3, false, 'altstack');
    x86Known(e, rd(w.initialSp - 0x8000, 16), 0x401000);
    const small = { sp: alt + 0x1000, size: 0x300 };
    expect(() => x86SignalFrames.setup(e, w.mem, baseReq(11, {
      flags: SA_ONSTACK | SA_RESTORER, altStack: small, ucStack: { ...small, flags: 0 },
    }))).toThrow(GuestFault);
    // Nested: the interrupted rsp is near the bottom of the alternate stack it is running on.
    e.setReg(X86_REG.RSP, alt + 0x2000 + 0x200);
    expect(() => x86SignalFrames.setup(e, w.mem, baseReq(11, {
      flags: SA_ONSTACK | SA_RESTORER, ucStack: { sp: alt + 0x2000, flags: 0, size: 0x4000 },
    }))).toThrow(GuestFault);
    expect(e.reg(X86_REG.RIP)).toBe(0x401000); // nothing was changed
    // ... unless the stack is SS_AUTODISARM (on_sig_stack() is then false: the frame just goes below).
    const { sp: frame } = x86SignalFrames.setup(e, w.mem, baseReq(11, {
      flags: SA_ONSTACK | SA_RESTORER, ucStack: { sp: alt + 0x2000, flags: SS_AUTODISARM, size: 0x4000 },
    }));
    expect(frame).toBeLessThan(alt + 0x2000);
  });

  it('without SA_SIGINFO the siginfo is not copied (ucrun zeroes it; rsi/rdx still point into the frame)', () => {
    const w = world('x86_64');
    const e = w.engine;
    const rsp = rd(w.initialSp - 0x8000, 16);
    x86Known(e, rsp, 0x401000);
    const frame = rd(rd(rsp - 128 - 512, 64) - 440, 16) - 8;
    x86SignalFrames.setup(e, w.mem, baseReq(2, { flags: SA_RESTORER }));
    expect(hex(w.mem.read(frame + XF.info, 128))).toBe('00'.repeat(128));
    expect(e.reg(X86_REG.RSI)).toBe(frame + XF.info);
    expect(e.reg(X86_REG.RDX)).toBe(frame + 8);
  });

  it('restore takes only the FIX_EFLAGS bits from the frame and resets the FPU for a NULL fpstate', () => {
    const w = world('x86_64');
    const e = w.engine;
    const rsp = rd(w.initialSp - 0x8000, 16);
    x86Known(e, rsp, 0x401000);
    const { sp: frame } = x86SignalFrames.setup(e, w.mem, baseReq(10));
    // The handler edits the saved context: all flags set (ID, IF, IOPL are not the user's), no FPU image.
    w.mem.setU64(frame + XF.mcontext + XSC.eflags, 0x3f7fd7);
    w.mem.setU64(frame + XF.mcontext + XSC.fpstate, 0);
    e.setReg(X86_REG.EFLAGS, 0x2);
    e.setReg(X86_REG.MXCSR, 0x3fa0);
    e.writeRaw(X86_REG.XMM0, pattern(9));
    e.setReg(X86_REG.RSP, frame + 8);
    x86SignalFrames.restore(e, w.mem);
    expect(Number(e.regBig(X86_REG.EFLAGS) & 0xffffffffn)).toBe(0x2 | 0x50dd5);
    expect(Number(e.regBig(X86_REG.MXCSR) & 0xffffffffn)).toBe(0x1f80);
    expect(Number(e.regBig(X86_REG.FPCW) & 0xffffn)).toBe(0x37f);
    const x0 = new Uint8Array(16); e.readRaw(X86_REG.XMM0, x0);
    expect(hex(x0)).toBe('00'.repeat(16));
  });

  it('restore refuses a frame it cannot read or whose fpstate fxrstor would refuse, changing no register', () => {
    const w = world('x86_64');
    const e = w.engine;
    const rsp = rd(w.initialSp - 0x8000, 16);
    x86Known(e, rsp, 0x401000);
    const { sp: frame } = x86SignalFrames.setup(e, w.mem, baseReq(10));
    e.setReg(X86_REG.RBX, 0x1234);
    e.setReg(X86_REG.RSP, 0x1000 + 8); // nothing mapped there
    expect(() => x86SignalFrames.restore(e, w.mem)).toThrow(BadFrame);
    const fpstate = Number(u64(w.mem.read(frame + XF.mcontext + XSC.fpstate, 8), 0));
    w.mem.setU64(frame + XF.mcontext + XSC.fpstate, fpstate + 8);
    e.setReg(X86_REG.RSP, frame + 8);
    expect(() => x86SignalFrames.restore(e, w.mem)).toThrow(BadFrame);
    w.mem.setU64(frame + XF.mcontext + XSC.fpstate, fpstate);
    w.mem.setU32(fpstate + XFP.mxcsr, 0x10000);
    expect(() => x86SignalFrames.restore(e, w.mem)).toThrow(BadFrame);
    expect(e.reg(X86_REG.RBX)).toBe(0x1234);
  });

  it('a real handler sees the frame: rsp % 16 == 8, sig, siginfo, ucontext; `ret` reaches the restorer and restore undoes it all', () => {
    const w = world('x86_64');
    const e = w.engine;
    const code = 0x1000_0000;
    w.mm.map(code, 0x1000, 7, false, 'code');
    // handler: rcx = *(u64 *)info; uc->r9 = rcx; uc->r8 = rdi; uc->rax = uc->rip;
    //          uc->rcx = rsp & 15; pxor xmm0, xmm0; fninit; ret
    w.mem.write(code, Uint8Array.from([
      0x48, 0x8b, 0x0e, 0x48, 0x89, 0x4a, 0x30, 0x48, 0x89, 0x7a, 0x28, 0x48, 0x8b, 0x82, 0xa8, 0, 0, 0,
      0x48, 0x89, 0x82, 0x90, 0, 0, 0, 0x48, 0x89, 0xe1, 0x48, 0x83, 0xe1, 0x0f, 0x48, 0x89, 0x8a, 0x98, 0, 0, 0,
      0x66, 0x0f, 0xef, 0xc0, 0xdb, 0xe3, 0xc3,
    ]));
    // restorer: mov eax, 15 (rt_sigreturn); syscall
    w.mem.write(code + 0x100, Uint8Array.from([0xb8, 0x0f, 0, 0, 0, 0x0f, 0x05]));
    const rsp = rd(w.initialSp - 0x8000, 16) - 8;
    x86Known(e, rsp, 0x401abc);
    const before = x86Snapshot(e);
    const req = baseReq(10, { handler: code, restorer: code + 0x100 });
    const { sp: frame, pc } = x86SignalFrames.setup(e, w.mem, req);
    expect(e.run(pc)).toBe(0);
    expect(w.stops).toEqual(['syscall']);
    expect(e.reg(X86_REG.RAX)).toBe(15);
    expect(e.reg(X86_REG.RSP)).toBe(frame + 8);
    x86SignalFrames.restore(e, w.mem);
    const after = x86Snapshot(e);
    const expected = structuredClone(before);
    expected.gprs[X_GPRS.indexOf('R8')] = 10n;
    expected.gprs[X_GPRS.indexOf('R9')] = u64(req.siginfo, 0);
    expected.gprs[X_GPRS.indexOf('RAX')] = 0x401abcn;
    expected.gprs[X_GPRS.indexOf('RCX')] = 8n;
    expect(after).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------
// aarch64: offsets from <asm/sigcontext.h>, <asm/ucontext.h> (rt_sigframe of arch/arm64/kernel/signal.c)

const AF = {
  info: 0, uc: 128, uc_flags: 128, uc_link: 136, ss_sp: 144, ss_flags: 152, ss_size: 160, sigmask: 168,
  fault_address: 304, regs: 312, sp: 560, pc: 568, pstate: 576, reserved: 592,
};
const FPSIMD = { magic: 0x46508001, size: 528, fpsr: 8, fpcr: 12, vregs: 16 };
/**
 * Linux's sigframe_size(): round_up(max(records used, sizeof(struct rt_sigframe)), 16); the
 * records (fpsimd + terminator) fit in __reserved, so it is sizeof(struct rt_sigframe).
 */
const A_FRAME_SIZE = 4688;

const aValue = (i: number) => BigInt.asUintN(64, 0xc2b2_ae3d_27d4_eb4fn * BigInt(i + 1));

function a64Known(e: Engine, sp: number, pc: number) {
  for (let i = 0; i <= 30; i++) e.setReg(xreg(i), aValue(i));
  e.setReg(A64_REG.SP, sp);
  e.setReg(A64_REG.PC, pc);
  e.setReg(A64_REG.NZCV, 0xa000_0000); // N, C
  e.setReg(A64_REG.FPCR, 0x03c0_0000); // RMode = 3, FZ, DN
  e.setReg(A64_REG.FPSR, 0x0800_0011); // QC, IXC, IOC
  for (let i = 0; i < 32; i++) e.writeRaw(A64_REG.Q0 + i, pattern(100 + i));
}

function a64Snapshot(e: Engine) {
  const raw = (id: number) => { const b = new Uint8Array(16); e.readRaw(id, b); return hex(b); };
  return {
    x: Array.from({ length: 31 }, (_, i) => e.regBig(xreg(i))),
    sp: e.regBig(A64_REG.SP), pc: e.regBig(A64_REG.PC),
    nzcv: e.regBig(A64_REG.NZCV) & 0xffff_ffffn,
    fpcr: e.regBig(A64_REG.FPCR) & 0xffff_ffffn, fpsr: e.regBig(A64_REG.FPSR) & 0xffff_ffffn,
    q: Array.from({ length: 32 }, (_, i) => raw(A64_REG.Q0 + i)),
  };
}

function a64Scribble(e: Engine) {
  for (let i = 0; i <= 30; i++) e.setReg(xreg(i), 0xbad0_bad0_bad0_bad0n);
  e.setReg(A64_REG.PC, 0xbad0);
  e.setReg(A64_REG.NZCV, 0);
  e.setReg(A64_REG.FPCR, 0);
  e.setReg(A64_REG.FPSR, 0);
  for (let i = 0; i < 32; i++) e.writeRaw(A64_REG.Q0 + i, new Uint8Array(16));
}

describe('aarch64 signal frame', () => {
  it('syscallInsnLength is 4 (svc #0)', () => {
    expect(a64SignalFrames.syscallInsnLength).toBe(4);
  });

  it('setup writes rt_sigframe + frame_record at the C offsets and starts the handler as Linux does; restore brings every register back', () => {
    const w = world('aarch64');
    const e = w.engine;
    const sp = rd(w.initialSp - 0x10000, 16) - 8; // deliberately misaligned
    a64Known(e, sp, 0x400abc);
    const before = a64Snapshot(e);
    const req = baseReq(10);
    const res = a64SignalFrames.setup(e, w.mem, req);

    const next = rd(sp - 16, 16);
    const frame = next - A_FRAME_SIZE;
    expect(res).toEqual({ sp: frame, pc: req.handler });
    expect(frame % 16).toBe(0);

    expect(e.reg(A64_REG.PC)).toBe(req.handler);
    expect(e.reg(A64_REG.SP)).toBe(frame);
    expect(e.reg(xreg(0))).toBe(10);
    expect(e.reg(xreg(1))).toBe(frame + AF.info);
    expect(e.reg(xreg(2))).toBe(frame + AF.uc);
    expect(e.reg(xreg(29))).toBe(next);
    expect(e.reg(xreg(30))).toBe(req.restorer); // SA_RESTORER
    expect(e.regBig(xreg(3))).toBe(aValue(3));
    expect(a64Snapshot(e).q[5]).toBe(before.q[5]); // arm64 keeps the FP/SIMD registers

    const f = w.mem.read(frame, A_FRAME_SIZE + 16);
    expect(hex(f.subarray(AF.info, AF.info + 128))).toBe(hex(req.siginfo));
    expect([u64(f, AF.uc_flags), u64(f, AF.uc_link)]).toEqual([0n, 0n]);
    expect([u64(f, AF.ss_sp), u32(f, AF.ss_flags), u64(f, AF.ss_size)]).toEqual([0n, SS_DISABLE, 0n]);
    expect(u64(f, AF.sigmask)).toBe(req.savedMask);
    expect(u64(f, AF.fault_address)).toBe(0xdead_b000n);
    for (let i = 0; i <= 30; i++) expect(u64(f, AF.regs + 8 * i)).toBe(aValue(i));
    expect(u64(f, AF.sp)).toBe(BigInt(sp));
    expect(u64(f, AF.pc)).toBe(0x400abcn);
    expect(u64(f, AF.pstate)).toBe(0xa000_0000n); // EL0t, NZCV in bits 28-31
    const fp = AF.reserved;
    expect([u32(f, fp), u32(f, fp + 4)]).toEqual([FPSIMD.magic, FPSIMD.size]);
    expect(u32(f, fp + FPSIMD.fpsr)).toBe(0x0800_0011);
    expect(u32(f, fp + FPSIMD.fpcr)).toBe(0x03c0_0000);
    expect(hex(f.subarray(fp + FPSIMD.vregs + 7 * 16, fp + FPSIMD.vregs + 8 * 16))).toBe(hex(pattern(107)));
    expect(hex(f.subarray(fp + FPSIMD.vregs + 31 * 16, fp + FPSIMD.vregs + 32 * 16))).toBe(hex(pattern(131)));
    expect([u32(f, fp + FPSIMD.size), u32(f, fp + FPSIMD.size + 4)]).toEqual([0, 0]); // terminator
    // The frame record (next_frame) right above: { fp = old x29, lr = old x30 }.
    expect([u64(f, A_FRAME_SIZE), u64(f, A_FRAME_SIZE + 8)]).toEqual([aValue(29), aValue(30)]);

    // rt_sigreturn from the trampoline: sp is back at the frame.
    a64Scribble(e);
    e.setReg(A64_REG.SP, frame);
    const back = a64SignalFrames.restore(e, w.mem);
    expect(back).toEqual({ mask: req.savedMask, ucStack: { sp: 0, flags: SS_DISABLE, size: 0 } });
    expect(a64Snapshot(e)).toEqual(before);
  });

  it('returns through the trampoline without SA_RESTORER; without SA_SIGINFO x1/x2 are kept and siginfo is not copied', () => {
    const w = world('aarch64');
    const e = w.engine;
    const sp = rd(w.initialSp - 0x10000, 16);
    a64Known(e, sp, 0x400000);
    const frame = rd(sp - 16, 16) - A_FRAME_SIZE;
    a64SignalFrames.setup(e, w.mem, baseReq(2, { flags: 0 }));
    expect(e.reg(xreg(30))).toBe(0x10000200);
    expect(e.regBig(xreg(1))).toBe(aValue(1));
    expect(e.regBig(xreg(2))).toBe(aValue(2));
    expect(hex(w.mem.read(frame, 128))).toBe('00'.repeat(128));
  });

  it('builds the frame at the top of the alternate stack and saves uc_stack', () => {
    const w = world('aarch64');
    const e = w.engine;
    const alt = 0x2000_0000;
    w.mm.map(alt, 0x10000, 3, false, 'altstack');
    const sp = rd(w.initialSp - 0x8000, 16);
    a64Known(e, sp, 0x400000);
    const req = baseReq(11, {
      flags: SA_SIGINFO | SA_ONSTACK, altStack: { sp: alt, size: 0x8000 },
      ucStack: { sp: alt, flags: 0, size: 0x8000 },
    });
    const { sp: frame } = a64SignalFrames.setup(e, w.mem, req);
    expect(frame).toBe(alt + 0x8000 - 16 - A_FRAME_SIZE);
    expect(e.reg(xreg(29))).toBe(alt + 0x8000 - 16);
    const f = w.mem.read(frame, A_FRAME_SIZE);
    expect(u64(f, AF.sp)).toBe(BigInt(sp));
    expect([u64(f, AF.ss_sp), u32(f, AF.ss_flags), u64(f, AF.ss_size)]).toEqual([BigInt(alt), 0, 0x8000n]);
    expect(a64SignalFrames.restore(e, w.mem).ucStack).toEqual({ sp: alt, flags: 0, size: 0x8000 });
    expect(e.reg(A64_REG.SP)).toBe(sp);
  });

  it('restore skips an esr_context record and refuses bad frames without changing a register', () => {
    const w = world('aarch64');
    const e = w.engine;
    const sp = rd(w.initialSp - 0x8000, 16);
    a64Known(e, sp, 0x400000);
    const before = a64Snapshot(e);
    const { sp: frame } = a64SignalFrames.setup(e, w.mem, baseReq(10));
    const rec = frame + AF.reserved + FPSIMD.size;
    // An esr_context { head { ESR_MAGIC, 16 }, esr } after fpsimd, then the terminator.
    w.mem.setU32(rec, 0x45535201); w.mem.setU32(rec + 4, 16); w.mem.setU64(rec + 8, 0x92000046);
    w.mem.setU64(rec + 16, 0);
    a64Scribble(e);
    e.setReg(A64_REG.SP, frame);
    a64SignalFrames.restore(e, w.mem);
    expect(a64Snapshot(e)).toEqual(before);

    const refuse = (why: string, sp2 = frame) => {
      e.setReg(xreg(5), 0x5555);
      e.setReg(A64_REG.SP, sp2);
      expect(() => a64SignalFrames.restore(e, w.mem), why).toThrow(BadFrame);
      expect(e.reg(xreg(5)), why).toBe(0x5555);
    };
    refuse('misaligned sp', frame + 8);
    refuse('unmapped frame', 0x1000);
    w.mem.setU64(frame + AF.pstate, 0x3c5); // EL1h with DAIF masked
    refuse('pstate not EL0t');
    w.mem.setU64(frame + AF.pstate, 0);
    w.mem.setU32(rec, 0x53564501); // an SVE record: ucrun announces no SVE
    refuse('unknown record');
    w.mem.setU32(rec, 0);
    w.mem.setU32(rec + 4, 0);
    w.mem.setU32(frame + AF.reserved + 4, 512);
    refuse('fpsimd record of the wrong size');
    w.mem.setU32(frame + AF.reserved, 0x12345678);
    w.mem.setU32(frame + AF.reserved + 4, 528);
    refuse('no fpsimd record');
  });

  it('a real handler sees the frame: sig, siginfo, ucontext, the frame record; `ret` reaches the trampoline and restore undoes it all', () => {
    const w = world('aarch64');
    const e = w.engine;
    const code = 0x1000_0000;
    w.mm.map(code, 0x1000, 7, false, 'code');
    // uc->regs[0] = uc->pc; uc->regs[1] = sp & 15; uc->regs[2] = x0; uc->regs[3] = *(u64 *)x1;
    // uc->regs[4] = *(u64 *)x29 (next_frame.fp); movi v0.2d, #0; ret
    const insns = [
      0xf940dc49, 0xf9005c49, 0x910003e9, 0x92400d29, 0xf9006049, 0xf9006440, 0xf9400029, 0xf9006849,
      0xf94003a9, 0xf9006c49, 0x6f00e400, 0xd65f03c0,
    ];
    const words = (ws: number[]) => {
      const b = new Uint8Array(ws.length * 4);
      ws.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x, true));
      return b;
    };
    w.mem.write(code, words(insns));
    w.mem.write(code + 0x200, words([0xd2801168, 0xd4000001])); // mov x8, #139; svc #0
    const sp = rd(w.initialSp - 0x8000, 16);
    a64Known(e, sp, 0x400abc);
    const before = a64Snapshot(e);
    const req = baseReq(10, { handler: code, flags: SA_SIGINFO, trampoline: code + 0x200 });
    const { sp: frame, pc } = a64SignalFrames.setup(e, w.mem, req);
    expect(e.run(pc)).toBe(0);
    expect(w.stops).toEqual(['syscall']);
    expect(e.reg(xreg(8))).toBe(139);
    expect(e.reg(A64_REG.SP)).toBe(frame);
    a64SignalFrames.restore(e, w.mem);
    const expected = structuredClone(before);
    expected.x[0] = 0x400abcn;
    expected.x[1] = 0n;
    expected.x[2] = 10n;
    expected.x[3] = u64(req.siginfo, 0);
    expected.x[4] = aValue(29);
    expect(a64Snapshot(e)).toEqual(expected);
  });
});
