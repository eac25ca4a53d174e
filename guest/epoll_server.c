/* epoll_server: an event-loop server on a named AF_UNIX stream socket serving 8 forked
 * clients, each sending 1000 fixed-size messages; every message is accounted for.
 * Checks: the listener is readable in epoll when a connection is pending, accept4 with
 * SOCK_NONBLOCK, EPOLLIN (EPOLLRDHUP requested) on each connection, EOF on each, every client's sequence arrives
 * complete and in order, every child exits 0. */
#define _GNU_SOURCE
#include "common.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stddef.h>

#define CLIENTS 8
#define MESSAGES 1000

struct msg { uint32_t client, seq, check, pad; };

static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ucrun-epoll-server-%s", tag);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1));
}

static int client(const struct sockaddr_un *a, socklen_t alen, uint32_t id)
{
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (const struct sockaddr *)a, alen) != 0) return 10;
    for (uint32_t i = 0; i < MESSAGES; i++) {
        struct msg m = {id, i, id * 2654435761u ^ i, 0};
        const char *p = (const char *)&m;
        size_t left = sizeof m;
        while (left) {
            ssize_t n = write(s, p, left);
            if (n <= 0) return 11;
            p += n;
            left -= (size_t)n;
        }
    }
    close(s);
    return 0;
}

struct conn { int fd; unsigned char buf[sizeof(struct msg)]; size_t have; int closed; };

int main(void)
{
    unsigned char r[4];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return 2;
    char tag[16];
    snprintf(tag, sizeof tag, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
    struct sockaddr_un a;
    socklen_t alen = abstract_addr(&a, tag);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 16) == 0, "server binds an abstract name and listens");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
    CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0, "epoll_create1 + EPOLL_CTL_ADD of the listener");

    pid_t kids[CLIENTS];
    for (uint32_t i = 0; i < CLIENTS; i++) {
        kids[i] = fork();
        if (kids[i] == 0) _exit(client(&a, alen, i));
    }

    struct conn conns[CLIENTS];
    int nconns = 0, open_conns = 0, listener_readable = 0, rdhup_seen = 0;
    long got[CLIENTS] = {0}, bad = 0;
    while (nconns < CLIENTS || open_conns > 0) {
        struct epoll_event evs[16];
        int n = epoll_wait(ep, evs, 16, 10000);
        if (n <= 0) { CHECK(0, "epoll_wait returned %d (a 10 s timeout means a lost event)", n); break; }
        for (int k = 0; k < n; k++) {
            if (evs[k].data.fd == l) {
                listener_readable++;
                int c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) continue;
                conns[nconns] = (struct conn){.fd = c};
                struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = 1000u + (uint32_t)nconns};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                nconns++;
                open_conns++;
                continue;
            }
            struct conn *cn = &conns[evs[k].data.u32 - 1000u];
            if (evs[k].events & EPOLLRDHUP) rdhup_seen++;
            for (;;) {
                ssize_t m = read(cn->fd, cn->buf + cn->have, sizeof cn->buf - cn->have);
                if (m > 0) {
                    cn->have += (size_t)m;
                    if (cn->have == sizeof cn->buf) {
                        struct msg mm;
                        memcpy(&mm, cn->buf, sizeof mm);
                        cn->have = 0;
                        if (mm.client >= CLIENTS || mm.seq != (uint32_t)got[mm.client] || mm.check != (mm.client * 2654435761u ^ mm.seq)) bad++;
                        else got[mm.client]++;
                    }
                    continue;
                }
                if (m == 0 && !cn->closed) {
                    cn->closed = 1;
                    epoll_ctl(ep, EPOLL_CTL_DEL, cn->fd, NULL);
                    close(cn->fd);
                    open_conns--;
                }
                break;
            }
        }
    }
    CHECK(listener_readable >= 1, "the listener was reported readable (EPOLLIN) for pending connections");
    CHECK(nconns == CLIENTS, "accepted %d connections", CLIENTS);
    long total = 0;
    for (int i = 0; i < CLIENTS; i++) total += got[i];
    CHECK(bad == 0, "every message arrived intact and in order (no bad messages)");
    CHECK(total == CLIENTS * MESSAGES, "all %d x %d messages accounted for", CLIENTS, MESSAGES);
    /* EPOLLRDHUP may or may not be seen: the EOF can already be read while handling an
     * EPOLLIN event, depending on timing, so only the EOF itself is checked. */
    int eofs = 0;
    for (int i = 0; i < nconns; i++) eofs += conns[i].closed;
    CHECK(eofs == CLIENTS, "every connection ended with EOF (read returned 0)");
    (void)rdhup_seen;
    int ok = 1;
    for (int i = 0; i < CLIENTS; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) ok = 0;
    }
    CHECK(ok, "every client exited 0");
    return finish();
}
