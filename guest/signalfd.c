/* signalfd.c - signalfd4 (and signalfd on x86_64): the errors (size, flags, mask pointer, fd),
 * SFD_NONBLOCK/SFD_CLOEXEC, records for kill (SI_USER), raise (SI_TKILL), sigqueue (SI_QUEUE +
 * value) and SIGCHLD (CLD_EXITED, pid, status); a taken signal is not delivered as well, one
 * outside the mask stays pending, real-time signals come in queue order, several records per
 * read, a mask update on the same fd, EAGAIN/EINVAL on reads, a blocking read woken by another
 * process, poll/select/epoll readiness, and a forked child reading its own signals through the
 * inherited fd, and a blocked reader taking a signal it does not block. Every expected value was checked against native Linux (6.18). */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>

#define REC sizeof(struct signalfd_siginfo)

static volatile sig_atomic_t handled;
static void on_usr1(int s) { (void)s; handled++; }

static volatile sig_atomic_t handled2;
static void on_usr2(int s) { (void)s; handled2++; }

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    return r == 1 ? p.revents : r;
}

static sigset_t set_of(int a, int b)
{
    sigset_t s;
    sigemptyset(&s);
    if (a)
        sigaddset(&s, a);
    if (b)
        sigaddset(&s, b);
    return s;
}

/* wait (up to 5 s) until process pid sleeps (state S in /proc/pid/stat): blocked in a call */
static void wait_sleeping(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 5000; i++) {
        if (read_file(path, buf, sizeof buf) > 0) {
            char *e = strrchr(buf, ')');
            if (e && e[1] == ' ' && e[2] == 'S')
                return;
        }
        sleep_ms(1);
    }
}

static int pending(int sig)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

int main(void)
{
    sigset_t blocked = set_of(SIGUSR1, SIGUSR2);
    sigaddset(&blocked, SIGRTMIN);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    /* ---- creation and its errors ---- */
    sigset_t m = set_of(SIGUSR1, 0);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL, "signalfd4: sizemask 4");
    CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 16, 0), EINVAL, "signalfd4: sizemask 16");
    CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 8, 1), EINVAL, "signalfd4: unknown flag");
    CHECK_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT, "signalfd4: NULL mask");
    CHECK_ERR(syscall(SYS_signalfd4, -2, &m, 8, 0), EBADF, "signalfd4: fd -2");
    int pfd[2];
    if (pipe(pfd) != 0)
        fatal("pipe");
    CHECK_ERR(signalfd(pfd[0], &m, 0), EINVAL, "signalfd on a pipe's fd");
    int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        fatal("signalfd");
    CHECK(fcntl(fd, F_GETFL) == (O_RDWR | O_NONBLOCK), "SFD_NONBLOCK: F_GETFL is O_RDWR|O_NONBLOCK");
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "SFD_CLOEXEC: FD_CLOEXEC set");

    struct signalfd_siginfo si[4];
    CHECK_ERR(read(fd, si, REC), EAGAIN, "read with nothing pending");
    CHECK_ERR(read(fd, si, REC - 1), EINVAL, "read with a 127-byte buffer");
    CHECK(readable(fd, 0) == 0, "poll: not readable");

    /* ---- one record per signal ---- */
    raise(SIGUSR1);
    CHECK(readable(fd, 0) == POLLIN, "raise(SIGUSR1): POLLIN");
    memset(si, 0x55, sizeof si);
    CHECK(read(fd, si, sizeof si) == (ssize_t)REC, "read returns one 128-byte record");
    CHECK(si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_TKILL && si[0].ssi_pid == (uint32_t)getpid() &&
              si[0].ssi_uid == (uint32_t)getuid() && si[0].ssi_errno == 0,
          "raise: ssi_signo SIGUSR1, ssi_code SI_TKILL, ssi_pid, ssi_uid");
    CHECK(si[0].ssi_int == 0 && si[0].ssi_ptr == 0 && si[0].ssi_status == 0 && si[0].ssi_addr == 0,
          "... the other members are zero");
    CHECK(!pending(SIGUSR1) && readable(fd, 0) == 0, "the signal is no longer pending");
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    CHECK(handled == 0, "unblocking it runs no handler (it was taken)");
    sigprocmask(SIG_BLOCK, &m, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(read(fd, si, REC) == (ssize_t)REC && si[0].ssi_code == SI_USER && si[0].ssi_pid == (uint32_t)getpid(),
          "kill: SI_USER with the sender's pid");
    union sigval v = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR1, v);
    CHECK(read(fd, si, REC) == (ssize_t)REC && si[0].ssi_code == SI_QUEUE && si[0].ssi_int == 42 && si[0].ssi_ptr == 42,
          "sigqueue: SI_QUEUE, ssi_int and ssi_ptr carry the value");

    /* ---- a signal outside the mask ---- */
    raise(SIGUSR2);
    CHECK_ERR(read(fd, si, REC), EAGAIN, "SIGUSR2 is not in the mask");
    CHECK(pending(SIGUSR2), "... and stays pending");

    /* ---- a new mask on the same fd ---- */
    sigset_t m2 = set_of(SIGUSR1, SIGUSR2);
    sigaddset(&m2, SIGRTMIN);
    CHECK(signalfd(fd, &m2, 0) == fd, "signalfd(fd, new mask) returns the same fd");
    CHECK(fcntl(fd, F_GETFL) == (O_RDWR | O_NONBLOCK), "... its flags are unchanged");
    CHECK(readable(fd, 0) == POLLIN, "the pending SIGUSR2 now makes it readable");
    raise(SIGUSR1);
    memset(si, 0, sizeof si);
    CHECK(read(fd, si, sizeof si) == (ssize_t)(2 * REC), "two pending signals: one read, two records");
    CHECK(si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2, "... the lower signal first");
    for (int i = 1; i <= 3; i++) {
        union sigval rv = {.sival_int = i};
        sigqueue(getpid(), SIGRTMIN, rv);
    }
    memset(si, 0, sizeof si);
    CHECK(read(fd, si, 2 * REC) == (ssize_t)(2 * REC), "three queued SIGRTMIN, a 2-record buffer: 2 records");
    CHECK(si[0].ssi_int == 1 && si[1].ssi_int == 2, "... in queue order");
    CHECK(read(fd, si, sizeof si) == (ssize_t)REC && si[0].ssi_int == 3 && si[0].ssi_signo == (uint32_t)SIGRTMIN,
          "the third comes next");
    sigset_t full;
    sigfillset(&full);
    CHECK(syscall(SYS_signalfd4, fd, &full, 8, 0) == fd, "a mask with every signal (SIGKILL, SIGSTOP dropped)");
    CHECK(signalfd(fd, &m2, 0) == fd, "back to USR1|USR2|RTMIN");

    /* ---- SIGCHLD ---- */
    sigset_t mc = set_of(SIGCHLD, 0);
    int cfd = signalfd(-1, &mc, 0);
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    memset(si, 0, sizeof si);
    CHECK(read(cfd, si, REC) == (ssize_t)REC && si[0].ssi_signo == SIGCHLD && si[0].ssi_code == CLD_EXITED &&
              si[0].ssi_pid == (uint32_t)pid && si[0].ssi_status == 7,
          "SIGCHLD: a blocking read gets CLD_EXITED with the child's pid and status 7");
    CHECK(waitstatus(pid) == 7, "the child is still there to reap");
    close(cfd);

    /* ---- a blocking read woken by another process ---- */
    int bfd = signalfd(-1, &m, 0);
    pid_t me = getpid();
    pid = fork();
    if (pid == 0) {
        sleep_ms(50);
        kill(me, SIGUSR1);
        _exit(0);
    }
    memset(si, 0, sizeof si);
    CHECK(read(bfd, si, sizeof si) == (ssize_t)REC && si[0].ssi_signo == SIGUSR1 && si[0].ssi_pid == (uint32_t)pid,
          "a blocking read returns the child's kill (ssi_pid = the child)");
    waitstatus(pid);

    /* ---- select and epoll ---- */
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(bfd, &rs);
    struct timeval tv = {0, 0};
    CHECK(select(bfd + 1, &rs, NULL, NULL, &tv) == 0, "select: not readable");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, bfd, &ev) == 0, "epoll_ctl ADD a signalfd");
    struct epoll_event got[2];
    CHECK(epoll_wait(ep, got, 2, 0) == 0, "epoll_wait: nothing yet");
    pid = fork();
    if (pid == 0) {
        sleep_ms(30);
        kill(me, SIGUSR1);
        _exit(0);
    }
    CHECK(epoll_wait(ep, got, 2, 2000) == 1 && got[0].events == EPOLLIN && got[0].data.u64 == 5,
          "epoll_wait wakes with EPOLLIN when a signal arrives");
    FD_ZERO(&rs);
    FD_SET(bfd, &rs);
    CHECK(select(bfd + 1, &rs, NULL, NULL, &tv) == 1, "select: readable");
    CHECK(read(bfd, si, REC) == (ssize_t)REC && epoll_wait(ep, got, 2, 0) == 0, "read it; then not ready");
    waitstatus(pid);
    close(ep);

    /* ---- fork: the child reads its own signals ---- */
    raise(SIGUSR1);
    pid = fork();
    if (pid == 0) {
        int ok = 1;
        struct signalfd_siginfo c;
        if (read(fd, &c, REC) != -1 || errno != EAGAIN)
            ok = 0; /* the parent's pending SIGUSR1 is not the child's */
        raise(SIGUSR2);
        if (read(fd, &c, REC) != (ssize_t)REC || c.ssi_signo != SIGUSR2 || c.ssi_pid != (uint32_t)getpid())
            ok = 0;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "a forked child sees only its own signals through the inherited fd");
    memset(si, 0, sizeof si);
    CHECK(read(fd, si, sizeof si) == (ssize_t)REC && si[0].ssi_signo == SIGUSR1, "the parent still reads its SIGUSR1");

    /* ---- an unblocked signal in the mask is delivered as usual ---- */
    handled = 0;
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    raise(SIGUSR1);
    CHECK(handled == 1, "not blocked: the handler runs");
    CHECK_ERR(read(fd, si, REC), EAGAIN, "... and the signalfd has nothing");
    pid = fork();
    if (pid == 0) {
        wait_sleeping(me);
        kill(me, SIGUSR1);
        _exit(0);
    }
    memset(si, 0, sizeof si);
    CHECK(read(bfd, si, REC) == (ssize_t)REC && si[0].ssi_signo == SIGUSR1 && handled == 1,
          "a reader blocked in read gets an unblocked signal of its mask, no handler runs");
    waitstatus(pid);
    sigprocmask(SIG_BLOCK, &m, NULL);

    /* ---- a signal outside the mask interrupts a blocked read ---- */
    struct sigaction sa2;
    memset(&sa2, 0, sizeof sa2);
    sa2.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa2, NULL);
    sigset_t m_usr2 = set_of(SIGUSR2, 0);
    sigprocmask(SIG_UNBLOCK, &m_usr2, NULL);
    pid = fork();
    if (pid == 0) {
        wait_sleeping(me);
        kill(me, SIGUSR2);
        _exit(0);
    }
    CHECK_ERR(read(bfd, si, REC), EINTR, "SIGUSR2 (handled, no SA_RESTART) interrupts a blocked read of a USR1 signalfd");
    CHECK(handled2 == 1, "... and its handler ran");
    waitstatus(pid);
    sa2.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa2, NULL);
    pid = fork();
    if (pid == 0) {
        wait_sleeping(me);
        kill(me, SIGUSR2);
        sleep_ms(20);
        wait_sleeping(me);
        kill(me, SIGUSR1);
        _exit(0);
    }
    memset(si, 0, sizeof si);
    CHECK(read(bfd, si, REC) == (ssize_t)REC && si[0].ssi_signo == SIGUSR1 && handled2 == 2,
          "with SA_RESTART the read restarts after the handler and returns the later SIGUSR1");
    waitstatus(pid);
    sigprocmask(SIG_BLOCK, &m_usr2, NULL);
    close(fd);
    close(bfd);
    return finish();
}
