/* thread_exec.c - execve from a non-main thread (qemu-user cannot run this one).
 *
 * Started without arguments: the main thread blocks SIGUSR2, makes a pipe (read end kept
 * across exec, O_NONBLOCK; write end O_CLOEXEC), starts a "writer" thread that writes a byte to
 * the pipe every millisecond, prints its own checks and starts an "exec" thread, then waits in
 * pthread_join for the exec thread forever. The exec thread blocks SIGUSR1, unblocks SIGUSR2
 * and execve's /proc/self/exe with "exec-side", the pid, the parent pid, the read end's fd
 * and the number of checks so far. The new image (same program) checks: getpid() is the
 * original pid, gettid() == getpid() (the exec'ing thread took over the thread group), getppid()
 * unchanged, the kept fd is open and the CLOEXEC one is closed, the pipe reaches EOF (the
 * writer thread and the write end are gone), the signal mask is the exec'ing thread's (SIGUSR1
 * blocked, SIGUSR2 not), and it can start threads; then it prints the summary for both halves. */
#include "thread_common.h"

static int g_pipe[2];

static void *writer(void *arg)
{
    (void)arg;
    for (;;) {
        if (write(g_pipe[1], "w", 1) < 0 && errno == EAGAIN)
            sleep_ms(5);
        sleep_ms(1);
    }
    return NULL;
}

static char g_pid_s[32], g_ppid_s[32], g_fd_s[32], g_wfd_s[32], g_checks_s[32];

static void *execer(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    snprintf(g_checks_s, sizeof g_checks_s, "%d,%d", g_checks, g_failures);
    char *argv[] = {(char *)"thread_exec", (char *)"exec-side", g_pid_s, g_ppid_s, g_fd_s, g_wfd_s, g_checks_s, NULL};
    extern char **environ;
    execve("/proc/self/exe", argv, environ);
    out("FAIL: execve from a thread (errno=%s) - giving up\n", errname(errno));
    _exit(2);
}

static void *helper(void *arg) { return (void *)((intptr_t)arg * 2); }

static int exec_side(char **argv)
{
    pid_t pid = (pid_t)atol(argv[2]), ppid = (pid_t)atol(argv[3]);
    int fd = atoi(argv[4]), wfd = atoi(argv[5]);
    if (sscanf(argv[6], "%d,%d", &g_checks, &g_failures) != 2)
        fatal("bad arguments");
    CHECK(1, "exec-side: the program started again");
    CHECK(getpid() == pid, "exec-side: getpid() is the original pid");
    CHECK(gettid() == getpid(), "exec-side: gettid() == getpid()");
    CHECK(getppid() == ppid, "exec-side: getppid() unchanged");
    CHECK(fd_open(fd), "exec-side: the pipe's read end (no FD_CLOEXEC) is still open");
    CHECK(!fd_open(wfd), "exec-side: the O_CLOEXEC write end was closed");
    /* drain: the writer thread is gone, and with the write end closed the pipe reaches EOF */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ssize_t n;
    char buf[4096];
    for (;;) {
        n = read(fd, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec > 5)
            break;
        if (n < 0)
            sleep_ms(1);
    }
    CHECK(n == 0, "exec-side: the pipe reaches EOF (no writer thread or write end survived)");
    CHECK(is_blocked(SIGUSR1), "exec-side: SIGUSR1 blocked (the exec'ing thread's mask)");
    CHECK(!is_blocked(SIGUSR2), "exec-side: SIGUSR2 not blocked (only main blocked it)");
    pthread_t t;
    void *r = NULL;
    CHECK(pthread_create(&t, NULL, helper, (void *)21) == 0 && pthread_join(t, &r) == 0 && (intptr_t)r == 42,
          "exec-side: pthread_create/join work");
    return finish();
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "exec-side") == 0)
        return exec_side(argv);
    int rfd[2];
    if (pipe2(rfd, O_CLOEXEC) != 0)
        fatal("pipe2");
    /* the read end must survive exec: clear its FD_CLOEXEC; nonblocking for the drain */
    if (fcntl(rfd[0], F_SETFD, 0) != 0 || fcntl(rfd[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(rfd[1], F_SETFL, O_NONBLOCK) != 0)
        fatal("fcntl");
    g_pipe[0] = rfd[0];
    g_pipe[1] = rfd[1];
    snprintf(g_pid_s, sizeof g_pid_s, "%ld", (long)getpid());
    snprintf(g_ppid_s, sizeof g_ppid_s, "%ld", (long)getppid());
    snprintf(g_fd_s, sizeof g_fd_s, "%d", g_pipe[0]);
    snprintf(g_wfd_s, sizeof g_wfd_s, "%d", g_pipe[1]);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t w, e;
    CHECK(pthread_create(&w, NULL, writer, NULL) == 0, "writer thread started");
    char c;
    ssize_t n;
    while ((n = read(g_pipe[0], &c, 1)) < 0 && errno == EAGAIN)
        sleep_ms(1);
    CHECK(n == 1 && c == 'w', "the writer thread writes to the pipe");
    CHECK(gettid() == getpid(), "main: gettid() == getpid()");
    xcreate(&e, execer, NULL);
    pthread_join(e, NULL); /* never returns: the exec replaces the process */
    out("FAIL: pthread_join of the exec thread returned\n");
    return 1;
}
