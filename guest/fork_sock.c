/* fork_sock.c - fork, a socketpair shared between parent and child, and the wait family.
 *
 * A forked child and its parent move 4 MiB each way over a stream socketpair with blocking
 * writes of odd sizes (1000, 4097, 65537 bytes) and 3333-byte reads; both sides checksum
 * (FNV-1a) and the parent compares. The child's exit status 7 arrives through waitpid.
 * Then: wait4 with an rusage, waitid(P_PID, WEXITED) and its siginfo, WNOHANG while the
 * child is still alive, ECHILD with no children, getppid() in the child, SO_PEERCRED on a
 * pair the parent made, and file descriptions shared across fork (offset, status flags)
 * while descriptor flags (FD_CLOEXEC) are per process.
 * Children report through their exit status or the socket; only the parent prints. */
#include "common.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define TOTAL (4u << 20)

static const size_t wsizes[] = {1000, 4097, 65537};

/* deterministic byte stream: byte i of stream `seed` */
static void fill(unsigned char *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)(x >> 11);
    }
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
#define FNV0 14695981039346656037ull

/* write buf in chunks cycling through wsizes; returns bytes written or -1 */
static long send_odd(int fd, const unsigned char *buf, size_t len)
{
    size_t off = 0;
    int k = 0;
    while (off < len) {
        size_t n = wsizes[k++ % 3];
        if (n > len - off)
            n = len - off;
        ssize_t r = write(fd, buf + off, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)r;
    }
    return (long)off;
}

/* read exactly len bytes in 3333-byte reads, checksumming; returns bytes read (short on EOF) */
static long recv_3333(int fd, size_t len, uint64_t *sum, long *reads)
{
    static unsigned char rb[3333];
    size_t got = 0;
    uint64_t h = FNV0;
    long nreads = 0;
    while (got < len) {
        size_t want = len - got < sizeof rb ? len - got : sizeof rb;
        ssize_t r = read(fd, rb, want);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        nreads++;
        h = fnv(h, rb, (size_t)r);
        got += (size_t)r;
    }
    *sum = h;
    if (reads)
        *reads = nreads;
    return (long)got;
}

static int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* fork; in the child run fn(arg) and _exit with its result */
static pid_t spawn(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

static void check_exit(const char *what, int st, int code)
{
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: child exited with status %d", what, code);
}

/* ---- 1. 4 MiB each way over a socketpair ---- */

static unsigned char *g_buf;

static int stream_child(void *arg)
{
    int *sv = arg;
    close(sv[0]); /* or the parent's close would not give us EOF */
    int s = sv[1];
    pid_t me = getpid();
    if (write(s, &me, sizeof me) != (ssize_t)sizeof me)
        return 10;
    fill(g_buf, TOTAL, 1);
    if (send_odd(s, g_buf, TOTAL) != (long)TOTAL)
        return 11;
    uint64_t sum;
    if (recv_3333(s, TOTAL, &sum, NULL) != (long)TOTAL)
        return 12;
    if (write(s, &sum, sizeof sum) != (ssize_t)sizeof sum)
        return 13;
    /* wait for the parent to close its end: EOF */
    char c;
    if (read(s, &c, 1) != 0)
        return 14;
    return 7;
}

static void test_stream(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    g_buf = malloc(TOTAL);
    if (!g_buf)
        fatal("malloc");
    pid_t pid = spawn(stream_child, sv);
    if (pid < 0)
        fatal("fork");
    CHECK(pid > 0, "fork returned a child pid > 0 in the parent");
    CHECK(close(sv[1]) == 0, "parent closes the child's end");

    pid_t reported = 0;
    CHECK(read_full(sv[0], &reported, sizeof reported) == 0 && reported == pid,
          "the child's getpid() equals the pid fork returned");

    uint64_t sum = 0;
    long reads = 0;
    long got = recv_3333(sv[0], TOTAL, &sum, &reads);
    CHECK(got == (long)TOTAL, "parent read 4 MiB from the child in reads of at most 3333 bytes");
    CHECK(reads >= (long)(TOTAL / 3333), "at least 4 MiB / 3333 reads were needed");
    fill(g_buf, TOTAL, 1);
    CHECK(sum == fnv(FNV0, g_buf, TOTAL), "checksum of child -> parent data matches");

    fill(g_buf, TOTAL, 2);
    CHECK(send_odd(sv[0], g_buf, TOTAL) == (long)TOTAL, "parent wrote 4 MiB in 1000/4097/65537-byte writes");
    uint64_t csum = 0;
    CHECK(read_full(sv[0], &csum, sizeof csum) == 0 && csum == fnv(FNV0, g_buf, TOTAL),
          "checksum the child computed of parent -> child data matches");
    CHECK(close(sv[0]) == 0, "parent closes its end (child sees EOF)");

    int st = reap(pid);
    CHECK(st != -1, "waitpid returned the child's pid");
    CHECK(WIFEXITED(st), "WIFEXITED");
    CHECK(!WIFSIGNALED(st) && !WIFSTOPPED(st), "not WIFSIGNALED, not WIFSTOPPED");
    CHECK(WEXITSTATUS(st) == 7, "WEXITSTATUS == 7 (got %d)", WEXITSTATUS(st));
    CHECK(st == (7 << 8), "raw status word == 7 << 8");
    free(g_buf);
}

/* ---- 2. wait4 with rusage, waitid ---- */

static int busy_child(void *arg)
{
    /* burn a little CPU so there is something to account */
    volatile uint64_t x = 1;
    for (int i = 0; i < 200000; i++)
        x = x * 6364136223846793005ull + 1;
    return (int)(intptr_t)arg;
}

static void test_wait4_waitid(void)
{
    pid_t pid = spawn(busy_child, (void *)(intptr_t)3);
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    int st = 0;
    pid_t r = wait4(pid, &st, 0, &ru);
    CHECK(r == pid, "wait4(pid, &st, 0, &rusage) returned the child's pid");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "wait4 status: exited with 3");
    CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
              ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000,
          "wait4 filled the rusage times with valid timevals");

    pid = spawn(busy_child, (void *)(intptr_t)5);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int ret = waitid(P_PID, (id_t)pid, &si, WEXITED);
    CHECK(ret == 0, "waitid(P_PID, pid, &si, WEXITED) returned 0");
    CHECK(si.si_pid == pid, "si_pid == the child's pid");
    CHECK(si.si_signo == SIGCHLD, "si_signo == SIGCHLD");
    CHECK(si.si_code == CLD_EXITED, "si_code == CLD_EXITED");
    CHECK(si.si_status == 5, "si_status == 5 (the exit code, not a status word)");
    CHECK(si.si_uid == getuid(), "si_uid == getuid()");
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD, "waitpid of a child waitid already reaped");

    /* WNOWAIT leaves the child waitable */
    pid = spawn(busy_child, (void *)(intptr_t)6);
    memset(&si, 0, sizeof si);
    ret = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
    CHECK(ret == 0 && si.si_pid == pid && si.si_status == 6, "waitid(WEXITED|WNOWAIT) reports the exit");
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 6, "after WNOWAIT the child is still waitable (status 6)");
}

/* ---- 3. WNOHANG while the child runs; ECHILD ---- */

static int wait_pipe_child(void *arg)
{
    int fd = *(int *)arg;
    char c;
    ssize_t n = read(fd, &c, 1); /* blocks until the parent writes or closes */
    return n == 1 && c == 'g' ? 0 : 20;
}

static void test_wnohang(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = spawn(wait_pipe_child, &p[0]);
    close(p[0]);
    int st = 12345;
    CHECK(waitpid(pid, &st, WNOHANG) == 0, "waitpid(pid, WNOHANG) == 0 while the child runs");
    CHECK(waitpid(-1, &st, WNOHANG) == 0, "waitpid(-1, WNOHANG) == 0 while the child runs");
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_ALL, 0, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
          "waitid(P_ALL, WEXITED|WNOHANG) == 0 with si_pid 0 while the child runs");
    CHECK(write(p[1], "g", 1) == 1, "parent releases the child");
    close(p[1]);
    st = reap(pid);
    check_exit("released", st, 0);

    CHECK_ERR(waitpid(-1, &st, 0), ECHILD, "waitpid(-1) with no children");
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "waitpid(-1, WNOHANG) with no children");
    CHECK_ERR(wait(&st), ECHILD, "wait() with no children");
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD, "waitid(P_ALL) with no children");
    CHECK_ERR(waitpid(getpid(), &st, 0), ECHILD, "waitpid(getpid()) (not our child)");
    CHECK_ERR(waitid(P_PID, 0, &si, 0), EINVAL, "waitid with no WEXITED/WSTOPPED/WCONTINUED");
}

/* ---- 4. getppid, SO_PEERCRED ---- */

static pid_t g_parent;

static int ppid_child(void *arg)
{
    (void)arg;
    if (getppid() != g_parent)
        return 30;
    if (getpid() == g_parent)
        return 31;
    return 0;
}

static int peercred_child(void *arg)
{
    int s = *(int *)arg;
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || len != sizeof cr)
        return 40;
    if (cr.pid != g_parent)
        return 41; /* the pair was made by the parent: both ends carry its credentials */
    if (cr.uid != getuid() || cr.gid != getgid())
        return 42;
    return 0;
}

static void test_ids(void)
{
    g_parent = getpid();
    check_exit("getppid() in the child == the parent's getpid(); child's getpid() differs", reap(spawn(ppid_child, NULL)), 0);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    check_exit("SO_PEERCRED seen from the child: pid == the parent (it made the pair), uid/gid match",
               reap(spawn(peercred_child, &sv[1])), 0);
    struct ucred cr;
    socklen_t len = sizeof cr;
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid == getpid(),
          "SO_PEERCRED seen from the parent: pid == getpid()");
    close(sv[0]);
    close(sv[1]);
}

/* ---- 5. file descriptions shared across fork ---- */

static int fd_child(void *arg)
{
    int fd = *(int *)arg;
    if (write(fd, "0123456789", 10) != 10)
        return 50;
    if (fcntl(fd, F_SETFL, O_APPEND) != 0)
        return 51;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return 52;
    return 0;
}

static int fd_child2(void *arg)
{
    int fd = *(int *)arg;
    /* the parent seeked to 4: we see it */
    if (lseek(fd, 0, SEEK_CUR) != 4)
        return 60;
    if (write(fd, "AB", 2) != 2) /* O_APPEND (shared) sends this to the end */
        return 61;
    return 0;
}

static void test_fd_sharing(void)
{
    char dir[256], path[512];
    make_tmpdir(dir, sizeof dir, "fork_sock");
    path_in(path, sizeof path, dir, "shared");
    int fd = openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        fatal("open temp file");
    check_exit("child wrote 10 bytes, set O_APPEND and FD_CLOEXEC", reap(spawn(fd_child, &fd)), 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 10, "parent's lseek(SEEK_CUR) == 10: the offset is shared");
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_APPEND), "O_APPEND set by the child shows in the parent's F_GETFL (file status flags are shared)");
    CHECK(fcntl(fd, F_GETFD) == 0, "FD_CLOEXEC set by the child does not show in the parent (descriptor flags are not)");
    CHECK(lseek(fd, 4, SEEK_SET) == 4, "parent seeks to 4");
    check_exit("child sees offset 4 and appends 2 bytes", reap(spawn(fd_child2, &fd)), 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset after the child's append == 12");
    char buf[32] = {0};
    CHECK(pread(fd, buf, sizeof buf, 0) == 12 && memcmp(buf, "0123456789AB", 12) == 0, "file holds 0123456789AB");
    close(fd);

    /* the child closing its copy leaves the parent's open */
    fd = openat(AT_FDCWD, path, O_RDONLY);
    pid_t pid = fork();
    if (pid == 0)
        _exit(close(fd) == 0 ? 0 : 1);
    check_exit("child closed its copy of the fd", reap(pid), 0);
    CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0, "the parent's copy still reads");
    close(fd);
    x_unlink(path);
    x_rmdir(dir);
}

/* ---- 6. memory is copied, not shared ---- */

static volatile int g_counter = 100;

static void test_cow(void)
{
    char *heap = malloc(1 << 20);
    if (!heap)
        fatal("malloc");
    memset(heap, 'p', 1 << 20);
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        int ok = g_counter == 100 && heap[12345] == 'p';
        g_counter = 200;
        memset(heap, 'c', 1 << 20);
        char r = ok && g_counter == 200 && heap[1 << 19] == 'c' ? 'y' : 'n';
        write(p[1], &r, 1);
        _exit(0);
    }
    close(p[1]);
    char r = 0;
    CHECK(read(p[0], &r, 1) == 1 && r == 'y', "child saw the parent's memory and changed its own copy");
    close(p[0]);
    check_exit("copy-on-write child", reap(pid), 0);
    int same = 1;
    for (int i = 0; i < (1 << 20); i += 4096)
        same &= heap[i] == 'p';
    CHECK(g_counter == 100 && same, "the parent's global and heap are unchanged by the child's writes");
    free(heap);
}

int main(void)
{
    /* a SIGCHLD ignored by whoever started us would make children auto-reap */
    signal(SIGCHLD, SIG_DFL);
    test_stream();
    test_wait4_waitid();
    test_wnohang();
    test_ids();
    test_fd_sharing();
    test_cow();
    return finish();
}
