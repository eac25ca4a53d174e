/* unix_stream_server.c - connection-oriented AF_UNIX sockets with names.
 *
 * A forked client/server over a filesystem path and over an abstract name: the parent binds,
 * listens and accepts (accept, then accept4 with SOCK_CLOEXEC | SOCK_NONBLOCK, which only the
 * new fd gets); the child connects and both exchange messages (small ones and 256 KiB each
 * way). SO_PEERCRED on the accepted socket is the pid fork returned, on the client it is the
 * server's pid; getsockname/getpeername of both ends. Then, in one process: SO_ACCEPTCONN,
 * ECONNREFUSED before listen / for a stale node / a regular file, ENOENT for no file,
 * EPROTOTYPE for type mismatches, EISCONN, connecting a socket to itself, the backlog (how
 * many nonblocking connects succeed before EAGAIN, a blocking connect waits for accept),
 * a listener closed with unaccepted connections (their clients read ECONNRESET, then 0),
 * seqpacket listen/connect/accept with record boundaries, accept on an empty nonblocking
 * listener (EAGAIN), and poll on a listener (POLLIN while a connection is pending).
 * The child reports through its exit status (a bit per failed check); only the parent prints.
 * Values checked on native Linux 6.x. */
#include "sock_common.h"
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define BIG (256 * 1024)

static char g_tag[16];

static socklen_t abs_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ucrun-stream-%s-%s", name, g_tag);
    return SUN_OFF + 1 + (socklen_t)n;
}

static int peercred(int fd, struct ucred *uc)
{
    socklen_t len = sizeof *uc;
    memset(uc, 0, sizeof *uc);
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len) == 0 && len == sizeof *uc ? 0 : -1;
}

static int revents(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDHUP, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

static void wait_readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
}

static void wait_writable(int fd)
{
    struct pollfd p = {fd, POLLOUT, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
}

/* read exactly n bytes (waiting with poll on EAGAIN); returns n, or what arrived before EOF/error */
static long read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EAGAIN) {
            wait_readable(fd);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return (long)got;
}

static long write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, (const char *)buf + done, n - done);
        if (r < 0 && errno == EAGAIN) {
            wait_writable(fd);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)(x >> 7);
    }
}

/* ---- the forked client/server ---- */

enum {
    C_CONNECT = 1,   /* connect() succeeded */
    C_PEERNAME = 2,  /* getpeername == the server's address */
    C_SOCKNAME = 4,  /* getsockname: unnamed, addrlen 2 */
    C_PEERCRED = 8,  /* SO_PEERCRED pid == getppid(), uid/gid ours */
    C_HELLO = 16,    /* read the server's greeting */
    C_BIG = 32,      /* read 256 KiB from the server and checked them */
    C_EOF = 64,      /* read 0 once the server closed */
};

static unsigned char g_big[BIG], g_big2[BIG];

static int client(const struct sockaddr_un *addr, socklen_t len)
{
    int bad = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)addr, len) != 0)
        return C_CONNECT | C_PEERNAME | C_SOCKNAME | C_PEERCRED | C_HELLO | C_BIG | C_EOF;
    struct sockaddr_un a;
    if (name_of(fd, &a, 1) != (int)len || memcmp(&a, addr, len) != 0)
        bad |= C_PEERNAME;
    if (name_of(fd, &a, 0) != 2 || a.sun_family != AF_UNIX)
        bad |= C_SOCKNAME;
    struct ucred uc;
    if (peercred(fd, &uc) != 0 || uc.pid != getppid() || uc.uid != getuid() || uc.gid != getgid())
        bad |= C_PEERCRED;
    /* client speaks first, then the server answers */
    write_full(fd, "hello from the client", 21);
    char buf[64] = {0};
    if (read_full(fd, buf, 21) != 21 || memcmp(buf, "hello from the server", 21) != 0)
        bad |= C_HELLO;
    fill(g_big, BIG, 1);
    write_full(fd, g_big, BIG);
    if (read_full(fd, g_big2, BIG) != BIG)
        bad |= C_BIG;
    fill(g_big, BIG, 2);
    if (memcmp(g_big, g_big2, BIG) != 0)
        bad |= C_BIG;
    if (read(fd, buf, sizeof buf) != 0)
        bad |= C_EOF;
    close(fd);
    return bad;
}

static void client_server(const char *label, const struct sockaddr_un *addr, socklen_t len, int use_accept4)
{
    struct sockaddr_un a;
    struct ucred uc;
    int lfd = sock(SOCK_STREAM);
    CHECK(bind(lfd, (const struct sockaddr *)addr, len) == 0, "%s: server bind", label);
    CHECK(getint(lfd, SO_ACCEPTCONN) == 0, "%s: SO_ACCEPTCONN 0 before listen", label);
    int early = sock(SOCK_STREAM);
    CHECK_ERR(connect(early, (const struct sockaddr *)addr, len), ECONNREFUSED,
              "%s: connect while the server is bound but not listening", label);
    close(early);
    CHECK(listen(lfd, 4) == 0, "%s: listen", label);
    CHECK(getint(lfd, SO_ACCEPTCONN) == 1, "%s: SO_ACCEPTCONN 1 on the listener", label);
    CHECK(revents(lfd) == 0, "%s: poll on the idle listener: no events", label);

    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        close(lfd);
        _exit(client(addr, len));
    }

    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    memset(&peer, 0x5a, sizeof peer);
    int fd;
    if (use_accept4) {
        fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
        CHECK(fd >= 0, "%s: accept4(SOCK_CLOEXEC | SOCK_NONBLOCK)", label);
        CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
              "%s: the new fd is O_NONBLOCK and FD_CLOEXEC", label);
        CHECK(!(fcntl(lfd, F_GETFL) & O_NONBLOCK) && !(fcntl(lfd, F_GETFD) & FD_CLOEXEC),
              "%s: the listener is neither", label);
    } else {
        fd = accept(lfd, (struct sockaddr *)&peer, &plen);
        CHECK(fd >= 0, "%s: accept", label);
        CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
              "%s: the new fd is blocking and not FD_CLOEXEC", label);
    }
    if (fd < 0)
        fatal("accept");
    CHECK(plen == 2 && peer.sun_family == AF_UNIX, "%s: accept's address: the unnamed client, addrlen 2", label);
    CHECK(getint(fd, SO_ACCEPTCONN) == 0 && getint(fd, SO_TYPE) == SOCK_STREAM,
          "%s: accepted socket: SO_ACCEPTCONN 0, SO_TYPE SOCK_STREAM", label);
    CHECK(peercred(fd, &uc) == 0 && uc.pid == pid, "%s: SO_PEERCRED on the accepted socket: pid == fork()'s return",
          label);
    CHECK(uc.uid == getuid() && uc.gid == getgid(), "%s: SO_PEERCRED uid/gid == ours", label);
    CHECK(name_of(fd, &a, 0) == (int)len && memcmp(&a, addr, len) == 0,
          "%s: accepted socket's getsockname == the listener's address", label);
    CHECK(name_of(fd, &a, 1) == 2, "%s: accepted socket's getpeername: unnamed client, addrlen 2", label);
    CHECK(peercred(lfd, &uc) == 0 && uc.pid == getpid(), "%s: SO_PEERCRED on the listener: our own pid", label);

    char buf[64] = {0};
    CHECK(read_full(fd, buf, 21) == 21 && memcmp(buf, "hello from the client", 21) == 0,
          "%s: server reads the client's greeting", label);
    CHECK(write_full(fd, "hello from the server", 21) == 21, "%s: server answers", label);
    /* both sides send 256 KiB: the client first writes all of its, then reads ours */
    CHECK(read_full(fd, g_big2, BIG) == BIG, "%s: server reads 256 KiB", label);
    fill(g_big, BIG, 1);
    CHECK(memcmp(g_big, g_big2, BIG) == 0, "%s: ... and they are the client's bytes", label);
    fill(g_big, BIG, 2);
    CHECK(write_full(fd, g_big, BIG) == BIG, "%s: server writes 256 KiB back", label);
    close(fd);

    int code = waitstatus(pid);
    CHECK(code >= 0 && code < 128, "%s: client exited normally", label);
    if (code < 0 || code >= 128)
        code = 127;
    CHECK(!(code & C_CONNECT), "%s: client: connect", label);
    CHECK(!(code & C_PEERNAME), "%s: client: getpeername == the server's address", label);
    CHECK(!(code & C_SOCKNAME), "%s: client: getsockname unnamed, addrlen 2", label);
    CHECK(!(code & C_PEERCRED), "%s: client: SO_PEERCRED pid == getppid() (the server), uid/gid", label);
    CHECK(!(code & C_HELLO), "%s: client: read the server's answer", label);
    CHECK(!(code & C_BIG), "%s: client: read the server's 256 KiB", label);
    CHECK(!(code & C_EOF), "%s: client: read 0 after the server closed", label);
    close(lfd);
}

/* count nonblocking connects to lfd until one fails; the failing errno in *err */
static int fill_backlog(const struct sockaddr_un *addr, socklen_t len, int *fds, int max, int *err)
{
    int n = 0;
    *err = 0;
    while (n < max) {
        int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(c, (const struct sockaddr *)addr, len) != 0) {
            *err = errno;
            close(c);
            break;
        }
        fds[n++] = c;
    }
    return n;
}

int main(void)
{
    char dir[128], buf[64];
    struct sockaddr_un a, b;
    socklen_t alen, blen;
    int fds[64], err, n;
    signal(SIGPIPE, SIG_IGN);

    random_tag(g_tag, sizeof g_tag);
    make_tmpdir(dir, sizeof dir, "unix_stream_server");
    if (chdir(dir) != 0)
        fatal("chdir temp dir");

    /* ---- forked client/server: a path (accept) and an abstract name (accept4) ---- */
    alen = path_addr(&a, "server.sock");
    client_server("path", &a, alen, 0);
    x_unlink("server.sock");
    alen = abs_addr(&a, "server");
    client_server("abstract", &a, alen, 1);

    /* ---- connect errors ---- */
    alen = path_addr(&a, "l.sock");
    int lfd = sock(SOCK_STREAM);
    if (bind(lfd, (struct sockaddr *)&a, alen) != 0 || listen(lfd, 8) != 0)
        fatal("bind + listen l.sock");
    int c = sock(SOCK_STREAM);
    blen = path_addr(&b, "nothing-here");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ENOENT, "connect to a path with no file");
    if (write_file("regular", "x", 0644) != 0 || x_mkdir("dir", 0755) != 0)
        fatal("make regular file and dir");
    blen = path_addr(&b, "regular");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED, "connect to a regular file");
    blen = path_addr(&b, "dir");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED, "connect to a directory");
    blen = path_addr(&b, "regular/x");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ENOTDIR, "connect to \"regular/x\"");
    b.sun_family = AF_INET;
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), EINVAL, "connect with sun_family AF_INET");
    CHECK_ERR(connect(c, (struct sockaddr *)&a, 1), EINVAL, "connect with addrlen 1");
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a + 1), EINVAL, "connect with addrlen sizeof(sockaddr_un) + 1");

    int d = sock(SOCK_DGRAM);
    blen = path_addr(&b, "dgram.sock");
    if (bind(d, (struct sockaddr *)&b, blen) != 0)
        fatal("bind dgram.sock");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), EPROTOTYPE, "stream connect to a datagram socket's path");
    int sp = sock(SOCK_SEQPACKET);
    CHECK_ERR(connect(sp, (struct sockaddr *)&a, alen), EPROTOTYPE, "seqpacket connect to a stream listener's path");
    close(sp);
    int d2 = sock(SOCK_DGRAM);
    CHECK_ERR(connect(d2, (struct sockaddr *)&a, alen), EPROTOTYPE, "datagram connect to a stream listener's path");
    close(d2);
    close(d);
    /* abstract names are looked up per type, so a mismatch finds nothing */
    blen = abs_addr(&b, "dgram");
    d = sock(SOCK_DGRAM);
    if (bind(d, (struct sockaddr *)&b, blen) != 0)
        fatal("bind abstract dgram");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED,
              "stream connect to an abstract name only a datagram socket has");
    close(d);

    CHECK(connect(c, (struct sockaddr *)&a, alen) == 0, "connect to the listener");
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), EISCONN, "a second connect");
    blen = abs_addr(&b, "other");
    int other = sock(SOCK_STREAM);
    if (bind(other, (struct sockaddr *)&b, blen) != 0 || listen(other, 1) != 0)
        fatal("bind + listen other");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), EISCONN, "a second connect to another listener");
    CHECK_ERR(accept4(other, NULL, NULL, 0x1), EINVAL, "accept4 with an unknown flag");
    close(other);
    /* net/unix/af_unix.c: unix_stream_connect looks the target up before checking our state */
    blen = path_addr(&b, "regular");
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED,
              "a second connect to a regular file: the lookup fails first (ECONNREFUSED, not EISCONN)");
    int acc = accept(lfd, NULL, NULL);
    CHECK(acc >= 0, "accept it");
    CHECK_ERR(connect(acc, (struct sockaddr *)&a, alen), EISCONN, "connect on the accepted socket");
    close(acc);
    close(c);

    /* a socket connecting to itself */
    CHECK_ERR(connect(lfd, (struct sockaddr *)&a, alen), EINVAL, "the listener connecting to its own address");
    int self = sock(SOCK_STREAM);
    blen = path_addr(&b, "self.sock");
    if (bind(self, (struct sockaddr *)&b, blen) != 0)
        fatal("bind self.sock");
    CHECK_ERR(connect(self, (struct sockaddr *)&b, blen), ECONNREFUSED,
              "a bound, non-listening socket connecting to its own address");
    CHECK(listen(self, 1) == 0, "it can still listen afterwards");
    close(self);
    CHECK_ERR(accept(c = sock(SOCK_STREAM), NULL, NULL), EINVAL, "accept on a socket that is not listening");
    close(c);

    /* ---- accept / poll on an empty nonblocking listener ---- */
    int nl = sock(SOCK_STREAM | SOCK_NONBLOCK);
    blen = path_addr(&b, "nb.sock");
    if (bind(nl, (struct sockaddr *)&b, blen) != 0 || listen(nl, 4) != 0)
        fatal("bind + listen nb.sock");
    CHECK_ERR(accept(nl, NULL, NULL), EAGAIN, "accept on an empty nonblocking listener");
    CHECK_ERR(accept4(nl, NULL, NULL, SOCK_CLOEXEC), EAGAIN, "accept4 on it");
    CHECK(revents(nl) == 0, "poll on the empty listener: 0 (a listener is never writable)");
    c = sock(SOCK_STREAM | SOCK_NONBLOCK);
    CHECK(connect(c, (struct sockaddr *)&b, blen) == 0, "a nonblocking connect completes at once (returns 0)");
    CHECK(revents(nl) == POLLIN, "poll on the listener: POLLIN with one pending");
    struct pollfd pf = {nl, POLLIN, 0};
    CHECK(poll(&pf, 1, 1000) == 1 && pf.revents == POLLIN, "poll(POLLIN, 1 s) returns at once");
    CHECK(revents(c) == POLLOUT, "the connected but unaccepted client: POLLOUT");
    CHECK(write(c, "early", 5) == 5, "the client can write before accept");
    acc = accept(nl, NULL, NULL);
    CHECK(acc >= 0, "accept");
    CHECK(recv(acc, buf, sizeof buf, MSG_DONTWAIT) == 5 && memcmp(buf, "early", 5) == 0, "the accepted socket reads what was sent before accept");
    CHECK(!(fcntl(acc, F_GETFL) & O_NONBLOCK), "accept's new fd does not inherit O_NONBLOCK from the listener");
    CHECK(revents(nl) == 0, "poll on the listener after accept: 0");
    close(acc);
    close(c);
    close(nl);

    /* ---- the backlog ---- */
    nl = sock(SOCK_STREAM);
    blen = path_addr(&b, "backlog.sock");
    if (bind(nl, (struct sockaddr *)&b, blen) != 0 || listen(nl, 1) != 0)
        fatal("bind + listen(1) backlog.sock");
    n = fill_backlog(&b, blen, fds, 64, &err);
    CHECK(n == 2 && err == EAGAIN, "listen(fd, 1): %d nonblocking connects succeed, then %s (queue > backlog is full)", n,
          errname(err));
    acc = accept(nl, NULL, NULL);
    c = sock(SOCK_STREAM | SOCK_NONBLOCK);
    CHECK(acc >= 0 && connect(c, (struct sockaddr *)&b, blen) == 0, "after one accept another connect succeeds");
    int c2 = sock(SOCK_STREAM | SOCK_NONBLOCK);
    CHECK_ERR(connect(c2, (struct sockaddr *)&b, blen), EAGAIN, "and the next is refused again");
    close(c2);
    /* a blocking connect waits until the server accepts */
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        int cc = socket(AF_UNIX, SOCK_STREAM, 0);
        int rr = connect(cc, (struct sockaddr *)&b, blen);
        _exit(rr == 0 ? 0 : 1);
    }
    sleep_ms(100);
    int st;
    CHECK(waitpid(pid, &st, WNOHANG) == 0, "a blocking connect to the full listener waits (child still running)");
    int acc2 = accept(nl, NULL, NULL);
    CHECK(acc2 >= 0, "the server accepts one");
    CHECK(waitstatus(pid) == 0, "then the child's blocking connect returns 0");
    close(acc2);
    close(acc);
    close(c);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(nl);

    nl = sock(SOCK_STREAM);
    blen = path_addr(&b, "backlog0.sock");
    if (bind(nl, (struct sockaddr *)&b, blen) != 0 || listen(nl, 0) != 0)
        fatal("bind + listen(0)");
    n = fill_backlog(&b, blen, fds, 64, &err);
    CHECK(n == 1 && err == EAGAIN, "listen(fd, 0): %d nonblocking connect succeeds, then %s", n, errname(err));
    CHECK(listen(nl, 3) == 0, "listen again with backlog 3 (a listener may change its backlog)");
    int m = fill_backlog(&b, blen, fds + n, 64 - n, &err);
    CHECK(n + m == 4 && err == EAGAIN, "now %d pending in all before %s", n + m, errname(err));
    n += m;

    /* ---- listener closed with unaccepted connections ---- */
    for (int i = 0; i < n; i++)
        write(fds[i], "lost", 4);
    close(nl);
    CHECK(revents(fds[0]) == (POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP),
          "poll on a client whose listener closed: POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP (got 0x%x)", revents(fds[0]));
    CHECK(getint(fds[1], SO_ERROR) == ECONNRESET, "SO_ERROR on another -> ECONNRESET (and clears it)");
    CHECK(read(fds[1], buf, sizeof buf) == 0, "... whose read then returns 0");
    CHECK_ERR(read(fds[0], buf, sizeof buf), ECONNRESET, "an unaccepted client's read");
    CHECK(read(fds[0], buf, sizeof buf) == 0, "then read -> 0");
    CHECK(read(fds[0], buf, sizeof buf) == 0, "and 0 again");
    CHECK_ERR(write(fds[0], "x", 1), EPIPE, "its write");
    CHECK_ERR(read(fds[2], buf, sizeof buf), ECONNRESET, "another client's read");
    CHECK_ERR(write(fds[3], "x", 1), EPIPE, "a client that writes first");
    CHECK_ERR(read(fds[3], buf, sizeof buf), ECONNRESET, "its read still reports the reset");
    for (int i = 0; i < n; i++)
        close(fds[i]);
    c = sock(SOCK_STREAM);
    CHECK_ERR(connect(c, (struct sockaddr *)&b, blen), ECONNREFUSED, "connect to the closed listener's path");
    close(c);

    /* ---- seqpacket ---- */
    int sl = sock(SOCK_SEQPACKET);
    blen = path_addr(&b, "seq.sock");
    CHECK(bind(sl, (struct sockaddr *)&b, blen) == 0 && listen(sl, 2) == 0, "seqpacket bind + listen");
    CHECK(getint(sl, SO_ACCEPTCONN) == 1, "seqpacket listener: SO_ACCEPTCONN 1");
    c = sock(SOCK_SEQPACKET);
    CHECK(connect(c, (struct sockaddr *)&b, blen) == 0, "seqpacket connect");
    int sc = sock(SOCK_STREAM);
    CHECK_ERR(connect(sc, (struct sockaddr *)&b, blen), EPROTOTYPE, "stream connect to the seqpacket listener");
    close(sc);
    acc = accept4(sl, NULL, NULL, SOCK_NONBLOCK);
    CHECK(acc >= 0 && getint(acc, SO_TYPE) == SOCK_SEQPACKET, "accept4: the new socket is SOCK_SEQPACKET");
    struct ucred uc;
    CHECK(peercred(acc, &uc) == 0 && uc.pid == getpid(), "SO_PEERCRED of the accepted socket: our pid");
    CHECK(send(c, "one", 3, 0) == 3 && send(c, "two!", 4, 0) == 4 && send(c, "", 0, 0) == 0 &&
              send(c, "three", 5, 0) == 5,
          "client sends \"one\", \"two!\", \"\" and \"three\"");
    CHECK(recv(acc, buf, sizeof buf, 0) == 3 && memcmp(buf, "one", 3) == 0, "server recv -> \"one\" (3)");
    CHECK(recv(acc, buf, sizeof buf, 0) == 4 && memcmp(buf, "two!", 4) == 0, "server recv -> \"two!\" (4)");
    CHECK(recv(acc, buf, sizeof buf, 0) == 0, "server recv -> the empty record (0)");
    CHECK(recv(acc, buf, 2, 0) == 2 && memcmp(buf, "th", 2) == 0, "server recv(2) -> \"th\", rest of the record dropped");
    CHECK_ERR(recv(acc, buf, sizeof buf, 0), EAGAIN, "nothing left");
    CHECK(send(acc, "reply", 5, 0) == 5 && recv(c, buf, sizeof buf, MSG_DONTWAIT) == 5 && memcmp(buf, "reply", 5) == 0,
          "server -> client record");
    close(acc);
    CHECK(recv(c, buf, sizeof buf, MSG_DONTWAIT) == 0, "after the server closes, the client reads 0");
    CHECK_ERR(send(c, "x", 1, 0), EPIPE, "and its send");
    close(c);
    close(sl);

    close(lfd);
    CHECK(rm_tmpdir(dir) == 0, "remove the temp dir and everything in it");
    return finish();
}
