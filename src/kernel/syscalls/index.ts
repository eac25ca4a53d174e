// Every arch-neutral syscall handler by Linux name. The per-arch tables map numbers to these
// names; a name with no handler here returns ENOSYS (reported once).
import type { Handler } from '../dispatch.js';
import { attrCalls } from './sys_attr.js';
import { credCalls } from './sys_cred.js';
import { epollCalls } from './sys_epoll.js';
import { fdCalls } from './sys_fd.js';
import { fsCalls } from './sys_fs.js';
import { futexCalls } from './sys_futex.js';
import { inotifyCalls } from './sys_inotify.js';
import { ipcCalls } from './sys_ipc.js';
import { lockCalls } from './sys_lock.js';
import { schedCalls } from './sys_sched.js';
import { memfdCalls } from './sys_memfd.js';
import { miscCalls } from './sys_misc.js';
import { mmCalls } from './sys_mm.js';
import { mqueueCalls } from './sys_mqueue.js';
import { pathCalls } from './sys_path.js';
import { pidfdCalls } from './sys_pidfd.js';
import { pipeCalls } from './sys_pipe.js';
import { pollCalls } from './sys_poll.js';
import { procCalls } from './sys_proc.js';
import { procvmCalls } from './sys_procvm.js';
import { processCalls } from './sys_process.js';
import { signalCalls, signalGenCalls } from './sys_signal.js';
import { signalfdCalls } from './sys_signalfd.js';
import { socketCalls } from './sys_socket.js';
import { spliceCalls } from './sys_splice.js';
import { statCalls } from './sys_stat.js';
import { statfsCalls } from './sys_statfs.js';
import { timeCalls } from './sys_time.js';
import { timerCalls } from './sys_timer.js';
import { xattrCalls } from './sys_xattr.js';

export const allHandlers: Record<string, Handler> = {
  ...fsCalls, ...fdCalls, ...pathCalls, ...statCalls, ...mmCalls, ...procCalls, ...timeCalls,
  ...pollCalls, ...pipeCalls, ...socketCalls, ...signalCalls, ...signalGenCalls, ...processCalls,
  ...epollCalls, ...futexCalls, ...schedCalls, ...credCalls, ...attrCalls, ...statfsCalls, ...spliceCalls, ...lockCalls,
  ...memfdCalls, ...miscCalls, ...xattrCalls, ...inotifyCalls, ...mqueueCalls, ...pidfdCalls, ...procvmCalls, ...ipcCalls,
  ...timerCalls, ...signalfdCalls,
};
