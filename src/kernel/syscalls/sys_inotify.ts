// inotify_init1, inotify_init (x86_64), inotify_add_watch, inotify_rm_watch (fs/notify/inotify/
// inotify_user.c). The watches and events are vfs/inotify.ts.
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';
import { O_RDONLY } from '../vfs/file.js';
import { IN, IN_ALL_EVENTS, inodeKey, InotifyFile } from '../vfs/inotify.js';
import { lookup } from '../vfs/open.js';
import { MAY_READ, permitted } from '../vfs/permission.js';

const inotifyOf = (t: Task, fd: number): InotifyFile | number => {
  const f = t.proc.fds.get(fd | 0);
  if (!f) return -Errno.EBADF;
  return f instanceof InotifyFile ? f : -Errno.EINVAL;
};

export const inotifyCalls = {
  /** inotify_init1(2): IN_NONBLOCK and IN_CLOEXEC are the arch's O_NONBLOCK and O_CLOEXEC */
  inotify_init1(t: Task, [flags]: number[]): SyscallResult {
    const o = t.proc.arch.o;
    if (flags & ~(o.O_NONBLOCK | o.O_CLOEXEC)) return -Errno.EINVAL;
    const f = new InotifyFile(O_RDONLY | (flags & o.O_NONBLOCK), t.kernel);
    const fd = t.proc.fds.install(f, (flags & o.O_CLOEXEC) !== 0);
    if (fd < 0) f.release();
    return fd;
  },
  /** inotify_init(2), x86_64 */
  inotify_init: (t: Task): SyscallResult => inotifyCalls.inotify_init1(t, [0]),
  /** inotify_add_watch(2): the watch descriptor (the same one again for an inode already watched) */
  inotify_add_watch(t: Task, [fd, path, maskArg]: number[]): SyscallResult {
    const mask = maskArg >>> 0;
    const f = inotifyOf(t, fd);
    if (typeof f === 'number') return f;
    if ((mask & IN.IN_MASK_ADD) && (mask & IN.IN_MASK_CREATE)) return -Errno.EINVAL;
    if ((mask & IN_ALL_EVENTS) === 0) return -Errno.EINVAL;
    const r = lookup(t, -100, t.mem.cstring(path), (mask & IN.IN_DONT_FOLLOW) === 0);
    if (typeof r === 'number') return r;
    let key: string | undefined;
    let isDir = false;
    if (r.vdir || r.vfile || r.vlink !== undefined) { key = `kernel:${r.guest}`; isDir = !!r.vdir; }
    else {
      if (!r.st) return -Errno.ENOENT;
      if (!permitted(t.proc.creds, r.st, MAY_READ)) return -Errno.EACCES;
      key = inodeKey(r.host);
      isDir = r.st.isDirectory();
    }
    if ((mask & IN.IN_ONLYDIR) && !isDir) return -Errno.ENOTDIR;
    if (!key) return -Errno.ENOENT;
    return f.addWatch(key, mask);
  },
  /** inotify_rm_watch(2): IN_IGNORED is queued for it */
  inotify_rm_watch(t: Task, [fd, wd]: number[]): SyscallResult {
    const f = inotifyOf(t, fd);
    if (typeof f === 'number') return f;
    return f.removeWatch(wd | 0);
  },
};
