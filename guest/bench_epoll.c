/* bench_epoll.c - epoll echo round trips in one process: both ends of a stream socketpair are
 * registered in one epoll set (EPOLLIN); argv[1] (default 20000) times: write 1 byte on sv[0],
 * epoll_wait reports sv[1], read it and echo it back, epoll_wait reports sv[0], read the echo.
 * Prints "done N". */
#include "common.h"
#include <sys/epoll.h>
#include <sys/socket.h>

/* wait for exactly one ready fd, which must be `want` */
static void wait_for(int ep, int want)
{
    struct epoll_event ev[4];
    int r;
    while ((r = epoll_wait(ep, ev, 4, -1)) < 0 && errno == EINTR)
        ;
    if (r != 1 || ev[0].data.fd != want || !(ev[0].events & EPOLLIN))
        fatal("epoll_wait: not the one expected fd");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        fatal("epoll_create1");
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.fd = sv[i];
        if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[i], &ev) != 0)
            fatal("epoll_ctl ADD");
    }
    char c;
    for (long i = 0; i < n; i++) {
        c = (char)i;
        if (write(sv[0], &c, 1) != 1)
            fatal("write sv[0]");
        wait_for(ep, sv[1]);
        c = 0;
        if (read(sv[1], &c, 1) != 1 || c != (char)i)
            fatal("read sv[1]");
        if (write(sv[1], &c, 1) != 1)
            fatal("echo on sv[1]");
        wait_for(ep, sv[0]);
        c = 0;
        if (read(sv[0], &c, 1) != 1 || c != (char)i)
            fatal("read the echo on sv[0]");
    }
    close(ep);
    out("done %ld\n", n);
    return 0;
}
