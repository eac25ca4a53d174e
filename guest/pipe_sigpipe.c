/* pipe_sigpipe.c - with SIGPIPE at its default action, writing to a pipe with no readers
 * kills the process with SIGPIPE (a shell reports exit status 141).
 * Nothing may be printed after "about to write". */
#include "common.h"
#include <signal.h>

int main(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    /* make sure SIGPIPE is neither ignored nor blocked, whatever we inherited */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    if (signal(SIGPIPE, SIG_DFL) == SIG_ERR || sigprocmask(SIG_UNBLOCK, &set, NULL) != 0)
        fatal("reset SIGPIPE");
    CHECK(close(p[0]) == 0, "close the read end");
    out("about to write\n");
    ssize_t n = write(p[1], "x", 1);
    /* not reached */
    CHECK(0, "still alive after writing to a pipe with no readers (write returned %zd)", n);
    return finish();
}
