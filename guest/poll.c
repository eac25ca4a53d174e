/* poll.c - poll, ppoll, select and pselect over socketpairs, pipes, a regular file and
 * /dev/null: the exact revents Linux reports for each state (empty, data, shutdown, peer
 * closed, full, no readers/writers), POLLNVAL, negative fds, timeouts (measured with
 * CLOCK_MONOTONIC), select's three sets, EBADF/EINVAL/EFAULT. The standard streams are left
 * alone (their state depends on how the test is run). Single process; the only waits are
 * timeouts. Every expected value was checked against native Linux. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>

#define ALL (POLLIN | POLLOUT | POLLRDHUP | POLLPRI)

static char big[65536];

/* poll one fd with a 0 timeout; returns revents, or -1000 - errno if poll failed, or
 * -2000 if poll's return value disagrees with revents */
static int ev(int fd, short events)
{
    struct pollfd p = {fd, events, 0x5555};
    int r = poll(&p, 1, 0);
    if (r < 0)
        return -1000 - errno;
    if (r != (p.revents != 0))
        return -2000;
    return p.revents;
}

/* the same through ppoll with a zero timespec */
static int pev(int fd, short events)
{
    struct pollfd p = {fd, events, 0x5555};
    struct timespec ts = {0, 0};
    int r = ppoll(&p, 1, &ts, NULL);
    if (r < 0)
        return -1000 - errno;
    return p.revents;
}

/* select one fd in all three sets with a zero timeout: returns "rwe" bits 4|2|1, or -1 */
static int sel(int fd)
{
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &e);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &r, &w, &e, &tv);
    if (n < 0)
        return -1;
    int bits = (FD_ISSET(fd, &r) ? 4 : 0) | (FD_ISSET(fd, &w) ? 2 : 0) | (FD_ISSET(fd, &e) ? 1 : 0);
    if (n != __builtin_popcount(bits))
        return -2;
    return bits;
}

/* the same through pselect with a zero timeout */
static int psel(int fd)
{
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &e);
    struct timespec ts = {0, 0};
    int n = pselect(fd + 1, &r, &w, &e, &ts, NULL);
    if (n < 0)
        return -1;
    return (FD_ISSET(fd, &r) ? 4 : 0) | (FD_ISSET(fd, &w) ? 2 : 0) | (FD_ISSET(fd, &e) ? 1 : 0);
}

static const char *evname(int e)
{
    static char s[128];
    if (e < 0) {
        snprintf(s, sizeof s, "error %d", e);
        return s;
    }
    s[0] = 0;
    if (e & POLLIN) strcat(s, "|POLLIN");
    if (e & POLLPRI) strcat(s, "|POLLPRI");
    if (e & POLLOUT) strcat(s, "|POLLOUT");
    if (e & POLLRDHUP) strcat(s, "|POLLRDHUP");
    if (e & POLLERR) strcat(s, "|POLLERR");
    if (e & POLLHUP) strcat(s, "|POLLHUP");
    if (e & POLLNVAL) strcat(s, "|POLLNVAL");
    if (!s[0])
        return "0";
    return s + 1;
}

static const char *selname(int b)
{
    static char s[32];
    if (b < 0)
        return "error";
    snprintf(s, sizeof s, "%s%s%s", b & 4 ? "r" : "-", b & 2 ? "w" : "-", b & 1 ? "e" : "-");
    return s;
}

/* check poll (ALL requested), poll (no events requested), ppoll and select, pselect for one fd */
static void expect(const char *what, int fd, int want_all, int want_none, int want_sel)
{
    int a = ev(fd, ALL);
    CHECK(a == want_all, "%s: poll(IN|OUT|RDHUP|PRI) -> %s", what, evname(want_all));
    if (a != want_all)
        out("  got %s\n", evname(a));
    int z = ev(fd, 0);
    CHECK(z == want_none, "%s: poll(events 0) -> %s", what, evname(want_none));
    if (z != want_none)
        out("  got %s\n", evname(z));
    CHECK(pev(fd, ALL) == want_all, "%s: ppoll agrees", what);
    int s = sel(fd);
    CHECK(s == want_sel, "%s: select -> %s", what, selname(want_sel));
    if (s != want_sel)
        out("  got %s\n", selname(s));
    CHECK(psel(fd) == want_sel, "%s: pselect agrees", what);
}

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    long long ns = (long long)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
    return (long)(ns / 1000000); /* whole milliseconds, rounded down */
}

int main(void)
{
    char buf[256];
    int sv[2], p[2];
    signal(SIGPIPE, SIG_IGN);

    /* ---- stream sockets ---- */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    expect("empty connected stream socket", sv[0], POLLOUT, 0, 2);
    CHECK(write(sv[1], "x", 1) == 1, "peer writes 1 byte");
    expect("stream socket with data", sv[0], POLLIN | POLLOUT, 0, 6);
    CHECK(ev(sv[0], POLLIN) == POLLIN, "poll(POLLIN only) -> POLLIN");
    CHECK(ev(sv[0], POLLOUT) == POLLOUT, "poll(POLLOUT only) -> POLLOUT");
    CHECK(shutdown(sv[1], SHUT_WR) == 0, "peer shutdown(SHUT_WR)");
    expect("peer shut down writing, data queued", sv[0], POLLIN | POLLOUT | POLLRDHUP, 0, 6);
    CHECK(ev(sv[0], POLLIN | POLLOUT) == (POLLIN | POLLOUT), "without POLLRDHUP requested -> POLLIN|POLLOUT");
    CHECK(read(sv[0], buf, sizeof buf) == 1, "read the byte");
    expect("peer shut down writing, drained", sv[0], POLLIN | POLLOUT | POLLRDHUP, 0, 6);
    expect("the side that shut down writing", sv[1], POLLOUT, 0, 2);
    close(sv[0]);
    close(sv[1]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    CHECK(shutdown(sv[0], SHUT_RDWR) == 0, "shutdown(SHUT_RDWR)");
    expect("after SHUT_RDWR on itself", sv[0], POLLIN | POLLOUT | POLLRDHUP | POLLHUP, POLLHUP, 6);
    expect("peer of a SHUT_RDWR socket", sv[1], POLLIN | POLLOUT | POLLRDHUP | POLLHUP, POLLHUP, 6);
    close(sv[0]);
    close(sv[1]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    CHECK(shutdown(sv[0], SHUT_RD) == 0, "shutdown(SHUT_RD)");
    expect("after SHUT_RD on itself", sv[0], POLLIN | POLLOUT | POLLRDHUP, 0, 6);
    expect("peer of a SHUT_RD socket", sv[1], POLLOUT, 0, 2);
    close(sv[0]);
    close(sv[1]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    close(sv[1]);
    expect("stream socket, peer closed", sv[0], POLLIN | POLLOUT | POLLRDHUP | POLLHUP, POLLHUP, 6);
    close(sv[0]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    CHECK(write(sv[0], "unread", 6) == 6, "write 6 bytes the peer never reads, then the peer closes");
    close(sv[1]);
    expect("stream socket, peer closed with unread data", sv[0],
           POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR, POLLHUP | POLLERR, 6);
    close(sv[0]);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair");
    long total = 0;
    ssize_t n;
    while ((n = write(sv[0], big, sizeof big)) > 0)
        total += n;
    CHECK(n == -1 && errno == EAGAIN, "fill a stream socket until EAGAIN");
    expect("full stream socket (writer side)", sv[0], 0, 0, 0);
    expect("full stream socket (reader side)", sv[1], POLLIN | POLLOUT, 0, 6);
    static char sink[1 << 20];
    while (read(sv[1], sink, sizeof sink) > 0) {
    }
    expect("drained stream socket (writer side)", sv[0], POLLOUT, 0, 2);
    close(sv[0]);
    close(sv[1]);

    int lone = socket(AF_UNIX, SOCK_STREAM, 0);
    expect("unconnected stream socket", lone, POLLOUT | POLLHUP, POLLHUP, 6);
    close(lone);

    /* ---- datagram sockets ---- */
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0)
        fatal("socketpair dgram");
    expect("empty datagram socket", sv[0], POLLOUT, 0, 2);
    CHECK(send(sv[1], "", 0, 0) == 0, "peer sends a zero-length datagram");
    expect("datagram socket with a zero-length datagram", sv[0], POLLIN | POLLOUT, 0, 6);
    close(sv[1]);
    expect("datagram socket, peer closed, datagram queued", sv[0], POLLIN | POLLOUT, 0, 6);
    CHECK(recv(sv[0], buf, sizeof buf, 0) == 0, "receive it");
    expect("datagram socket, peer closed, empty", sv[0], POLLOUT, 0, 2);
    close(sv[0]);

    /* ---- pipes ---- */
    if (pipe2(p, O_NONBLOCK) != 0)
        fatal("pipe2");
    expect("empty pipe, read end", p[0], 0, 0, 0);
    expect("empty pipe, write end", p[1], POLLOUT, 0, 2);
    CHECK(write(p[1], "x", 1) == 1, "write 1 byte");
    expect("pipe with data, read end", p[0], POLLIN, 0, 4);
    CHECK(read(p[0], buf, 1) == 1, "read it back");
    total = 0;
    while ((n = write(p[1], big, 4096)) > 0)
        total += n;
    CHECK(total == 65536, "fill the pipe (65536 bytes)");
    expect("full pipe, write end", p[1], 0, 0, 0);
    CHECK(read(p[0], buf, 1) == 1, "read 1 byte");
    /* Linux frees pipe space a page at a time, and POLLOUT needs a free page */
    expect("full pipe less 1 byte, write end", p[1], 0, 0, 0);
    CHECK(read(p[0], sink, 4095) == 4095, "read the rest of the first page (4095)");
    expect("pipe with 4096 free, write end", p[1], POLLOUT, 0, 2);
    close(p[1]);
    expect("writer closed, data left, read end", p[0], POLLIN | POLLHUP, POLLHUP, 4);
    while (read(p[0], sink, sizeof sink) > 0) {
    }
    expect("writer closed, drained, read end", p[0], POLLHUP, POLLHUP, 4);
    close(p[0]);
    if (pipe2(p, O_NONBLOCK) != 0)
        fatal("pipe2");
    close(p[0]);
    expect("reader closed, write end", p[1], POLLOUT | POLLERR, POLLERR, 6);
    close(p[1]);

    /* ---- files ---- */
    char dir[256], path[512];
    make_tmpdir(dir, sizeof dir, "poll");
    path_in(path, sizeof path, dir, "file");
    if (write_file(path, "some text\n", 0644) != 0)
        fatal("create a file");
    int rf = openat(AT_FDCWD, path, O_RDONLY);
    int wf = openat(AT_FDCWD, path, O_WRONLY);
    int dn = openat(AT_FDCWD, "/dev/null", O_RDWR);
    if (rf < 0 || wf < 0 || dn < 0)
        fatal("open the file or /dev/null");
    expect("regular file opened O_RDONLY", rf, POLLIN | POLLOUT, 0, 6);
    expect("regular file opened O_WRONLY", wf, POLLIN | POLLOUT, 0, 6);
    CHECK(lseek(rf, 0, SEEK_END) == 10, "seek to the end of the file");
    expect("regular file at EOF", rf, POLLIN | POLLOUT, 0, 6);
    expect("/dev/null", dn, POLLIN | POLLOUT, 0, 6);

    /* ---- closed and negative fds ---- */
    int closed = 60; /* a high number, so later pipes do not reuse it */
    dup2(dn, closed);
    close(closed);
    CHECK(ev(closed, ALL) == POLLNVAL, "a closed fd: poll -> POLLNVAL");
    CHECK(ev(closed, 0) == POLLNVAL, "a closed fd with events 0: poll -> POLLNVAL");
    if (pipe2(p, O_NONBLOCK) != 0)
        fatal("pipe2");
    struct pollfd set[5] = {
        {-1, POLLIN, 0x5555}, {closed, POLLIN, 0}, {rf, POLLIN, 0}, {p[0], POLLIN, 0}, {-5, POLLOUT, 0},
    };
    int r = poll(set, 5, 0);
    CHECK(r == 2, "poll over {-1, closed fd, file, empty pipe, -5} -> 2");
    CHECK(set[0].revents == 0 && set[4].revents == 0, "negative fds: revents 0 (cleared)");
    CHECK(set[1].revents == POLLNVAL, "closed fd: POLLNVAL");
    CHECK(set[2].revents == POLLIN, "file: POLLIN (only what was asked)");
    CHECK(set[3].revents == 0, "empty pipe: 0");
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(closed, &rs);
    struct timeval tv = {0, 0};
    CHECK_ERR(select(closed + 1, &rs, NULL, NULL, &tv), EBADF, "select with a closed fd in readfds");
    FD_ZERO(&rs);
    FD_SET(closed, &rs);
    struct timespec ts0 = {0, 0};
    CHECK_ERR(pselect(closed + 1, NULL, &rs, NULL, &ts0, NULL), EBADF, "pselect with a closed fd in writefds");
    CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL, "select(nfds -1)");
    struct pollfd *volatile badp = (struct pollfd *)1;
    CHECK_ERR(poll(badp, 1, 0), EFAULT, "poll with a bad pointer");

    /* select: several fds, sets beyond nfds ignored */
    int hi = rf > p[1] ? rf : p[1];
    fd_set R, W, E;
    FD_ZERO(&R);
    FD_ZERO(&W);
    FD_ZERO(&E);
    FD_SET(p[0], &R);
    FD_SET(p[1], &W);
    FD_SET(rf, &R);
    FD_SET(p[0], &E);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    r = select(hi + 1, &R, &W, &E, &tv);
    CHECK(r == 2 && !FD_ISSET(p[0], &R) && FD_ISSET(rf, &R) && FD_ISSET(p[1], &W) && !FD_ISSET(p[0], &E),
          "select {pipe r, file} / {pipe w} / {pipe r} -> 2: file readable, pipe writable");
    FD_ZERO(&R);
    FD_SET(rf, &R);
    tv.tv_usec = 0;
    CHECK(select(rf, &R, NULL, NULL, &tv) == 0, "select with nfds == fd ignores that fd -> 0");

    /* ---- timeouts ---- */
    struct timespec t0, t1;
    struct pollfd one = {p[0], POLLIN, 0};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = poll(&one, 1, 50);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && one.revents == 0, "poll(empty pipe, 50 ms) -> 0");
    CHECK(elapsed_ms(&t0, &t1) >= 50, "after at least 50 ms");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = poll(NULL, 0, 30);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && elapsed_ms(&t0, &t1) >= 30, "poll(NULL, 0, 30) sleeps at least 30 ms");
    struct timespec ts = {0, 50 * 1000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = ppoll(&one, 1, &ts, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && elapsed_ms(&t0, &t1) >= 50, "ppoll(empty pipe, 50 ms timespec) -> 0 after at least 50 ms");
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGPIPE);
    ts.tv_sec = 0;
    ts.tv_nsec = 20 * 1000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = ppoll(&one, 1, &ts, &mask);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && elapsed_ms(&t0, &t1) >= 20, "ppoll with a signal mask, 20 ms -> 0 after at least 20 ms");
    ts.tv_nsec = -1;
    CHECK_ERR(ppoll(&one, 1, &ts, NULL), EINVAL, "ppoll with tv_nsec -1");
    ts.tv_nsec = 1000000000;
    CHECK_ERR(ppoll(&one, 1, &ts, NULL), EINVAL, "ppoll with tv_nsec 1e9");
    CHECK(write(p[1], "x", 1) == 1, "write a byte into the pipe");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = poll(&one, 1, -1);
    CHECK(r == 1 && one.revents == POLLIN, "poll(timeout -1) with the fd ready -> 1 at once");
    r = ppoll(&one, 1, NULL, NULL);
    CHECK(r == 1 && one.revents == POLLIN, "ppoll(NULL timeout) with the fd ready -> 1");
    FD_ZERO(&R);
    FD_SET(p[0], &R);
    r = select(p[0] + 1, &R, NULL, NULL, NULL);
    CHECK(r == 1 && FD_ISSET(p[0], &R), "select(NULL timeout) with the fd ready -> 1");
    FD_ZERO(&R);
    FD_SET(p[0], &R);
    r = pselect(p[0] + 1, &R, NULL, NULL, NULL, &mask);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 1 && FD_ISSET(p[0], &R), "pselect(NULL timeout, mask) with the fd ready -> 1");
    CHECK(elapsed_ms(&t0, &t1) < 5000, "none of those waited");
    CHECK(read(p[0], buf, 1) == 1, "read the byte back");

    FD_ZERO(&R);
    FD_SET(p[0], &R);
    tv.tv_sec = 0;
    tv.tv_usec = 50000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = select(p[0] + 1, &R, NULL, NULL, &tv);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && !FD_ISSET(p[0], &R), "select(empty pipe, 50 ms) -> 0, set cleared");
    CHECK(elapsed_ms(&t0, &t1) >= 50, "after at least 50 ms");
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "and the timeval is updated to 0 left");
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = select(0, NULL, NULL, NULL, &tv);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && elapsed_ms(&t0, &t1) >= 30, "select(0, NULL...) as a 30 ms sleep");
    tv.tv_sec = 0;
    tv.tv_usec = -1;
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL, "select with tv_usec -1");
    FD_ZERO(&R);
    FD_SET(p[0], &R);
    ts.tv_sec = 0;
    ts.tv_nsec = 50 * 1000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = pselect(p[0] + 1, &R, NULL, NULL, &ts, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && !FD_ISSET(p[0], &R) && elapsed_ms(&t0, &t1) >= 50, "pselect(empty pipe, 50 ms) -> 0 after at least 50 ms");
    FD_ZERO(&R);
    FD_SET(p[0], &R);
    ts.tv_nsec = 20 * 1000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = pselect(p[0] + 1, &R, NULL, NULL, &ts, &mask);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(r == 0 && elapsed_ms(&t0, &t1) >= 20, "pselect with a signal mask, 20 ms -> 0 after at least 20 ms");
    ts.tv_nsec = -1;
    CHECK_ERR(pselect(0, NULL, NULL, NULL, &ts, NULL), EINVAL, "pselect with tv_nsec -1");
    sigset_t cur;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && !sigismember(&cur, SIGPIPE),
          "the ppoll/pselect masks were only temporary (SIGPIPE not blocked now)");

    /* ---- nfds limit ---- */
    struct rlimit old_rl, rl;
    if (getrlimit(RLIMIT_NOFILE, &old_rl) != 0)
        fatal("getrlimit");
    rl = old_rl;
    rl.rlim_cur = 64;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit(RLIMIT_NOFILE, 64)");
    struct pollfd many[65];
    for (int i = 0; i < 65; i++) {
        many[i].fd = -1;
        many[i].events = POLLIN;
    }
    CHECK(poll(many, 64, 0) == 0, "poll with nfds 64 (== the limit) -> 0");
    CHECK_ERR(poll(many, 65, 0), EINVAL, "poll with nfds 65 (> RLIMIT_NOFILE)");
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    CHECK_ERR(ppoll(many, 65, &ts, NULL), EINVAL, "ppoll with nfds 65");
    CHECK(setrlimit(RLIMIT_NOFILE, &old_rl) == 0, "restore RLIMIT_NOFILE");

    close(p[0]);
    close(p[1]);
    close(rf);
    close(wf);
    close(dn);
    x_unlink(path);
    x_rmdir(dir);
    return finish();
}
