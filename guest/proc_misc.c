/* proc_misc.c - the process calls harnesses touch: close_range, personality, scheduling
 * policies and prlimit64 on another process.
 *
 * close_range closes a range (or marks it close-on-exec) and rejects first > last and unknown
 * flags; personality reports and keeps the persona (0xffffffff only reads); sched_setscheduler
 * takes SCHED_BATCH/IDLE/OTHER with priority 0, refuses bad priorities (EINVAL) and real-time
 * policies without CAP_SYS_NICE (EPERM), and sched_getscheduler/getparam/getattr report it;
 * prlimit64 reads and sets a child's limit; setting a hard limit above the current one needs
 * CAP_SYS_RESOURCE. */
#define _GNU_SOURCE
#include "common.h"
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int main(void)
{
    int a = openat(AT_FDCWD, "/dev/null", O_RDONLY), b = dup(a), c = dup(a);
    CHECK(syscall(SYS_close_range, b, c, 4 /* CLOSE_RANGE_CLOEXEC */) == 0 && fcntl(b, F_GETFD) == FD_CLOEXEC && fcntl(c, F_GETFD) == FD_CLOEXEC,
          "close_range CLOSE_RANGE_CLOEXEC marks the range");
    CHECK(syscall(SYS_close_range, b, c, 0) == 0 && fcntl(b, F_GETFD) < 0 && fcntl(c, F_GETFD) < 0 && fcntl(a, F_GETFD) == 0,
          "close_range closes exactly the range");
    CHECK_ERR(syscall(SYS_close_range, 5, 4, 0), EINVAL, "close_range with first > last");
    CHECK_ERR(syscall(SYS_close_range, 0, 0, 0x80), EINVAL, "close_range with an unknown flag");
    close(a);

    int old = personality(0xffffffff);
    CHECK(old == 0, "personality: PER_LINUX");
    CHECK(personality(ADDR_NO_RANDOMIZE) == 0 && personality(0xffffffff) == ADDR_NO_RANDOMIZE, "personality(ADDR_NO_RANDOMIZE) is kept");
    personality(0);

    struct sched_param sp = { 0 };
    CHECK(sched_setscheduler(0, SCHED_BATCH, &sp) == 0 && sched_getscheduler(0) == SCHED_BATCH, "SCHED_BATCH");
    sp.sched_priority = 5;
    CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL, "SCHED_OTHER with priority 5");
    CHECK_ERR(sched_setscheduler(0, 77, &sp), EINVAL, "an unknown policy");
    sp.sched_priority = 0;
    CHECK(sched_setscheduler(0, SCHED_OTHER, &sp) == 0 && sched_getscheduler(0) == SCHED_OTHER, "back to SCHED_OTHER");
    if (geteuid() != 0) {
        sp.sched_priority = 10;
        CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &sp), EPERM, "SCHED_FIFO without CAP_SYS_NICE");
    }
    CHECK(sched_getparam(0, &sp) == 0 && sp.sched_priority == 0, "sched_getparam: priority 0");
    unsigned char attr[48] = { 0 };
    CHECK(syscall(SYS_sched_getattr, 0, attr, sizeof attr, 0) == 0 && *(unsigned *)attr == 48 && *(unsigned *)(attr + 4) == SCHED_OTHER,
          "sched_getattr: size 48, SCHED_OTHER");
    CHECK_ERR(syscall(SYS_sched_getattr, 0, attr, 8, 0), EINVAL, "sched_getattr with a small size");
    CHECK_ERR(sched_getscheduler(0x7ffffff0), ESRCH, "sched_getscheduler of a missing pid");
    pid_t idle = fork();
    if (idle == 0) {
        struct sched_param z = { 0 };
        if (sched_setscheduler(0, SCHED_IDLE, &z) != 0 || sched_getscheduler(0) != SCHED_IDLE) _exit(1);
        /* leaving SCHED_IDLE needs CAP_SYS_NICE or an RLIMIT_NICE that allows the nice value */
        int r = sched_setscheduler(0, SCHED_OTHER, &z);
        _exit(geteuid() == 0 ? (r == 0 ? 0 : 2) : (r == -1 && errno == EPERM ? 0 : 3));
    }
    CHECK(waitstatus(idle) == 0, "SCHED_IDLE, and leaving it only with CAP_SYS_NICE (EPERM otherwise)");

    int pfd[2];
    pipe(pfd);
    pid_t pid = fork();
    if (pid == 0) {
        char ch;
        close(pfd[1]);
        read(pfd[0], &ch, 1);
        struct rlimit r;
        getrlimit(RLIMIT_CORE, &r);
        _exit(r.rlim_cur == 4096 ? 0 : 1);
    }
    close(pfd[0]);
    struct rlimit cur, set;
    CHECK(prlimit(pid, RLIMIT_CORE, NULL, &cur) == 0, "prlimit64 reads the child's RLIMIT_CORE");
    set.rlim_cur = 4096;
    set.rlim_max = cur.rlim_max;
    CHECK(prlimit(pid, RLIMIT_CORE, &set, NULL) == 0, "prlimit64 sets the child's soft limit");
    write(pfd[1], "x", 1);
    CHECK(waitstatus(pid) == 0, "the child sees it");
    CHECK_ERR(prlimit(0x7ffffff0, RLIMIT_CORE, NULL, &cur), ESRCH, "prlimit64 of a missing pid");
    struct rlimit mine;
    getrlimit(RLIMIT_NOFILE, &mine);
    if (geteuid() != 0 && mine.rlim_max != RLIM_INFINITY) {
        struct rlimit up = { mine.rlim_cur, mine.rlim_max + 1 };
        CHECK_ERR(setrlimit(RLIMIT_NOFILE, &up), EPERM, "raising the hard limit without CAP_SYS_RESOURCE");
    }
    CHECK_ERR(prlimit(0, 99, NULL, &cur), EINVAL, "an unknown resource");
    CHECK(prctl(PR_GET_KEEPCAPS) == 0 && prctl(PR_SET_KEEPCAPS, 1) == 0 && prctl(PR_GET_KEEPCAPS) == 1, "PR_SET_KEEPCAPS");
    prctl(PR_SET_KEEPCAPS, 0);
    CHECK(prctl(PR_CAPBSET_READ, 0) == 1 && prctl(PR_CAPBSET_READ, 7) == 1, "PR_CAPBSET_READ: CAP_CHOWN and CAP_SETUID are bounded");
    CHECK_ERR(prctl(PR_CAPBSET_READ, 999), EINVAL, "PR_CAPBSET_READ of an unknown capability");
    CHECK(prctl(PR_SET_TIMERSLACK, 1000) == 0 && prctl(PR_GET_TIMERSLACK) == 1000, "PR_SET_TIMERSLACK");
    CHECK(prctl(PR_GET_SECUREBITS) == 0, "PR_GET_SECUREBITS");
    return finish();
}
