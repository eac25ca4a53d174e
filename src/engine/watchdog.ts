// ucrun's native helper through koffi: the preemption timer (native/watchdog.c: arm before
// uc_emu_start, disarm right after it returns; one watchdog thread serves every engine, and
// only one engine runs at a time, all on the one host thread) and the switch that confines
// asynchronous stops to translation-block boundaries (native/exit_checks.c).
import koffi from 'koffi';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { UnicornLib } from './unicorn.js';
import { projectRoot } from './unicorn.js';

export interface Watchdog {
  /**
   * Offset of uc_struct.no_exit_request in this libunicorn (native/exit_checks.c), or -1 if
   * its machine code does not have the expected shape.
   */
  noExitRequestOffset: number;
  /** Write one byte of an engine's uc_struct. */
  setByte(uc: bigint, offset: number, value: number): void;
  /** uc_emu_stop(uc) after `us` microseconds unless disarmed first. */
  arm(uc: bigint, us: number): void;
  /** Never touches the armed engine after this returns; true if the stop fired. */
  disarm(): boolean;
}

let cached: Watchdog | undefined;
/** koffi unloads a library whose handle is collected: keep it. */
let handle: unknown;

export class WatchdogUnavailable extends Error {}

export function loadWatchdog(uc: UnicornLib): Watchdog {
  if (cached) return cached;
  const path = join(projectRoot(), 'dist/native/libucrun_native.so');
  if (!existsSync(path)) throw new WatchdogUnavailable(`ucrun: ${path} is missing: run \`npm run build\` (it needs gcc)`);
  const lib = koffi.load(path);
  handle = lib;
  const init = lib.func('int ucw_init(const char *unicorn)');
  const rc = init(uc.path) as number;
  if (rc !== 0) throw new WatchdogUnavailable(`ucrun: the preemption timer did not start (${rc})`);
  const arm = lib.func('void ucw_arm(void *uc, double us)');
  const disarm = lib.func('int ucw_disarm(void)');
  const setByte = lib.func('void ucw_set_byte(void *uc, int offset, int value)');
  const noExitRequestOffset = lib.func('int ucw_no_exit_request_offset(const char *path)')(uc.path) as number;
  cached = {
    noExitRequestOffset,
    setByte: (e, off, v) => { setByte(e, off, v); },
    arm: (e, us) => { arm(e, us); },
    disarm: () => (disarm() as number) !== 0,
  };
  return cached;
}

export const keepAlive = () => handle;
