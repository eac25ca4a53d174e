/* deadlock_read.c - NOT a normal test: run it ONLY under ucrun.
 *
 * A single process makes a socketpair and does a blocking read on the empty sv[1] while it
 * still holds the peer sv[0] open. Nothing can ever write to sv[0], so natively this hangs
 * forever (check with `timeout 2`). ucrun must notice that the only thread is blocked with
 * no way to be woken, report a deadlock and exit.
 * Prints "about to block" first; nothing may be printed after it. */
#include "common.h"
#include <sys/socket.h>

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    out("about to block\n");
    char c;
    ssize_t n = read(sv[1], &c, 1); /* blocks forever: sv[0] is open and never written */
    /* not reached */
    out("FAIL: read returned %zd\n", n);
    return 1;
}
