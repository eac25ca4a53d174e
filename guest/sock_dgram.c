/* sock_dgram.c - AF_UNIX SOCK_DGRAM socketpairs: message boundaries, truncation (MSG_TRUNC
 * in msg_flags and as a recv flag), zero-length datagrams, MSG_PEEK, FIONREAD (size of the
 * next datagram), EMSGSIZE, shutdown (not shared with the peer), peer close (ECONNREFUSED,
 * then ENOTCONN; the old peer's queued datagrams are dropped), listen/accept -> EOPNOTSUPP.
 * Single process: empty sockets are only read nonblocking. Values checked on native Linux. */
#include "sock_common.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define TYPE SOCK_DGRAM

static char big[16384];

static void make_pair(int sv[2], int flags)
{
    if (socketpair(AF_UNIX, TYPE | flags, 0, sv) != 0)
        fatal("socketpair(AF_UNIX, SOCK_DGRAM)");
}

static int revents(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

int main(void)
{
    char buf[256];
    int sv[2], mf;
    ssize_t n;
    signal(SIGPIPE, SIG_IGN);

    /* ---- boundaries ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(getint(sv[0], SO_TYPE) == SOCK_DGRAM, "SO_TYPE == SOCK_DGRAM");
    CHECK(getint(sv[0], SO_DOMAIN) == AF_UNIX && getint(sv[0], SO_PROTOCOL) == 0 &&
              getint(sv[0], SO_ACCEPTCONN) == 0 && getint(sv[0], SO_ERROR) == 0,
          "SO_DOMAIN AF_UNIX, SO_PROTOCOL 0, SO_ACCEPTCONN 0, SO_ERROR 0");
    struct ucred cred;
    socklen_t len = sizeof cred;
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred &&
              cred.pid == getpid() && cred.uid == getuid() && cred.gid == getgid(),
          "SO_PEERCRED: our pid, uid, gid");
    CHECK(revents(sv[1]) == POLLOUT, "empty: poll -> POLLOUT");
    CHECK(inq(sv[1]) == 0, "empty: FIONREAD 0");
    CHECK(send(sv[0], "one", 3, 0) == 3, "send \"one\" (3)");
    CHECK(send(sv[0], "twotwo", 6, 0) == 6, "send \"twotwo\" (6)");
    CHECK(send(sv[0], "", 0, 0) == 0, "send \"\" (0)");
    CHECK(send(sv[0], "four", 4, 0) == 4, "send \"four\" (4)");
    CHECK(write(sv[0], "fifth", 5) == 5, "write \"fifth\" (5)");
    CHECK(revents(sv[1]) == (POLLIN | POLLOUT), "poll -> POLLIN|POLLOUT");
    CHECK(inq(sv[1]) == 3, "FIONREAD == 3: the size of the next datagram only");
    memset(buf, 0, sizeof buf);
    CHECK(recv(sv[1], buf, sizeof buf, MSG_PEEK) == 3 && memcmp(buf, "one", 3) == 0,
          "recv(MSG_PEEK) -> \"one\" (one record, not the whole queue)");
    CHECK(recv(sv[1], buf, 1, MSG_PEEK | MSG_TRUNC) == 3, "recv(1, MSG_PEEK | MSG_TRUNC) -> 3 (the real length)");
    CHECK(recv(sv[1], buf, sizeof buf, 0) == 3 && memcmp(buf, "one", 3) == 0, "recv -> \"one\": the peek consumed nothing");
    memset(buf, 0, sizeof buf);
    n = recv_flags(sv[1], buf, 3, 0, &mf);
    CHECK(n == 3 && memcmp(buf, "two", 3) == 0 && buf[3] == 0, "recvmsg into 3 bytes -> 3 (\"two\")");
    CHECK(mf == MSG_TRUNC, "recvmsg: msg_flags == MSG_TRUNC");
    CHECK(inq(sv[1]) == 0, "FIONREAD == 0: the next datagram is the empty one");
    CHECK(revents(sv[1]) == (POLLIN | POLLOUT), "but poll still says POLLIN");
    n = recv_flags(sv[1], buf, sizeof buf, 0, &mf);
    CHECK(n == 0 && mf == 0, "recvmsg -> 0: the zero-length datagram, msg_flags 0 (the rest of \"twotwo\" is gone)");
    CHECK(recv(sv[1], buf, 2, MSG_TRUNC) == 4, "recv(2, MSG_TRUNC) -> 4 (\"four\", full length)");
    memset(buf, 0, sizeof buf);
    CHECK(read(sv[1], buf, sizeof buf) == 5 && memcmp(buf, "fifth", 5) == 0, "read -> \"fifth\"");
    CHECK_ERR(recv(sv[1], buf, sizeof buf, 0), EAGAIN, "recv on the empty socket");
    CHECK(revents(sv[1]) == POLLOUT, "empty again: poll -> POLLOUT");

    /* zero-length reads */
    CHECK(send(sv[0], "abc", 3, 0) == 3, "send \"abc\"");
    CHECK(read(sv[1], buf, 0) == 0, "read(len 0) -> 0");
    CHECK(inq(sv[1]) == 3, "read(len 0) consumed nothing (FIONREAD 3)");
    CHECK(recv(sv[1], buf, 0, 0) == 0, "recv(len 0) -> 0");
    CHECK_ERR(recv(sv[1], buf, sizeof buf, 0), EAGAIN, "recv(len 0) consumed the datagram: recv");
    CHECK(send(sv[0], "abcdef", 6, 0) == 6 && send(sv[0], "next", 4, 0) == 4, "send \"abcdef\" and \"next\"");
    n = recv_flags(sv[1], buf, 2, MSG_TRUNC, &mf);
    CHECK(n == 6 && mf == MSG_TRUNC, "recvmsg(2 bytes, MSG_TRUNC) -> 6, msg_flags MSG_TRUNC");
    n = recv_flags(sv[1], buf, sizeof buf, MSG_TRUNC, &mf);
    CHECK(n == 4 && mf == 0, "recvmsg(256 bytes, MSG_TRUNC) -> 4, msg_flags 0");
    CHECK(send(sv[0], "abcdef", 6, 0) == 6, "send \"abcdef\"");
    CHECK(recv(sv[1], buf, sizeof buf, MSG_WAITALL) == 6, "recv(256, MSG_WAITALL) -> 6: one datagram");

    /* several iovecs */
    char a1[] = "head-", a2[] = "tail";
    struct iovec wv[2] = {{a1, 5}, {a2, 4}};
    CHECK(writev(sv[0], wv, 2) == 9, "writev 5+4 -> one 9-byte datagram");
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = wv;
    m.msg_iovlen = 2;
    CHECK(sendmsg(sv[0], &m, 0) == 9, "sendmsg 5+4 -> another 9-byte datagram");
    CHECK(inq(sv[1]) == 9, "FIONREAD 9");
    char r1[4], r2[10], ctl[64];
    struct iovec rv[2] = {{r1, 4}, {r2, 10}};
    struct sockaddr_un name;
    CHECK(readv(sv[1], rv, 2) == 9 && memcmp(r1, "head", 4) == 0 && memcmp(r2, "-tail", 5) == 0,
          "readv 4+10 -> 9");
    memset(&m, 0, sizeof m);
    m.msg_name = &name;
    m.msg_namelen = sizeof name;
    m.msg_iov = rv;
    m.msg_iovlen = 2;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    n = recvmsg(sv[1], &m, 0);
    CHECK(n == 9 && m.msg_namelen == 0 && m.msg_controllen == 0 && m.msg_flags == 0,
          "recvmsg -> 9, msg_namelen 0, msg_controllen 0, msg_flags 0");
    CHECK(send(sv[0], "x", 1, 0) == 1, "send 1 byte");
    len = sizeof name;
    CHECK(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&name, &len) == 1 && len == 0,
          "recvfrom -> 1, addrlen 0 (unnamed peer)");
    len = sizeof name;
    memset(&name, 0x55, sizeof name);
    CHECK(getsockname(sv[0], (struct sockaddr *)&name, &len) == 0 && len == 2 && name.sun_family == AF_UNIX,
          "getsockname -> AF_UNIX, addrlen 2");
    len = sizeof name;
    CHECK(getpeername(sv[0], (struct sockaddr *)&name, &len) == 0 && len == 2 && name.sun_family == AF_UNIX,
          "getpeername -> AF_UNIX, addrlen 2");

    /* ---- EMSGSIZE ---- */
    int v = 4096;
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0 && getint(sv[0], SO_SNDBUF) == 8192,
          "SO_SNDBUF 4096 -> 8192");
    /* Linux refuses a datagram longer than sk_sndbuf - 32 */
    CHECK_ERR(send(sv[0], big, 8192, 0), EMSGSIZE, "send an 8192-byte datagram (as big as the buffer)");
    CHECK_ERR(send(sv[0], big, 10000, 0), EMSGSIZE, "send a 10000-byte datagram");
    CHECK_ERR(send(sv[0], big, 8161, 0), EMSGSIZE, "send 8161 bytes (sndbuf - 31)");
    CHECK(send(sv[0], big, 8160, 0) == 8160, "send 8160 bytes (sndbuf - 32) -> 8160");
    CHECK(recv(sv[1], buf, 1, MSG_TRUNC) == 8160, "it arrives whole (recv(1, MSG_TRUNC) -> 8160)");
    CHECK_ERR(recv(sv[1], buf, 1, 0), EAGAIN, "nothing else queued");
    close_pair(sv);

    /* ---- shutdown: not passed on to the peer for datagram sockets ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(send(sv[1], "m1", 2, 0) == 2, "sv[1] sends \"m1\"");
    CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown(sv[0], SHUT_WR)");
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE, "sv[0] send");
    CHECK(revents(sv[1]) == POLLOUT, "sv[1]'s poll is unchanged (POLLOUT)");
    CHECK(send(sv[1], "m2", 2, 0) == 2, "sv[1] can still send");
    CHECK(recv(sv[0], buf, sizeof buf, 0) == 2 && recv(sv[0], buf, sizeof buf, 0) == 2,
          "sv[0] still receives both");
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "then recv");
    close_pair(sv);
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(send(sv[1], "m1", 2, 0) == 2, "sv[1] sends \"m1\"");
    CHECK(shutdown(sv[0], SHUT_RD) == 0, "shutdown(sv[0], SHUT_RD)");
    CHECK(revents(sv[0]) == (POLLIN | POLLOUT | POLLRDHUP), "sv[0] poll -> POLLIN|POLLOUT|POLLRDHUP");
    CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE, "sv[1] sends to the shut-down reader");
    CHECK(recv(sv[0], buf, sizeof buf, 0) == 2, "sv[0] still receives the queued \"m1\"");
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "then recv (not 0)");
    CHECK(send(sv[0], "y", 1, 0) == 1 && recv(sv[1], buf, sizeof buf, 0) == 1, "sv[0] -> sv[1] still works");
    close_pair(sv);
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(shutdown(sv[0], SHUT_RDWR) == 0, "shutdown(sv[0], SHUT_RDWR)");
    CHECK(revents(sv[0]) == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP), "sv[0] poll -> POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
    CHECK(revents(sv[1]) == POLLOUT, "sv[1] poll -> POLLOUT");
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE, "sv[0] send");
    CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE, "sv[1] send");
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "sv[0] recv");
    close_pair(sv);

    /* ---- peer closed ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(send(sv[1], "m1", 2, 0) == 2, "sv[1] sends \"m1\", then closes");
    close(sv[1]);
    CHECK(revents(sv[0]) == (POLLIN | POLLOUT), "poll -> POLLIN|POLLOUT (no POLLHUP for datagrams)");
    CHECK(inq(sv[0]) == 2, "FIONREAD 2");
    CHECK(recv(sv[0], buf, sizeof buf, 0) == 2, "the queued \"m1\" is still received");
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "then recv (nonblocking)");
    CHECK_ERR(read(sv[0], buf, sizeof buf), EAGAIN, "read");
    CHECK(getint(sv[0], SO_ERROR) == 0, "SO_ERROR 0");
    CHECK_ERR(write(sv[0], "x", 1), ECONNREFUSED, "write to the closed peer");
    CHECK_ERR(write(sv[0], "x", 1), ENOTCONN, "the refused write disconnected the socket: write");
    len = sizeof name;
    CHECK_ERR(getpeername(sv[0], (struct sockaddr *)&name, &len), ENOTCONN, "getpeername");
    close(sv[0]);
    make_pair(sv, SOCK_NONBLOCK);
    CHECK(send(sv[1], "m1", 2, 0) == 2 && send(sv[0], "m0", 2, 0) == 2, "one datagram each way, then close sv[1]");
    close(sv[1]);
    CHECK(getint(sv[0], SO_ERROR) == 0, "SO_ERROR 0 (no ECONNRESET for datagrams)");
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), ECONNREFUSED, "send(MSG_NOSIGNAL) to the closed peer");
    CHECK(revents(sv[0]) == POLLOUT, "poll -> POLLOUT: the datagram from the old peer was dropped");
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN, "recv");
    close(sv[0]);

    /* ---- unconnected ---- */
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    CHECK_ERR(send(s, "x", 1, 0), ENOTCONN, "send on an unconnected datagram socket");
    CHECK_ERR(recv(s, buf, 1, 0), EAGAIN, "recv on an unconnected datagram socket");
    CHECK(revents(s) == POLLOUT, "poll an unconnected datagram socket -> POLLOUT");
    CHECK(shutdown(s, SHUT_RDWR) == 0, "shutdown it -> 0");
    CHECK_ERR(send(s, "x", 1, 0), EPIPE, "then send");
    close(s);

    /* ---- listen / accept ---- */
    make_pair(sv, SOCK_NONBLOCK);
    CHECK_ERR(listen(sv[0], 5), EOPNOTSUPP, "listen on a datagram socket");
    CHECK_ERR(accept(sv[0], NULL, NULL), EOPNOTSUPP, "accept on a datagram socket");
    CHECK_ERR(lseek(sv[0], 0, SEEK_SET), ESPIPE, "lseek on a datagram socket");
    struct stat st;
    CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_ISSOCK");
    close_pair(sv);
    return finish();
}
