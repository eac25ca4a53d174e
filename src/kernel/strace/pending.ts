// A parked call in one short form for deadlock and timeout reports:
// `read(3)`, `futex(0x4c6f20, FUTEX_WAIT_PRIVATE, 2)`.
import { futexOpName } from '../futex.js';
import type { PendingCall, Task } from '../task.js';

export function describePending(_t: Task, c: PendingCall): string {
  if (c.name === 'futex') return `futex(0x${c.args[0].toString(16)}, ${futexOpName(c.args[1])}, ${c.args[2] | 0})`;
  return `${c.name}(${c.args[0] | 0})`;
}
