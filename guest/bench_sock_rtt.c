/* bench_sock_rtt.c - socketpair round trips: argv[1] (default 100000) times, write 1 byte on
 * sv[0] and read it from sv[1], then write 1 byte on sv[1] and read it from sv[0]
 * (single process, so nothing blocks). Prints "done N". */
#include "common.h"
#include <sys/socket.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    char c;
    for (long i = 0; i < n; i++) {
        c = (char)i;
        if (write(sv[0], &c, 1) != 1)
            fatal("write sv[0]");
        c = 0;
        if (read(sv[1], &c, 1) != 1 || c != (char)i)
            fatal("read sv[1]");
        c = (char)~i;
        if (write(sv[1], &c, 1) != 1)
            fatal("write sv[1]");
        c = 0;
        if (read(sv[0], &c, 1) != 1 || c != (char)~i)
            fatal("read sv[0]");
    }
    out("done %ld\n", n);
    return 0;
}
