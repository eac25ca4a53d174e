/* common.h - shared helpers for the ucrun guest test programs.
 *
 * Conventions (see README.md):
 *   - every check prints "ok: <what>" or "FAIL: <what> (...)" on stdout;
 *   - lines that legitimately differ between architectures start with "arch:";
 *   - a program exits 1 if any check failed (return finish(); from main).
 *
 * Output goes straight to write(2) (no stdio buffering), so the order of lines is
 * the same whether stdout is a terminal, a file or a pipe.
 *
 * Only syscalls from the emulator's list may be used, so the helpers below call the
 * *at variants (mkdirat, unlinkat, renameat2, readlinkat, faccessat) explicitly:
 * glibc's mkdir/unlink/rmdir/rename/readlink/access use the legacy syscalls on x86_64.
 */
#ifndef UCRUN_GUEST_COMMON_H
#define UCRUN_GUEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int g_failures __attribute__((unused));
static int g_checks __attribute__((unused));

/* write all of buf to fd, retrying short writes and EINTR */
static inline void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* printf to stdout, unbuffered (one write per call); errno is preserved */
__attribute__((format(printf, 1, 2))) static inline void out(const char *fmt, ...)
{
    int saved = errno;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    write_all(1, buf, (size_t)n);
    errno = saved;
}

/* symbolic errno name, independent of locale and libc */
static inline const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
    E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK)
    E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL)
    E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE)
    E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) E(ENAMETOOLONG)
    E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOTSUP) E(EOVERFLOW)
    E(ENOTSOCK) E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT)
    E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EAFNOSUPPORT) E(EADDRINUSE)
    E(ECONNRESET) E(EISCONN) E(ENOTCONN) E(ECONNREFUSED) E(ETIMEDOUT)
#undef E
    default: {
        static char unk[32];
        snprintf(unk, sizeof unk, "errno%d", e);
        return unk;
    }
    }
}

/* CHECK(cond, fmt, ...): record a check; prints "ok: what" or "FAIL: what (errno=E...)".
 * errno is captured before the message is formatted. Evaluates to cond (0/1). */
#define CHECK(cond, ...) check_((cond) ? 1 : 0, errno, __VA_ARGS__)

__attribute__((format(printf, 3, 4))) static inline int check_(int ok, int err, const char *fmt, ...)
{
    char what[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    g_checks++;
    if (ok) {
        out("ok: %s\n", what);
    } else {
        g_failures++;
        out("FAIL: %s (errno=%s)\n", what, errname(err));
    }
    errno = err;
    return ok;
}

/* CHECK_ERR(expr, EXPECTED, what...): expr must return -1 with errno == EXPECTED.
 * Prints "ok: what -> EXPECTED" or "FAIL: what -> got ret=R errno=E, want EXPECTED". */
#define CHECK_ERR(expr, expected, ...)                                                  \
    do {                                                                              \
        errno = 0;                                                                    \
        long ret_ = (long)(expr);                                                     \
        int err_ = errno;                                                             \
        check_err_(ret_, err_, (expected), #expected, __VA_ARGS__);                   \
    } while (0)

__attribute__((format(printf, 5, 6))) static inline int check_err_(long ret, int err, int expected,
                                                            const char *ename,
                                                            const char *fmt, ...)
{
    char what[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    g_checks++;
    if (ret == -1 && err == expected) {
        out("ok: %s -> %s\n", what, ename);
        return 1;
    }
    g_failures++;
    out("FAIL: %s -> got ret=%ld errno=%s, want %s\n", what, ret, errname(err), ename);
    return 0;
}

/* acheck(ok, fmt, ...): a check whose line starts with "arch:" ("arch: ok: what" or
 * "arch: FAIL: what"), for checks a runner may legitimately not support. It counts in
 * g_arch_fail, not in g_checks/finish(); the program folds g_arch_fail into its exit status. */
static int g_arch_fail __attribute__((unused));

__attribute__((format(printf, 2, 3))) static inline void acheck(int ok, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    out("arch: %s: %s\n", ok ? "ok" : "FAIL", what);
    g_arch_fail += !ok;
}

/* print a summary line and return the process exit code */
static inline int finish(void)
{
    if (g_failures)
        out("FAILED %d of %d checks\n", g_failures, g_checks);
    else
        out("all %d checks passed\n", g_checks);
    return g_failures ? 1 : 0;
}

/* die immediately on a setup error that makes the remaining checks meaningless */
__attribute__((noreturn)) static inline void fatal(const char *what)
{
    out("FAIL: %s (errno=%s) - giving up\n", what, errname(errno));
    exit(2);
}

/* ---- syscall-list-friendly wrappers ---- */

static inline int x_mkdir(const char *p, mode_t m) { return mkdirat(AT_FDCWD, p, m); }
static inline int x_unlink(const char *p) { return unlinkat(AT_FDCWD, p, 0); }
static inline int x_rmdir(const char *p) { return unlinkat(AT_FDCWD, p, AT_REMOVEDIR); }
static inline int x_rename(const char *a, const char *b)
{
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0);
}
static inline ssize_t x_readlink(const char *p, char *buf, size_t n)
{
    return readlinkat(AT_FDCWD, p, buf, n);
}
/* raw faccessat (glibc's faccessat() may try faccessat2 first) */
static inline int x_access(const char *p, int mode)
{
    return (int)syscall(SYS_faccessat, AT_FDCWD, p, mode);
}

/* create a fresh directory /tmp/ucrun-<name>-XXXXXXXX using getrandom + mkdirat
 * (glibc's mkdtemp uses the mkdir syscall on x86_64). The path is never printed. */
static inline void make_tmpdir(char *buf, size_t n, const char *name)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[8];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            fatal("getrandom for temp dir name");
        char suffix[9];
        for (int i = 0; i < 8; i++)
            suffix[i] = alphabet[r[i] % (sizeof alphabet - 1)];
        suffix[8] = 0;
        snprintf(buf, n, "/tmp/ucrun-%s-%s", name, suffix);
        if (x_mkdir(buf, 0700) == 0)
            return;
        if (errno != EEXIST)
            fatal("mkdirat temp dir");
    }
    fatal("could not create a temp dir");
}

/* join dir + "/" + name into buf */
static inline const char *path_in(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
    return buf;
}

/* write a whole string to a new file (O_TRUNC); returns 0 on success */
static inline int write_file(const char *path, const char *s, mode_t mode)
{
    int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(s);
    ssize_t n = write(fd, s, len);
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)len ? 0 : -1;
}

/* clock readings and timespecs as nanoseconds (the timer programs) */
static inline long long now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline struct timespec ts_of(long long ns)
{
    struct timespec t = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
    return t;
}

static inline long long ns_of(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

/* the whole of a (small) file into buf, NUL-terminated; bytes read, or -1 */
static inline int read_file(const char *path, char *buf, size_t n)
{
    int fd = openat(AT_FDCWD, path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t r;
    while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = 0;
    close(fd);
    return (int)got;
}

/* remove every entry of the temp dir, WHICH MUST BE THE CWD (it unlinks the cwd's entries),
 * then the dir itself; a few passes, since unlinking while readdir walks the directory may
 * skip entries */
static inline int rm_tmpdir(const char *dir)
{
    for (int pass = 0; pass < 5; pass++) {
        DIR *d = opendir(".");
        if (!d)
            break;
        int removed = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (unlinkat(AT_FDCWD, de->d_name, 0) == 0 || unlinkat(AT_FDCWD, de->d_name, AT_REMOVEDIR) == 0)
                removed++;
        }
        closedir(d);
        if (!removed)
            break;
    }
    if (chdir("/") != 0)
        return -1;
    return x_rmdir(dir);
}

/* ---- file descriptors ---- */

/* is fd open? */
static inline int fd_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

/* how many of the fds 0..limit-1 are open */
static inline int count_fds(int limit)
{
    int n = 0;
    for (int fd = 0; fd < limit; fd++)
        n += fd_open(fd);
    return n;
}

/* bytes queued for reading (FIONREAD), or -1 */
static inline int inq(int fd)
{
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) != 0)
        return -1;
    return n;
}

/* ---- processes and signals ---- */

/* waitpid, retrying EINTR; returns the status word or -1 */
static inline int reap(pid_t pid)
{
    int st;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    return r == pid ? st : -1;
}

/* waitpid, retrying EINTR; returns the exit code, 200 + the signal if killed, or -1 */
static inline int waitstatus(pid_t pid)
{
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* sleep ms milliseconds, resuming after EINTR */
static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* is sig in the current signal mask? */
static inline int is_blocked(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

#endif
