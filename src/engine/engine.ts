// One Unicorn CPU (one per guest thread): physical memory mapping, the virtual TLB,
// the syscall trap, register access and run/stop.
//
// Contracts (measured with Unicorn 2.1.1 and 2.1.4, see README "Engine facts"):
// - UC_TLB_VIRTUAL + a TLB-fill hook translates guest virtual addresses; no UC_HOOK_MEM_*
//   hook is ever installed (one would send every store down a slow path).
// - The TLB-fill callback never calls uc_emu_stop; it refuses an access by returning false,
//   which ends uc_emu_start with UC_ERR_EXCEPTION at the faulting instruction. The refused
//   address and access type are remembered in `lastFault`.
// - uc_emu_start is never nested on one engine. A JS exception inside a hook is caught,
//   stored in `hostError`, and the engine is stopped; run() rethrows it.
import koffi from 'koffi';
import {
  loadUnicorn, UnicornLib, UC_CTL_CPU_MODEL, UC_CTL_TB_FLUSH, UC_CTL_TCG_BUFFER_SIZE, UC_CTL_TLB_FLUSH,
  UC_CTL_TLB_TYPE, UC_HOOK_INSN, UC_HOOK_INTR, UC_HOOK_TLB_FILL, UC_PROT_ALL, UC_TLB_VIRTUAL,
  UC_X86_INS_SYSCALL, UC_X86_INS_IN, UC_X86_INS_OUT, UC_CTL_TB_REMOVE_CACHE, UC_PROT_READ, UC_PROT_EXEC, UC_PROT_WRITE, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE,
} from './unicorn.js';
import { PAGE_SIZE, type PhysMem } from '../mm/physmem.js';
import { loadWatchdog, Watchdog } from './watchdog.js';

/** What the engine needs from the kernel side; called from inside uc_emu_start. */
export interface EngineClient {
  /**
   * Translate a guest virtual address for an access of `type` (UC_MEM_READ/WRITE/FETCH).
   * Returns the physical address of the byte, with the page's UC_PROT_* bits in `lastPerms`,
   * or -1 to refuse (a fault).
   */
  translate(vaddr: number, type: number): number;
  lastPerms: number;
  /** The guest executed `syscall` (x86_64) or `svc #0` (aarch64). */
  onSyscall(): void;
  /** Any other CPU interrupt (aarch64 exception numbers). */
  onInterrupt(intno: number): void;
}

export interface CpuSpec {
  ucArch: number;
  ucMode: number;
  cpuModel: number;
  /** How the syscall instruction reaches us. */
  syscallTrap: 'x86-syscall-insn' | 'arm64-svc-intr';
  /** First TLB flush after this many fills (the interval then doubles) so QEMU resizes its TLB. */
  tlbFlushEvery: number;
  /**
   * The front end loads into temporaries, so a stop after a guest load (Unicorn's per-access
   * exit check) still resumes correctly (x86_64 yes; aarch64 loads straight into the register).
   */
  loadsViaTemporaries: boolean;
  /** How a fresh CPU is put in user mode (CPL3 / EL0), so privileged instructions fault. */
  userMode?: UserModeSetup;
}

/**
 * User mode for a fresh CPU. Unicorn starts every CPU in kernel mode (x86 CPL0, arm64 EL1) and
 * never delivers exceptions itself (the interrupt hook replaces delivery): nothing ever raises
 * the privilege again once it is dropped.
 */
export interface UserModeSetup {
  /**
   * A read-only page above user space the CPU reads (x86: the GDT segment loads read) and may
   * execute while enter() bootstraps. The guest can never map there (it lies beyond TASK_SIZE).
   */
  page?: { va: bigint; bytes: Uint8Array };
  /** Called once per new engine, before any guest code runs. */
  enter(engine: Engine): void;
  /**
   * Port I/O instructions raise this exception (x86 #GP: Unicorn never checks IOPL for in/out,
   * it only offers an instruction hook).
   */
  portIoFault?: number;
}

/** The kernel page's frame, one per physical memory and page address (its bytes never change). */
const kernelFrames = new WeakMap<PhysMem, Map<bigint, number>>();

const UNTIL_NEVER = 0xffff_ffff_ffff_fffen;
const UNTIL_PAGE = 0xffff_ffff_ffff_f000n;
const TCG_BUFFER_BYTES = 16 << 20;

const engines = new Map<number, Engine>();
let nextId = 1;
let callbacks: { tlbFill: bigint; syscall: bigint; intr: bigint; memAccess: bigint; portIn: bigint; portOut: bigint } | undefined;

function registerCallbacks(lib: UnicornLib) {
  if (callbacks) return callbacks;
  const tlbFill = (_uc: bigint, addr: number | bigint, type: number, entry: bigint, user: number): boolean => {
    const e = engines.get(user)!;
    const probe = e.probe;
    if (probe && typeof addr === 'number' && addr >= probe.page && addr < probe.page + 4096) {
      koffi.encode(entry, 0, 'uint64_t', probe.scratch + (addr - probe.page));
      koffi.encode(entry, 8, 'int32_t', UC_PROT_READ | UC_PROT_WRITE | UC_PROT_EXEC);
      return true;
    }
    try {
      if (typeof addr !== 'number' || addr < 0) {
        const big = BigInt.asUintN(64, BigInt(addr));
        const kp = e.kernelPage;
        if (kp && big >= kp.va && big < kp.va + 4096n) {
          koffi.encode(entry, 0, 'uint64_t', kp.pa + Number(big - kp.va));
          koffi.encode(entry, 8, 'int32_t', UC_PROT_READ | UC_PROT_EXEC);
          return true;
        }
        // uc_emu_start/stop look up the page of the `until` address (the last page of the
        // 64-bit space) to invalidate its code; give that lookup a harmless frame, never guest code.
        if (BigInt.asUintN(64, BigInt(addr)) >= UNTIL_PAGE) {
          koffi.encode(entry, 0, 'uint64_t', 0);
          koffi.encode(entry, 8, 'int32_t', UC_PROT_READ | UC_PROT_EXEC);
          return true;
        }
        e.lastFault = { addr: BigInt.asUintN(64, BigInt(addr)), type };
        return false;
      }
      const pa = e.client.translate(addr, type);
      if (pa < 0) { e.lastFault = { addr: BigInt(addr), type }; return false; }
      koffi.encode(entry, 0, 'uint64_t', pa);
      koffi.encode(entry, 8, 'int32_t', e.client.lastPerms);
      e.totalFills++;
      // QEMU only resizes its soft TLB when it is flushed; without a periodic flush a large
      // working set misses forever (every miss is a call into JS).
      // The interval doubles each time so a TLB that already fits the working set is left alone.
      if (++e.fills >= e.flushInterval) {
        e.fills = 0;
        e.flushInterval = Math.min(e.flushInterval * 2, 1 << 22);
        e.flushTlb();
      }
      return true;
    } catch (err) {
      e.hostError ??= err;
      e.lastFault = { addr: BigInt(addr), type };
      return false;
    }
  };
  const syscall = (_uc: bigint, user: number): void => {
    const e = engines.get(user)!;
    if (e.portFault) return; // the run already faulted (see portIo)
    e.inHook = true;
    try { e.client.onSyscall(); } catch (err) { e.hostError ??= err; e.stop(); } finally { e.inHook = false; }
    if (e.flushPending) { e.flushPending = false; e.flushTlb(); }
  };
  const intr = (_uc: bigint, intno: number, user: number): void => {
    const e = engines.get(user)!;
    if (e.portFault) return;
    e.inHook = true;
    try {
      if (intno === 2 && e.spec.syscallTrap === 'arm64-svc-intr') e.client.onSyscall();
      else e.client.onInterrupt(intno);
    } catch (err) { e.hostError ??= err; e.stop(); } finally { e.inHook = false; }
    if (e.flushPending) { e.flushPending = false; e.flushTlb(); }
  };
  const memAccess = (_uc: bigint, _type: number, addr: number | bigint, _size: number, _value: unknown, user: number): void => {
    const p = engines.get(user)?.probe;
    if (!p || p.hit !== undefined || typeof addr !== 'number') return;
    // With the virtual TLB, memory hooks report physical addresses: map back from the scratch frame.
    if (addr >= p.scratch && addr < p.scratch + 4096) p.hit = p.page + (addr - p.scratch);
  };
  const portIn = (_uc: bigint, _port: number, _size: number, user: number): number => { engines.get(user)!.portIo(); return 0; };
  const portOut = (_uc: bigint, _port: number, _size: number, _value: number, user: number): void => { engines.get(user)!.portIo(); };
  callbacks = {
    portIn: koffi.register(portIn, koffi.pointer(lib.proto.portIn)),
    portOut: koffi.register(portOut, koffi.pointer(lib.proto.portOut)),
    memAccess: koffi.register(memAccess, koffi.pointer(lib.proto.memAccess)),
    tlbFill: koffi.register(tlbFill, koffi.pointer(lib.proto.tlbFill)),
    syscall: koffi.register(syscall, koffi.pointer(lib.proto.syscall)),
    intr: koffi.register(intr, koffi.pointer(lib.proto.intr)),
  };
  return callbacks;
}

export class EngineError extends Error {}

function kernelFrame(phys: PhysMem, va: bigint, bytes: Uint8Array): number {
  let m = kernelFrames.get(phys);
  if (!m) kernelFrames.set(phys, (m = new Map()));
  let f = m.get(va);
  if (f === undefined) {
    m.set(va, (f = phys.allocFrame()));
    phys.u8.set(bytes, f * PAGE_SIZE);
  }
  return f;
}

const TWO32 = 4294967296, TWO52 = 2 ** 52, TWO53 = 2 ** 53;

/** A 64-bit register (hi signed, lo unsigned) as a syscall argument; see Engine.readRegs. */
export function exactArg(hi: number, lo: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
  const mid = (hi & 0xfffff) * TWO32 + lo;
  return hi < 0 ? -TWO53 + TWO32 + mid : TWO52 + mid; // both exact: safe integers
}

export class Engine {
  readonly id = nextId++;
  readonly lib: UnicornLib;
  readonly uc: bigint;
  /** Set by the TLB-fill hook when it refuses an access. */
  lastFault: { addr: bigint; type: number } | undefined;
  /** A host exception thrown inside a hook; run() rethrows it. */
  hostError: unknown;
  fills = 0;
  totalFills = 0;
  flushInterval: number;
  flushPending = false;
  /** True while uc_emu_start is on the stack. */
  running = false;
  /** True inside the syscall/interrupt hooks (not the TLB-fill hook, where stopping is forbidden). */
  inHook = false;
  /** Active while faultAddress() re-runs one instruction. */
  probe: { page: number; scratch: number; hit?: number } | undefined;
  /** The user-mode setup's kernel page: its address and physical address. */
  kernelPage: { va: bigint; pa: number } | undefined;
  /** A port I/O instruction faulted in this run: the CPU state at it, restored when the run ends. */
  portFault: bigint | undefined;
  #codeFlushPending = false;
  #tlbFlushPending = false;
  #mappedBytes = 0;
  #closed = false;
  readonly #regBuf = new BigUint64Array(1);
  readonly #regU8 = new Uint8Array(this.#regBuf.buffer);
  readonly #regI32 = new Int32Array(this.#regBuf.buffer);
  /** Register values for batch reads; off-heap (>= 64 bytes) so its address is stable. */
  readonly #batchBuf = new ArrayBuffer(4096);
  readonly #batchI32 = new Int32Array(this.#batchBuf, 0, 16);
  /** uc_reg_read_batch takes `void **vals`: one pointer per register, into #batchBuf. */
  readonly #batchPtrs = new BigUint64Array(8);
  readonly #hooks = new BigUint64Array(6);
  readonly #watchdog: Watchdog;
  /** The last run() was ended by its time slice (the watchdog's uc_emu_stop). */
  preempted = false;
  /**
   * An asynchronous stop resumes correctly: Unicorn's per-access exit checks are off, so a stop
   * lands between translation blocks. Without that (an unknown libunicorn build) it is still
   * true where the arch loads through temporaries (CpuSpec.loadsViaTemporaries); other arches
   * are then preempted only at syscalls (see native/exit_checks.c).
   */
  readonly asyncStopSafe: boolean;
  #armed = false;

  constructor(readonly spec: CpuSpec, readonly phys: PhysMem, public client: EngineClient) {
    this.lib = loadUnicorn();
    this.#watchdog = loadWatchdog(this.lib);
    this.flushInterval = spec.tlbFlushEvery;
    const out = [0n];
    this.#check(this.lib.uc_open(spec.ucArch, spec.ucMode, out as never), 'uc_open');
    this.uc = out[0];
    engines.set(this.id, this);
    const base = koffi.address(this.#batchBuf);
    for (let i = 0; i < 8; i++) this.#batchPtrs[i] = base + BigInt(8 * i);
    // Order matters: the TCG buffer size and CPU model must be set before the first
    // emulation (the default 1 GiB TCG buffer would be committed to RSS by a TB flush).
    this.#check(this.lib.uc_ctl(this.uc, UC_CTL_TCG_BUFFER_SIZE, 'uint32_t', TCG_BUFFER_BYTES), 'TCG_BUFFER_SIZE');
    this.#check(this.lib.uc_ctl(this.uc, UC_CTL_CPU_MODEL, 'int', spec.cpuModel), 'CPU_MODEL');
    this.#check(this.lib.uc_ctl(this.uc, UC_CTL_TLB_TYPE, 'int', UC_TLB_VIRTUAL), 'TLB_TYPE');
    // Before anything is translated: exit checks only at block starts (native/exit_checks.c).
    const off = this.#watchdog.noExitRequestOffset;
    if (off >= 0) this.#watchdog.setByte(this.uc, off, 1);
    this.asyncStopSafe = off >= 0 || spec.loadsViaTemporaries;
    this.#mapPhys(0, phys.byteLength);
    phys.onGrow((oldBytes, newBytes) => { if (!this.#closed) this.#mapPhys(oldBytes, newBytes); });
    const cb = registerCallbacks(this.lib);
    const hh = this.#hooks.subarray(0, 1);
    this.#check(this.lib.uc_hook_add(this.uc, hh, UC_HOOK_TLB_FILL, cb.tlbFill, this.id, 1n, 0n), 'hook TLB_FILL');
    if (spec.syscallTrap === 'x86-syscall-insn') {
      this.#check(this.lib.uc_hook_add(this.uc, this.#hooks.subarray(1, 2), UC_HOOK_INSN, cb.syscall, this.id, 1n, 0n,
        'int', UC_X86_INS_SYSCALL), 'hook SYSCALL');
    }
    this.#check(this.lib.uc_hook_add(this.uc, this.#hooks.subarray(2, 3), UC_HOOK_INTR, cb.intr, this.id, 1n, 0n), 'hook INTR');
    const um = spec.userMode;
    if (um?.portIoFault !== undefined) {
      this.#check(this.lib.uc_hook_add(this.uc, this.#hooks.subarray(3, 4), UC_HOOK_INSN, cb.portIn, this.id, 1n, 0n,
        'int', UC_X86_INS_IN), 'hook IN');
      this.#check(this.lib.uc_hook_add(this.uc, this.#hooks.subarray(4, 5), UC_HOOK_INSN, cb.portOut, this.id, 1n, 0n,
        'int', UC_X86_INS_OUT), 'hook OUT');
    }
    if (um) {
      if (um.page) this.kernelPage = { va: um.page.va, pa: kernelFrame(phys, um.page.va, um.page.bytes) * PAGE_SIZE };
      um.enter(this);
    }
  }

  /**
   * Run `pc` (on the user-mode setup's page) until it makes a syscall; true if it got there.
   * The guest's client is not called: this is the CPU's own set-up.
   */
  bootstrap(pc: bigint): boolean {
    const guest = this.client;
    let reached = false;
    this.client = {
      lastPerms: 0,
      translate: () => -1,
      onSyscall: () => { reached = true; this.stop(); },
      onInterrupt: () => this.stop(),
    };
    try { this.run(pc); } finally { this.client = guest; }
    return reached;
  }

  /**
   * An in/out instruction ran (Unicorn's hook, with the pc at it). Linux gives SIGSEGV (#GP:
   * IOPL 0): the CPU state is saved here, the run stops, and the rest of the translation block
   * is undone when run() restores that state and raises the fault (stores it made stay).
   */
  portIo(): void {
    if (this.portFault !== undefined) return;
    const out = [0n];
    if (this.lib.uc_context_alloc(this.uc, out as never) !== 0) { this.hostError ??= new EngineError('uc_context_alloc'); this.stop(); return; }
    this.lib.uc_context_save(this.uc, out[0]);
    this.portFault = out[0];
    this.stop();
  }

  #mapPhys(from: number, to: number) {
    if (to <= this.#mappedBytes) return;
    from = Math.max(from, this.#mappedBytes);
    const base = koffi.address(this.phys.memory.buffer);
    this.#check(this.lib.uc_mem_map_ptr(this.uc, from, to - from, UC_PROT_ALL, base + BigInt(from)), 'uc_mem_map_ptr');
    this.#mappedBytes = to;
  }

  #check(err: number, what: string) {
    if (err !== 0) throw new EngineError(`unicorn ${what}: ${this.lib.uc_strerror(err)} (${err})`);
  }

  /** A register as a signed 64-bit value; exact for |v| < 2^53 (every address and size the kernel uses). */
  reg(id: number): number {
    this.lib.uc_reg_read(this.uc, id, this.#regU8);
    return this.#regI32[1] * 4294967296 + (this.#regI32[0] >>> 0);
  }

  regBig(id: number): bigint {
    this.lib.uc_reg_read(this.uc, id, this.#regU8);
    return this.#regBuf[0];
  }

  setReg(id: number, value: number | bigint): void {
    this.#regBuf[0] = BigInt.asUintN(64, BigInt(value));
    this.lib.uc_reg_write(this.uc, id, this.#regU8);
  }

  /**
   * Read up to 8 registers in one FFI call into `out` as syscall arguments: the signed 64-bit
   * value where it is exact (|v| < 2^53, every real address, size and offset); beyond that a
   * stand-in that keeps the sign, the low 32 bits and a magnitude of at least 2^51 (a safe integer), so `| 0`
   * and `>>> 0` still give C's int and unsigned (close(0x7fffffffffffffff) is close(-1)) and
   * every pointer or length check still fails as it would for the real value.
   */
  readRegs(ids: Int32Array, out: number[]): void {
    this.lib.uc_reg_read_batch(this.uc, ids, this.#batchPtrs, ids.length);
    const v = this.#batchI32;
    for (let i = 0; i < ids.length; i++) out[i] = exactArg(v[2 * i + 1], v[2 * i] >>> 0);
  }

  /** Copy registers raw from another engine of the same arch (fork). */
  copyRegsFrom(other: Engine, ids: readonly number[]): void {
    const buf = new Uint8Array(64);
    for (const id of ids) {
      buf.fill(0);
      other.lib.uc_reg_read(other.uc, id, buf);
      this.lib.uc_reg_write(this.uc, id, buf);
    }
  }

  /**
   * The exact address a faulting instruction at `pc` touched in the 4 KiB page `page` (the
   * TLB-fill hook only sees the page). Re-runs that one instruction with the page backed by
   * a scratch frame and a temporary memory hook, then restores every register and flushes
   * what the probe cached. Not for the hot path: faults only.
   */
  faultAddress(pc: number, page: number): number | undefined {
    const lib = this.lib;
    const ctxOut = [0n];
    if (lib.uc_context_alloc(this.uc, ctxOut as never) !== 0) return undefined;
    const ctx = ctxOut[0];
    const frame = this.phys.allocFrame();
    const hh = new BigUint64Array(1);
    // The one-instruction run needs Unicorn's exit check after the count hook: turn the exit
    // checks back on for the probe, with no translation made without them (or with them) kept.
    const off = this.#watchdog.noExitRequestOffset;
    const checksOff = off >= 0;
    if (checksOff) { this.#watchdog.setByte(this.uc, off, 0); lib.uc_ctl(this.uc, UC_CTL_TB_FLUSH); }
    try {
      lib.uc_context_save(this.uc, ctx);
      this.probe = { page, scratch: frame * 4096 };
      lib.uc_ctl(this.uc, UC_CTL_TLB_FLUSH);
      const cb = registerCallbacks(lib);
      if (lib.uc_hook_add(this.uc, hh, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, cb.memAccess, this.id, 1n, 0n) !== 0) return undefined;
      lib.uc_emu_start(this.uc, pc, UNTIL_NEVER, 0, 1);
      lib.uc_hook_del(this.uc, hh[0]);
      return this.probe.hit;
    } finally {
      this.probe = undefined;
      lib.uc_context_restore(this.uc, ctx);
      lib.uc_context_free(ctx);
      lib.uc_ctl(this.uc, UC_CTL_TLB_FLUSH);
      if (checksOff) { lib.uc_ctl(this.uc, UC_CTL_TB_FLUSH); this.#watchdog.setByte(this.uc, off, 1); }
      this.phys.unref(frame);
    }
  }

  /** Raw register bytes (vector registers, 16 bytes). */
  readRaw(id: number, buf: Uint8Array): void { this.lib.uc_reg_read(this.uc, id, buf); }
  writeRaw(id: number, buf: Uint8Array): void { this.lib.uc_reg_write(this.uc, id, buf); }

  /**
   * Run from `pc` until stop(), an error, or `sliceUs` microseconds (0 = no limit; the
   * watchdog thread then stops the CPU between translation blocks and it resumes at the saved
   * pc; `preempted` tells). Returns the uc_err code (0 = stopped cleanly).
   */
  run(pc: number | bigint, sliceUs = 0): number {
    this.lastFault = undefined;
    this.hostError = undefined;
    this.preempted = false;
    if (this.#codeFlushPending) { this.#codeFlushPending = false; this.lib.uc_ctl(this.uc, UC_CTL_TB_FLUSH); }
    if (this.#tlbFlushPending) { this.#tlbFlushPending = false; this.lib.uc_ctl(this.uc, UC_CTL_TLB_FLUSH); }
    this.running = true;
    let err: number;
    this.#armed = sliceUs > 0;
    if (this.#armed) this.#watchdog.arm(this.uc, sliceUs);
    try { err = this.lib.uc_emu_start(this.uc, pc, UNTIL_NEVER, 0, 0); } finally {
      if (this.#armed) this.preempted = this.#watchdog.disarm();
      this.#armed = false;
      this.running = false;
    }
    if (this.portFault !== undefined) {
      const ctx = this.portFault;
      this.lib.uc_context_restore(this.uc, ctx);
      this.lib.uc_context_free(ctx);
      this.portFault = undefined;
      this.inHook = true;
      try { this.client.onInterrupt(this.spec.userMode!.portIoFault!); } catch (e) { this.hostError ??= e; } finally { this.inHook = false; }
    }
    if (this.hostError !== undefined) throw this.hostError;
    return err;
  }

  stop(): void { this.lib.uc_emu_stop(this.uc); }

  /** While running: end this run `sliceUs` from now instead (a new timer or deadline). */
  rearm(sliceUs: number): void {
    if (!this.running) return;
    this.#armed = true;
    this.#watchdog.arm(this.uc, sliceUs);
  }

  /** Forget every cached translation (after munmap/mprotect/mremap/brk shrink). */
  flushTlb(): void {
    this.lib.uc_ctl(this.uc, UC_CTL_TLB_FLUSH);
    // Inside a hook the flush is not seen by code already running (measured: after fork the
    // parent kept writing through stale writable entries): end this run and flush again
    // before the next one.
    if (this.running && this.inHook) { this.#tlbFlushPending = true; this.stop(); }
  }

  /**
   * Forget all translated code (a frame that held code was rewritten or freed). Flushing the
   * TB cache while the CPU executes from it crashes QEMU, so inside a hook the flush is
   * deferred: the CPU stops after the current instruction and run() flushes before resuming.
   */
  flushCode(): void {
    if (this.running) { this.#codeFlushPending = true; this.stop(); return; }
    this.lib.uc_ctl(this.uc, UC_CTL_TB_FLUSH);
  }

  removeCode(begin: number, end: number): void {
    this.lib.uc_ctl(this.uc, UC_CTL_TB_REMOVE_CACHE, 'uint64_t', BigInt(begin), 'uint64_t', BigInt(end));
  }

  strerror(err: number): string { return this.lib.uc_strerror(err); }

  /**
   * Make a stopped engine ready for another task (the engine pool): no cached translation
   * survives, nor translated code unless `keepCode` (the same address space, and no code
   * frame written or freed since); the caller sets every register (copyRegsFrom or startThread).
   */
  reuse(client: EngineClient, keepCode: boolean): void {
    this.client = client;
    this.lastFault = undefined;
    this.hostError = undefined;
    this.#tlbFlushPending = false;
    this.#codeFlushPending = false;
    this.lib.uc_ctl(this.uc, UC_CTL_TLB_FLUSH);
    if (!keepCode) this.lib.uc_ctl(this.uc, UC_CTL_TB_FLUSH);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.lib.uc_close(this.uc);
    engines.delete(this.id);
  }
}
