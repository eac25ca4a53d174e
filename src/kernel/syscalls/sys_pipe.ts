// pipe(2) and pipe2(2) (fs/pipe.c do_pipe2).
import { Errno } from '../errno.js';
import { Pipe, PipeEnd } from '../pipe/pipe.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { O_RDONLY, O_WRONLY } from '../vfs/file.js';

export const pipeCalls = {
  /** pipe2(2): O_CLOEXEC, O_NONBLOCK and O_DIRECT (packet mode) */
  pipe2(t: Task, [fds, flags]: number[]): SyscallResult {
    const o = t.proc.arch.o;
    // O_NOTIFICATION_PIPE (watch queues) is not provided: it is refused like any unknown flag.
    if (flags & ~(o.O_CLOEXEC | o.O_NONBLOCK | o.O_DIRECT)) return -Errno.EINVAL;
    t.mem.chunks(fds, 8, true); // EFAULT before any fd exists
    const pipe = new Pipe(t.kernel, o);
    const status = flags & (o.O_NONBLOCK | o.O_DIRECT);
    const r = new PipeEnd(pipe, O_RDONLY | (flags & o.O_NONBLOCK)), w = new PipeEnd(pipe, O_WRONLY | status);
    const cloexec = (flags & o.O_CLOEXEC) !== 0;
    const table = t.proc.fds;
    const a = table.install(r, cloexec);
    if (a < 0) { r.release(); w.release(); return a; }
    const b = table.install(w, cloexec);
    if (b < 0) { table.close(a); w.release(); return b; }
    t.mem.setI32(fds, a);
    t.mem.setI32(fds + 4, b);
    return 0;
  },
  /** pipe(2), x86_64 only */
  pipe(t: Task, [fds]: number[]): SyscallResult { return pipeCalls.pipe2(t, [fds, 0]); },
};
