/* unix_scm.c - AF_UNIX ancillary data: SCM_RIGHTS and SCM_CREDENTIALS.
 *
 * CMSG_LEN/CMSG_SPACE/CMSG_DATA values (16-byte cmsghdr, 8-byte alignment on both arches);
 * several fds in one message and several messages; received fds are new descriptors of the
 * same open files (shared offset and status flags); fds in flight stay alive after the
 * sender closes its copy and are released when the receiving socket is closed unread;
 * MSG_CTRUNC when the control buffer is short, with the fds that did not fit closed (counted
 * by probing every descriptor with fcntl, and seen as EOF on their pipes); MSG_CMSG_CLOEXEC;
 * MSG_PEEK installs copies; SCM_MAX_FD; errors (EBADF, EINVAL for a short or oversized
 * cmsg_len and unknown types, EFAULT for a bad msg_control); on a stream socket the fds
 * arrive with the first read that covers their byte and are never duplicated; across fork
 * (a child's pipe end written by the parent, and a pipe a child made and passed, outliving
 * the child, that the parent writes into and reads); SO_PASSCRED + SCM_CREDENTIALS (pid,
 * uid, gid of the sender, in-process and from a child).
 * Values checked on native Linux 6.x. */
#include "common.h"
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MAXFDS 300

/* Checks that qemu-user 7.2 gets wrong (it converts control messages itself: it installs
 * every fd the host delivers into its own larger buffer, so nothing is truncated or closed,
 * does not set MSG_CTRUNC, and forwards malformed cmsgs without EINVAL). They print on
 * `arch:` lines and count toward the exit status; only on the aarch64 build running under
 * qemu-user (seen in /proc/self/status) is a failure reported as a known deviation instead.
 * Under ucrun and natively they are mandatory. */
static int g_qemu, g_arch_checks; /* g_arch_fail is in common.h */

static void detect_qemu(void)
{
#ifdef __aarch64__
    char st[256] = {0};
    int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, st, sizeof st - 1);
        (void)n;
        close(fd);
    }
    g_qemu = strncmp(st, "Name:\tqemu-", 11) == 0;
#endif
}

__attribute__((format(printf, 2, 3))) static int qcheck(int ok, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    g_arch_checks++;
    if (ok)
        out("arch: ok: %s\n", what);
    else if (g_qemu)
        out("arch: qemu-user: %s (known qemu-user deviation)\n", what);
    else {
        out("arch: FAIL: %s\n", what);
        g_arch_fail++;
    }
    return ok;
}
#define QCHECK_ERR(expr, expected, what)                                                    \
    do {                                                                                  \
        errno = 0;                                                                        \
        long r_ = (long)(expr);                                                           \
        int e_ = errno;                                                                   \
        qcheck(r_ == -1 && e_ == (expected), "%s -> %s (got %ld, %s)", what, #expected, r_, errname(e_)); \
    } while (0)

static void xpipe(int p[2])
{
    if (pipe(p) != 0)
        fatal("pipe");
}

static void xpair(int type, int sv[2])
{
    if (socketpair(AF_UNIX, type, 0, sv) != 0)
        fatal("socketpair");
}

/* sendmsg of len bytes with nfds fds as SCM_RIGHTS (nfds may be 0: no control data) */
static ssize_t send_fds(int sock, const void *data, size_t len, const int *fds, int nfds)
{
    static union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * MAXFDS)];
    } u;
    struct iovec iov = {(void *)data, len};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (nfds > 0) {
        memset(&u, 0, sizeof u);
        m.msg_control = u.buf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    return sendmsg(sock, &m, 0);
}

struct rx {
    ssize_t n;        /* recvmsg's result */
    int err;          /* its errno */
    int flags;        /* msg_flags */
    size_t ctllen;    /* msg_controllen after the call */
    int ncmsg;        /* cmsgs seen */
    int nfds;         /* fds received (all SCM_RIGHTS cmsgs) */
    int fds[MAXFDS];
    size_t rights_len; /* cmsg_len of the (last) SCM_RIGHTS cmsg */
    int has_creds;
    struct ucred cred;
    size_t cred_len;
    int first_type;   /* cmsg_type of the first cmsg */
};

/* recvmsg blocks only where another process sends (g_block); elsewhere the data is already
 * queued, so MSG_DONTWAIT makes a lost message fail instead of hang */
static int g_block;

/* recvmsg into buf with a control buffer of ctl bytes (0: msg_control NULL) */
static void recv_fds(int sock, void *buf, size_t len, size_t ctl, int flags, struct rx *r)
{
    static union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * MAXFDS) + 64];
    } u;
    struct iovec iov = {buf, len};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    memset(&u, 0, sizeof u);
    memset(r, 0, sizeof *r);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl ? u.buf : NULL;
    m.msg_controllen = ctl;
    m.msg_flags = 0x7f; /* must be overwritten */
    r->n = recvmsg(sock, &m, flags | (g_block ? 0 : MSG_DONTWAIT));
    r->err = errno;
    r->flags = m.msg_flags;
    r->ctllen = m.msg_controllen;
    r->first_type = -1;
    if (r->n < 0)
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (r->ncmsg++ == 0)
            r->first_type = c->cmsg_type;
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && r->nfds < MAXFDS; i++)
                memcpy(&r->fds[r->nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            r->rights_len = c->cmsg_len;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            r->has_creds = 1;
            memcpy(&r->cred, CMSG_DATA(c), sizeof r->cred);
            r->cred_len = c->cmsg_len;
        }
    }
}

static void close_rx(struct rx *r)
{
    for (int i = 0; i < r->nfds; i++)
        close(r->fds[i]);
}

/* same open file: equal dev/ino (pipes and sockets have unique inodes) */
static int same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* nonblocking read of a pipe: returns bytes, 0 for EOF, -1 with errno (EAGAIN: empty, writers alive) */
static ssize_t peek_pipe(int fd, char *buf, size_t n)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    ssize_t r = read(fd, buf, n);
    int e = errno;
    fcntl(fd, F_SETFL, fl);
    errno = e;
    return r;
}

/* sendmsg with a hand-made control buffer */
static ssize_t send_ctl(int sock, void *ctl, size_t ctllen)
{
    struct iovec iov = {"z", 1};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = ctllen;
    return sendmsg(sock, &m, 0);
}

static struct rx R; /* large; reused */

int main(void)
{
    int sv[2], p1[2], p2[2], p3[2];
    char buf[256];
    signal(SIGPIPE, SIG_IGN);
    int start = count_fds(1024);
    detect_qemu();

    /* ---- CMSG layout ---- */
    CHECK(sizeof(struct cmsghdr) == 16 && sizeof(((struct cmsghdr *)0)->cmsg_len) == 8,
          "sizeof(struct cmsghdr) 16, cmsg_len is 8 bytes");
    CHECK(CMSG_LEN(0) == 16 && CMSG_LEN(4) == 20 && CMSG_LEN(12) == 28, "CMSG_LEN(0/4/12) = 16/20/28");
    CHECK(CMSG_SPACE(0) == 16 && CMSG_SPACE(4) == 24 && CMSG_SPACE(8) == 24 && CMSG_SPACE(12) == 32,
          "CMSG_SPACE(0/4/8/12) = 16/24/24/32 (8-byte alignment)");
    CHECK(sizeof(struct ucred) == 12 && CMSG_LEN(sizeof(struct ucred)) == 28 && CMSG_SPACE(sizeof(struct ucred)) == 32,
          "sizeof(struct ucred) 12, CMSG_LEN 28, CMSG_SPACE 32");
    CHECK(CMSG_ALIGN(1) == 8 && CMSG_ALIGN(20) == 24, "CMSG_ALIGN(1) 8, CMSG_ALIGN(20) 24");
    {
        char ctl[64];
        struct msghdr m;
        memset(&m, 0, sizeof m);
        memset(ctl, 0, sizeof ctl);
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_len = CMSG_LEN(4);
        struct cmsghdr *c2 = CMSG_NXTHDR(&m, c);
        CHECK((char *)c == ctl && (char *)CMSG_DATA(c) - ctl == 16 && (char *)c2 - ctl == 24,
              "CMSG_FIRSTHDR at 0, CMSG_DATA at 16, CMSG_NXTHDR after a 1-fd cmsg at 24");
        m.msg_controllen = 8;
        CHECK(CMSG_FIRSTHDR(&m) == NULL, "CMSG_FIRSTHDR is NULL when msg_controllen < 16");
    }
    CHECK(SCM_RIGHTS == 1 && SCM_CREDENTIALS == 2 && SO_PASSCRED == 16 && SO_PEERCRED == 17,
          "SCM_RIGHTS 1, SCM_CREDENTIALS 2, SO_PASSCRED 16, SO_PEERCRED 17");
    CHECK(MSG_CTRUNC == 8 && MSG_CMSG_CLOEXEC == 0x40000000, "MSG_CTRUNC 8, MSG_CMSG_CLOEXEC 0x40000000");

    /* ---- several fds in one message ---- */
    xpair(SOCK_DGRAM, sv);
    xpipe(p1);
    xpipe(p2);
    xpipe(p3);
    int base = count_fds(1024);
    int three[3] = {p1[1], p2[1], p3[1]};
    CHECK(send_fds(sv[0], "three", 5, three, 3) == 5, "sendmsg \"three\" with 3 fds (three pipe write ends)");
    CHECK(count_fds(1024) == base, "sending installs nothing");
    recv_fds(sv[1], buf, sizeof buf, CMSG_SPACE(sizeof(int) * 3), 0, &R);
    CHECK(R.n == 5 && memcmp(buf, "three", 5) == 0 && R.flags == 0, "recvmsg -> \"three\", msg_flags 0");
    CHECK(R.ncmsg == 1 && R.nfds == 3 && R.rights_len == CMSG_LEN(12), "one SCM_RIGHTS cmsg, cmsg_len CMSG_LEN(12) = 28, 3 fds");
    CHECK(R.ctllen == CMSG_SPACE(12), "msg_controllen after recvmsg: CMSG_SPACE(12) = 32");
    CHECK(count_fds(1024) == base + 3, "3 new descriptors are open");
    int distinct = R.nfds == 3;
    for (int i = 0; i < R.nfds; i++)
        for (int j = 0; j < 3; j++)
            if (R.fds[i] == three[j])
                distinct = 0;
    CHECK(distinct, "the received numbers are new descriptors");
    CHECK(R.nfds == 3 && same_file(R.fds[0], p1[1]) && same_file(R.fds[1], p2[1]) && same_file(R.fds[2], p3[1]),
          "... of the same pipes, in order");
    CHECK(R.nfds == 3 && write(R.fds[1], "via2", 4) == 4 && read(p2[0], buf, sizeof buf) == 4 &&
              memcmp(buf, "via2", 4) == 0,
          "writing through the second received fd arrives in the second pipe");
    CHECK(R.nfds == 3 && (fcntl(R.fds[0], F_GETFD) & FD_CLOEXEC) == 0, "received fds are not FD_CLOEXEC by default");
    fcntl(p1[1], F_SETFL, O_NONBLOCK);
    CHECK(R.nfds == 3 && (fcntl(R.fds[0], F_GETFL) & O_NONBLOCK), "status flags are shared (same open file description)");
    fcntl(p1[1], F_SETFL, 0);
    close_rx(&R);

    /* ---- several messages ---- */
    CHECK(send_fds(sv[0], "m1", 2, &p1[1], 1) == 2 && send_fds(sv[0], "m2", 2, &p2[1], 1) == 2 &&
              send_fds(sv[0], "m3", 2, NULL, 0) == 2,
          "three messages: \"m1\" + fd, \"m2\" + fd, \"m3\" without");
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "m1", 2) == 0 && R.nfds == 1 && same_file(R.fds[0], p1[1]) &&
              R.ctllen == CMSG_SPACE(4) && R.rights_len == CMSG_LEN(4),
          "first: \"m1\" with its fd (cmsg_len 20, msg_controllen 24)");
    close_rx(&R);
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "m2", 2) == 0 && R.nfds == 1 && same_file(R.fds[0], p2[1]),
          "second: \"m2\" with the other fd");
    close_rx(&R);
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "m3", 2) == 0 && R.ncmsg == 0 && R.ctllen == 0,
          "third: \"m3\", no cmsg, msg_controllen 0");
    CHECK(count_fds(1024) == base, "no descriptors left over");

    /* ---- MSG_PEEK on a datagram with fds installs copies ---- */
    CHECK(send_fds(sv[0], "pk", 2, &p3[1], 1) == 2, "send \"pk\" + fd");
    recv_fds(sv[1], buf, sizeof buf, 256, MSG_PEEK, &R);
    CHECK(R.n == 2 && R.nfds == 1 && same_file(R.fds[0], p3[1]), "MSG_PEEK: data and a copy of the fd");
    int peeked = R.nfds ? R.fds[0] : -1;
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && R.nfds == 1 && same_file(R.fds[0], p3[1]) && R.fds[0] != peeked,
          "the real read gets the fd again, as another descriptor");
    close_rx(&R);
    if (peeked >= 0)
        close(peeked);
    CHECK(count_fds(1024) == base, "no descriptors left over");

    /* ---- fds in flight outlive the sender's copy ---- */
    int q[2];
    xpipe(q);
    CHECK(send_fds(sv[0], "w", 1, &q[1], 1) == 1, "in flight: send a pipe's write end");
    close(q[1]);
    CHECK(peek_pipe(q[0], buf, sizeof buf) == -1 && errno == EAGAIN,
          "in flight: sender closed its copy, the pipe reads EAGAIN (a writer is still alive), not EOF");
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 1 && R.nfds == 1, "in flight: the receiver gets it");
    CHECK(R.nfds == 1 && write(R.fds[0], "through", 7) == 7, "in flight: the receiver writes into it");
    CHECK(peek_pipe(q[0], buf, sizeof buf) == 7 && memcmp(buf, "through", 7) == 0, "in flight: the original process reads it");
    close_rx(&R);
    CHECK(peek_pipe(q[0], buf, sizeof buf) == 0, "in flight: after the receiver closes it, EOF");
    close(q[0]);
    /* closing the receiving socket unread releases the fds in its queue */
    xpipe(q);
    CHECK(send_fds(sv[0], "w", 1, &q[1], 1) == 1, "in flight: send another write end");
    close(q[1]);
    close(sv[1]);
    CHECK(peek_pipe(q[0], buf, sizeof buf) == 0, "in flight: the receiving socket closed unread -> the pipe reads EOF");
    close(q[0]);
    close(sv[0]);
    CHECK(count_fds(1024) == base - 2, "only the pair is gone");

    /* ---- MSG_CTRUNC: a short control buffer ---- */
    xpair(SOCK_DGRAM, sv);
    base = count_fds(1024);
    int a[2], b[2], c[2];
    xpipe(a);
    xpipe(b);
    xpipe(c);
    int wr[3] = {a[1], b[1], c[1]};
    CHECK(send_fds(sv[0], "ct", 2, wr, 3) == 2, "ctrunc: send 3 pipe write ends");
    close(a[1]);
    close(b[1]);
    close(c[1]);
    int before = count_fds(1024);
    recv_fds(sv[1], buf, sizeof buf, CMSG_LEN(sizeof(int)), 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "ct", 2) == 0, "ctrunc: control room for 1 fd (CMSG_LEN(4)): the data arrives");
    qcheck(R.flags == MSG_CTRUNC, "ctrunc: msg_flags == MSG_CTRUNC");
    CHECK(R.nfds == 1 && R.rights_len == CMSG_LEN(4) && R.ctllen == CMSG_LEN(4),
          "ctrunc: 1 fd delivered, cmsg_len 20, msg_controllen 20");
    qcheck(count_fds(1024) == before + 1, "ctrunc: exactly 1 descriptor installed (no leak)");
    CHECK(R.nfds == 1 && write(R.fds[0], "k", 1) == 1 && read(a[0], buf, 1) == 1,
          "ctrunc: it is the first pipe's write end");
    qcheck(peek_pipe(b[0], buf, 1) == 0 && peek_pipe(c[0], buf, 1) == 0,
           "ctrunc: the fds that did not fit were closed (their pipes read EOF)");
    close_rx(&R);
    CHECK(send_fds(sv[0], "cu", 2, &a[0], 1) == 2, "ctrunc: send an fd again");
    recv_fds(sv[1], buf, sizeof buf, CMSG_SPACE(sizeof(int)) + 8, 0, &R);
    CHECK(R.n == 2 && R.nfds == 1 && R.flags == 0 && R.ctllen == CMSG_SPACE(sizeof(int)),
          "a roomy control buffer: msg_flags 0, msg_controllen CMSG_SPACE(4) = 24");
    close_rx(&R);
    before = count_fds(1024);
    CHECK(send_fds(sv[0], "nc", 2, wr, 1) == -1 && errno == EBADF, "(a closed fd cannot be sent: EBADF)");
    CHECK(send_fds(sv[0], "nc", 2, &a[0], 1) == 2, "ctrunc: send an fd once more");
    recv_fds(sv[1], buf, sizeof buf, 0, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "nc", 2) == 0 && R.flags == MSG_CTRUNC && R.ctllen == 0 && R.ncmsg == 0,
          "ctrunc: no control buffer: data delivered, MSG_CTRUNC, msg_controllen 0");
    CHECK(count_fds(1024) == before, "ctrunc: nothing installed");
    CHECK(send_fds(sv[0], "sm", 2, &a[0], 1) == 2, "ctrunc: and again");
    recv_fds(sv[1], buf, sizeof buf, 12, 0, &R);
    CHECK(R.n == 2 && R.ncmsg == 0, "ctrunc: a 12-byte control buffer (less than a cmsghdr): the data, no cmsg");
    qcheck(R.flags == MSG_CTRUNC && count_fds(1024) == before, "ctrunc: ... MSG_CTRUNC, nothing installed");
    close(a[0]);
    close(b[0]);
    close(c[0]);
    qcheck(count_fds(1024) == base, "ctrunc: back to the starting descriptor count");

    /* ---- MSG_CMSG_CLOEXEC ---- */
    xpipe(q);
    fcntl(q[1], F_SETFD, FD_CLOEXEC);
    CHECK(send_fds(sv[0], "ce", 2, &q[1], 1) == 2, "cloexec: send an FD_CLOEXEC fd");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.nfds == 1 && fcntl(R.fds[0], F_GETFD) == 0, "cloexec: received without MSG_CMSG_CLOEXEC: FD_CLOEXEC clear");
    close_rx(&R);
    fcntl(q[1], F_SETFD, 0);
    CHECK(send_fds(sv[0], "ce", 2, &q[1], 1) == 2, "cloexec: send a plain fd");
    recv_fds(sv[1], buf, sizeof buf, 64, MSG_CMSG_CLOEXEC, &R);
    CHECK(R.nfds == 1 && fcntl(R.fds[0], F_GETFD) == FD_CLOEXEC, "cloexec: received with MSG_CMSG_CLOEXEC: FD_CLOEXEC set");
    CHECK(R.flags == MSG_CMSG_CLOEXEC, "cloexec: msg_flags == MSG_CMSG_CLOEXEC (Linux echoes the flag)");
    close_rx(&R);
    close(q[0]);
    close(q[1]);

    /* ---- bad control data ---- */
    before = count_fds(1024);
    int bad[2] = {p1[1], 999};
    CHECK_ERR(send_fds(sv[0], "bad", 3, bad, 2), EBADF, "SCM_RIGHTS with an fd that is not open");
    int neg = -1;
    CHECK_ERR(send_fds(sv[0], "bad", 3, &neg, 1), EBADF, "SCM_RIGHTS with fd -1");
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "nothing was sent");
    union {
        struct cmsghdr h;
        char b[64];
    } cu;
    memset(&cu, 0, sizeof cu);
    cu.h.cmsg_level = SOL_SOCKET;
    cu.h.cmsg_type = SCM_RIGHTS;
    memcpy(CMSG_DATA(&cu.h), &p1[1], sizeof(int));
    cu.h.cmsg_len = CMSG_LEN(4);
    cu.h.cmsg_type = 99;
    CHECK_ERR(send_ctl(sv[0], &cu, CMSG_SPACE(4)), EINVAL, "an unknown SOL_SOCKET cmsg_type");
    cu.h.cmsg_type = SCM_RIGHTS;
    cu.h.cmsg_level = 0;
    CHECK(send_ctl(sv[0], &cu, CMSG_SPACE(4)) == 1, "a cmsg of another level (0) is ignored: sendmsg -> 1");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 1 && R.ncmsg == 0, "... and no fd arrives");
    cu.h.cmsg_level = SOL_SOCKET;
    cu.h.cmsg_len = CMSG_LEN(0);
    CHECK(send_ctl(sv[0], &cu, CMSG_SPACE(0)) == 1, "SCM_RIGHTS with no fds (cmsg_len 16) -> accepted");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 1 && R.ncmsg == 0, "... and nothing arrives but the byte");
    CHECK(send_ctl(sv[0], &cu, 8) == 1, "msg_controllen 8 (no room for a cmsghdr): the control data is ignored");
    CHECK(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == 1, "... the byte arrives");
    CHECK_ERR(send_ctl(sv[0], (void *)8, CMSG_SPACE(4)), EFAULT, "msg_control pointing at unmapped memory");
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "none of the failed sends queued anything");
    CHECK(count_fds(1024) == before, "the failures installed nothing");
    {
        int bp[2];
        xpair(SOCK_DGRAM, bp);
        cu.h.cmsg_type = SCM_RIGHTS;
        cu.h.cmsg_len = 8;
        QCHECK_ERR(send_ctl(bp[0], &cu, CMSG_SPACE(4)), EINVAL, "cmsg_len 8 (shorter than a cmsghdr)");
        cu.h.cmsg_len = CMSG_LEN(4) + 40;
        QCHECK_ERR(send_ctl(bp[0], &cu, CMSG_SPACE(4)), EINVAL, "cmsg_len larger than msg_controllen");
        QCHECK_ERR(recv(bp[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "they queued nothing");
        close(bp[0]);
        close(bp[1]);
    }
    /* SCM_MAX_FD is 253 per message */
    static int many[MAXFDS];
    for (int i = 0; i < MAXFDS; i++)
        many[i] = p1[1];
    CHECK_ERR(send_fds(sv[0], "x", 1, many, 254), EINVAL, "254 fds in one message (more than SCM_MAX_FD)");
    CHECK(send_fds(sv[0], "x", 1, many, 253) == 1, "253 fds (the same fd 253 times) -> accepted");
    recv_fds(sv[1], buf, sizeof buf, CMSG_SPACE(sizeof(int) * 253), 0, &R);
    int all_same = R.nfds == 253;
    for (int i = 0; i < R.nfds; i++)
        all_same &= same_file(R.fds[i], p1[1]);
    CHECK(all_same && count_fds(1024) == before + 253, "253 new descriptors, all the same pipe");
    close_rx(&R);
    close(sv[0]);
    close(sv[1]);

    /* ---- streams: fds come with the first read covering their byte, once ---- */
    xpair(SOCK_STREAM, sv);
    base = count_fds(1024);
    CHECK(send_fds(sv[0], "ab", 2, &p1[1], 1) == 2 && send_fds(sv[0], "cd", 2, NULL, 0) == 2,
          "stream: send \"ab\" with an fd, then \"cd\" without");
    const char *want = "abcd";
    int fds_per_byte[4];
    int order_ok = 1;
    for (int i = 0; i < 4; i++) {
        recv_fds(sv[1], buf, 1, 64, 0, &R);
        order_ok &= R.n == 1 && buf[0] == want[i];
        fds_per_byte[i] = R.nfds;
        if (i == 0)
            order_ok &= R.nfds == 1 && same_file(R.fds[0], p1[1]);
        close_rx(&R);
    }
    CHECK(order_ok, "stream: four 1-byte reads -> a, b, c, d");
    CHECK(fds_per_byte[0] == 1 && fds_per_byte[1] == 0 && fds_per_byte[2] == 0 && fds_per_byte[3] == 0,
          "stream: the fd comes with \"a\" only (fds per read: %d %d %d %d)", fds_per_byte[0], fds_per_byte[1],
          fds_per_byte[2], fds_per_byte[3]);
    CHECK(count_fds(1024) == base, "stream: no descriptors left over");
    /* a read stops at the end of a write that carried fds */
    CHECK(send_fds(sv[0], "ab", 2, &p1[1], 1) == 2 && send_fds(sv[0], "cd", 2, NULL, 0) == 2,
          "stream: again \"ab\" + fd, \"cd\"");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "ab", 2) == 0 && R.nfds == 1, "stream: a 256-byte read -> \"ab\" and the fd (stops there)");
    close_rx(&R);
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "cd", 2) == 0 && R.nfds == 0, "stream: the next read -> \"cd\", no fd");
    /* bytes without fds are read together with a following write's fds */
    CHECK(send_fds(sv[0], "xy", 2, NULL, 0) == 2 && send_fds(sv[0], "zw", 2, &p2[1], 1) == 2 &&
              send_fds(sv[0], "uv", 2, NULL, 0) == 2,
          "stream: \"xy\", then \"zw\" + fd, then \"uv\"");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 4 && memcmp(buf, "xyzw", 4) == 0 && R.nfds == 1 && same_file(R.fds[0], p2[1]),
          "stream: a 256-byte read -> \"xyzw\" with the fd (it covers the fd's bytes, then stops)");
    close_rx(&R);
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 2 && memcmp(buf, "uv", 2) == 0 && R.nfds == 0, "stream: then \"uv\"");
    /* two writes with fds are never merged into one read */
    CHECK(send_fds(sv[0], "12", 2, &p1[1], 1) == 2 && send_fds(sv[0], "34", 2, &p2[1], 1) == 2,
          "stream: \"12\" + fd1, \"34\" + fd2");
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && R.nfds == 1 && same_file(R.fds[0], p1[1]), "stream: first read -> \"12\" with fd1 only");
    close_rx(&R);
    recv_fds(sv[1], buf, sizeof buf, 256, 0, &R);
    CHECK(R.n == 2 && R.nfds == 1 && same_file(R.fds[0], p2[1]), "stream: second read -> \"34\" with fd2");
    close_rx(&R);
    /* a short control buffer on a stream also truncates (and closes the rest) */
    CHECK(send_fds(sv[0], "T", 1, three, 3) == 1, "stream: \"T\" with 3 fds");
    recv_fds(sv[1], buf, sizeof buf, CMSG_LEN(sizeof(int) * 2), 0, &R);
    CHECK(R.n == 1 && R.nfds == 2, "stream: control room for 2 -> 2 fds");
    close_rx(&R);
    qcheck(R.flags == MSG_CTRUNC && count_fds(1024) == base, "stream: ... with MSG_CTRUNC, the third closed (no leak)");
    close(sv[0]);
    close(sv[1]);

    /* ---- across fork ---- */
    xpair(SOCK_STREAM, sv);
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        /* the child makes a pipe, passes the write end to the parent, closes its copy and
         * reads what the parent writes through it */
        close(sv[0]);
        int cp[2];
        if (pipe(cp) != 0)
            _exit(10);
        if (send_fds(sv[1], "P", 1, &cp[1], 1) != 1)
            _exit(11);
        close(cp[1]);
        char cb[64];
        ssize_t k = 0, t;
        while ((t = read(cp[0], cb + k, sizeof cb - (size_t)k)) > 0)
            k += t;
        _exit(k == 16 && memcmp(cb, "from the parent!", 16) == 0 ? 0 : 12);
    }
    close(sv[1]);
    g_block = 1;
    recv_fds(sv[0], buf, sizeof buf, 64, 0, &R);
    g_block = 0;
    CHECK(R.n == 1 && R.nfds == 1, "fork: the parent receives the child's pipe write end");
    CHECK(R.nfds == 1 && write(R.fds[0], "from the parent!", 16) == 16, "fork: the parent writes into it");
    close_rx(&R);
    CHECK(waitstatus(pid) == 0, "fork: the child read exactly that, then EOF once the parent closed it (exit 0)");
    close(sv[0]);

    /* the acceptance item, literally: an fd passed with SCM_RIGHTS from a child to its parent
     * writes into a pipe the parent reads. The child creates the pipe, sends both ends and
     * exits before the parent receives them. */
    xpair(SOCK_STREAM, sv);
    pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        close(sv[0]);
        int cp[2];
        if (pipe(cp) != 0)
            _exit(10);
        int both[2] = {cp[1], cp[0]};
        _exit(send_fds(sv[1], "B", 1, both, 2) == 1 ? 0 : 11);
    }
    close(sv[1]);
    CHECK(waitstatus(pid) == 0, "fork: a child sends both ends of a new pipe and exits");
    recv_fds(sv[0], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 1 && R.nfds == 2, "fork: the parent receives them after the child is gone");
    CHECK(R.nfds == 2 && write(R.fds[0], "parent writes via the passed fd", 31) == 31,
          "fork: the parent writes through the passed write end");
    memset(buf, 0, sizeof buf);
    CHECK(R.nfds == 2 && read(R.fds[1], buf, sizeof buf) == 31 && memcmp(buf, "parent writes via the passed fd", 31) == 0,
          "fork: and reads it from the pipe");
    if (R.nfds == 2)
        close(R.fds[0]);
    CHECK(R.nfds == 2 && read(R.fds[1], buf, sizeof buf) == 0, "fork: EOF once the parent closes the write end");
    if (R.nfds == 2)
        close(R.fds[1]);
    close(sv[0]);

    /* ---- SO_PASSCRED and SCM_CREDENTIALS ---- */
    xpair(SOCK_DGRAM, sv);
    int one = 1, v = -1;
    socklen_t vl = sizeof v;
    CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl) == 0 && v == 0, "SO_PASSCRED is 0 by default");
    CHECK(send(sv[0], "n", 1, 0) == 1, "creds: send without SO_PASSCRED on the receiver");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 1 && R.ncmsg == 0 && R.ctllen == 0, "creds: no cmsg");
    CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0 &&
              getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl) == 0 && v == 1,
          "creds: SO_PASSCRED set on the receiver, reads back 1");
    CHECK(send(sv[0], "c", 1, 0) == 1, "creds: a plain send");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 1 && R.ncmsg == 1 && R.has_creds && R.cred_len == CMSG_LEN(sizeof(struct ucred)) &&
              R.ctllen == CMSG_SPACE(sizeof(struct ucred)),
          "creds: one SCM_CREDENTIALS cmsg, cmsg_len 28, msg_controllen 32");
    CHECK(R.cred.pid == getpid() && R.cred.uid == getuid() && R.cred.gid == getgid(),
          "creds: pid/uid/gid are ours");
    recv_fds(sv[1], buf, sizeof buf, 0, MSG_DONTWAIT, &R);
    CHECK(R.n == -1 && R.err == EAGAIN, "creds: nothing else queued");
    CHECK(send(sv[0], "c", 1, 0) == 1, "creds: send again");
    recv_fds(sv[1], buf, sizeof buf, 16, 0, &R);
    CHECK(R.n == 1 && R.ctllen == 16 && R.ncmsg == 1 && R.has_creds,
          "creds: a 16-byte control buffer: msg_controllen 16, the SCM_CREDENTIALS header alone");
    qcheck(R.flags == MSG_CTRUNC && R.cred_len == 16, "creds: ... with MSG_CTRUNC and cmsg_len cut to 16");
    /* both kinds in one message: credentials come first */
    CHECK(send_fds(sv[0], "rc", 2, &p1[1], 1) == 2, "creds: send an fd to the SO_PASSCRED receiver");
    recv_fds(sv[1], buf, sizeof buf, 128, 0, &R);
    CHECK(R.n == 2 && R.ncmsg == 2 && R.has_creds && R.nfds == 1 && R.first_type == SCM_CREDENTIALS,
          "creds: two cmsgs, SCM_CREDENTIALS first, then SCM_RIGHTS");
    CHECK(R.ctllen == CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)),
          "creds: msg_controllen 32 + 24 = 56");
    close_rx(&R);
    /* explicit credentials: our own are accepted */
    {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(struct ucred))];
        } cc;
        memset(&cc, 0, sizeof cc);
        cc.h.cmsg_level = SOL_SOCKET;
        cc.h.cmsg_type = SCM_CREDENTIALS;
        cc.h.cmsg_len = CMSG_LEN(sizeof(struct ucred));
        struct ucred me = {getpid(), getuid(), getgid()};
        memcpy(CMSG_DATA(&cc.h), &me, sizeof me);
        CHECK(send_ctl(sv[0], &cc, sizeof cc) == 1, "creds: sendmsg with our own SCM_CREDENTIALS");
        recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
        CHECK(R.n == 1 && R.has_creds && R.cred.pid == getpid(), "creds: they arrive");
        cc.h.cmsg_len = CMSG_LEN(sizeof(struct ucred)) - 4;
        CHECK_ERR(send_ctl(sv[0], &cc, sizeof cc), EINVAL, "creds: SCM_CREDENTIALS with cmsg_len 24 (too short)");
    }
    /* from a child */
    pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0)
        _exit(send(sv[0], "k", 1, 0) == 1 ? 0 : 1);
    g_block = 1;
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    g_block = 0;
    CHECK(R.n == 1 && R.has_creds && R.cred.pid == pid, "creds: from a child: pid == fork()'s return");
    CHECK(R.cred.uid == getuid() && R.cred.gid == getgid(), "creds: uid/gid the same");
    CHECK(waitstatus(pid) == 0, "creds: the child exited 0");
    close(sv[0]);
    close(sv[1]);
    /* on a stream, SO_PASSCRED on the receiver: each read reports the writer */
    xpair(SOCK_STREAM, sv);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    CHECK(write(sv[0], "st", 2) == 2, "creds: stream write");
    recv_fds(sv[1], buf, sizeof buf, 64, 0, &R);
    CHECK(R.n == 2 && R.has_creds && R.cred.pid == getpid(), "creds: the stream read carries SCM_CREDENTIALS");
    close(sv[0]);
    close(sv[1]);

    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
    close(p3[0]);
    close(p3[1]);
    qcheck(count_fds(1024) == start, "at the end the same descriptors are open as at the start");
    int rc = finish();
    if (g_arch_fail)
        out("arch: FAILED %d of %d arch checks\n", g_arch_fail, g_arch_checks);
    return rc || g_arch_fail ? 1 : 0;
}
