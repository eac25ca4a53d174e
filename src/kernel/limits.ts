// System-wide numbers the kernel reports in more than one place (syscalls and /proc).
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
