/* sock_stream.c - AF_UNIX SOCK_STREAM socketpairs: byte-stream semantics, recv flags
 * (MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_NOSIGNAL), FIONREAD, readv/writev, sendmsg/recvmsg,
 * a full send buffer, SO_SNDBUF/SO_RCVBUF, shutdown, peer close (EOF, EPIPE, ECONNRESET),
 * getsockopt, getsockname/getpeername, sendto/recvfrom addresses, fstat, lseek.
 * Single process: nothing here blocks (empty sockets are read nonblocking or with MSG_DONTWAIT).
 * Every expected value was checked against native Linux. */
#include "sock_common.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/sockios.h>

static char big[65536];
static char sink[1 << 20];

static void make_pair(int sv[2], int flags)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | flags, 0, sv) != 0)
        fatal("socketpair(AF_UNIX, SOCK_STREAM)");
}

/* poll one fd with a 0 timeout; returns revents (or -1 if poll failed) */
static int revents(int fd, short events)
{
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

#define ALL_EV (POLLIN | POLLOUT | POLLRDHUP | POLLPRI)

int main(void)
{
    char buf[256];
    int sv[2];
    ssize_t n;
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + 3);
    signal(SIGPIPE, SIG_IGN);

    /* ---- byte stream: writes coalesce, reads split ---- */
    make_pair(sv, 0);
    CHECK(write(sv[0], "abc", 3) == 3 && write(sv[0], "defg", 4) == 4 && write(sv[0], "hi", 2) == 2,
          "three writes of 3, 4 and 2 bytes");
    memset(buf, 0, sizeof buf);
    CHECK(read(sv[1], buf, sizeof buf) == 9 && memcmp(buf, "abcdefghi", 9) == 0,
          "one read returns all 9 bytes in order (writes coalesce)");
    CHECK(write(sv[0], "0123456789", 10) == 10, "write 10 bytes");
    CHECK(read(sv[1], buf, 3) == 3 && memcmp(buf, "012", 3) == 0, "read 3 -> \"012\"");
    CHECK(read(sv[1], buf, 3) == 3 && memcmp(buf, "345", 3) == 0, "read 3 -> \"345\"");
    CHECK(read(sv[1], buf, 100) == 4 && memcmp(buf, "6789", 4) == 0, "read 100 -> the last 4 (reads split)");

    /* ---- MSG_PEEK ---- */
    CHECK(write(sv[0], "ab", 2) == 2 && write(sv[0], "cd", 2) == 2, "write \"ab\" and \"cd\"");
    memset(buf, 0, sizeof buf);
    CHECK(recv(sv[1], buf, sizeof buf, MSG_PEEK) == 4 && memcmp(buf, "abcd", 4) == 0,
          "recv(MSG_PEEK) -> \"abcd\" (peeks across write boundaries)");
    CHECK(recv(sv[1], buf, 3, MSG_PEEK) == 3 && memcmp(buf, "abc", 3) == 0, "recv(3, MSG_PEEK) -> \"abc\"");
    CHECK(inq(sv[1]) == 4, "FIONREAD still 4 after peeking");
    memset(buf, 0, sizeof buf);
    CHECK(recv(sv[1], buf, sizeof buf, 0) == 4 && memcmp(buf, "abcd", 4) == 0, "recv -> \"abcd\": peek consumed nothing");

    /* ---- MSG_DONTWAIT and zero-length reads ---- */
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "recv(MSG_DONTWAIT) on an empty blocking socket");
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK), EAGAIN, "recv(MSG_DONTWAIT | MSG_PEEK) on empty");
    CHECK_ERR(recv(sv[1], buf, 0, MSG_DONTWAIT), EAGAIN, "recv(len 0, MSG_DONTWAIT) on empty");
    CHECK(read(sv[1], buf, 0) == 0, "read(len 0) on an empty socket -> 0 at once");
    CHECK(send(sv[0], "", 0, 0) == 0, "send(len 0) -> 0");
    CHECK_ERR(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN, "a zero-length send queues nothing");
    CHECK(write(sv[0], "hello world", 11) == 11, "write \"hello world\"");
    CHECK(recv(sv[1], buf, 0, 0) == 0, "recv(len 0) with data queued -> 0");
    CHECK(read(sv[1], buf, 0) == 0, "read(len 0) with data queued -> 0");
    CHECK(inq(sv[1]) == 11, "FIONREAD 11: the zero-length reads consumed nothing");

    /* ---- FIONREAD / SIOCINQ ---- */
    int v = -1;
    CHECK(SIOCINQ == FIONREAD, "SIOCINQ == FIONREAD");
    CHECK(ioctl(sv[1], SIOCINQ, &v) == 0 && v == 11, "ioctl(SIOCINQ) == 11");
    CHECK(inq(sv[0]) == 0, "FIONREAD on the writing end == 0");

    /* ---- MSG_WAITALL ---- */
    memset(buf, 0, sizeof buf);
    CHECK(recv(sv[1], buf, 5, MSG_WAITALL) == 5 && memcmp(buf, "hello", 5) == 0,
          "recv(5, MSG_WAITALL) with 11 queued -> 5");
    CHECK(inq(sv[1]) == 6, "FIONREAD now 6");
    CHECK(recv(sv[1], buf, 6, MSG_WAITALL) == 6 && memcmp(buf, " world", 6) == 0,
          "recv(6, MSG_WAITALL) with exactly 6 queued -> 6");
    CHECK(write(sv[0], "abc", 3) == 3, "write 3 more");
    CHECK(recv(sv[1], buf, 100, MSG_WAITALL | MSG_DONTWAIT) == 3,
          "recv(100, MSG_WAITALL | MSG_DONTWAIT) with 3 queued -> 3 (partial, no wait)");
    CHECK_ERR(recv(sv[1], buf, 100, MSG_WAITALL | MSG_DONTWAIT), EAGAIN, "again with nothing queued");
    CHECK(write(sv[0], "xyz", 3) == 3 && shutdown(sv[0], SHUT_WR) == 0, "write 3, then the writer shuts down SHUT_WR");
    CHECK(recv(sv[1], buf, 100, MSG_WAITALL) == 3, "recv(100, MSG_WAITALL) -> 3: end of stream ends the wait");
    CHECK(recv(sv[1], buf, 100, MSG_WAITALL) == 0, "then recv(MSG_WAITALL) -> 0");
    close_pair(sv);

    /* ---- readv / writev ---- */
    make_pair(sv, SOCK_NONBLOCK);
    char a1[] = "one-", a2[] = "two-", a3[] = "three";
    struct iovec wv[3] = {{a1, 4}, {a2, 4}, {a3, 5}};
    CHECK(writev(sv[0], wv, 3) == 13, "writev of 3 iovecs (4+4+5) -> 13");
    char r1[3], r2[6], r3[10];
    memset(r3, 0, sizeof r3);
    struct iovec rv[3] = {{r1, 3}, {r2, 6}, {r3, 10}};
    CHECK(readv(sv[1], rv, 3) == 13 && memcmp(r1, "one", 3) == 0 && memcmp(r2, "-two-t", 6) == 0 &&
              memcmp(r3, "hree", 4) == 0,
          "readv into 3+6+10 -> 13, split across the iovecs");
    struct iovec ev[2] = {{a1, 0}, {a2, 0}};
    CHECK(writev(sv[0], ev, 2) == 0, "writev of empty iovecs -> 0");

    /* ---- sendmsg / recvmsg ---- */
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = wv;
    m.msg_iovlen = 3;
    CHECK(sendmsg(sv[0], &m, 0) == 13, "sendmsg with 3 iovecs -> 13");
    CHECK(sendmsg(sv[0], &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 13, "sendmsg(MSG_DONTWAIT | MSG_NOSIGNAL) -> 13");
    struct sockaddr_un name;
    char ctl[64];
    char q1[5], q2[30];
    struct iovec qv[2] = {{q1, 5}, {q2, 30}};
    memset(&m, 0, sizeof m);
    memset(&name, 0x55, sizeof name);
    m.msg_name = &name;
    m.msg_namelen = sizeof name;
    m.msg_iov = qv;
    m.msg_iovlen = 2;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    m.msg_flags = 0x7f;
    n = recvmsg(sv[1], &m, 0);
    CHECK(n == 26 && memcmp(q1, "one-t", 5) == 0 && memcmp(q2, "wo-threeone-two-three", 21) == 0,
          "recvmsg into 5+30 -> 26 (both sendmsg payloads)");
    CHECK(m.msg_controllen == 0, "recvmsg: msg_controllen == 0 (no ancillary data)");
    CHECK(m.msg_flags == 0, "recvmsg: msg_flags == 0");
    CHECK(m.msg_namelen == 0, "recvmsg: msg_namelen == 0 (unnamed peer)");
    memset(&name, 0, sizeof name);
    name.sun_family = AF_UNIX;
    strcpy(name.sun_path, "/nonexistent/ucrun-socket");
    m.msg_namelen = sizeof name;
    m.msg_control = NULL;
    m.msg_controllen = 0;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EISCONN, "sendmsg with msg_name set on a connected stream socket");
    memset(&m, 0, sizeof m);
    m.msg_iov = qv;
    m.msg_iovlen = 2;
    CHECK_ERR(recvmsg(sv[1], &m, 0), EAGAIN, "recvmsg on an empty nonblocking socket");
    close_pair(sv);

    /* ---- SO_SNDBUF / SO_RCVBUF ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(getint(sv[0], SO_SNDBUF) > 0 && getint(sv[0], SO_RCVBUF) > 0, "default SO_SNDBUF and SO_RCVBUF > 0");
    out("arch: default SO_SNDBUF %d SO_RCVBUF %d\n", getint(sv[0], SO_SNDBUF), getint(sv[0], SO_RCVBUF));
    v = 4096;
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0, "setsockopt(SO_SNDBUF, 4096)");
    CHECK(getint(sv[0], SO_SNDBUF) == 8192, "getsockopt(SO_SNDBUF) -> 8192 (twice the value set)");
    CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &v, sizeof v) == 0, "setsockopt(SO_RCVBUF, 4096)");
    CHECK(getint(sv[1], SO_RCVBUF) == 8192, "getsockopt(SO_RCVBUF) -> 8192");
    v = 50000;
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0 && getint(sv[0], SO_SNDBUF) == 100000,
          "SO_SNDBUF 50000 -> 100000");
    /* the minimums are 2 * (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))) for SO_SNDBUF and
     * half that for SO_RCVBUF: 4608 and 2304 on this x86_64 kernel (and under qemu, which uses it) */
    v = 1;
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0, "setsockopt(SO_SNDBUF, 1)");
    CHECK(getint(sv[0], SO_SNDBUF) == 4608, "SO_SNDBUF rounds up to the minimum 4608");
    v = 0;
    CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &v, sizeof v) == 0, "setsockopt(SO_RCVBUF, 0)");
    CHECK(getint(sv[1], SO_RCVBUF) == 2304, "SO_RCVBUF rounds up to the minimum 2304");
    short sh = 4096;
    CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sh, sizeof sh), EINVAL, "setsockopt(SO_SNDBUF) with optlen 2");
    close_pair(sv);

    /* ---- a full send buffer ---- */
    make_pair(sv, SOCK_NONBLOCK);
    long total = 0;
    int sends = 0;
    while ((n = send(sv[0], big, sizeof big, 0)) > 0 && sends < 1000) {
        total += n;
        sends++;
    }
    CHECK(n == -1 && errno == EAGAIN, "64 KiB sends on a nonblocking socket end with EAGAIN");
    CHECK(total > 0, "something was written before EAGAIN");
    out("arch: a full socket took %ld bytes with the default buffer\n", total);
    CHECK(inq(sv[1]) == total, "FIONREAD on the peer == the bytes written");
    CHECK_ERR(send(sv[0], "x", 1, 0), EAGAIN, "even a 1-byte send");
    CHECK_ERR(write(sv[0], "x", 1), EAGAIN, "a 1-byte write");
    CHECK((revents(sv[0], ALL_EV) & POLLOUT) == 0, "poll: no POLLOUT while full");
    long got = 0, sum_ok = 1;
    while ((n = read(sv[1], sink, sizeof sink)) > 0) {
        for (long i = 0; i < n; i++)
            sum_ok &= sink[i] == big[(got + i) % sizeof big];
        got += n;
    }
    CHECK(got == total && sum_ok, "the peer reads back exactly what was written, in order");
    CHECK(revents(sv[0], ALL_EV) == POLLOUT, "drained: poll -> POLLOUT");
    CHECK(send(sv[0], big, 1000, 0) == 1000, "send works again");
    close_pair(sv);

    /* same with a blocking socket and MSG_DONTWAIT */
    make_pair(sv, 0);
    total = 0;
    while ((n = send(sv[0], big, sizeof big, MSG_DONTWAIT)) > 0)
        total += n;
    CHECK(n == -1 && errno == EAGAIN && total > 0, "blocking socket: send(MSG_DONTWAIT) fills it, then EAGAIN");
    CHECK(inq(sv[1]) == total, "FIONREAD on the peer == the bytes written");
    close_pair(sv);

    /* ---- shutdown(SHUT_WR) ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[0], "data", 4) == 4, "write \"data\"");
    CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown(sv[0], SHUT_WR)");
    CHECK_ERR(write(sv[0], "x", 1), EPIPE, "write on the shut-down side");
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "send(MSG_NOSIGNAL) on the shut-down side");
    CHECK(read(sv[1], buf, sizeof buf) == 4 && memcmp(buf, "data", 4) == 0, "peer reads the data");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "then 0 (EOF)");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "and 0 again");
    CHECK(write(sv[1], "back", 4) == 4, "the peer can still write");
    CHECK(read(sv[0], buf, sizeof buf) == 4 && memcmp(buf, "back", 4) == 0, "and sv[0] can still read");
    CHECK(shutdown(sv[0], SHUT_WR) == 0, "a second shutdown(SHUT_WR) -> 0");
    close_pair(sv);

    /* ---- shutdown(SHUT_RD) ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[1], "zz", 2) == 2, "peer writes \"zz\"");
    CHECK(shutdown(sv[0], SHUT_RD) == 0, "shutdown(sv[0], SHUT_RD)");
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "the peer's write");
    CHECK(read(sv[0], buf, sizeof buf) == 2, "sv[0] still reads what was queued before");
    CHECK(read(sv[0], buf, sizeof buf) == 0, "then 0, not EAGAIN");
    CHECK(write(sv[0], "y", 1) == 1, "sv[0] can still write");
    CHECK(read(sv[1], buf, sizeof buf) == 1, "and the peer reads it");
    close_pair(sv);

    /* ---- shutdown(SHUT_RDWR) ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[0], "to1", 3) == 3 && write(sv[1], "to0", 3) == 3, "one message each way");
    CHECK(shutdown(sv[0], SHUT_RDWR) == 0, "shutdown(sv[0], SHUT_RDWR)");
    CHECK_ERR(write(sv[0], "x", 1), EPIPE, "sv[0] write");
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "sv[1] write");
    CHECK(read(sv[0], buf, sizeof buf) == 3 && read(sv[0], buf, sizeof buf) == 0, "sv[0] reads its 3 bytes, then 0");
    CHECK(read(sv[1], buf, sizeof buf) == 3 && read(sv[1], buf, sizeof buf) == 0, "sv[1] reads its 3 bytes, then 0");
    close_pair(sv);

    /* ---- shutdown errors ---- */
    make_pair(sv, 0);
    CHECK_ERR(shutdown(-1, SHUT_RD), EBADF, "shutdown(-1)");
    CHECK_ERR(shutdown(999, SHUT_RD), EBADF, "shutdown(999) (never opened)");
    CHECK_ERR(shutdown(sv[0], 3), EINVAL, "shutdown(how 3)");
    CHECK_ERR(shutdown(sv[0], -1), EINVAL, "shutdown(how -1)");
    int file = openat(AT_FDCWD, "/dev/null", O_RDWR);
    if (file < 0)
        fatal("open /dev/null");
    int pp[2];
    if (pipe(pp) != 0)
        fatal("pipe");
    CHECK_ERR(shutdown(file, SHUT_RDWR), ENOTSOCK, "shutdown(/dev/null)");
    CHECK_ERR(shutdown(pp[0], SHUT_RD), ENOTSOCK, "shutdown(pipe)");
    CHECK_ERR(shutdown(file, 3), ENOTSOCK, "shutdown(/dev/null, how 3): ENOTSOCK before EINVAL");
    CHECK_ERR(send(pp[1], "x", 1, 0), ENOTSOCK, "send on a pipe");
    CHECK_ERR(recv(file, buf, 1, 0), ENOTSOCK, "recv on /dev/null");
    socklen_t len = sizeof v;
    CHECK_ERR(getsockopt(pp[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK, "getsockopt on a pipe");
    CHECK_ERR(setsockopt(file, SOL_SOCKET, SO_SNDBUF, &v, sizeof v), ENOTSOCK, "setsockopt on /dev/null");
    len = sizeof name;
    CHECK_ERR(getsockname(file, (struct sockaddr *)&name, &len), ENOTSOCK, "getsockname on /dev/null");
    close(pp[0]);
    close(pp[1]);
    close(file);
    int lone = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    /* Linux does not give ENOTCONN here for AF_UNIX: shutdown on an unconnected socket succeeds */
    CHECK(shutdown(lone, SHUT_RDWR) == 0, "shutdown(unconnected stream socket, SHUT_RDWR) -> 0 (no ENOTCONN)");
    CHECK_ERR(send(lone, "x", 1, 0), ENOTCONN, "send on an unconnected stream socket");
    CHECK_ERR(write(lone, "x", 1), ENOTCONN, "write on an unconnected stream socket");
    CHECK_ERR(recv(lone, buf, 1, 0), EINVAL, "recv on an unconnected stream socket");
    CHECK_ERR(read(lone, buf, 1), EINVAL, "read on an unconnected stream socket");
    len = sizeof name;
    CHECK_ERR(getpeername(lone, (struct sockaddr *)&name, &len), ENOTCONN, "getpeername on an unconnected socket");
    len = sizeof name;
    memset(&name, 0x55, sizeof name);
    CHECK(getsockname(lone, (struct sockaddr *)&name, &len) == 0 && len == sizeof(sa_family_t) &&
              name.sun_family == AF_UNIX,
          "getsockname on an unconnected socket -> AF_UNIX, addrlen 2");
    struct ucred cred;
    len = sizeof cred;
    CHECK(getsockopt(lone, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred && cred.pid == 0 &&
              cred.uid == (uid_t)-1 && cred.gid == (gid_t)-1,
          "SO_PEERCRED on an unconnected socket -> pid 0, uid -1, gid -1");
    close(lone);
    close_pair(sv);

    /* ---- peer closed ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[0], "last words", 10) == 10, "write 10 bytes, then close the writer");
    close(sv[0]);
    CHECK(revents(sv[1], ALL_EV) == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP),
          "poll on the survivor: POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
    CHECK(read(sv[1], buf, 4) == 4, "read 4 of the 10 queued bytes");
    CHECK(read(sv[1], buf, sizeof buf) == 6 && memcmp(buf, " words", 6) == 0, "read the other 6");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "then 0 (EOF), not EAGAIN");
    CHECK(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == 0, "recv(MSG_DONTWAIT) -> 0 too");
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "write to a closed peer (SIGPIPE ignored)");
    CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE, "send to a closed peer");
    CHECK(getint(sv[1], SO_ERROR) == 0, "SO_ERROR == 0 (a clean close)");
    signal(SIGPIPE, SIG_DFL);
    CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "send(MSG_NOSIGNAL) with SIGPIPE at SIG_DFL: no signal");
    struct msghdr sm;
    struct iovec one = {"x", 1};
    memset(&sm, 0, sizeof sm);
    sm.msg_iov = &one;
    sm.msg_iovlen = 1;
    CHECK_ERR(sendmsg(sv[1], &sm, MSG_NOSIGNAL), EPIPE, "sendmsg(MSG_NOSIGNAL) with SIGPIPE at SIG_DFL");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0, "block SIGPIPE");
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "write with SIGPIPE blocked (the signal stays pending)");
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "ignore SIGPIPE (discards the pending one)");
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "unblock SIGPIPE: still alive");
    close(sv[1]);

    /* ---- closed with unread data: ECONNRESET ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[1], "unread", 6) == 6, "sv[1] writes 6 bytes that sv[0] never reads");
    CHECK(write(sv[0], "kept", 4) == 4, "sv[0] writes 4 bytes for sv[1]");
    close(sv[0]);
    CHECK(revents(sv[1], ALL_EV) == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR),
          "poll on sv[1]: POLLIN|POLLOUT|POLLRDHUP|POLLHUP|POLLERR");
    CHECK(read(sv[1], buf, sizeof buf) == 4 && memcmp(buf, "kept", 4) == 0, "sv[1] first reads its own 4 bytes");
    CHECK_ERR(read(sv[1], buf, sizeof buf), ECONNRESET, "then read");
    CHECK(revents(sv[1], ALL_EV) == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP), "the error is gone from poll");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "then read -> 0");
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "write");
    close(sv[1]);
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[1], "unread", 6) == 6, "again: unread data, peer closed");
    close(sv[0]);
    CHECK_ERR(write(sv[1], "x", 1), EPIPE, "write (the pending ECONNRESET is not reported by write)");
    CHECK_ERR(read(sv[1], buf, sizeof buf), ECONNRESET, "read still reports the pending error");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "then 0");
    close(sv[1]);
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(write(sv[1], "unread", 6) == 6, "again: unread data, peer closed");
    close(sv[0]);
    CHECK(getint(sv[1], SO_ERROR) == ECONNRESET, "SO_ERROR -> ECONNRESET");
    CHECK(getint(sv[1], SO_ERROR) == 0, "reading SO_ERROR cleared it");
    CHECK(read(sv[1], buf, sizeof buf) == 0, "so read -> 0");
    close(sv[1]);

    /* ---- getsockopt ---- */
    make_pair(sv, 0);
    CHECK(getint(sv[0], SO_TYPE) == SOCK_STREAM, "SO_TYPE == SOCK_STREAM");
    CHECK(getint(sv[0], SO_DOMAIN) == AF_UNIX, "SO_DOMAIN == AF_UNIX");
    CHECK(getint(sv[0], SO_PROTOCOL) == 0, "SO_PROTOCOL == 0");
    CHECK(getint(sv[0], SO_ERROR) == 0, "SO_ERROR == 0");
    CHECK(getint(sv[0], SO_ACCEPTCONN) == 0, "SO_ACCEPTCONN == 0");
    memset(&cred, 0xff, sizeof cred);
    len = sizeof cred;
    CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred,
          "SO_PEERCRED -> %d bytes", (int)sizeof cred);
    CHECK(cred.pid == getpid() && cred.uid == getuid() && cred.gid == getgid(),
          "SO_PEERCRED: pid == getpid(), uid == getuid(), gid == getgid()");
    len = sizeof v;
    CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT, "getsockopt(unknown option 9999)");
    CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT, "setsockopt(unknown option 9999)");
    CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT, "setsockopt(SO_TYPE) (read-only)");
    CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &v, sizeof v), ENOPROTOOPT, "setsockopt(SO_PEERCRED)");
    len = sizeof v;
    CHECK_ERR(getsockopt(sv[0], 6 /* SOL_TCP */, 1, &v, &len), EOPNOTSUPP, "getsockopt(level SOL_TCP) on AF_UNIX");
    len = (socklen_t)-1;
    CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), EINVAL, "getsockopt with optlen -1");
    len = 0;
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && len == 0, "getsockopt with optlen 0 -> 0, optlen 0");
    long long wide = -1;
    len = sizeof wide;
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &wide, &len) == 0 && len == 4 && (int)wide == SOCK_STREAM,
          "getsockopt(SO_TYPE) with optlen 8 -> optlen 4");

    /* ---- names ---- */
    len = sizeof name;
    memset(&name, 0x55, sizeof name);
    CHECK(getsockname(sv[0], (struct sockaddr *)&name, &len) == 0 && len == 2 && name.sun_family == AF_UNIX,
          "getsockname on a pair -> AF_UNIX, addrlen 2");
    len = sizeof name;
    memset(&name, 0x55, sizeof name);
    CHECK(getpeername(sv[0], (struct sockaddr *)&name, &len) == 0 && len == 2 && name.sun_family == AF_UNIX,
          "getpeername on a pair -> AF_UNIX, addrlen 2");
    struct sockaddr_un to;
    memset(&to, 0, sizeof to);
    to.sun_family = AF_UNIX;
    strcpy(to.sun_path, "/nonexistent/ucrun-socket");
    CHECK_ERR(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&to, sizeof to), EISCONN,
              "sendto with an address on a connected stream socket");
    CHECK(sendto(sv[0], "x", 1, 0, NULL, 0) == 1, "sendto with no address -> 1");
    CHECK(sendto(sv[0], "y", 1, 0, (struct sockaddr *)&to, 0) == 1, "sendto with addrlen 0 -> 1 (address ignored)");
    len = sizeof name;
    memset(&name, 0x55, sizeof name);
    CHECK(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&name, &len) == 2 && len == 0,
          "recvfrom -> 2 bytes, addrlen 0 (unnamed peer)");

    /* ---- fstat, lseek, listen/accept ---- */
    struct stat st;
    CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_ISSOCK");
    CHECK_ERR(lseek(sv[0], 0, SEEK_SET), ESPIPE, "lseek on a socket");
    CHECK_ERR(lseek(sv[0], 0, SEEK_CUR), ESPIPE, "lseek(SEEK_CUR) on a socket");
    CHECK_ERR(pread(sv[1], buf, 1, 0), ESPIPE, "pread on a socket");
    CHECK_ERR(pwrite(sv[0], "x", 1, 0), ESPIPE, "pwrite on a socket");
    CHECK_ERR(listen(sv[0], 5), EINVAL, "listen on a connected socketpair stream socket");
    CHECK_ERR(accept(sv[0], NULL, NULL), EINVAL, "accept on a socketpair stream socket");
    close_pair(sv);
    return finish();
}
