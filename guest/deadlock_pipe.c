/* deadlock_pipe.c - NOT a normal test: run it ONLY under ucrun.
 *
 * A single process writes 128 KiB into a blocking pipe whose read end it holds open but never
 * reads. The pipe holds 64 KiB, so the write fills it and then waits for a reader that can
 * never come: natively this hangs forever (check with `timeout 2`). ucrun must notice that
 * the only thread is blocked with no way to be woken, report a deadlock and exit.
 * Prints "about to block" first; nothing may be printed after it. */
#include "common.h"

static char big[128 * 1024];

int main(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    memset(big, 'x', sizeof big);
    out("about to block\n");
    ssize_t n = write(p[1], big, sizeof big); /* fills 64 KiB, then blocks forever */
    /* not reached */
    out("FAIL: write returned %zd\n", n);
    return 1;
}
