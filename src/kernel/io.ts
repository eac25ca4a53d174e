// Turning a transport's "must wait" into the syscall protocol: EAGAIN for nonblocking files,
// else Block on the file's wait queue with the progress so far kept in t.callState (the
// restarted call resumes from there). Used by pipes and sockets.
import { Errno } from './errno.js';
import type { Task } from './task.js';
import { block, SyscallResult, WaitQueue } from './wait.js';

export interface Wait { wait: true; done: number }

/** Progress of a restarted call (bytes already moved by earlier attempts). */
export const progress = (t: Task): number => t.callState.done ?? 0;

export function waitOrAgain(t: Task, w: Wait, nonblock: boolean, q: WaitQueue): SyscallResult {
  if (nonblock) return w.done > 0 ? w.done : -Errno.EAGAIN;
  t.callState.done = w.done;
  return block([q]);
}
