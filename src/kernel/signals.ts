// Signal numbers (the same on x86_64 and aarch64: asm-generic/signal.h numbering) and how
// deaths are reported. Delivery to guest handlers comes with the processes issue.
export const Signal = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
} as const;

const NAMES = Object.fromEntries(Object.entries(Signal).map(([k, v]) => [v, k])) as Record<number, string>;
export const signalName = (n: number) => NAMES[n] ?? `SIG${n}`;

/** The text bash prints for a death by signal (strsignal()). */
const SHELL_TEXT: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 24: 'CPU time limit exceeded',
  25: 'File size limit exceeded', 31: 'Bad system call',
};

export function describeDeath(sig: number, pc?: number, addr?: number): string {
  const text = SHELL_TEXT[sig] ?? signalName(sig);
  const parts: string[] = [];
  if (pc !== undefined) parts.push(`pc=0x${pc.toString(16)}`);
  if (addr !== undefined) parts.push(`address=0x${addr.toString(16)}`);
  return parts.length ? `${text} (${parts.join(', ')})` : text;
}

/** Signals whose default action is to ignore them (kernel/signal.c SIG_KERNEL_IGNORE_MASK). */
export const DEFAULT_IGNORED = new Set<number>([Signal.SIGCHLD, Signal.SIGURG, Signal.SIGWINCH, Signal.SIGCONT]);
