/* poll_sigmask.c - ppoll, pselect6 and epoll_pwait install their signal mask for the wait.
 *
 * SIGUSR1 is blocked and pending; each call waits (2 s timeout) on an empty pipe with a mask
 * that unblocks it: the handler runs, the call fails with EINTR at once, and afterwards the
 * old mask (SIGUSR1 blocked) is back. A bad sigsetsize is EINVAL. */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>

static volatile sig_atomic_t g_hits;
static void h_usr1(int sig) { (void)sig; g_hits++; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int still_blocked(void)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, SIGUSR1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t blk, empty;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &blk, NULL);
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    struct timespec two = { 2, 0 };

    raise(SIGUSR1);
    struct pollfd pf = { p[0], POLLIN, 0 };
    double t0 = now_s();
    errno = 0;
    int r = ppoll(&pf, 1, &two, &empty);
    CHECK(r == -1 && errno == EINTR && now_s() - t0 < 1, "ppoll with a mask that unblocks a pending signal -> EINTR at once");
    CHECK(g_hits == 1 && still_blocked(), "... the handler ran once and the old mask is back");

    raise(SIGUSR1);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    t0 = now_s();
    errno = 0;
    r = pselect(p[0] + 1, &rd, NULL, NULL, &two, &empty);
    CHECK(r == -1 && errno == EINTR && now_s() - t0 < 1, "pselect6 likewise -> EINTR at once");
    CHECK(g_hits == 2 && still_blocked(), "... the handler ran and the old mask is back");

    raise(SIGUSR1);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    t0 = now_s();
    errno = 0;
    r = epoll_pwait(ep, &ev, 1, 2000, &empty);
    CHECK(r == -1 && errno == EINTR && now_s() - t0 < 1, "epoll_pwait likewise -> EINTR at once");
    CHECK(g_hits == 3 && still_blocked(), "... the handler ran and the old mask is back");

    struct timespec zero = { 0, 0 };
    raise(SIGUSR1);
    CHECK(ppoll(&pf, 1, &zero, &blk) == 0 && g_hits == 3, "a mask that keeps it blocked: a plain timeout, no handler");
    CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &zero, &empty, 4), EINVAL, "ppoll with sigsetsize 4");
    sigprocmask(SIG_UNBLOCK, &blk, NULL);
    CHECK(g_hits == 4, "unblocking delivers the one still pending");
    return finish();
}
