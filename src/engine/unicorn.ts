// The Unicorn C API through koffi: library discovery, version check, function table,
// and the constants ucrun uses (values from unicorn/unicorn.h of 2.1.4).
//
// Contract: every callback type is registered once (koffi.register inside a native
// callback throws later), so callbacks are process-wide and dispatch on user_data.
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UC_ARCH_ARM64 = 2;
export const UC_ARCH_X86 = 4;
export const UC_MODE_ARM = 0;
export const UC_MODE_64 = 8;

export const UC_ERR_OK = 0;
export const UC_ERR_INSN_INVALID = 10;
export const UC_ERR_EXCEPTION = 21;

export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_INSN = 1 << 1;
export const UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
export const UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
export const UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
export const UC_HOOK_INSN_INVALID = 1 << 14;
export const UC_HOOK_TLB_FILL = 1 << 17;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
export const UC_HOOK_MEM_INVALID = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9);

export const UC_MEM_READ = 16;
export const UC_MEM_WRITE = 17;
export const UC_MEM_FETCH = 18;

export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;
export const UC_PROT_ALL = 7;

/** uc_ctl control words: UC_CTL_WRITE(type, nargs). */
export const UC_CTL_TB_FLUSH = 0x4000000a;
export const UC_CTL_TLB_FLUSH = 0x4000000b;
export const UC_CTL_TB_REMOVE_CACHE = 0x48000009;
export const UC_CTL_CPU_MODEL = 0x44000007;
export const UC_CTL_TLB_TYPE = 0x4400000c;
export const UC_CTL_TCG_BUFFER_SIZE = 0x4400000d;
export const UC_TLB_VIRTUAL = 1;

export const UC_X86_INS_SYSCALL = 699;
export const UC_X86_INS_IN = 218;
export const UC_X86_INS_OUT = 500;
export const UC_X86_INS_CPUID = 113;

/**
 * Smallest accepted uc_version() >> 8: 2.1.4. 2.0.x is ~50x slower on guest stores; 2.1.1
 * corrupts guest state when a run is stopped asynchronously (the preemption timer does that).
 */
export const MIN_VERSION = 0x020104;

export interface UnicornLib {
  path: string;
  version: number;
  uc_open(arch: number, mode: number, out: bigint[]): number;
  uc_close(uc: bigint): number;
  uc_strerror(err: number): string;
  uc_reg_read(uc: bigint, reg: number, buf: Uint8Array): number;
  uc_reg_write(uc: bigint, reg: number, buf: Uint8Array): number;
  /** `ptrs` holds one host pointer per register (the C API's `void **vals`). */
  uc_reg_read_batch(uc: bigint, regs: Int32Array, ptrs: BigUint64Array, n: number): number;
  uc_mem_map_ptr(uc: bigint, addr: number, size: number, perms: number, ptr: bigint): number;
  uc_mem_read(uc: bigint, addr: number | bigint, buf: Uint8Array, n: number): number;
  uc_emu_start(uc: bigint, begin: number | bigint, until: bigint, timeout: number, count: number): number;
  uc_emu_stop(uc: bigint): number;
  uc_hook_add(uc: bigint, hh: BigUint64Array, type: number, cb: bigint, user: number, begin: bigint, end: bigint, ...rest: unknown[]): number;
  uc_hook_del(uc: bigint, hh: bigint): number;
  uc_ctl(uc: bigint, ctl: number, ...rest: unknown[]): number;
  uc_context_alloc(uc: bigint, out: bigint[]): number;
  uc_context_save(uc: bigint, ctx: bigint): number;
  uc_context_restore(uc: bigint, ctx: bigint): number;
  uc_context_free(ctx: bigint): number;
  proto: {
    tlbFill: TypeObject; syscall: TypeObject; intr: TypeObject;
    insnInvalid: TypeObject; memInvalid: TypeObject; cpuid: TypeObject; memAccess: TypeObject;
    portIn: TypeObject; portOut: TypeObject;
  };
}

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

/** Candidate library paths in search order: $UCRUN_LIBUNICORN, the project's vendor folder, the system. */
export function libraryCandidates(): string[] {
  const out: string[] = [];
  if (process.env.UCRUN_LIBUNICORN) out.push(process.env.UCRUN_LIBUNICORN);
  out.push(join(projectRoot(), 'vendor/libunicorn2t64/usr/lib/x86_64-linux-gnu/libunicorn.so.2'));
  out.push('libunicorn.so.2');
  return out;
}

let cached: UnicornLib | undefined;

export class UnicornUnavailable extends Error {}

export function loadUnicorn(): UnicornLib {
  if (cached) return cached;
  const errors: string[] = [];
  for (const path of libraryCandidates()) {
    if (path.includes('/') && !existsSync(path)) { errors.push(`${path}: not found`); continue; }
    let lib: LibraryHandle;
    try { lib = koffi.load(path); } catch (e) { errors.push(`${path}: ${(e as Error).message}`); continue; }
    const version = lib.func('unsigned int uc_version(void *major, void *minor)')(null, null) as number;
    if ((version >>> 8) < MIN_VERSION) {
      errors.push(`${path}: version ${(version >>> 24) & 0xff}.${(version >>> 16) & 0xff}.${(version >>> 8) & 0xff} is older than 2.1.4`);
      continue;
    }
    cached = bind(lib, path, version);
    return cached;
  }
  throw new UnicornUnavailable(
    'ucrun: Unicorn >= 2.1.4 not found (' + errors.join('; ') + ').\n' +
    'Run `npm run setup` (it downloads Debian sid\'s libunicorn2t64 2.1.4 into vendor/), ' +
    'or point UCRUN_LIBUNICORN at a libunicorn.so.2 of version 2.1.4 or later.');
}

function bind(lib: LibraryHandle, path: string, version: number): UnicornLib {
  const f = (sig: string) => lib.func(sig);
  return {
    path, version,
    uc_open: f('int uc_open(int arch, int mode, _Out_ void **uc)') as never,
    uc_close: f('int uc_close(void *uc)') as never,
    uc_strerror: f('const char *uc_strerror(int err)') as never,
    uc_reg_read: f('int uc_reg_read(void *uc, int reg, _Out_ uint8_t *value)') as never,
    uc_reg_write: f('int uc_reg_write(void *uc, int reg, const uint8_t *value)') as never,
    uc_reg_read_batch: f('int uc_reg_read_batch(void *uc, int32_t *regs, uint64_t *ptrs, int n)') as never,
    uc_mem_map_ptr: f('int uc_mem_map_ptr(void *uc, uint64_t addr, size_t size, uint32_t perms, void *ptr)') as never,
    uc_mem_read: f('int uc_mem_read(void *uc, uint64_t addr, _Out_ uint8_t *buf, size_t n)') as never,
    uc_emu_start: f('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)') as never,
    uc_emu_stop: f('int uc_emu_stop(void *uc)') as never,
    uc_hook_add: f('int uc_hook_add(void *uc, _Out_ uint64_t *hh, int type, void *cb, uintptr_t user, uint64_t begin, uint64_t end, ...)') as never,
    uc_hook_del: f('int uc_hook_del(void *uc, uint64_t hh)') as never,
    uc_ctl: f('int uc_ctl(void *uc, int ctl, ...)') as never,
    uc_context_alloc: f('int uc_context_alloc(void *uc, _Out_ void **ctx)') as never,
    uc_context_save: f('int uc_context_save(void *uc, void *ctx)') as never,
    uc_context_restore: f('int uc_context_restore(void *uc, void *ctx)') as never,
    uc_context_free: f('int uc_context_free(void *ctx)') as never,
    proto: {
      tlbFill: koffi.proto('bool ucrun_tlb_fill_cb(void *uc, uint64_t addr, int type, void *entry, uintptr_t user)'),
      syscall: koffi.proto('void ucrun_syscall_cb(void *uc, uintptr_t user)'),
      intr: koffi.proto('void ucrun_intr_cb(void *uc, uint32_t intno, uintptr_t user)'),
      insnInvalid: koffi.proto('bool ucrun_insn_invalid_cb(void *uc, uintptr_t user)'),
      memInvalid: koffi.proto('bool ucrun_mem_invalid_cb(void *uc, int type, uint64_t addr, int size, int64_t value, uintptr_t user)'),
      cpuid: koffi.proto('int ucrun_cpuid_cb(void *uc, uintptr_t user)'),
      memAccess: koffi.proto('void ucrun_mem_access_cb(void *uc, int type, uint64_t addr, int size, int64_t value, uintptr_t user)'),
      portIn: koffi.proto('uint32_t ucrun_port_in_cb(void *uc, uint32_t port, int size, uintptr_t user)'),
      portOut: koffi.proto('void ucrun_port_out_cb(void *uc, uint32_t port, int size, uint32_t value, uintptr_t user)'),
    },
  };
}
