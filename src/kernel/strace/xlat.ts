// Name tables in the order strace's src/xlat/*.in lists them (order decides how a flag set
// prints: O_CLOEXEC before O_DIRECTORY, SA_RESTORER first). Values come from the constant
// groups in src/kernel/abi.ts and the arch's OPEN_FLAGS; the few names abi.ts does not carry
// (termios delay bits, SOL_TCP, MSG_MORE, STATX_ALL, ...) are listed here with their header.
import type { ArchAbiData, OpenFlagName } from '../abi.js';
import {
  AT, CLOCK, EPOLL, FCNTL, FD_FLAGS, GRND, IOCTL, MADV, MAP, MREMAP, MSYNC, POLL, PR, PROT, RENAME, RLIMIT,
  SA, SEEK, SOCK, STATX, TERMIOS,
} from '../abi.js';
import { ARCH_PRCTL } from '../../arch/x86_64/abi_data.js';
import type { Xlat } from './format.js';

/** Entries of `group` whose names start with `prefix`, in the group's (value) order. */
export function pick(group: Readonly<Record<string, number>>, prefix: string, skip: readonly string[] = []): Xlat {
  return Object.entries(group).filter(([k]) => k.startsWith(prefix) && !skip.includes(k));
}

/** The named entries of `group`, in the order given. */
export function names<K extends string>(group: Readonly<Record<K, number>>, list: readonly K[]): Xlat {
  return list.map((k) => [k, group[k]] as const);
}

// --- files -------------------------------------------------------------------

const OPEN_ORDER: OpenFlagName[] = [
  'O_CREAT', 'O_EXCL', 'O_NOCTTY', 'O_TRUNC', 'O_APPEND', 'O_NONBLOCK', 'O_SYNC', '__O_SYNC', 'O_DSYNC', 'O_DIRECT',
  'O_LARGEFILE', 'O_NOFOLLOW', 'O_NOATIME', 'O_CLOEXEC', 'O_PATH', 'O_TMPFILE', '__O_TMPFILE', 'O_DIRECTORY', 'FASYNC',
];
const openCache = new WeakMap<object, Xlat>();
/** open_mode_flags (src/xlat/open_mode_flags.in) with this arch's values. */
export function openFlags(data: ArchAbiData): Xlat {
  let t = openCache.get(data.OPEN_FLAGS);
  if (!t) openCache.set(data.OPEN_FLAGS, (t = names(data.OPEN_FLAGS, OPEN_ORDER)));
  return t;
}
export const OPEN_ACCESS: Xlat = [['O_RDONLY', 0], ['O_WRONLY', 1], ['O_RDWR', 2], ['O_ACCMODE', 3]];

export const AT_FLAGS = names(AT, ['AT_SYMLINK_NOFOLLOW', 'AT_REMOVEDIR', 'AT_SYMLINK_FOLLOW', 'AT_NO_AUTOMOUNT', 'AT_EMPTY_PATH', 'AT_RECURSIVE']);
export const FACCESSAT_FLAGS = names(AT, ['AT_SYMLINK_NOFOLLOW', 'AT_EACCESS', 'AT_EMPTY_PATH']);
export const AT_STATX_SYNC: Xlat = names(AT, ['AT_STATX_SYNC_AS_STAT', 'AT_STATX_FORCE_SYNC', 'AT_STATX_DONT_SYNC']);
/** statx_masks: STATX_ALL (0xfff, include/uapi/linux/stat.h, deprecated) and STATX_BASIC_STATS first. */
export const STATX_MASKS: Xlat = [['STATX_ALL', 0xfff], ['STATX_BASIC_STATS', STATX.STATX_BASIC_STATS],
  ...pick(STATX, 'STATX_', ['STATX_BASIC_STATS'])];
/** statx_attrs: STATX_ATTR_* (include/uapi/linux/stat.h). */
export const STATX_ATTRS: Xlat = [
  ['STATX_ATTR_COMPRESSED', 0x4], ['STATX_ATTR_IMMUTABLE', 0x10], ['STATX_ATTR_APPEND', 0x20], ['STATX_ATTR_NODUMP', 0x40],
  ['STATX_ATTR_ENCRYPTED', 0x800], ['STATX_ATTR_AUTOMOUNT', 0x1000], ['STATX_ATTR_MOUNT_ROOT', 0x2000],
  ['STATX_ATTR_VERITY', 0x100000], ['STATX_ATTR_DAX', 0x200000],
];
export const ACCESS_MODES: Xlat = [['F_OK', 0], ['R_OK', 4], ['W_OK', 2], ['X_OK', 1]];
export const WHENCE = pick(SEEK, 'SEEK_');
export const RENAME_FLAGS = pick(RENAME, 'RENAME_');
export const FD_FLAGS_X: Xlat = [['FD_CLOEXEC', FCNTL.FD_CLOEXEC]];
export const FCNTL_CMDS = pick(FCNTL, 'F_', ['F_RDLCK', 'F_WRLCK', 'F_UNLCK', 'F_SEAL_SEAL', 'F_SEAL_SHRINK', 'F_SEAL_GROW', 'F_SEAL_WRITE', 'F_SEAL_FUTURE_WRITE']);
export const LOCK_TYPES = names(FCNTL, ['F_RDLCK', 'F_WRLCK', 'F_UNLCK']);
export const SEALS = pick(FCNTL, 'F_SEAL_');

// --- memory, processes, time -------------------------------------------------

export const PROT_X = pick(PROT, 'PROT_');
export const MAP_TYPES: Xlat = names(MAP, ['MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE']);
/** mmap_flags order (MAP_32BIT after MAP_ANONYMOUS on x86_64). */
export const MAP_FLAGS: Xlat = [
  ...names(MAP, ['MAP_FIXED', 'MAP_ANONYMOUS']), ['MAP_32BIT', 0x40],
  ...names(MAP, ['MAP_NORESERVE', 'MAP_POPULATE', 'MAP_NONBLOCK', 'MAP_GROWSDOWN', 'MAP_DENYWRITE', 'MAP_EXECUTABLE',
    'MAP_LOCKED', 'MAP_STACK', 'MAP_HUGETLB', 'MAP_SYNC', 'MAP_UNINITIALIZED', 'MAP_FIXED_NOREPLACE']),
];
export const MREMAP_FLAGS = pick(MREMAP, 'MREMAP_');
export const MADVISE = pick(MADV, 'MADV_');
export const MSYNC_FLAGS = pick(MSYNC, 'MS_');
export const CLOCKS = pick(CLOCK, 'CLOCK_');
export const TIMER_FLAGS: Xlat = [['TIMER_ABSTIME', CLOCK.TIMER_ABSTIME]];
export const RESOURCES = pick(RLIMIT, 'RLIMIT_', ['RLIM_NLIMITS']);
export const GRND_FLAGS = pick(GRND, 'GRND_');
export const ARCH_PRCTL_CODES = pick(ARCH_PRCTL, 'ARCH_');
export const PRCTL = pick(PR, 'PR_', ['PR_SET_VMA_ANON_NAME']);

// --- signals -------------------------------------------------------------------

export const SIGPROCMASK_CMDS = names(SA, ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK']);
export const SA_HANDLERS: Xlat = [['SIG_ERR', SA.SIG_ERR], ['SIG_DFL', SA.SIG_DFL], ['SIG_IGN', SA.SIG_IGN]];
export const SA_FLAGS = names(SA, ['SA_RESTORER', 'SA_ONSTACK', 'SA_RESTART', 'SA_NODEFER', 'SA_RESETHAND', 'SA_SIGINFO',
  'SA_NOCLDSTOP', 'SA_NOCLDWAIT']);
export const SS_FLAGS = names(SA, ['SS_ONSTACK', 'SS_DISABLE', 'SS_AUTODISARM']);

// --- sockets, pipes, poll ------------------------------------------------------

export const ADDRFAMS = pick(SOCK, 'AF_');
export const SOCKTYPES = names(SOCK, ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET']);
export const SOCK_TYPE_FLAGS = names(SOCK, ['SOCK_CLOEXEC', 'SOCK_NONBLOCK']);
/** msg_flags: abi.ts's MSG_* plus the rest of include/linux/socket.h, by value. */
export const MSG_FLAGS: Xlat = [...pick(SOCK, 'MSG_'), ['MSG_PROBE', 0x10], ['MSG_CONFIRM', 0x800], ['MSG_ERRQUEUE', 0x2000],
  ['MSG_MORE', 0x8000], ['MSG_WAITFORONE', 0x10000], ['MSG_BATCH', 0x40000], ['MSG_ZEROCOPY', 0x4000000],
  ['MSG_FASTOPEN', 0x20000000]].sort((a, b) => (a[1] as number) - (b[1] as number)) as Xlat;
export const SHUT_MODES = pick(SOCK, 'SHUT_');
/** socketlayers: SOL_SOCKET from abi.ts; IP-level ones from include/linux/socket.h. */
export const SOCKET_LAYERS: Xlat = [['SOL_IP', 0], ['SOL_SOCKET', SOCK.SOL_SOCKET], ['SOL_TCP', 6], ['SOL_UDP', 17], ['SOL_IPV6', 41],
  ['SOL_RAW', 255], ['SOL_PACKET', 263], ['SOL_NETLINK', 270]];
export const SOCK_OPTIONS = pick(SOCK, 'SO_');
export const SCM_TYPES = pick(SOCK, 'SCM_');
/** inet_protocols (include/uapi/linux/in.h), for socket(AF_INET, ..., IPPROTO_TCP). */
export const INET_PROTOCOLS: Xlat = [['IPPROTO_IP', 0], ['IPPROTO_ICMP', 1], ['IPPROTO_TCP', 6], ['IPPROTO_UDP', 17],
  ['IPPROTO_IPV6', 41], ['IPPROTO_ICMPV6', 58], ['IPPROTO_RAW', 255]];
export const POLL_FLAGS = pick(POLL, 'POLL');
export const EPOLL_EVENTS = names(EPOLL, ['EPOLLIN', 'EPOLLPRI', 'EPOLLOUT', 'EPOLLERR', 'EPOLLHUP', 'EPOLLNVAL', 'EPOLLRDNORM',
  'EPOLLRDBAND', 'EPOLLWRNORM', 'EPOLLWRBAND', 'EPOLLMSG', 'EPOLLRDHUP', 'EPOLLEXCLUSIVE', 'EPOLLWAKEUP', 'EPOLLONESHOT', 'EPOLLET']);
export const EPOLL_CTLS = pick(EPOLL, 'EPOLL_CTL_');
export const EPOLL_FLAGS: Xlat = [['EPOLL_CLOEXEC', EPOLL.EPOLL_CLOEXEC]];
export const EFD_FLAGS = names(FD_FLAGS, ['EFD_SEMAPHORE', 'EFD_CLOEXEC', 'EFD_NONBLOCK']);

// --- terminals -----------------------------------------------------------------

/**
 * ioctl names. TCSETS/TCSETSW/TCSETSF also carry OSS sound names in strace's table; strace
 * >= 6.2 picks the tty name for tty fds, which is the only place they succeed here.
 */
export const IOCTLS = pick(IOCTL, '', ['TIOCINQ']);

const T = TERMIOS;
/** term_iflags (include/uapi/asm-generic/termbits.h). */
export const TERM_IFLAGS: Xlat = [['IGNBRK', T.IGNBRK], ['BRKINT', T.BRKINT], ['IGNPAR', T.IGNPAR], ['PARMRK', 0o10], ['INPCK', 0o20],
  ['ISTRIP', 0o40], ['INLCR', T.INLCR], ['IGNCR', T.IGNCR], ['ICRNL', T.ICRNL], ['IUCLC', 0o1000], ['IXON', T.IXON],
  ['IXANY', 0o4000], ['IXOFF', T.IXOFF], ['IMAXBEL', 0o20000], ['IUTF8', T.IUTF8]];
export const TERM_OFLAGS: Xlat = [['OPOST', T.OPOST], ['OLCUC', 0o2], ['ONLCR', T.ONLCR], ['OCRNL', 0o10], ['ONOCR', 0o20],
  ['ONLRET', 0o40], ['OFILL', 0o100], ['OFDEL', 0o200]];
/** c_oflag delay fields, each printed by value: [mask, names by value]. */
export const TERM_ODELAYS: ReadonlyArray<readonly [number, Xlat, string]> = [
  [0o400, [['NL0', 0], ['NL1', 0o400]], 'NL?'],
  [0o3000, [['CR0', 0], ['CR1', 0o1000], ['CR2', 0o2000], ['CR3', 0o3000]], 'CR?'],
  [0o14000, [['TAB0', 0], ['TAB1', 0o4000], ['TAB2', 0o10000], ['TAB3', 0o14000]], 'TAB?'],
  [0o20000, [['BS0', 0], ['BS1', 0o20000]], 'BS?'],
  [0o40000, [['VT0', 0], ['VT1', 0o40000]], 'VT?'],
  [0o100000, [['FF0', 0], ['FF1', 0o100000]], 'FF?'],
];
export const CBAUD = 0o10017;
export const CIBAUD = 0o2003600000;
export const BAUDS: Xlat = [
  ...['B0', 'B50', 'B75', 'B110', 'B134', 'B150', 'B200', 'B300', 'B600', 'B1200', 'B1800', 'B2400', 'B4800', 'B9600', 'B19200', 'B38400']
    .map((n, i) => [n, i] as const),
  ...['BOTHER', 'B57600', 'B115200', 'B230400', 'B460800', 'B500000', 'B576000', 'B921600', 'B1000000', 'B1152000', 'B1500000',
    'B2000000', 'B2500000', 'B3000000', 'B3500000', 'B4000000'].map((n, i) => [n, 0o10000 + i] as const),
];
export const CSIZES: Xlat = [['CS5', 0], ['CS6', 0o20], ['CS7', 0o40], ['CS8', T.CS8]];
export const TERM_CFLAGS: Xlat = [['CSTOPB', 0o100], ['CREAD', T.CREAD], ['PARENB', 0o400], ['PARODD', 0o1000], ['HUPCL', T.HUPCL],
  ['CLOCAL', T.CLOCAL], ['CMSPAR', 0o10000000000], ['CRTSCTS', 0o20000000000]];
export const TERM_LFLAGS: Xlat = [['ISIG', T.ISIG], ['ICANON', T.ICANON], ['XCASE', 0o4], ['ECHO', T.ECHO], ['ECHOE', T.ECHOE],
  ['ECHOK', T.ECHOK], ['ECHONL', T.ECHONL], ['NOFLSH', T.NOFLSH], ['IEXTEN', T.IEXTEN], ['ECHOCTL', T.ECHOCTL],
  ['ECHOPRT', 0o2000], ['ECHOKE', T.ECHOKE], ['FLUSHO', 0o10000], ['PENDIN', 0o40000], ['TOSTOP', T.TOSTOP], ['EXTPROC', 0o200000]];
export const TCFLSH: Xlat = names(T, ['TCIFLUSH', 'TCOFLUSH', 'TCIOFLUSH']);
