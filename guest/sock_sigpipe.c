/* sock_sigpipe.c - with SIGPIPE at its default action, writing to a stream socket whose peer
 * is closed kills the process with SIGPIPE (a shell reports exit status 141).
 * Nothing may be printed after "about to write". */
#include "common.h"
#include <signal.h>
#include <sys/socket.h>

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    /* make sure SIGPIPE is neither ignored nor blocked, whatever we inherited */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    if (signal(SIGPIPE, SIG_DFL) == SIG_ERR || sigprocmask(SIG_UNBLOCK, &set, NULL) != 0)
        fatal("reset SIGPIPE");
    CHECK(close(sv[1]) == 0, "close the peer");
    out("about to write\n");
    ssize_t n = write(sv[0], "x", 1);
    /* not reached */
    CHECK(0, "still alive after writing to a closed peer (write returned %zd)", n);
    return finish();
}
