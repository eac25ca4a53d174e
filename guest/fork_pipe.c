/* fork_pipe.c - pipes between processes, dup2 redirection and SIGPIPE.
 *
 * A child's stdout, redirected into a pipe with dup2, reaches the parent (printf + fflush,
 * and 256 KiB of lines, more than a pipe holds, so the child blocks until the parent reads).
 * EOF comes only when every writer (in both processes) has closed. A writer with no reader
 * is killed by SIGPIPE at its default action; with SIG_IGN or a handler the write fails with
 * EPIPE, and the handler runs exactly once per failed write; with SIGPIPE blocked it stays
 * pending. No exec here (exec_main covers exec). */
#include "common.h"
#include <signal.h>
#include <sys/wait.h>

/* read everything from fd until EOF into a malloc'd buffer */
static char *slurp(int fd, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

#define NLINES 16384 /* "line NNNNN of the child\n" = 24 bytes each: 384 KiB */

static void test_redirect(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        if (dup2(p[1], 1) != 1)
            _exit(10);
        close(p[0]);
        close(p[1]);
        printf("hello from the child\n");
        printf("stdout is fd %d, a pipe\n", fileno(stdout));
        fflush(stdout);
        for (int i = 0; i < NLINES; i++)
            printf("line %05d of the child\n", i);
        fflush(stdout);
        _exit(0);
    }
    CHECK(close(p[1]) == 0, "parent closes its write end");
    size_t len;
    char *buf = slurp(p[0], &len);
    close(p[0]);
    const char *head = "hello from the child\nstdout is fd 1, a pipe\n";
    size_t hl = strlen(head);
    CHECK(len >= hl && memcmp(buf, head, hl) == 0, "the child's printf output arrived through the pipe");
    CHECK(len == hl + (size_t)NLINES * 24, "the parent read all %d lines (more than the pipe holds)", NLINES);
    int good = 1;
    char want[32];
    for (int i = 0; i < NLINES && good; i++) {
        snprintf(want, sizeof want, "line %05d of the child\n", i);
        good = len >= hl + (size_t)(i + 1) * 24 && memcmp(buf + hl + (size_t)i * 24, want, 24) == 0;
    }
    CHECK(good, "every line arrived in order");
    free(buf);
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child exited with 0");
}

/* EOF only after the last writer, in any process, closes */
static void test_eof_last_writer(void)
{
    int p[2], go[2];
    if (pipe(p) != 0 || pipe(go) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        close(go[1]);
        char c;
        read(go[0], &c, 1); /* wait for the parent's go */
        write(p[1], "late", 4);
        _exit(0);
    }
    close(go[0]);
    CHECK(close(p[1]) == 0, "parent closed its write end; the child still holds one");
    CHECK(write(go[1], "g", 1) == 1, "parent tells the child to write");
    char buf[16];
    ssize_t n = read(p[0], buf, sizeof buf);
    CHECK(n == 4 && memcmp(buf, "late", 4) == 0, "read got the child's data rather than EOF");
    n = read(p[0], buf, sizeof buf);
    CHECK(n == 0, "read returns EOF once the child has exited");
    close(p[0]);
    close(go[1]);
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer child exited with 0");
}

static volatile sig_atomic_t g_pipes;
static void on_pipe(int sig)
{
    if (sig == SIGPIPE)
        g_pipes++;
}

static void unblock(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_sigpipe(void)
{
    /* default action: the writer dies */
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    close(p[0]); /* no reader anywhere: the child inherits only the write end */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        unblock(SIGPIPE);
        write(p[1], "x", 1);
        _exit(99); /* not reached */
    }
    close(p[1]);
    int st = reap(pid);
    CHECK(st != -1 && WIFSIGNALED(st), "a writer with no reader is killed (WIFSIGNALED)");
    CHECK(WTERMSIG(st) == SIGPIPE, "WTERMSIG == SIGPIPE");
    CHECK(!WCOREDUMP(st), "no core dump for SIGPIPE");
    CHECK(!WIFEXITED(st), "not WIFEXITED");

    /* the reader is a child that exits: then the parent's write fails */
    if (pipe(p) != 0)
        fatal("pipe");
    pid = fork();
    if (pid == 0) {
        close(p[1]);
        char c;
        _exit(read(p[0], &c, 1) == 1 && c == 'a' ? 0 : 1);
    }
    close(p[0]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_pipe;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGPIPE, &sa, NULL) == 0, "install a SIGPIPE handler");
    unblock(SIGPIPE);
    CHECK(write(p[1], "a", 1) == 1, "write while the child reads");
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reader child got the byte and exited");
    g_pipes = 0;
    CHECK_ERR(write(p[1], "b", 1), EPIPE, "write after the reader exited, with a handler");
    CHECK(g_pipes == 1, "the SIGPIPE handler ran exactly once (ran %d times)", (int)g_pipes);
    CHECK_ERR(write(p[1], "c", 1), EPIPE, "a second write");
    CHECK(g_pipes == 2, "one more SIGPIPE for the second write (total %d)", (int)g_pipes);

    /* blocked: EPIPE, the signal stays pending, and runs the handler on unblock */
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, NULL);
    g_pipes = 0;
    CHECK_ERR(write(p[1], "d", 1), EPIPE, "write with SIGPIPE blocked");
    CHECK_ERR(write(p[1], "e", 1), EPIPE, "a second write with SIGPIPE blocked");
    sigemptyset(&pend);
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE), "SIGPIPE is pending");
    CHECK(g_pipes == 0, "the handler has not run while blocked");
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK(g_pipes == 1, "unblocking ran the handler once (a standard signal does not queue twice)");
    sigemptyset(&pend);
    CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGPIPE), "nothing pending afterwards");

    /* ignored: EPIPE, nothing else */
    signal(SIGPIPE, SIG_IGN);
    g_pipes = 0;
    CHECK_ERR(write(p[1], "f", 1), EPIPE, "write with SIGPIPE ignored");
    sigemptyset(&pend);
    CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGPIPE) && g_pipes == 0, "an ignored SIGPIPE is not left pending");
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    /* SIG_IGN is inherited by a forked child: it survives the write */
    if (pipe(p) != 0)
        fatal("pipe");
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    pid = fork();
    if (pid == 0) {
        ssize_t n = write(p[1], "x", 1);
        _exit(n == -1 && errno == EPIPE ? 0 : 1);
    }
    close(p[1]);
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child inheriting SIG_IGN gets EPIPE and exits normally");
    signal(SIGPIPE, SIG_DFL);

    /* a handler is inherited across fork too */
    if (pipe(p) != 0)
        fatal("pipe");
    close(p[0]);
    sigaction(SIGPIPE, &sa, NULL);
    g_pipes = 0;
    pid = fork();
    if (pid == 0) {
        ssize_t n = write(p[1], "x", 1);
        _exit(n == -1 && errno == EPIPE && g_pipes == 1 ? 0 : 1);
    }
    close(p[1]);
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child inheriting the handler gets EPIPE and its handler runs once");
    signal(SIGPIPE, SIG_DFL);
}

/* stdin redirected too: a child filter between two pipes */
static void test_filter(void)
{
    int in[2], outp[2];
    if (pipe(in) != 0 || pipe(outp) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        close(in[0]);
        close(in[1]);
        close(outp[0]);
        close(outp[1]);
        /* uppercase stdin to stdout with stdio */
        int c;
        while ((c = getchar()) != EOF)
            putchar(c >= 'a' && c <= 'z' ? c - 32 : c);
        fflush(stdout);
        _exit(0);
    }
    close(in[0]);
    close(outp[1]);
    const char *msg = "through a child filter\n";
    CHECK(write(in[1], msg, strlen(msg)) == (ssize_t)strlen(msg), "parent writes to the child's stdin");
    close(in[1]);
    size_t len;
    char *buf = slurp(outp[0], &len);
    close(outp[0]);
    CHECK(strcmp(buf, "THROUGH A CHILD FILTER\n") == 0, "the child's stdout carries the filtered text");
    free(buf);
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the filter exited with 0 after EOF on stdin");
}

int main(void)
{
    signal(SIGCHLD, SIG_DFL);
    test_redirect();
    test_eof_last_writer();
    test_sigpipe();
    test_filter();
    return finish();
}
