// Specs for the credential, file-system and IPC calls added with them: flags by name where
// strace names them, the rest as plain numbers, pointers and strings.
import { type Call, type Spec, inp } from './call.js';
import { type Xlat, flags, hex, oct, udec, xval } from './format.js';

const v = (c: Call, i: number) => c.args[i];
const fl = (t: Xlat, d: string) => inp((c, i) => flags(v(c, i) >>> 0, t, d));
const xv = (t: Xlat, d: string) => inp((c, i) => xval(v(c, i) | 0, t, d));
const id = inp((c, i) => String(v(c, i) | 0));
const octal = inp((c, i) => oct(v(c, i)));

const CLOSE_RANGE: Xlat = [['CLOSE_RANGE_UNSHARE', 2], ['CLOSE_RANGE_CLOEXEC', 4]];
const SPLICE: Xlat = [['SPLICE_F_MOVE', 1], ['SPLICE_F_NONBLOCK', 2], ['SPLICE_F_MORE', 4], ['SPLICE_F_GIFT', 8]];
const POLICY: Xlat = [['SCHED_OTHER', 0], ['SCHED_FIFO', 1], ['SCHED_RR', 2], ['SCHED_BATCH', 3], ['SCHED_IDLE', 5], ['SCHED_DEADLINE', 6]];
const XATTR: Xlat = [['XATTR_CREATE', 1], ['XATTR_REPLACE', 2]];
const IN_MASK: Xlat = [['IN_ACCESS', 0x1], ['IN_MODIFY', 0x2], ['IN_ATTRIB', 0x4], ['IN_CLOSE_WRITE', 0x8], ['IN_CLOSE_NOWRITE', 0x10],
  ['IN_OPEN', 0x20], ['IN_MOVED_FROM', 0x40], ['IN_MOVED_TO', 0x80], ['IN_CREATE', 0x100], ['IN_DELETE', 0x200],
  ['IN_DELETE_SELF', 0x400], ['IN_MOVE_SELF', 0x800], ['IN_ONLYDIR', 0x1000000], ['IN_DONT_FOLLOW', 0x2000000],
  ['IN_EXCL_UNLINK', 0x4000000], ['IN_MASK_CREATE', 0x10000000], ['IN_MASK_ADD', 0x20000000], ['IN_ONESHOT', 0x80000000]];
const SYNC_RANGE: Xlat = [['SYNC_FILE_RANGE_WAIT_BEFORE', 1], ['SYNC_FILE_RANGE_WRITE', 2], ['SYNC_FILE_RANGE_WAIT_AFTER', 4]];
const RWF: Xlat = [['RWF_HIPRI', 1], ['RWF_DSYNC', 2], ['RWF_SYNC', 4], ['RWF_NOWAIT', 8], ['RWF_APPEND', 0x10]];

export const MORE_SPECS: Record<string, Spec> = {
  close_range: { args: ['uint', 'uint', fl(CLOSE_RANGE, 'CLOSE_RANGE_???')] },
  mknod: { args: ['path', octal, 'uint'] },
  rt_sigqueueinfo: { args: ['int', 'sig', 'ptr'] },
  rt_tgsigqueueinfo: { args: ['int', 'int', 'sig', 'ptr'] },
  epoll_pwait2: { args: ['fd', 'ptr', 'int', 'ptr', 'ptr', 'uint'] },
  eventfd: { args: ['uint'] },
  get_robust_list: { args: ['int', 'ptr', 'ptr'] },
  getcpu: { args: ['ptr', 'ptr', 'ptr'] },
  sched_getscheduler: { args: ['int'] },
  sched_getparam: { args: ['int', 'ptr'] },
  sched_setscheduler: { args: ['int', inp((c, i) => (v(c, i) & 0x40000000 ? `${xval(v(c, i) & ~0x40000000, POLICY, 'SCHED_???')}|SCHED_RESET_ON_FORK` : xval(v(c, i) | 0, POLICY, 'SCHED_???'))), 'ptr'] },
  sched_setparam: { args: ['int', 'ptr'] },
  sched_getattr: { args: ['int', 'ptr', 'uint', 'uint'] },
  sched_setattr: { args: ['int', 'ptr', 'uint'] },
  sched_get_priority_max: { args: [xv(POLICY, 'SCHED_???')] },
  sched_get_priority_min: { args: [xv(POLICY, 'SCHED_???')] },
  setfsuid: { args: [id] }, setfsgid: { args: [id] },
  setgroups: { args: ['int', 'ptr'] },
  capget: { args: ['ptr', 'ptr'] }, capset: { args: ['ptr', 'ptr'] },
  futimesat: { args: ['dirfd', 'path', 'ptr'] },
  utimes: { args: ['path', 'ptr'] }, utime: { args: ['path', 'ptr'] },
  splice: { args: ['fd', 'ptr', 'fd', 'ptr', 'uint', fl(SPLICE, 'SPLICE_F_???')] },
  tee: { args: ['fd', 'fd', 'uint', fl(SPLICE, 'SPLICE_F_???')] },
  vmsplice: { args: ['fd', 'iov', 'uint', fl(SPLICE, 'SPLICE_F_???')] },
  sethostname: { args: ['ibuf', 'int'] }, setdomainname: { args: ['ibuf', 'int'] },
  sync_file_range: { args: ['fd', 'long', 'long', fl(SYNC_RANGE, 'SYNC_FILE_RANGE_???')] },
  mincore: { args: ['ptr', 'uint', 'ptr'] },
  getdents: { args: ['fd', 'ptr', 'uint'] },
  preadv2: { args: ['fd', 'oiov', 'int', 'long', 'long', fl(RWF, 'RWF_???')] },
  pwritev2: { args: ['fd', 'iov', 'int', 'long', 'long', fl(RWF, 'RWF_???')] },
  getxattr: { args: ['path', 'path', 'ptr', 'uint'] }, lgetxattr: { args: ['path', 'path', 'ptr', 'uint'] },
  fgetxattr: { args: ['fd', 'path', 'ptr', 'uint'] },
  setxattr: { args: ['path', 'path', 'ibuf', 'uint', fl(XATTR, 'XATTR_???')] },
  lsetxattr: { args: ['path', 'path', 'ibuf', 'uint', fl(XATTR, 'XATTR_???')] },
  fsetxattr: { args: ['fd', 'path', 'ibuf', 'uint', fl(XATTR, 'XATTR_???')] },
  listxattr: { args: ['path', 'ptr', 'uint'] }, llistxattr: { args: ['path', 'ptr', 'uint'] }, flistxattr: { args: ['fd', 'ptr', 'uint'] },
  removexattr: { args: ['path', 'path'] }, lremovexattr: { args: ['path', 'path'] }, fremovexattr: { args: ['fd', 'path'] },
  inotify_init: { args: [] },
  inotify_init1: { args: ['oflags0'] },
  inotify_add_watch: { args: ['fd', 'path', fl(IN_MASK, 'IN_???')] },
  inotify_rm_watch: { args: ['fd', 'int'] },
  mq_open: { args: ['path', 'oflags', 'cmode', 'ptr'] },
  mq_unlink: { args: ['path'] },
  mq_timedsend: { args: ['fd', 'ibuf', 'uint', 'uint', 'ptr'] },
  mq_timedreceive: { args: ['fd', 'ptr', 'uint', 'ptr', 'ptr'] },
  mq_notify: { args: ['fd', 'ptr'] },
  mq_getsetattr: { args: ['fd', 'ptr', 'ptr'] },
  pidfd_open: { args: ['int', 'oflags0'] },
  pidfd_send_signal: { args: ['fd', 'sig', 'ptr', inp((c, i) => hex(v(c, i) >>> 0))] },
  pidfd_getfd: { args: ['fd', 'int', 'uint'] },
  process_vm_readv: { args: ['int', 'ptr', 'uint', 'ptr', 'uint', inp((c, i) => udec(v(c, i)))] },
  process_vm_writev: { args: ['int', 'ptr', 'uint', 'ptr', 'uint', inp((c, i) => udec(v(c, i)))] },
};
