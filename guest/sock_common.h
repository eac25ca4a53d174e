/* sock_common.h - AF_UNIX socket helpers shared by the socket test programs (sock_*.c,
 * unix_*.c). Include after common.h; fatal() and the checks come from there. */
#ifndef UCRUN_GUEST_SOCK_COMMON_H
#define UCRUN_GUEST_SOCK_COMMON_H

#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define SUN_OFF ((socklen_t)offsetof(struct sockaddr_un, sun_path))

static inline void close_pair(int sv[2])
{
    close(sv[0]);
    close(sv[1]);
}

/* an int SOL_SOCKET option, or -12345 if getsockopt failed or returned another length */
static inline int getint(int fd, int opt)
{
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) != 0 || len != sizeof v)
        return -12345;
    return v;
}

/* recvmsg into one buffer of len bytes; returns the result and stores msg_flags */
static inline ssize_t recv_flags(int fd, char *buf, size_t len, int flags, int *msg_flags)
{
    struct iovec iov = {buf, len};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_flags = 0x7f;
    ssize_t n = recvmsg(fd, &m, flags);
    *msg_flags = m.msg_flags;
    return n;
}

/* an AF_UNIX socket of this type, or give up */
static inline int sock(int type)
{
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0)
        fatal("socket(AF_UNIX)");
    return fd;
}

/* a path address: returns its length (offsetof + strlen + 1, as Linux reports it) */
static inline socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
    return SUN_OFF + (socklen_t)strlen(path) + 1;
}

/* getsockname / getpeername into a poisoned buffer; returns the length or -1 */
static inline int name_of(int fd, struct sockaddr_un *a, int peer)
{
    memset(a, 0x5a, sizeof *a);
    socklen_t len = sizeof *a;
    int r = peer ? getpeername(fd, (struct sockaddr *)a, &len) : getsockname(fd, (struct sockaddr *)a, &len);
    return r == 0 ? (int)len : -1;
}

/* 8 random hex digits into tag (a suffix that keeps abstract names apart between runs) */
static inline void random_tag(char *tag, size_t n)
{
    unsigned char r[4];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        fatal("getrandom");
    snprintf(tag, n, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

#endif
