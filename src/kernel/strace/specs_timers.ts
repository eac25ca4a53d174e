// --strace specs for the timer and signalfd calls: timerfd_*, timer_*, signalfd4/signalfd,
// printed as strace 5.10+ prints them (print_sigevent, print_itimerspec, timerfdflags).
import { FD_FLAGS, ITIMERSPEC_LAYOUT, SFD, SIGEV, SIGEVENT_LAYOUT } from '../abi.js';
import { type ArgDef, type Call, type Spec, inp, outp, struct } from './call.js';
import { type Xlat, addr, flags, hex, signal, xval } from './format.js';
import { sigset, timespec } from './structs.js';

const v = (c: Call, i: number) => c.args[i];

/** timerfdflags (src/xlat/timerfdflags.in): one table for timerfd_create and timerfd_settime. */
const TFD_FLAGS: Xlat = [['TFD_TIMER_ABSTIME', FD_FLAGS.TFD_TIMER_ABSTIME], ['TFD_TIMER_CANCEL_ON_SET', FD_FLAGS.TFD_TIMER_CANCEL_ON_SET],
  ['TFD_CLOEXEC', FD_FLAGS.TFD_CLOEXEC], ['TFD_NONBLOCK', FD_FLAGS.TFD_NONBLOCK]];
const SFD_FLAGS: Xlat = [['SFD_CLOEXEC', SFD.SFD_CLOEXEC], ['SFD_NONBLOCK', SFD.SFD_NONBLOCK]];
const SIGEV_X: Xlat = [['SIGEV_SIGNAL', SIGEV.SIGEV_SIGNAL], ['SIGEV_NONE', SIGEV.SIGEV_NONE], ['SIGEV_THREAD', SIGEV.SIGEV_THREAD],
  ['SIGEV_THREAD_ID', SIGEV.SIGEV_THREAD_ID]];

/** struct itimerspec: `{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}`. */
export function itimerspec(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  return `{it_interval=${timespec(c, at)}, it_value=${timespec(c, at + ITIMERSPEC_LAYOUT.fields['it_value.tv_sec'].offset)}}`;
}

/** print_sigevent: the value only when non-zero, the signal by name for the signalling kinds. */
export function sigevent(c: Call, at: number): string {
  if (at === 0) return 'NULL';
  const { dv, get } = struct(c, at, SIGEVENT_LAYOUT);
  const F = SIGEVENT_LAYOUT.fields;
  const ptr = dv.getBigUint64(F.sigev_value.offset, true);
  const notify = get('sigev_notify', true);
  const signo = get('sigev_signo', true);
  let s = '{';
  if (ptr) s += `sigev_value={sival_int=${dv.getInt32(F.sigev_value.offset, true)}, sival_ptr=${hex(ptr)}}, `;
  const named = notify === SIGEV.SIGEV_SIGNAL || notify === SIGEV.SIGEV_THREAD || notify === SIGEV.SIGEV_THREAD_ID;
  s += `sigev_signo=${named ? signal(signo) : String(signo >>> 0)}, sigev_notify=${xval(notify, SIGEV_X, 'SIGEV_???')}`;
  const un = F['_sigev_un._tid'].offset;
  if (notify === SIGEV.SIGEV_THREAD_ID) s += `, sigev_notify_thread_id=${dv.getInt32(un, true)}`;
  else if (notify === SIGEV.SIGEV_THREAD) {
    s += `, sigev_notify_function=${addr(Number(dv.getBigUint64(un, true)))}, sigev_notify_attributes=${addr(Number(dv.getBigUint64(un + 8, true)))}`;
  }
  return s + '}';
}

const its: ArgDef = inp((c, i) => itimerspec(c, v(c, i)));
const itsOut: ArgDef = outp((c, i) => itimerspec(c, v(c, i)));
/** An output itimerspec that may be NULL (old_value). */
const oldIts: ArgDef = outp((c, i) => (v(c, i) ? itimerspec(c, v(c, i)) : 'NULL'));
const tfdFlags: ArgDef = inp((c, i) => flags(v(c, i) >>> 0, TFD_FLAGS, 'TFD_???'));
const timerId: ArgDef = inp((c, i) => String(v(c, i) | 0));
/** timer_create's id: `[0]` after success. */
const createdId: ArgDef = outp((c, i) => `[${new DataView(c.mem.read(v(c, i), 4).buffer).getInt32(0, true)}]`);

export const TIMER_SPECS: Record<string, Spec> = {
  timerfd_create: { args: ['clock', tfdFlags] },
  timerfd_settime: { args: ['fd', tfdFlags, its, oldIts] },
  timerfd_gettime: { args: ['fd', itsOut] },
  timer_create: { args: ['clock', inp((c, i) => sigevent(c, v(c, i))), createdId] },
  timer_settime: { args: [timerId, 'timer_flags', its, oldIts] },
  timer_gettime: { args: [timerId, itsOut] },
  timer_getoverrun: { args: [timerId] },
  timer_delete: { args: [timerId] },
  signalfd4: { args: ['fd', inp((c, i) => sigset(c, v(c, i), v(c, 2))), 'uint', inp((c, i) => flags(v(c, i) >>> 0, SFD_FLAGS, 'SFD_???'))] },
  signalfd: { args: ['fd', inp((c, i) => sigset(c, v(c, i), v(c, 2))), 'uint'] },
};
