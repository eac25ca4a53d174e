/* bench_accept.c - argv[1] (default 10000) times: socket + connect to a listener bound to a
 * path in a temp dir, accept, close both ends (single process: the connect completes at once
 * while the backlog has room). Prints "done N". */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000;
    char dir[64], path[100];
    make_tmpdir(dir, sizeof dir, "bench_accept");
    path_in(path, sizeof path, dir, "listen.sock");
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, alen) != 0 || listen(lfd, 16) != 0)
        fatal("socket + bind + listen");
    for (long i = 0; i < n; i++) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (c < 0)
            fatal("socket");
        if (connect(c, (struct sockaddr *)&a, alen) != 0)
            fatal("connect");
        int s = accept(lfd, NULL, NULL);
        if (s < 0)
            fatal("accept");
        close(s);
        close(c);
    }
    close(lfd);
    x_unlink(path);
    x_rmdir(dir);
    out("done %ld\n", n);
    return 0;
}
