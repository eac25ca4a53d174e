/* unix_names.c - AF_UNIX names: bind to filesystem paths (an S_IFSOCK node that stat shows
 * and unlink removes), EADDRINUSE / ENOENT / ENOTDIR / EINVAL / EACCES, abstract names
 * (leading NUL: length-significant, no filesystem node, EADDRINUSE, connect), autobind
 * ("\0" + 5 hex digits, addrlen offsetof(sun_path) + 6) on bind with only the family and on
 * connect/sendto of an unbound socket with SO_PASSCRED, the exact address lengths that
 * getsockname/getpeername/recvfrom return, and listen on an unbound socket (EINVAL).
 * Single process; works in a fresh temp dir (chdir'd into, so names are relative and can be
 * printed). Abstract names carry a random suffix (never printed) so concurrent runs don't
 * collide. Values checked on native Linux 6.x. */
#include "sock_common.h"
#include <dirent.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static char g_tag[16]; /* random suffix for abstract names */

/* an abstract address "\0" + name + tag; returns offsetof + 1 + strlen */
static socklen_t abs_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ucrun-names-%s-%s", name, g_tag);
    return SUN_OFF + 1 + (socklen_t)n;
}

static int same_addr(const struct sockaddr_un *a, const struct sockaddr_un *b, socklen_t len)
{
    return memcmp(a, b, len) == 0;
}

static int is_autobind_name(const struct sockaddr_un *a, int len)
{
    if (len != (int)SUN_OFF + 6 || a->sun_family != AF_UNIX || a->sun_path[0] != 0)
        return 0;
    for (int i = 1; i <= 5; i++) {
        char c = a->sun_path[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

/* accept on a listener made nonblocking for this one call */
static int accept_nb(int lfd)
{
    int fl = fcntl(lfd, F_GETFL);
    fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
    int fd = accept(lfd, NULL, NULL);
    int e = errno;
    fcntl(lfd, F_SETFL, fl);
    errno = e;
    return fd;
}

static int count_entries_named(const char *name)
{
    struct stat st;
    return fstatat(AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int main(void)
{
    char dir[128];
    struct sockaddr_un a, b, got;
    socklen_t alen, blen;
    struct stat st;
    int len;
    char buf[16];

    random_tag(g_tag, sizeof g_tag);
    make_tmpdir(dir, sizeof dir, "unix_names");
    if (chdir(dir) != 0)
        fatal("chdir temp dir");
    umask(022);

    CHECK(SUN_OFF == 2 && sizeof(struct sockaddr_un) == 110 && sizeof(sa_family_t) == 2,
          "offsetof(sun_path) 2, sizeof(sockaddr_un) 110, sizeof(sa_family_t) 2");

    /* ---- filesystem names ---- */
    int s1 = sock(SOCK_STREAM);
    alen = path_addr(&a, "sock1");
    CHECK(count_entries_named("sock1") == 0, "before bind: no \"sock1\" in the directory");
    CHECK(bind(s1, (struct sockaddr *)&a, alen) == 0, "bind(\"sock1\") with addrlen offsetof + strlen + 1");
    CHECK(stat("sock1", &st) == 0 && S_ISSOCK(st.st_mode), "stat(\"sock1\"): S_ISSOCK");
    CHECK((st.st_mode & 07777) == 0755, "the socket node's mode is 0777 & ~umask(022) = 0755");
    CHECK(st.st_size == 0 && st.st_nlink == 1, "st_size 0, st_nlink 1");
    CHECK(st.st_uid == geteuid() && st.st_gid == getegid(), "owned by our euid/egid");
    len = name_of(s1, &got, 0);
    CHECK(len == (int)alen && same_addr(&got, &a, alen) && len == 2 + 5 + 1,
          "getsockname -> \"sock1\", addrlen %d (offsetof + strlen + 1)", len);
    CHECK_ERR(getpeername(s1, (struct sockaddr *)&got, &(socklen_t){sizeof got}), ENOTCONN,
              "getpeername on a bound, unconnected socket");
    int fdopen_ = openat(AT_FDCWD, "sock1", O_RDONLY);
    int e = errno;
    CHECK(fdopen_ < 0 && e == ENXIO, "open(\"sock1\", O_RDONLY) -> ENXIO");
    if (fdopen_ >= 0)
        close(fdopen_);

    int s2 = sock(SOCK_STREAM);
    CHECK_ERR(bind(s2, (struct sockaddr *)&a, alen), EADDRINUSE, "bind a second socket to \"sock1\"");
    CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "the same with addrlen sizeof(sockaddr_un)");
    int s2d = sock(SOCK_DGRAM);
    CHECK_ERR(bind(s2d, (struct sockaddr *)&a, alen), EADDRINUSE, "bind a datagram socket to \"sock1\" (any type)");
    close(s2d);
    if (write_file("plain", "x", 0644) != 0)
        fatal("write_file plain");
    blen = path_addr(&b, "plain");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), EADDRINUSE, "bind to an existing regular file");
    CHECK(stat("plain", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1, "the regular file is untouched");
    if (x_mkdir("sub", 0755) != 0)
        fatal("mkdir sub");
    blen = path_addr(&b, "sub");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), EADDRINUSE, "bind to an existing directory");
    blen = path_addr(&b, "missing/sock");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), ENOENT, "bind to \"missing/sock\" (no such directory)");
    blen = path_addr(&b, "plain/sock");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), ENOTDIR, "bind to \"plain/sock\" (a file as directory)");

    /* a second bind of a bound socket: EINVAL, and the new node is not left behind */
    blen = path_addr(&b, "sock1b");
    CHECK_ERR(bind(s1, (struct sockaddr *)&b, blen), EINVAL, "second bind of a bound socket to a new path");
    CHECK(count_entries_named("sock1b") == 0, "the failed second bind left no \"sock1b\" node");
    /* Linux creates the node before it looks at the socket, so an existing path wins */
    CHECK_ERR(bind(s1, (struct sockaddr *)&a, alen), EADDRINUSE,
              "second bind of a bound socket to its own path (the node exists: EADDRINUSE, not EINVAL)");
    /* net/unix/af_unix.c: unix_autobind returns 0 when the socket already has an address */
    CHECK(bind(s1, (struct sockaddr *)&b, sizeof(sa_family_t)) == 0, "autobind (addrlen 2) of a bound socket -> 0");
    len = name_of(s1, &got, 0);
    CHECK(len == (int)alen && same_addr(&got, &a, alen), "and the name is still \"sock1\"");

    /* wrong family / bad lengths */
    blen = path_addr(&b, "fam");
    b.sun_family = AF_INET;
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), EINVAL, "bind with sun_family AF_INET");
    b.sun_family = AF_UNSPEC;
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, blen), EINVAL, "bind with sun_family AF_UNSPEC");
    CHECK(count_entries_named("fam") == 0, "the wrong-family binds created nothing");
    b.sun_family = AF_UNIX;
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, 1), EINVAL, "bind with addrlen 1");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, 0), EINVAL, "bind with addrlen 0");
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, sizeof b + 1), EINVAL, "bind with addrlen sizeof(sockaddr_un) + 1");
    CHECK_ERR(bind(s2, (struct sockaddr *)1, blen), EFAULT, "bind with a bad address pointer");
    CHECK(name_of(s2, &got, 0) == 2, "after all those failures s2 is still unnamed (addrlen 2)");

    /* addrlen shorter than the string: the name is cut at addrlen */
    blen = path_addr(&b, "cutXYZ");
    CHECK(bind(s2, (struct sockaddr *)&b, SUN_OFF + 3) == 0, "bind \"cutXYZ\" with addrlen offsetof + 3");
    CHECK(count_entries_named("cut") == 1 && count_entries_named("cutXYZ") == 0,
          "the node is named \"cut\" (the name ends at addrlen)");
    len = name_of(s2, &got, 0);
    CHECK(len == (int)SUN_OFF + 4 && memcmp(got.sun_path, "cut", 4) == 0, "getsockname -> \"cut\", addrlen %d", len);
    close(s2);

    /* a 108-byte name with no NUL in sun_path */
    s2 = sock(SOCK_STREAM);
    char longname[sizeof a.sun_path + 1];
    memset(longname, 'L', sizeof a.sun_path);
    longname[sizeof a.sun_path] = 0;
    memset(&b, 0, sizeof b);
    b.sun_family = AF_UNIX;
    memcpy(b.sun_path, longname, sizeof b.sun_path);
    CHECK(bind(s2, (struct sockaddr *)&b, sizeof b) == 0, "bind a 108-byte name without a NUL (addrlen 110)");
    CHECK(count_entries_named(longname) == 1, "the node has all 108 bytes of the name");
    socklen_t glen = sizeof got;
    memset(&got, 0x5a, sizeof got);
    CHECK(getsockname(s2, (struct sockaddr *)&got, &glen) == 0 && glen == sizeof got + 1 &&
              memcmp(got.sun_path, longname, sizeof got.sun_path) == 0,
          "getsockname -> addrlen 111 (offsetof + 108 + 1; the copy is cut at 110)");
    x_unlink(longname);
    close(s2);

    /* getsockname with a short buffer: truncated copy, full length returned */
    memset(&got, 0x5a, sizeof got);
    glen = 4;
    int gr = getsockname(s1, (struct sockaddr *)&got, &glen);
    CHECK(gr == 0 && glen == alen && got.sun_path[0] == 's' && got.sun_path[1] == 'o' &&
              (unsigned char)got.sun_path[2] == 0x5a,
          "getsockname with addrlen 4: 4 bytes copied, addrlen %d returned", (int)glen);
    glen = 0;
    CHECK(getsockname(s1, (struct sockaddr *)&got, &glen) == 0 && glen == alen, "getsockname with addrlen 0 -> full length");
    CHECK_ERR(getsockname(s1, (struct sockaddr *)&got, NULL), EFAULT, "getsockname with a NULL addrlen pointer");

    /* listen + connect through the path; getpeername lengths */
    CHECK(listen(s1, 4) == 0, "listen on \"sock1\"");
    int c1 = sock(SOCK_STREAM);
    CHECK(connect(c1, (struct sockaddr *)&a, alen) == 0, "connect to \"sock1\"");
    CHECK(name_of(c1, &got, 0) == 2, "the client is unnamed: getsockname addrlen 2");
    len = name_of(c1, &got, 1);
    CHECK(len == (int)alen && same_addr(&got, &a, alen), "client getpeername -> \"sock1\", addrlen %d", len);
    int acc = accept(s1, NULL, NULL);
    CHECK(acc >= 0, "accept");
    len = name_of(acc, &got, 0);
    CHECK(len == (int)alen && same_addr(&got, &a, alen), "accepted socket's getsockname -> the listener's name");
    len = name_of(acc, &got, 1);
    CHECK(len == 2 && got.sun_family == AF_UNIX, "accepted socket's getpeername of an unnamed client -> addrlen 2");
    close(acc);
    close(c1);
    c1 = sock(SOCK_STREAM);
    blen = path_addr(&b, "client1");
    CHECK(bind(c1, (struct sockaddr *)&b, blen) == 0 && connect(c1, (struct sockaddr *)&a, alen) == 0,
          "bind a client to \"client1\" and connect");
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    memset(&peer, 0x5a, sizeof peer);
    acc = accept(s1, (struct sockaddr *)&peer, &plen);
    len = (int)plen;
    CHECK(acc >= 0 && plen == blen && same_addr(&peer, &b, blen), "accept returns the client's name \"client1\", addrlen %d",
          len);
    len = name_of(acc, &got, 1);
    CHECK(len == (int)blen && same_addr(&got, &b, blen), "getpeername on the accepted socket -> \"client1\"");
    close(acc);
    close(c1);
    x_unlink("client1");

    /* unlink removes the node; the socket lives on, but is unreachable by that name */
    CHECK(x_unlink("sock1") == 0, "unlink(\"sock1\")");
    CHECK(count_entries_named("sock1") == 0, "stat(\"sock1\") -> gone after unlink");
    len = name_of(s1, &got, 0);
    CHECK(len == (int)alen && same_addr(&got, &a, alen), "getsockname still reports \"sock1\" after unlink");
    c1 = sock(SOCK_STREAM);
    CHECK_ERR(connect(c1, (struct sockaddr *)&a, alen), ENOENT, "connect to the unlinked path");
    s2 = sock(SOCK_STREAM);
    CHECK(bind(s2, (struct sockaddr *)&a, alen) == 0, "a new socket can bind \"sock1\" again");
    CHECK(listen(s2, 1) == 0 && connect(c1, (struct sockaddr *)&a, alen) == 0, "connect reaches the new socket");
    acc = accept(s2, NULL, NULL);
    CHECK(acc >= 0, "the new socket accepts it");
    CHECK_ERR(accept_nb(s1), EAGAIN, "the old, unlinked listener has nothing pending");
    CHECK_ERR(accept4(s1, NULL, NULL, 0x1), EINVAL, "accept4 with an unknown flag");
    close(acc);
    close(c1);
    close(s2);
    close(s1);
    /* closing a socket leaves its node behind: bind then fails until unlink */
    CHECK(count_entries_named("sock1") == 1, "closing the socket leaves the \"sock1\" node");
    s1 = sock(SOCK_STREAM);
    CHECK_ERR(bind(s1, (struct sockaddr *)&a, alen), EADDRINUSE, "bind to the stale node");
    c1 = sock(SOCK_STREAM);
    CHECK_ERR(connect(c1, (struct sockaddr *)&a, alen), ECONNREFUSED, "connect to the stale node");
    close(c1);
    CHECK(x_unlink("sock1") == 0 && bind(s1, (struct sockaddr *)&a, alen) == 0, "after unlink the bind succeeds");
    close(s1);
    x_unlink("sock1");

    /* ---- EACCES: a directory we may not write ---- */
    if (x_mkdir("ro", 0555) != 0)
        fatal("mkdir ro");
    if (geteuid() == 0) {
        out("skip: bind in a directory without write permission -> EACCES (running as root)\n");
        out("skip: connect to a socket node without write permission -> EACCES (running as root)\n");
    } else {
        s1 = sock(SOCK_STREAM);
        blen = path_addr(&b, "ro/sock");
        CHECK_ERR(bind(s1, (struct sockaddr *)&b, blen), EACCES, "bind in a directory without write permission");
        close(s1);
        s1 = sock(SOCK_STREAM);
        blen = path_addr(&b, "locked");
        bind(s1, (struct sockaddr *)&b, blen);
        listen(s1, 1);
        fchmodat(AT_FDCWD, "locked", 0, 0);
        c1 = sock(SOCK_STREAM);
        CHECK_ERR(connect(c1, (struct sockaddr *)&b, blen), EACCES, "connect to a socket node without write permission");
        close(c1);
        close(s1);
        x_unlink("locked");
    }
    x_rmdir("ro");

    /* ---- abstract names ---- */
    s1 = sock(SOCK_STREAM);
    alen = abs_addr(&a, "one");
    CHECK(bind(s1, (struct sockaddr *)&a, alen) == 0, "bind an abstract name (leading NUL)");
    len = name_of(s1, &got, 0);
    CHECK(len == (int)alen && same_addr(&got, &a, alen) && got.sun_path[0] == 0,
          "getsockname -> the abstract name, addrlen offsetof + 1 + strlen");
    s2 = sock(SOCK_STREAM);
    CHECK_ERR(bind(s2, (struct sockaddr *)&a, alen), EADDRINUSE, "a second socket binding the same abstract name");
    int s3 = sock(SOCK_DGRAM);
    /* abstract names are hashed with the socket type (net/unix/af_unix.c: unix_abstract_hash) */
    CHECK(bind(s3, (struct sockaddr *)&a, alen) == 0, "a datagram socket can bind the same abstract name (per type)");
    int s4 = sock(SOCK_DGRAM);
    CHECK_ERR(bind(s4, (struct sockaddr *)&a, alen), EADDRINUSE, "but a second datagram socket cannot");
    close(s4);
    s4 = sock(SOCK_SEQPACKET);
    CHECK(bind(s4, (struct sockaddr *)&a, alen) == 0, "a seqpacket socket can bind it too");
    close(s4);
    s4 = sock(SOCK_DGRAM);
    CHECK(sendto(s4, "t", 1, 0, (struct sockaddr *)&a, alen) == 1 && recv(s3, buf, 1, MSG_DONTWAIT) == 1,
          "a datagram sent to the name reaches the datagram socket");
    close(s4);
    close(s3);
    /* the length is part of the name: the same bytes plus a trailing NUL are another name */
    CHECK(bind(s2, (struct sockaddr *)&a, alen + 1) == 0, "binding the name plus a trailing NUL (addrlen + 1) succeeds");
    len = name_of(s2, &got, 0);
    CHECK(len == (int)alen + 1 && got.sun_path[alen - SUN_OFF] == 0, "its getsockname addrlen is one longer");
    CHECK(listen(s1, 2) == 0 && listen(s2, 2) == 0, "both listen");
    c1 = sock(SOCK_STREAM);
    CHECK(connect(c1, (struct sockaddr *)&a, alen) == 0, "connect to the abstract name");
    len = name_of(c1, &got, 1);
    CHECK(len == (int)alen && same_addr(&got, &a, alen), "client getpeername -> the abstract name, addrlen offsetof + %d",
          len - (int)SUN_OFF);
    acc = accept(s1, NULL, NULL);
    CHECK(acc >= 0, "the first listener accepts it");
    int c2 = sock(SOCK_STREAM);
    CHECK(connect(c2, (struct sockaddr *)&a, alen + 1) == 0, "connect to the name plus NUL");
    int acc2 = accept4(s2, NULL, NULL, SOCK_NONBLOCK);
    CHECK(acc2 >= 0, "the second listener gets that one");
    CHECK_ERR(accept_nb(s1), EAGAIN, "and the first has nothing more");
    close(acc2);
    close(c2);
    close(acc);
    close(c1);
    close(s2);
    blen = abs_addr(&b, "missing");
    c1 = sock(SOCK_STREAM);
    CHECK_ERR(connect(c1, (struct sockaddr *)&b, blen), ECONNREFUSED, "connect to an abstract name nobody bound");
    close(c1);
    close(s1);
    s1 = sock(SOCK_STREAM);
    CHECK(bind(s1, (struct sockaddr *)&a, alen) == 0, "after close the abstract name is free again");
    close(s1);
    /* only the leading NUL: an abstract name of length 0 */
    s1 = sock(SOCK_DGRAM);
    memset(&b, 0, sizeof b);
    b.sun_family = AF_UNIX;
    CHECK(bind(s1, (struct sockaddr *)&b, SUN_OFF + 1) == 0,
          "bind \"\\0\" with addrlen offsetof + 1: the empty abstract name");
    len = name_of(s1, &got, 0);
    CHECK(len == (int)SUN_OFF + 1 && got.sun_path[0] == 0, "getsockname addrlen %d", len);
    s2 = sock(SOCK_DGRAM);
    CHECK_ERR(bind(s2, (struct sockaddr *)&b, SUN_OFF + 1), EADDRINUSE, "a second bind of the empty abstract name");
    CHECK(sendto(s2, "e", 1, 0, (struct sockaddr *)&b, SUN_OFF + 1) == 1 &&
              recv(s1, &b.sun_path[5], 1, MSG_DONTWAIT) == 1,
          "sendto the empty abstract name arrives");
    b.sun_path[5] = 0;
    close(s2);
    close(s1);

    /* ---- autobind ---- */
    s1 = sock(SOCK_DGRAM);
    memset(&b, 0, sizeof b);
    b.sun_family = AF_UNIX;
    CHECK(bind(s1, (struct sockaddr *)&b, sizeof(sa_family_t)) == 0, "bind with addrlen sizeof(sa_family_t): autobind");
    len = name_of(s1, &got, 0);
    CHECK(is_autobind_name(&got, len), "getsockname -> \"\\0\" + 5 hex digits, addrlen offsetof + 6 = %d", len);
    struct sockaddr_un auto1 = got;
    s2 = sock(SOCK_DGRAM);
    CHECK(bind(s2, (struct sockaddr *)&b, sizeof(sa_family_t)) == 0, "a second autobind");
    len = name_of(s2, &got, 0);
    CHECK(is_autobind_name(&got, len) && memcmp(got.sun_path, auto1.sun_path, 6) != 0,
          "gets a different 5-hex-digit name");
    CHECK(sendto(s2, "hi", 2, 0, (struct sockaddr *)&auto1, SUN_OFF + 6) == 2, "sendto the first autobound name");
    memset(&got, 0x5a, sizeof got);
    glen = sizeof got;
    ssize_t n = recvfrom(s1, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&got, &glen);
    CHECK(n == 2 && is_autobind_name(&got, (int)glen), "recvfrom: the sender's autobound name, addrlen %d", (int)glen);
    s3 = sock(SOCK_DGRAM);
    CHECK_ERR(bind(s3, (struct sockaddr *)&auto1, SUN_OFF + 6), EADDRINUSE, "binding an autobound name explicitly");
    close(s3);
    close(s2);
    close(s1);

    /* an explicit bind with addrlen 2 on a stream socket too, then listen works */
    s1 = sock(SOCK_STREAM);
    CHECK(bind(s1, (struct sockaddr *)&b, sizeof(sa_family_t)) == 0 && listen(s1, 2) == 0,
          "autobind a stream socket, then listen");
    len = name_of(s1, &got, 0);
    auto1 = got;
    CHECK(is_autobind_name(&got, len), "its name is an autobind name");
    c1 = sock(SOCK_STREAM);
    CHECK(connect(c1, (struct sockaddr *)&auto1, SUN_OFF + 6) == 0, "connect to the autobound listener");
    CHECK(name_of(c1, &got, 0) == 2, "a client without SO_PASSCRED stays unnamed after connect");
    close(c1);
    /* connect of an unbound socket with SO_PASSCRED autobinds */
    c1 = sock(SOCK_STREAM);
    int one = 1;
    CHECK(setsockopt(c1, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0, "SO_PASSCRED on an unbound client");
    CHECK(name_of(c1, &got, 0) == 2, "still unnamed before connect");
    CHECK(connect(c1, (struct sockaddr *)&auto1, SUN_OFF + 6) == 0, "connect");
    len = name_of(c1, &got, 0);
    CHECK(is_autobind_name(&got, len), "after connect with SO_PASSCRED: autobound (addrlen %d)", len);
    struct sockaddr_un cname = got;
    acc = accept(s1, NULL, NULL); /* the first (unnamed) client */
    if (acc >= 0)
        close(acc);
    acc = accept(s1, NULL, NULL);
    len = name_of(acc, &got, 1);
    CHECK(acc >= 0 && len == (int)SUN_OFF + 6 && same_addr(&got, &cname, SUN_OFF + 6),
          "the server's getpeername sees the autobound client name");
    close(acc);
    close(c1);
    close(s1);

    /* sendto of an unbound dgram socket: no name without SO_PASSCRED, autobind with it */
    s1 = sock(SOCK_DGRAM);
    alen = path_addr(&a, "dsock");
    if (bind(s1, (struct sockaddr *)&a, alen) != 0)
        fatal("bind dsock");
    s2 = sock(SOCK_DGRAM);
    CHECK(sendto(s2, "x", 1, 0, (struct sockaddr *)&a, alen) == 1, "sendto from an unbound dgram socket");
    CHECK(name_of(s2, &got, 0) == 2, "the sender stays unnamed");
    glen = sizeof got;
    memset(&got, 0x5a, sizeof got);
    CHECK(recvfrom(s1, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&got, &glen) == 1 && glen == 0,
          "recvfrom of an unnamed sender: addrlen 0");
    CHECK(setsockopt(s2, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0 &&
              sendto(s2, "y", 1, 0, (struct sockaddr *)&a, alen) == 1,
          "SO_PASSCRED, then sendto again");
    len = name_of(s2, &got, 0);
    CHECK(is_autobind_name(&got, len), "the sender is now autobound");
    cname = got;
    glen = sizeof got;
    CHECK(recvfrom(s1, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&got, &glen) == 1 &&
              glen == SUN_OFF + 6 && same_addr(&got, &cname, glen),
          "recvfrom reports the autobound name, addrlen offsetof + 6");
    close(s2);
    close(s1);
    x_unlink("dsock");

    /* ---- unnamed sockets and listen without a name ---- */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    CHECK(name_of(sv[0], &got, 0) == 2 && got.sun_family == AF_UNIX, "socketpair: getsockname addrlen 2, AF_UNIX");
    CHECK(name_of(sv[0], &got, 1) == 2 && got.sun_family == AF_UNIX, "socketpair: getpeername addrlen 2");
    close(sv[0]);
    close(sv[1]);
    s1 = sock(SOCK_STREAM);
    CHECK(name_of(s1, &got, 0) == 2, "a fresh socket: getsockname addrlen 2");
    CHECK_ERR(getpeername(s1, (struct sockaddr *)&got, &(socklen_t){sizeof got}), ENOTCONN,
              "getpeername on a fresh socket");
    CHECK_ERR(listen(s1, 1), EINVAL, "listen on an unbound stream socket (no autobind)");
    CHECK(name_of(s1, &got, 0) == 2, "and it is still unnamed");
    close(s1);
    s1 = sock(SOCK_SEQPACKET);
    CHECK_ERR(listen(s1, 1), EINVAL, "listen on an unbound seqpacket socket");
    close(s1);

    CHECK(rm_tmpdir(dir) == 0, "remove the temp dir and everything in it");
    return finish();
}
