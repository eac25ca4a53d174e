// What is partial about implemented syscalls, in one place: the README's syscall table is
// generated from this and the dispatcher's tables (src/cli/syscall_table.ts), and a test keeps
// the README equal to the generated table.
export const PARTIAL: Readonly<Record<string, string>> = {
  rseq: 'answers ENOSYS on purpose (glibc then runs without restartable sequences)',
  mmap: 'MAP_SHARED file mappings are copies, never written back; no MAP_HUGETLB',
  msync: 'nothing to write back (file mappings are copies)',
  clone: 'CLONE_VM without CLONE_THREAD only with CLONE_VFORK; no namespaces (CLONE_NEW*)',
  clone3: 'as clone; no set_tid, no cgroup',
  socket: 'AF_UNIX only (AF_INET/AF_INET6: EAFNOSUPPORT)',
  socketpair: 'AF_UNIX only',
  ioctl: 'FIONREAD, FIOCLEX/FIONCLEX, FIONBIO, and terminal TCGETS/TIOCGWINSZ passed to the host',
  fcntl: 'no leases (F_SETLEASE), no F_SETOWN signal delivery',
  prctl: 'PR_SET/GET_NAME, PDEATHSIG, DUMPABLE, NO_NEW_PRIVS, CHILD_SUBREAPER; others EINVAL',
  sched_setscheduler: 'policies are kept and reported, every thread is scheduled the same way',
  sched_setattr: 'as sched_setscheduler; no SCHED_DEADLINE',
  personality: 'the persona is kept and reported, programs run the same way',
  mknodat: 'device nodes are EPERM even with CAP_MKNOD (they would reach the host)',
  mknod: 'as mknodat',
  fchownat: 'an owner the host refuses is recorded for the run and shown by stat',
  chown: 'as fchownat', fchown: 'as fchownat', lchown: 'as fchownat',
  futex: 'PI futexes hand over ownership but do not boost priorities; no FUTEX_WAIT_REQUEUE_PI',
  memfd_create: 'no MFD_HUGETLB; MAP_SHARED mappings are copies',
  flock: 'between guest processes only (host processes locking the file are not seen)',
  setpriority: 'nice values are kept and reported, they do not change scheduling',
  membarrier: 'no RSEQ commands',
  getrusage: 'CPU time as user time; maxrss; other fields 0',
  setxattr: 'stored by the host file system; the sticky-directory rule for user.* is not modelled',
};
