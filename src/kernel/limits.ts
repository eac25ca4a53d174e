// System-wide numbers the kernel reports in more than one place (syscalls and /proc).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * nr_cpu_ids: the CPUs the guest is told about (at most 64: one unsigned long of mask). Every
 * guest thread runs on the one host thread that runs ucrun; the guest is still shown the host's
 * CPU count (what a native run sees, so output matches).
 */
export const NR_CPUS = Math.min(64, Math.max(1, availableParallelism()));

/** fs.nr_open (sysctl_nr_open): the largest RLIMIT_NOFILE an unprivileged process may set. */
export const NR_OPEN = 1 << 20;

/** kernel.pid_max on 64-bit (PID_MAX_LIMIT). */
export const PID_MAX = 4194304;

/** RLIM_INFINITY as the kernel's tables keep it (a signed 64-bit -1). */
export const RLIM_INF = -1;

let host: [number, number][] | undefined;
/**
 * The resource limits (soft, hard) of the process running ucrun, in RLIMIT_* order, from
 * /proc/self/limits: what a program the same parent starts natively inherits, so the first
 * guest process starts with them. Unreadable rows are unlimited.
 */
export function hostLimits(): [number, number][] {
  if (host) return host;
  const out: [number, number][] = [];
  try {
    const rows = readFileSync('/proc/self/limits', 'utf8').split('\n').slice(1).filter((l) => l.startsWith('Max '));
    for (const row of rows) {
      const cols = row.slice(26).trim().split(/\s+/);
      const v = (s: string) => (s === 'unlimited' ? RLIM_INF : Number(s));
      out.push([v(cols[0]), v(cols[1])]);
    }
  } catch { /* none */ }
  while (out.length < 16) out.push([RLIM_INF, RLIM_INF]);
  return (host = out);
}
