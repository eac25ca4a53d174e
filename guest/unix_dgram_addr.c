/* unix_dgram_addr.c - AF_UNIX SOCK_DGRAM with addresses: sendto/recvfrom between named
 * (filesystem path) and abstract sockets, recvfrom/recvmsg returning the sender's address
 * (addrlen 0 for an unnamed sender), the errors of sendto (ENOENT, ECONNREFUSED, EPROTOTYPE,
 * ENOTCONN), connect() filtering what a receiver accepts (others get EPERM), reconnecting and
 * AF_UNSPEC dropping the queue, ECONNREFUSED once the target is gone (its node still
 * exists), a many-to-one server (5 forked clients x 100 datagrams, all accounted for, in
 * order per client), and a full receiver queue (max_dgram_qlen): EAGAIN with MSG_DONTWAIT,
 * a blocking sendto that waits for the reader, poll without POLLOUT.
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

#define NCLIENTS 5
#define PER_CLIENT 100

static char g_tag[16];

static socklen_t abs_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ucrun-dgram-%s-%s", name, g_tag);
    return SUN_OFF + 1 + (socklen_t)n;
}

/* a datagram socket bound to addr (or unbound if addr is NULL) */
static int dsock(const struct sockaddr_un *addr, socklen_t len)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0)
        fatal("socket(AF_UNIX, SOCK_DGRAM)");
    if (addr && bind(fd, (const struct sockaddr *)addr, len) != 0)
        fatal("bind");
    return fd;
}

/* recvfrom(MSG_DONTWAIT) into buf; stores the sender's address length in *alen */
static ssize_t rfrom(int fd, char *buf, size_t n, struct sockaddr_un *from, socklen_t *alen)
{
    memset(from, 0x5a, sizeof *from);
    *alen = sizeof *from;
    return recvfrom(fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)from, alen);
}

static int revents(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

struct rec {
    int client;
    int seq;
    char pad[40];
};

int main(void)
{
    char dir[128], buf[256];
    struct sockaddr_un sa, ca, from, xa;
    socklen_t salen, calen, flen, xalen;
    ssize_t n;
    signal(SIGPIPE, SIG_IGN);

    random_tag(g_tag, sizeof g_tag);
    make_tmpdir(dir, sizeof dir, "unix_dgram_addr");
    if (chdir(dir) != 0)
        fatal("chdir temp dir");

    /* ---- named <-> named ---- */
    salen = path_addr(&sa, "srv.sock");
    calen = path_addr(&ca, "cli.sock");
    int srv = dsock(&sa, salen), cli = dsock(&ca, calen);
    CHECK(sendto(cli, "ping", 4, 0, (struct sockaddr *)&sa, salen) == 4, "path: client sendto(\"srv.sock\") -> 4");
    n = rfrom(srv, buf, sizeof buf, &from, &flen);
    CHECK(n == 4 && memcmp(buf, "ping", 4) == 0, "path: server recvfrom -> \"ping\"");
    CHECK(flen == calen && memcmp(&from, &ca, calen) == 0, "path: the sender's address is \"cli.sock\", addrlen %d",
          (int)calen);
    CHECK(sendto(srv, "pong", 4, 0, (struct sockaddr *)&from, flen) == 4, "path: server answers to that address");
    n = rfrom(cli, buf, sizeof buf, &from, &flen);
    CHECK(n == 4 && memcmp(buf, "pong", 4) == 0 && flen == salen && memcmp(&from, &sa, salen) == 0,
          "path: client recvfrom -> \"pong\" from \"srv.sock\"");
    /* recvmsg's msg_name, and a short address buffer */
    CHECK(sendto(cli, "two", 3, 0, (struct sockaddr *)&sa, salen) == 3, "path: sendto again");
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    memset(&from, 0x5a, sizeof from);
    m.msg_name = &from;
    m.msg_namelen = 5;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    n = recvmsg(srv, &m, MSG_DONTWAIT);
    /* (qemu-user 7.2 copies the whole address into the 5-byte msg_name here, so only the
     * length is checked; the truncated copy is checked with recvfrom below) */
    CHECK(n == 3 && m.msg_namelen == calen && memcmp(from.sun_path, "cli", 3) == 0,
          "path: recvmsg with msg_namelen 5 -> msg_namelen %d (the full length)", (int)calen);
    CHECK(sendto(cli, "tw2", 3, 0, (struct sockaddr *)&sa, salen) == 3, "path: sendto again");
    memset(&from, 0x5a, sizeof from);
    flen = 5;
    n = recvfrom(srv, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
    CHECK(n == 3 && flen == calen && memcmp(from.sun_path, "cli", 3) == 0 && (unsigned char)from.sun_path[3] == 0x5a,
          "path: recvfrom with addrlen 5: 5 bytes copied, addrlen %d returned", (int)calen);
    CHECK(sendto(cli, "3", 1, 0, (struct sockaddr *)&sa, salen) == 1 &&
              recvfrom(srv, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL) == 1,
          "path: recvfrom with a NULL address");
    CHECK_ERR(send(cli, "x", 1, 0), ENOTCONN, "send() without an address on an unconnected datagram socket");
    CHECK_ERR(write(cli, "x", 1), ENOTCONN, "write() on it");

    /* ---- abstract <-> abstract, and mixed ---- */
    struct sockaddr_un aa, ab;
    socklen_t aalen = abs_addr(&aa, "srv"), ablen = abs_addr(&ab, "cli");
    int asrv = dsock(&aa, aalen), acli = dsock(&ab, ablen);
    CHECK(sendto(acli, "hello", 5, 0, (struct sockaddr *)&aa, aalen) == 5, "abstract: sendto the server's name");
    n = rfrom(asrv, buf, sizeof buf, &from, &flen);
    CHECK(n == 5 && flen == ablen && memcmp(&from, &ab, ablen) == 0 && from.sun_path[0] == 0,
          "abstract: recvfrom -> the client's abstract name, addrlen offsetof + %d", (int)(ablen - SUN_OFF));
    CHECK(sendto(asrv, "back", 4, 0, (struct sockaddr *)&from, flen) == 4, "abstract: server answers to it");
    n = rfrom(acli, buf, sizeof buf, &from, &flen);
    CHECK(n == 4 && flen == aalen && memcmp(&from, &aa, aalen) == 0, "abstract: client recvfrom -> from the server's name");
    CHECK(sendto(cli, "mix", 3, 0, (struct sockaddr *)&aa, aalen) == 3, "mixed: the path-named client sends to the abstract server");
    n = rfrom(asrv, buf, sizeof buf, &from, &flen);
    CHECK(n == 3 && flen == calen && memcmp(&from, &ca, calen) == 0, "mixed: recvfrom reports \"cli.sock\"");
    CHECK(sendto(acli, "mix2", 4, 0, (struct sockaddr *)&sa, salen) == 4, "mixed: the abstract client sends to \"srv.sock\"");
    n = rfrom(srv, buf, sizeof buf, &from, &flen);
    CHECK(n == 4 && flen == ablen && memcmp(&from, &ab, ablen) == 0, "mixed: recvfrom reports the abstract name");

    /* ---- an unnamed sender ---- */
    int anon = dsock(NULL, 0);
    CHECK(sendto(anon, "anon", 4, 0, (struct sockaddr *)&sa, salen) == 4, "unnamed: sendto from an unbound socket");
    n = rfrom(srv, buf, sizeof buf, &from, &flen);
    CHECK(n == 4 && flen == 0, "unnamed: recvfrom -> addrlen 0");
    CHECK(sendto(anon, "anon", 4, 0, (struct sockaddr *)&sa, salen) == 4, "unnamed: again");
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    CHECK(recvmsg(srv, &m, MSG_DONTWAIT) == 4 && m.msg_namelen == 0, "unnamed: recvmsg -> msg_namelen 0");
    socklen_t gl = sizeof from;
    CHECK(getsockname(anon, (struct sockaddr *)&from, &gl) == 0 && gl == 2, "unnamed: the sender is still unnamed");

    /* ---- sendto errors ---- */
    xalen = path_addr(&xa, "nobody.sock");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), ENOENT, "sendto a path with no file");
    if (write_file("regular", "x", 0644) != 0)
        fatal("write_file");
    xalen = path_addr(&xa, "regular");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), ECONNREFUSED, "sendto a regular file");
    xalen = abs_addr(&xa, "nobody");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), ECONNREFUSED, "sendto an abstract name nobody has");
    int lst = socket(AF_UNIX, SOCK_STREAM, 0);
    xalen = path_addr(&xa, "stream.sock");
    if (bind(lst, (struct sockaddr *)&xa, xalen) != 0 || listen(lst, 1) != 0)
        fatal("stream listener");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), EPROTOTYPE, "sendto a stream listener's path");
    close(lst);
    xalen = path_addr(&xa, "x");
    xa.sun_family = AF_INET;
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), EINVAL, "sendto with sun_family AF_INET");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&sa, 1), EINVAL, "sendto with addrlen 1");

    /* ---- connect() filters the peer ---- */
    struct sockaddr_un ra, pa, ta;
    socklen_t ralen = path_addr(&ra, "r.sock"), palen = path_addr(&pa, "p.sock"), talen = path_addr(&ta, "t.sock");
    int rs = dsock(&ra, ralen), ps = dsock(&pa, palen), ts = dsock(&ta, talen);
    CHECK(sendto(ts, "early", 5, 0, (struct sockaddr *)&ra, ralen) == 5, "connect: a third socket sends before the connect");
    CHECK(connect(rs, (struct sockaddr *)&pa, palen) == 0, "connect: the receiver connects to \"p.sock\"");
    gl = sizeof from;
    CHECK(getpeername(rs, (struct sockaddr *)&from, &gl) == 0 && gl == palen && memcmp(&from, &pa, palen) == 0,
          "connect: getpeername -> \"p.sock\"");
    CHECK_ERR(sendto(ts, "x", 1, 0, (struct sockaddr *)&ra, ralen), EPERM,
              "connect: a third socket's sendto the connected receiver");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&ra, ralen), EPERM, "connect: an unnamed socket's too");
    CHECK(sendto(ps, "from-p", 6, 0, (struct sockaddr *)&ra, ralen) == 6, "connect: the peer's sendto is accepted");
    n = rfrom(rs, buf, sizeof buf, &from, &flen);
    CHECK(n == 5 && memcmp(buf, "early", 5) == 0 && flen == talen,
          "connect: a datagram queued before the connect is still delivered");
    n = rfrom(rs, buf, sizeof buf, &from, &flen);
    CHECK(n == 6 && memcmp(buf, "from-p", 6) == 0 && flen == palen && memcmp(&from, &pa, palen) == 0,
          "connect: then the peer's datagram, from \"p.sock\"");
    CHECK(send(rs, "reply", 5, 0) == 5, "connect: send() without an address goes to the peer");
    n = rfrom(ps, buf, sizeof buf, &from, &flen);
    CHECK(n == 5 && memcmp(buf, "reply", 5) == 0 && flen == ralen, "connect: the peer gets it, from \"r.sock\"");
    CHECK(sendto(rs, "other", 5, 0, (struct sockaddr *)&ta, talen) == 5,
          "connect: sendto with an explicit address on a connected socket goes there");
    n = rfrom(ts, buf, sizeof buf, &from, &flen);
    CHECK(n == 5 && memcmp(buf, "other", 5) == 0, "connect: the third socket receives it");
    /* reconnecting elsewhere drops what the old peer had queued */
    CHECK(sendto(ps, "stale", 5, 0, (struct sockaddr *)&ra, ralen) == 5, "reconnect: the peer queues one more");
    CHECK(connect(rs, (struct sockaddr *)&ta, talen) == 0, "reconnect: the receiver connects to \"t.sock\" instead");
    CHECK_ERR(rfrom(rs, buf, sizeof buf, &from, &flen), EAGAIN, "reconnect: the old peer's queued datagram was dropped");
    CHECK_ERR(sendto(ps, "x", 1, 0, (struct sockaddr *)&ra, ralen), EPERM, "reconnect: the old peer is now refused");
    CHECK(sendto(ts, "new", 3, 0, (struct sockaddr *)&ra, ralen) == 3, "reconnect: the new peer is accepted");
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNSPEC;
    CHECK(connect(rs, (struct sockaddr *)&un, sizeof(sa_family_t)) == 0, "connect(AF_UNSPEC) dissolves the association");
    CHECK_ERR(rfrom(rs, buf, sizeof buf, &from, &flen), EAGAIN, "AF_UNSPEC: the queued datagram was dropped too");
    gl = sizeof from;
    CHECK_ERR(getpeername(rs, (struct sockaddr *)&from, &gl), ENOTCONN, "AF_UNSPEC: getpeername");
    CHECK_ERR(send(rs, "x", 1, 0), ENOTCONN, "AF_UNSPEC: send() without an address");
    CHECK(sendto(ps, "again", 5, 0, (struct sockaddr *)&ra, ralen) == 5 &&
              sendto(anon, "anon", 4, 0, (struct sockaddr *)&ra, ralen) == 4,
          "AF_UNSPEC: anyone may send to it again");
    CHECK(rfrom(rs, buf, sizeof buf, &from, &flen) == 5 && rfrom(rs, buf, sizeof buf, &from, &flen) == 4,
          "AF_UNSPEC: both arrive");
    CHECK(connect(rs, (struct sockaddr *)&un, sizeof(sa_family_t)) == 0, "AF_UNSPEC on an unconnected socket -> 0");
    close(ps);
    close(ts);

    /* ---- the target goes away ---- */
    struct sockaddr_un ga;
    socklen_t galen = path_addr(&ga, "gone.sock");
    int gs = dsock(&ga, galen);
    int conn = dsock(NULL, 0);
    CHECK(connect(conn, (struct sockaddr *)&ga, galen) == 0, "gone: a sender connects to \"gone.sock\"");
    CHECK(send(conn, "q", 1, 0) == 1, "gone: and queues one datagram");
    close(gs);
    struct stat st;
    CHECK(stat("gone.sock", &st) == 0 && S_ISSOCK(st.st_mode), "gone: the receiver closed, its node still exists");
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&ga, galen), ECONNREFUSED, "gone: sendto its path");
    int c2 = dsock(NULL, 0);
    CHECK_ERR(connect(c2, (struct sockaddr *)&ga, galen), ECONNREFUSED, "gone: connect to its path");
    close(c2);
    CHECK_ERR(send(conn, "x", 1, 0), ECONNREFUSED, "gone: the connected sender's send");
    CHECK_ERR(send(conn, "x", 1, 0), ENOTCONN, "gone: then it is disconnected: send again");
    close(conn);
    xalen = abs_addr(&xa, "gone");
    gs = dsock(&xa, xalen);
    close(gs);
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&xa, xalen), ECONNREFUSED, "gone: sendto a closed abstract name");

    /* ---- a full receiver queue ---- */
    struct sockaddr_un qa;
    socklen_t qalen = path_addr(&qa, "q.sock");
    int qs = dsock(&qa, qalen);
    int cnt = 0;
    while (cnt < 1000 && sendto(anon, "0123456789", 10, MSG_DONTWAIT, (struct sockaddr *)&qa, qalen) == 10)
        cnt++;
    int e = errno;
    CHECK(cnt >= 10 && cnt < 1000 && e == EAGAIN, "full: at least 10 small datagrams queue, then sendto(MSG_DONTWAIT) -> EAGAIN");
    out("arch: full: %d datagrams queued before EAGAIN (max_dgram_qlen + 1 on Linux)\n", cnt);
    CHECK_ERR(sendto(ps = dsock(NULL, 0), "x", 1, MSG_DONTWAIT, (struct sockaddr *)&qa, qalen), EAGAIN,
              "full: another sender is refused too (the limit is the receiver's)");
    close(ps);
    int fl = fcntl(anon, F_GETFL);
    fcntl(anon, F_SETFL, fl | O_NONBLOCK);
    CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&qa, qalen), EAGAIN, "full: sendto on an O_NONBLOCK socket");
    fcntl(anon, F_SETFL, fl);
    int qc = dsock(NULL, 0);
    CHECK(connect(qc, (struct sockaddr *)&qa, qalen) == 0, "full: connect a sender to the full receiver");
    CHECK(revents(qc) == 0, "full: poll on that sender: no POLLOUT");
    CHECK(rfrom(qs, buf, sizeof buf, &from, &flen) == 10, "full: the receiver reads one");
    CHECK(revents(qc) == POLLOUT, "full: now POLLOUT");
    CHECK(send(qc, "x", 1, MSG_DONTWAIT) == 1, "full: and one more fits");
    CHECK_ERR(send(qc, "x", 1, MSG_DONTWAIT), EAGAIN, "full: then it is full again");
    /* a blocking sender waits until the receiver reads */
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0)
        _exit(sendto(anon, "blocked", 7, 0, (struct sockaddr *)&qa, qalen) == 7 ? 0 : 1);
    sleep_ms(100);
    int wst;
    CHECK(waitpid(pid, &wst, WNOHANG) == 0, "full: a blocking sendto waits (the child is still running)");
    CHECK(rfrom(qs, buf, sizeof buf, &from, &flen) == 10, "full: the receiver reads one");
    CHECK(waitstatus(pid) == 0, "full: the child's sendto then completes");
    int total = 0, last = 0;
    while ((n = rfrom(qs, buf, sizeof buf, &from, &flen)) >= 0) {
        total++;
        last = n == 7 && memcmp(buf, "blocked", 7) == 0;
    }
    CHECK(total == cnt && last, "full: the queue then holds as many as before, the blocked one last");
    close(qc);
    close(qs);

    /* ---- many clients, one server ---- */
    struct sockaddr_un ma;
    socklen_t malen = path_addr(&ma, "many.sock");
    int ms = dsock(&ma, malen);
    pid_t kids[NCLIENTS];
    for (int i = 0; i < NCLIENTS; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            fatal("fork");
        if (kids[i] == 0) {
            struct sockaddr_un me;
            char name[16];
            snprintf(name, sizeof name, "c%d.sock", i);
            socklen_t melen = path_addr(&me, name);
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            if (fd < 0 || bind(fd, (struct sockaddr *)&me, melen) != 0)
                _exit(1);
            for (int k = 0; k < PER_CLIENT; k++) {
                struct rec rc;
                memset(&rc, 0, sizeof rc);
                rc.client = i;
                rc.seq = k;
                if (sendto(fd, &rc, sizeof rc, 0, (struct sockaddr *)&ma, malen) != (ssize_t)sizeof rc)
                    _exit(2);
            }
            _exit(0);
        }
    }
    int next[NCLIENTS] = {0}, bad_order = 0, bad_addr = 0, bad_size = 0, got = 0;
    while (got < NCLIENTS * PER_CLIENT) {
        struct rec rc;
        flen = sizeof from;
        n = recvfrom(ms, &rc, sizeof rc + 1, 0, (struct sockaddr *)&from, &flen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof rc) {
            bad_size++;
            if (n < 0)
                break;
            continue;
        }
        got++;
        if (rc.client < 0 || rc.client >= NCLIENTS) {
            bad_addr++;
            continue;
        }
        char want[16];
        snprintf(want, sizeof want, "c%d.sock", rc.client);
        if (flen != SUN_OFF + strlen(want) + 1 || strcmp(from.sun_path, want) != 0)
            bad_addr++;
        if (rc.seq != next[rc.client])
            bad_order++;
        next[rc.client] = rc.seq + 1;
    }
    int exits_ok = 1;
    for (int i = 0; i < NCLIENTS; i++)
        if (waitstatus(kids[i]) != 0)
            exits_ok = 0;
    CHECK(exits_ok, "many: %d clients sent %d datagrams each and exited 0", NCLIENTS, PER_CLIENT);
    CHECK(got == NCLIENTS * PER_CLIENT && bad_size == 0, "many: the server received all %d, each of the full size",
          NCLIENTS * PER_CLIENT);
    int all = 1;
    for (int i = 0; i < NCLIENTS; i++)
        all &= next[i] == PER_CLIENT;
    CHECK(all && bad_order == 0, "many: every client's datagrams arrived once each, in order");
    CHECK(bad_addr == 0, "many: recvfrom's address always names the client in the payload");
    CHECK_ERR(recv(ms, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "many: nothing extra");
    close(ms);
    for (int i = 0; i < NCLIENTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d.sock", i);
        x_unlink(name);
    }

    close(anon);
    close(srv);
    close(cli);
    close(asrv);
    close(acli);
    close(rs);
    CHECK(rm_tmpdir(dir) == 0, "remove the temp dir and everything in it");
    return finish();
}
