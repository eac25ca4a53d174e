/* bench_syscall.c - syscall round-trip benchmark: N x (write 1 byte to /dev/null +
 * read 1 byte from /dev/zero). argv[1] = N (default 200000). Prints "done N". */
#include "common.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    int wfd = openat(AT_FDCWD, "/dev/null", O_WRONLY);
    int rfd = openat(AT_FDCWD, "/dev/zero", O_RDONLY);
    if (wfd < 0 || rfd < 0)
        fatal("open /dev/null or /dev/zero");
    char c = 'x';
    for (long i = 0; i < n; i++) {
        if (write(wfd, &c, 1) != 1)
            fatal("write /dev/null");
        if (read(rfd, &c, 1) != 1 || c != 0)
            fatal("read /dev/zero");
        c = 'x';
    }
    out("done %ld\n", n);
    return 0;
}
