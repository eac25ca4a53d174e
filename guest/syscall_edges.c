/* syscall_edges.c - the results of syscalls given hostile arguments, one line per call.
 *
 * Every call goes straight through syscall(2) with one hostile argument and the others benign,
 * and prints "edge: NAME(ARGS) = RET" (RET is the return value, or the errno name). The output
 * is meant to be compared line by line with a native x86_64 run, so nothing depends on the
 * architecture, on addresses, on fd numbers (a new fd prints as "fd"), on time or on the cwd.
 *
 * Hostile pointers (one call each, "valid" first as the control case): NULL, an unmapped page,
 * a read-only page (holding a copy of the valid input), "crosspage" (3 bytes before the end of a
 * mapped page that is followed by an unmapped one; the 3 bytes hold the start of the valid input),
 * 2^47, 2^63 and -1. Hostile integers: 0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
 * 2^47, 0x7fffffffffffffff and 2^63 (0xffffffffffffffff is -1 in a register).
 *
 * A few rows are left out because the two architectures' kernels differ on them: a pointer or
 * a buffer end at 2^47 where the kernel only range-checks it (x86_64 user space ends just below
 * 2^47, arm64's at 2^48).
 *
 * Files live in a private /tmp/ucrun-edges-XXXXXXXX directory, removed by name at the end. */
#include "common.h"
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/futex.h>

/* ---- reporting ---- */

enum { K_NUM, K_OK, K_FD, K_CWD, K_CWD1 };
static int g_calls;
static long g_r;
static int g_e;
static size_t g_cwdlen;

/* run a call, keeping its result and errno in g_r / g_e */
static long done_(long r)
{
    g_e = errno;
    g_r = r;
    return r;
}
#define DO(call) done_((errno = 0, (long)(call)))

__attribute__((format(printf, 2, 3))) static void show(int kind, const char *fmt, ...)
{
    char what[512], ret[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (g_r == -1)
        snprintf(ret, sizeof ret, "%s", errname(g_e));
    else if (g_r < -1)
        snprintf(ret, sizeof ret, "%ld (errno %s)", g_r, errname(g_e));
    else if (kind == K_OK)
        snprintf(ret, sizeof ret, "0");
    else if (kind == K_FD)
        snprintf(ret, sizeof ret, "fd");
    else if (kind == K_CWD && (size_t)g_r == g_cwdlen)
        snprintf(ret, sizeof ret, "strlen(cwd)");
    else if (kind == K_CWD1 && (size_t)g_r == g_cwdlen + 1)
        snprintf(ret, sizeof ret, "strlen(cwd)+1");
    else
        snprintf(ret, sizeof ret, "%ld", g_r);
    g_calls++;
    out("edge: %s = %s\n", what, ret);
}

/* ---- hostile values ---- */

enum { P_VALID, P_NULL, P_UNMAPPED, P_RO, P_CROSS, P_47, P_63, P_M1, NPTR };
static const char *const pname[NPTR] = {"valid", "NULL", "unmapped", "readonly", "crosspage",
                                        "2^47", "2^63", "-1"};
static size_t PG;
static char *g_unmapped, *g_ro, *g_cross;

/* give the read-only page a copy of the valid input and the crosspage bytes its first 3 bytes */
static void prep(const void *valid, size_t len)
{
    if (len > PG)
        len = PG;
    if (mprotect(g_ro, PG, PROT_READ | PROT_WRITE) != 0)
        fatal("mprotect rw");
    memset(g_ro, 0, PG);
    memcpy(g_ro, valid, len);
    if (mprotect(g_ro, PG, PROT_READ) != 0)
        fatal("mprotect ro");
    memset(g_cross, 0, 3);
    memcpy(g_cross, valid, len < 3 ? len : 3);
}

static unsigned long ptr(int i, const void *valid)
{
    switch (i) {
    case P_VALID: return (unsigned long)valid;
    case P_NULL: return 0;
    case P_UNMAPPED: return (unsigned long)g_unmapped;
    case P_RO: return (unsigned long)g_ro;
    case P_CROSS: return (unsigned long)g_cross;
    case P_47: return 1UL << 47;
    case P_63: return 1UL << 63;
    default: return ~0UL;
    }
}

static const struct {
    const char *n;
    unsigned long v;
} ints[] = {
    {"0", 0},
    {"1", 1},
    {"-1", ~0UL},
    {"0x7fffffff", 0x7fffffffUL},
    {"0x80000000", 0x80000000UL},
    {"0xffffffff", 0xffffffffUL},
    {"0x100000000", 0x100000000UL},
    {"2^47", 1UL << 47},
    {"0x7fffffffffffffff", 0x7fffffffffffffffUL},
    {"2^63", 1UL << 63},
};
#define NINT (int)(sizeof ints / sizeof ints[0])

#define FOR_PTR(i) for (int i = 0; i < NPTR; i++)
#define FOR_INT(i) for (int i = 0; i < NINT; i++)

/* ---- fixtures ---- */

static char g_dir[64], g_file[80], g_sub[80], g_sub_a[96], g_sub_b[96], g_srv[96], g_bnd[96];
static int g_null;      /* /dev/null, O_RDWR */
static int g_fd;        /* g_dir/f, O_RDWR, 32 bytes */
static int g_pr[2];     /* a nonblocking pipe that starts every read with 16 bytes queued */
static int g_pw[2];     /* an empty nonblocking pipe for writes */
static int g_sp[2];     /* a connected AF_UNIX stream pair */
static int g_ep;        /* an epoll fd */
static int g_srvfd;     /* a datagram socket bound to g_srv */
static int g_std[3];    /* copies of fds 0, 1 and 2 */
static struct sockaddr_un g_srvaddr, g_bndaddr;

/* aligned static buffers: their addresses are fixed (non-PIE static) and far below 2^47 */
static char g_buf[4096] __attribute__((aligned(64)));
static char g_buf2[4096] __attribute__((aligned(64)));
static const char g_data[] = "0123456789abcdefghijklmnopqrstuv"; /* 32 bytes */

static void drain(int fd)
{
    char sink[256];
    while (syscall(SYS_read, fd, sink, sizeof sink) > 0)
        ;
}

static void refill_pr(void)
{
    drain(g_pr[0]);
    if (syscall(SYS_write, g_pr[1], g_data, 16) != 16)
        fatal("refill pipe");
}

/* put fds 0, 1 and 2 back as they were */
static void restore_std(void)
{
    for (int i = 0; i < 3; i++)
        syscall(SYS_dup3, g_std[i], i, 0);
}

static void close_fd(long fd)
{
    if (fd >= 0 && fd <= 2)
        restore_std();
    else if (fd > 2)
        syscall(SYS_close, fd);
}

static void rewind_file(void) { syscall(SYS_lseek, g_fd, 0, SEEK_SET); }

static void setup(void)
{
    PG = (size_t)sysconf(_SC_PAGESIZE);
    /* fds 0..2 must be open so that every run sees the same table */
    for (int i = 0; i < 3; i++)
        if (syscall(SYS_fcntl, i, F_GETFD) < 0) {
            int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);
            if (fd != i)
                fatal("open /dev/null as a std fd");
        }
    for (int i = 0; i < 3; i++)
        if ((g_std[i] = (int)syscall(SYS_fcntl, i, F_DUPFD_CLOEXEC, 100)) < 0)
            fatal("save a std fd");

    /* [rw][unmapped][ro][unmapped] */
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        fatal("mmap");
    g_unmapped = m + PG;
    g_ro = m + 2 * PG;
    g_cross = m + PG - 3;
    if (munmap(m + PG, PG) != 0 || munmap(m + 3 * PG, PG) != 0 || mprotect(g_ro, PG, PROT_READ) != 0)
        fatal("munmap/mprotect");

    if (!getcwd(g_buf, sizeof g_buf))
        fatal("getcwd");
    g_cwdlen = strlen(g_buf);

    make_tmpdir(g_dir, sizeof g_dir, "edges");
    path_in(g_file, sizeof g_file, g_dir, "f");
    path_in(g_sub, sizeof g_sub, g_dir, "d");
    path_in(g_sub_a, sizeof g_sub_a, g_sub, "a");
    path_in(g_sub_b, sizeof g_sub_b, g_sub, "b");
    path_in(g_srv, sizeof g_srv, g_dir, "srv");
    path_in(g_bnd, sizeof g_bnd, g_dir, "bnd");

    if ((g_null = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR)) < 0)
        fatal("open /dev/null");
    if ((g_fd = (int)syscall(SYS_openat, AT_FDCWD, g_file, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0)
        fatal("create f");
    if (syscall(SYS_write, g_fd, g_data, 32) != 32)
        fatal("write f");
    if (syscall(SYS_mkdirat, AT_FDCWD, g_sub, 0700) != 0)
        fatal("mkdir d");
    if (write_file(g_sub_a, "a", 0600) != 0 || write_file(g_sub_b, "b", 0600) != 0)
        fatal("create d/a, d/b");
    if (syscall(SYS_pipe2, g_pr, O_NONBLOCK) != 0 || syscall(SYS_pipe2, g_pw, O_NONBLOCK) != 0)
        fatal("pipe2");
    refill_pr();
    if (syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, g_sp) != 0)
        fatal("socketpair");
    if ((g_ep = (int)syscall(SYS_epoll_create1, 0)) < 0)
        fatal("epoll_create1");

    memset(&g_srvaddr, 0, sizeof g_srvaddr);
    g_srvaddr.sun_family = AF_UNIX;
    snprintf(g_srvaddr.sun_path, sizeof g_srvaddr.sun_path, "%s", g_srv);
    memset(&g_bndaddr, 0, sizeof g_bndaddr);
    g_bndaddr.sun_family = AF_UNIX;
    snprintf(g_bndaddr.sun_path, sizeof g_bndaddr.sun_path, "%s", g_bnd);
    if ((g_srvfd = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0)
        fatal("socket");
    if (syscall(SYS_bind, g_srvfd, &g_srvaddr, sizeof g_srvaddr) != 0)
        fatal("bind srv");
}

static void cleanup(void)
{
    syscall(SYS_close, g_srvfd);
    syscall(SYS_close, g_fd);
    syscall(SYS_unlinkat, AT_FDCWD, g_sub_a, 0);
    syscall(SYS_unlinkat, AT_FDCWD, g_sub_b, 0);
    syscall(SYS_unlinkat, AT_FDCWD, g_sub, AT_REMOVEDIR);
    syscall(SYS_unlinkat, AT_FDCWD, g_file, 0);
    syscall(SYS_unlinkat, AT_FDCWD, g_srv, 0);
    syscall(SYS_unlinkat, AT_FDCWD, g_bnd, 0);
    if (syscall(SYS_unlinkat, AT_FDCWD, g_dir, AT_REMOVEDIR) != 0)
        out("warning: temp dir not removed (errno=%s)\n", errname(errno));
}

/* ---- output pointers ---- */

static void out_pointers(void)
{
    FOR_PTR(i) {
        prep(g_buf, 512);
        DO(syscall(SYS_uname, ptr(i, g_buf)));
        show(K_NUM, "uname(%s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sysinfo, ptr(i, g_buf)));
        show(K_NUM, "sysinfo(%s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_times, ptr(i, g_buf)));
        show(K_OK, "times(%s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ptr(i, g_buf)));
        show(K_NUM, "clock_gettime(CLOCK_MONOTONIC, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_clock_getres, CLOCK_MONOTONIC, ptr(i, g_buf)));
        show(K_NUM, "clock_getres(CLOCK_MONOTONIC, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_gettimeofday, ptr(i, g_buf), 0));
        show(K_NUM, "gettimeofday(%s, NULL)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_gettimeofday, 0, ptr(i, g_buf)));
        show(K_NUM, "gettimeofday(NULL, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, ptr(i, g_buf)));
        show(K_NUM, "prlimit64(0, RLIMIT_NOFILE, NULL, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_getrlimit, RLIMIT_NOFILE, ptr(i, g_buf)));
        show(K_NUM, "getrlimit(RLIMIT_NOFILE, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_getrusage, RUSAGE_SELF, ptr(i, g_buf)));
        show(K_NUM, "getrusage(RUSAGE_SELF, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sched_getaffinity, 0, 128, ptr(i, g_buf)));
        show(K_OK, "sched_getaffinity(0, 128, %s)", pname[i]); /* the size is the host kernel's cpumask_size() */
    }
    FOR_PTR(i) {
        DO(syscall(SYS_getcwd, ptr(i, g_buf), 4096));
        show(K_CWD1, "getcwd(%s, 4096)", pname[i]);
    }
    FOR_PTR(i) {
        int *p = (int *)ptr(i, g_buf);
        if (DO(syscall(SYS_pipe2, p, 0)) == 0) {
            syscall(SYS_close, p[0]);
            syscall(SYS_close, p[1]);
        }
        show(K_NUM, "pipe2(%s, 0)", pname[i]);
    }
    FOR_PTR(i) {
        int *p = (int *)ptr(i, g_buf);
        if (DO(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, p)) == 0) {
            syscall(SYS_close, p[0]);
            syscall(SYS_close, p[1]);
        }
        show(K_NUM, "socketpair(AF_UNIX, SOCK_STREAM, 0, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_fstat, g_fd, ptr(i, g_buf)));
        show(K_NUM, "fstat(file, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_newfstatat, AT_FDCWD, "/", ptr(i, g_buf), 0));
        show(K_NUM, "newfstatat(AT_FDCWD, \"/\", %s, 0)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, ptr(i, g_buf)));
        show(K_NUM, "statx(AT_FDCWD, \"/\", 0, STATX_BASIC_STATS, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_getresuid, ptr(i, g_buf), g_buf2, g_buf2 + 8));
        show(K_NUM, "getresuid(%s, ok, ok)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, ptr(i, g_buf), 8));
        show(K_NUM, "rt_sigprocmask(SIG_BLOCK, NULL, %s, 8)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sigaltstack, 0, ptr(i, g_buf)));
        show(K_NUM, "sigaltstack(NULL, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_rt_sigaction, SIGUSR1, 0, ptr(i, g_buf), 8));
        show(K_NUM, "rt_sigaction(SIGUSR1, NULL, %s, 8)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_getrandom, ptr(i, g_buf), 16, 0));
        show(K_NUM, "getrandom(%s, 16, 0)", pname[i]);
    }
    FOR_PTR(i) {
        refill_pr();
        DO(syscall(SYS_read, g_pr[0], ptr(i, g_buf), 16));
        show(K_NUM, "read(pipe with 16 queued, %s, 16)", pname[i]);
    }
    refill_pr();
    FOR_PTR(i) {
        DO(syscall(SYS_pread64, g_fd, ptr(i, g_buf), 16, 0));
        show(K_NUM, "pread64(file, %s, 16, 0)", pname[i]);
    }
    FOR_PTR(i) {
        rewind_file();
        DO(syscall(SYS_read, g_fd, ptr(i, g_buf), 16));
        show(K_NUM, "read(file, %s, 16)", pname[i]);
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", g_fd);
    FOR_PTR(i) {
        DO(syscall(SYS_readlinkat, AT_FDCWD, link, ptr(i, g_buf), 64));
        show(K_NUM, "readlinkat(AT_FDCWD, \"/proc/self/fd/<file>\", %s, 64)", pname[i]);
    }
    FOR_PTR(i) {
        int d = (int)syscall(SYS_openat, AT_FDCWD, g_sub, O_RDONLY | O_DIRECTORY);
        if (d < 0)
            fatal("open d");
        DO(syscall(SYS_getdents64, d, ptr(i, g_buf), 4096));
        syscall(SYS_close, d);
        show(K_NUM, "getdents64(dir with 2 files, %s, 4096)", pname[i]);
    }
    FOR_PTR(i) {
        socklen_t len = 4;
        DO(syscall(SYS_getsockopt, g_sp[0], SOL_SOCKET, SO_TYPE, ptr(i, g_buf), &len));
        show(K_NUM, "getsockopt(sock, SOL_SOCKET, SO_TYPE, %s, &4)", pname[i]);
    }
    FOR_PTR(i) {
        socklen_t len = 4;
        prep(&len, sizeof len);
        memcpy(g_buf, &len, sizeof len);
        DO(syscall(SYS_getsockopt, g_sp[0], SOL_SOCKET, SO_TYPE, g_buf2, ptr(i, g_buf)));
        show(K_NUM, "getsockopt(sock, SOL_SOCKET, SO_TYPE, ok, %s)", pname[i]);
    }
    FOR_PTR(i) {
        syscall(SYS_write, g_pw[1], "x", 1);
        struct epoll_event in = {.events = EPOLLIN, .data.u64 = 7};
        syscall(SYS_epoll_ctl, g_ep, EPOLL_CTL_ADD, g_pw[0], &in);
        DO(syscall(SYS_epoll_pwait, g_ep, ptr(i, g_buf), 4, 0, 0, 8));
        syscall(SYS_epoll_ctl, g_ep, EPOLL_CTL_DEL, g_pw[0], 0);
        drain(g_pw[0]);
        show(K_NUM, "epoll_pwait(epfd with 1 ready, %s, 4, 0, NULL, 8)", pname[i]);
    }
}

/* ---- input pointers ---- */

static void in_pointers(void)
{
    memcpy(g_buf, g_data, 32);
    prep(g_buf, 32);
    FOR_PTR(i) {
        if (i == P_47)
            continue; /* only a range check: arm64's user space goes up to 2^48 */
        DO(syscall(SYS_write, g_null, ptr(i, g_buf), 16));
        show(K_NUM, "write(/dev/null, %s, 16)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_write, g_pw[1], ptr(i, g_buf), 16));
        drain(g_pw[0]);
        show(K_NUM, "write(empty pipe, %s, 16)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_pwrite64, g_fd, ptr(i, g_buf), 16, 0));
        show(K_NUM, "pwrite64(file, %s, 16, 0)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sendto, g_sp[0], ptr(i, g_buf), 4, 0, 0, 0));
        drain(g_sp[1]);
        show(K_NUM, "sendto(stream sock, %s, 4, 0, NULL, 0)", pname[i]);
    }
    syscall(SYS_pwrite64, g_fd, g_data, 32, 0);

    struct iovec iov = {.iov_base = g_buf2, .iov_len = 16};
    prep(&iov, sizeof iov);
    FOR_PTR(i) {
        DO(syscall(SYS_writev, g_null, ptr(i, &iov), 1));
        show(K_NUM, "writev(/dev/null, %s, 1)", pname[i]);
    }
    memcpy(g_buf, g_data, 32);
    prep(g_buf, 32);
    FOR_PTR(i) {
        if (i == P_47)
            continue; /* as for write */
        struct iovec v = {.iov_base = (void *)ptr(i, g_buf), .iov_len = 16};
        DO(syscall(SYS_writev, g_null, &v, 1));
        show(K_NUM, "writev(/dev/null, {%s, 16}, 1)", pname[i]);
    }
    FOR_PTR(i) {
        struct iovec v = {.iov_base = (void *)ptr(i, g_buf), .iov_len = 16};
        DO(syscall(SYS_writev, g_pw[1], &v, 1));
        drain(g_pw[0]);
        show(K_NUM, "writev(empty pipe, {%s, 16}, 1)", pname[i]);
    }

    struct timespec ts = {0, 1};
    prep(&ts, sizeof ts);
    FOR_PTR(i) {
        DO(syscall(SYS_nanosleep, ptr(i, &ts), 0));
        show(K_NUM, "nanosleep(%s {0,1}, NULL)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, ptr(i, &ts), 0));
        show(K_NUM, "clock_nanosleep(CLOCK_MONOTONIC, 0, %s {0,1}, NULL)", pname[i]);
    }

    static const char path[] = "/dev/null";
    prep(path, sizeof path);
    FOR_PTR(i) {
        if (DO(syscall(SYS_openat, AT_FDCWD, ptr(i, path), O_RDONLY)) >= 0)
            close_fd(g_r);
        show(K_FD, "openat(AT_FDCWD, %s \"/dev/null\", O_RDONLY)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_newfstatat, AT_FDCWD, ptr(i, path), g_buf2, 0));
        show(K_NUM, "newfstatat(AT_FDCWD, %s \"/dev/null\", ok, 0)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_newfstatat, AT_FDCWD, ptr(i, path), g_buf2, AT_EMPTY_PATH));
        show(K_NUM, "newfstatat(AT_FDCWD, %s \"/dev/null\", ok, AT_EMPTY_PATH)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_statx, AT_FDCWD, ptr(i, path), 0, STATX_BASIC_STATS, g_buf2));
        show(K_NUM, "statx(AT_FDCWD, %s \"/dev/null\", 0, STATX_BASIC_STATS, ok)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_faccessat, AT_FDCWD, ptr(i, path), F_OK));
        show(K_NUM, "faccessat(AT_FDCWD, %s \"/dev/null\", F_OK)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_readlinkat, AT_FDCWD, ptr(i, path), g_buf2, 64));
        show(K_NUM, "readlinkat(AT_FDCWD, %s \"/dev/null\", ok, 64)", pname[i]);
    }
    static const char dpath[] = "/proc/self/cwd";
    prep(dpath, sizeof dpath);
    FOR_PTR(i) {
        DO(syscall(SYS_readlinkat, AT_FDCWD, ptr(i, dpath), g_buf2, 4096));
        show(K_CWD, "readlinkat(AT_FDCWD, %s \"/proc/self/cwd\", ok, 4096)", pname[i]);
    }

    /* kernel struct sigaction: handler, flags, restorer, mask (same layout on both arches) */
    struct {
        unsigned long handler, flags, restorer, mask;
    } sa = {(unsigned long)SIG_IGN, 0, 0, 0}, dfl = {(unsigned long)SIG_DFL, 0, 0, 0};
    prep(&sa, sizeof sa);
    FOR_PTR(i) {
        DO(syscall(SYS_rt_sigaction, SIGUSR1, ptr(i, &sa), 0, 8));
        syscall(SYS_rt_sigaction, SIGUSR1, &dfl, 0, 8);
        show(K_NUM, "rt_sigaction(SIGUSR1, %s SIG_IGN, NULL, 8)", pname[i]);
    }
    unsigned long empty = 0;
    prep(&empty, sizeof empty);
    FOR_PTR(i) {
        DO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, ptr(i, &empty), 0, 8));
        show(K_NUM, "rt_sigprocmask(SIG_BLOCK, %s {}, NULL, 8)", pname[i]);
    }
    stack_t ss = {.ss_sp = 0, .ss_flags = SS_DISABLE, .ss_size = 0};
    prep(&ss, sizeof ss);
    FOR_PTR(i) {
        DO(syscall(SYS_sigaltstack, ptr(i, &ss), 0));
        show(K_NUM, "sigaltstack(%s {SS_DISABLE}, NULL)", pname[i]);
    }

    /* the current mask, so that a successful call changes nothing */
    unsigned long mask[16];
    memset(mask, 0, sizeof mask);
    if (syscall(SYS_sched_getaffinity, 0, sizeof mask, mask) < 0)
        fatal("sched_getaffinity");
    prep(mask, sizeof mask);
    FOR_PTR(i) {
        DO(syscall(SYS_sched_setaffinity, 0, 8, ptr(i, mask)));
        show(K_NUM, "sched_setaffinity(0, 8, %s current mask)", pname[i]);
    }

    static unsigned int futex_word __attribute__((aligned(8)));
    prep(&futex_word, sizeof futex_word);
    FOR_PTR(i) {
        DO(syscall(SYS_futex, ptr(i, &futex_word), FUTEX_WAKE, 1, 0, 0, 0));
        show(K_NUM, "futex(%s, FUTEX_WAKE, 1)", pname[i]);
    }
    FOR_PTR(i) {
        if (i == P_47)
            continue; /* a private wake only range-checks the address */
        DO(syscall(SYS_futex, ptr(i, &futex_word), FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
        show(K_NUM, "futex(%s, FUTEX_WAKE_PRIVATE, 1)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_futex, ptr(i, &futex_word), FUTEX_WAIT_PRIVATE, 1, &ts, 0, 0));
        show(K_NUM, "futex(%s = 0, FUTEX_WAIT_PRIVATE, 1, {0,1})", pname[i]);
    }

    struct timespec zero = {0, 0};
    struct pollfd pfd = {.fd = g_null, .events = POLLIN, .revents = 0};
    prep(&pfd, sizeof pfd);
    FOR_PTR(i) {
        DO(syscall(SYS_ppoll, ptr(i, &pfd), 1, &zero, 0, 8));
        show(K_NUM, "ppoll(%s {/dev/null, POLLIN}, 1, {0,0}, NULL, 8)", pname[i]);
    }
    prep(&zero, sizeof zero);
    FOR_PTR(i) {
        struct timespec z = zero;
        DO(syscall(SYS_ppoll, &pfd, 1, ptr(i, &z), 0, 8));
        show(K_NUM, "ppoll({/dev/null, POLLIN}, 1, %s {0,0}, NULL, 8)", pname[i]);
    }
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(g_null, &rs);
    prep(&rs, sizeof rs);
    FOR_PTR(i) {
        fd_set r2 = rs;
        DO(syscall(SYS_pselect6, g_null + 1, ptr(i, &r2), 0, 0, &zero, 0));
        show(K_NUM, "pselect6(n, %s {/dev/null}, NULL, NULL, {0,0}, NULL)", pname[i]);
    }
    prep(&zero, sizeof zero);
    FOR_PTR(i) {
        fd_set r2 = rs;
        struct timespec z = zero;
        DO(syscall(SYS_pselect6, g_null + 1, &r2, 0, 0, ptr(i, &z), 0));
        show(K_NUM, "pselect6(n, {/dev/null}, NULL, NULL, %s {0,0}, NULL)", pname[i]);
    }

    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
    prep(&ev, sizeof ev);
    FOR_PTR(i) {
        if (DO(syscall(SYS_epoll_ctl, g_ep, EPOLL_CTL_ADD, g_pr[0], ptr(i, &ev))) == 0)
            syscall(SYS_epoll_ctl, g_ep, EPOLL_CTL_DEL, g_pr[0], 0);
        show(K_NUM, "epoll_ctl(epfd, EPOLL_CTL_ADD, pipe, %s)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_epoll_ctl, g_ep, EPOLL_CTL_DEL, g_pr[0], ptr(i, &ev)));
        show(K_NUM, "epoll_ctl(epfd, EPOLL_CTL_DEL, unregistered pipe, %s)", pname[i]);
    }

    prep(&g_bndaddr, sizeof g_bndaddr);
    FOR_PTR(i) {
        int s = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
        if (s < 0)
            fatal("socket");
        DO(syscall(SYS_bind, s, ptr(i, &g_bndaddr), sizeof g_bndaddr));
        syscall(SYS_close, s);
        syscall(SYS_unlinkat, AT_FDCWD, g_bnd, 0);
        show(K_NUM, "bind(dgram sock, %s {AF_UNIX, tmp path}, sizeof sockaddr_un)", pname[i]);
    }
    prep(&g_srvaddr, sizeof g_srvaddr);
    FOR_PTR(i) {
        int s = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
        if (s < 0)
            fatal("socket");
        DO(syscall(SYS_connect, s, ptr(i, &g_srvaddr), sizeof g_srvaddr));
        syscall(SYS_close, s);
        show(K_NUM, "connect(dgram sock, %s {AF_UNIX, bound path}, sizeof sockaddr_un)", pname[i]);
    }
    FOR_PTR(i) {
        int s = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
        if (s < 0)
            fatal("socket");
        DO(syscall(SYS_connect, s, ptr(i, &g_srvaddr), 16));
        syscall(SYS_close, s);
        show(K_NUM, "connect(stream sock, %s {AF_UNIX, truncated path}, 16)", pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sendto, g_srvfd, "abcd", 4, 0, ptr(i, &g_srvaddr), sizeof g_srvaddr));
        drain(g_srvfd);
        show(K_NUM, "sendto(dgram sock, \"abcd\", 4, 0, %s {own address}, sizeof sockaddr_un)",
             pname[i]);
    }
    FOR_PTR(i) {
        DO(syscall(SYS_sendto, g_sp[0], "abcd", 4, 0, ptr(i, &g_srvaddr), 16));
        drain(g_sp[1]);
        show(K_NUM, "sendto(connected stream sock, \"abcd\", 4, 0, %s, 16)", pname[i]);
    }
    int rcv = 4096;
    prep(&rcv, sizeof rcv);
    FOR_PTR(i) {
        DO(syscall(SYS_setsockopt, g_sp[0], SOL_SOCKET, SO_RCVBUF, ptr(i, &rcv), 4));
        show(K_NUM, "setsockopt(sock, SOL_SOCKET, SO_RCVBUF, %s 4096, 4)", pname[i]);
    }
}

/* ---- integers ---- */

static void integers(void)
{
    FOR_INT(i) {
        DO(syscall(SYS_close, ints[i].v));
        restore_std();
        show(K_NUM, "close(%s)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_dup, ints[i].v)) >= 0)
            close_fd(g_r);
        show(K_FD, "dup(%s)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_dup3, g_null, ints[i].v, 0));
        restore_std();
        if (g_r > 2 && g_r != g_null)
            syscall(SYS_close, g_r);
        show(K_NUM, "dup3(/dev/null, %s, 0)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_dup3, g_null, 1000, ints[i].v));
        syscall(SYS_close, 1000);
        show(K_NUM, "dup3(/dev/null, 1000, %s)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_fcntl, ints[i].v, F_GETFD));
        show(K_NUM, "fcntl(%s, F_GETFD)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_fcntl, g_null, ints[i].v, 0)) >= 3)
            syscall(SYS_close, g_r); /* F_DUPFD */
        show(ints[i].v == 0 || (unsigned)ints[i].v == 0 ? K_FD : K_NUM, "fcntl(/dev/null, %s, 0)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_fcntl, g_null, F_DUPFD, ints[i].v)) >= 0)
            close_fd(g_r);
        show(K_FD, "fcntl(/dev/null, F_DUPFD, %s)", ints[i].n);
    }
    FOR_INT(i) {
        rewind_file();
        DO(syscall(SYS_lseek, g_fd, ints[i].v, SEEK_SET));
        show(K_NUM, "lseek(file, %s, SEEK_SET)", ints[i].n);
    }
    FOR_INT(i) {
        rewind_file();
        DO(syscall(SYS_lseek, g_fd, ints[i].v, SEEK_CUR));
        show(K_NUM, "lseek(file at 0, %s, SEEK_CUR)", ints[i].n);
    }
    FOR_INT(i) {
        syscall(SYS_lseek, g_fd, 5, SEEK_SET);
        DO(syscall(SYS_lseek, g_fd, 0, ints[i].v));
        show(K_NUM, "lseek(file at 5, 0, %s)", ints[i].n);
    }
    rewind_file();
    FOR_INT(i) {
        DO(syscall(SYS_ftruncate, g_fd, ints[i].v));
        syscall(SYS_ftruncate, g_fd, 0);
        show(K_NUM, "ftruncate(file, %s)", ints[i].n);
    }
    syscall(SYS_pwrite64, g_fd, g_data, 32, 0);
    FOR_INT(i) {
        if (ints[i].v == 1UL << 47)
            continue; /* buf + 2^47 is a user address on arm64 (48-bit), not on x86_64 */
        rewind_file();
        DO(syscall(SYS_read, g_fd, g_buf, ints[i].v));
        show(K_NUM, "read(file of 32 bytes, buf, %s)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_pread64, g_fd, g_buf, 16, ints[i].v));
        show(K_NUM, "pread64(file of 32 bytes, buf, 16, %s)", ints[i].n);
    }
    FOR_INT(i) {
        if (ints[i].v == 1UL << 47)
            continue; /* as for read */
        DO(syscall(SYS_write, g_null, g_buf, ints[i].v));
        show(K_NUM, "write(/dev/null, buf, %s)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_read, ints[i].v, g_buf, 0));
        show(K_NUM, "read(%s, buf, 0)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_socket, ints[i].v, SOCK_STREAM, 0)) >= 0)
            close_fd(g_r);
        show(K_FD, "socket(%s, SOCK_STREAM, 0)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_socket, AF_UNIX, ints[i].v, 0)) >= 0)
            close_fd(g_r);
        show(K_FD, "socket(AF_UNIX, %s, 0)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, ints[i].v)) >= 0)
            close_fd(g_r);
        show(K_FD, "socket(AF_UNIX, SOCK_STREAM, %s)", ints[i].n);
    }
    FOR_INT(i) {
        int p[2];
        if (DO(syscall(SYS_pipe2, p, ints[i].v)) == 0) {
            syscall(SYS_close, p[0]);
            syscall(SYS_close, p[1]);
        }
        show(K_NUM, "pipe2(ok, %s)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_eventfd2, 0, ints[i].v)) >= 0)
            close_fd(g_r);
        show(K_FD, "eventfd2(0, %s)", ints[i].n);
    }
    FOR_INT(i) {
        if (DO(syscall(SYS_epoll_create1, ints[i].v)) >= 0)
            close_fd(g_r);
        show(K_FD, "epoll_create1(%s)", ints[i].n);
    }
    FOR_INT(i) {
        struct epoll_event ev[4];
        DO(syscall(SYS_epoll_pwait, g_ep, ev, ints[i].v, 0, 0, 8));
        show(K_NUM, "epoll_pwait(empty epfd, ok, %s, 0, NULL, 8)", ints[i].n);
    }
    FOR_INT(i) {
        struct timespec ts;
        DO(syscall(SYS_clock_gettime, ints[i].v, &ts));
        show(K_NUM, "clock_gettime(%s, ok)", ints[i].n);
    }
    FOR_INT(i) {
        struct timespec ts = {0, (long)ints[i].v};
        DO(syscall(SYS_nanosleep, &ts, 0));
        show(K_NUM, "nanosleep({0, %s}, NULL)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_getrandom, g_buf, 16, ints[i].v));
        show(K_NUM, "getrandom(buf, 16, %s)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_getpriority, ints[i].v, 0));
        show(K_NUM, "getpriority(%s, 0)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_rt_sigprocmask, ints[i].v, 0, g_buf, 8));
        show(K_NUM, "rt_sigprocmask(%s, NULL, ok, 8)", ints[i].n);
    }
    FOR_INT(i) {
        DO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, g_buf, ints[i].v));
        show(K_NUM, "rt_sigprocmask(SIG_BLOCK, NULL, ok, %s)", ints[i].n);
    }
    /* kill(pid, 0) only for pids that cannot name a process */
    static const unsigned long nopid[] = {0x7fffffffUL, 0x80000000UL};
    for (int i = 0; i < 2; i++) {
        DO(syscall(SYS_kill, nopid[i], 0));
        show(K_NUM, "kill(0x%lx, 0)", nopid[i]);
    }
}

int main(void)
{
    setup();
    out_pointers();
    in_pointers();
    integers();
    cleanup();
    out("edges: %d calls\n", g_calls);
    return 0;
}
