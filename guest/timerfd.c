/* timerfd.c - timerfd_create/settime/gettime: creation flags and clocks (EINVAL; the alarm
 * clocks EPERM without CAP_WAKE_ALARM), relative and TFD_TIMER_ABSTIME one-shots (exactly one
 * expiration, not before the time asked), periodic timers (every expiry counted, also after
 * an absolute start in the past), the old value, disarming, settime resetting the count,
 * reads (8-byte count, EAGAIN, EINVAL for a short buffer, EINTR), poll/select/epoll readiness,
 * a fork sharing the timer, and the errors of settime/gettime. Timing checks only use lower
 * bounds and generous upper ones. Every expected value was checked against native Linux (6.18). */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/timerfd.h>


/* arm fd: value and interval in ns */
static int arm(int fd, int flags, long long value, long long interval, struct itimerspec *old)
{
    struct itimerspec its = {ts_of(interval), ts_of(value)};
    return timerfd_settime(fd, flags, &its, old);
}

/* read the expiration count: -1 on error */
static long long ticks(int fd)
{
    uint64_t n = 0;
    ssize_t r = read(fd, &n, sizeof n);
    return r == (ssize_t)sizeof n ? (long long)n : -1;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    return r == 1 ? p.revents : r;
}

/* CAP_WAKE_ALARM (35) in the effective set, by capget */
static int has_wake_alarm(void)
{
    struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
    struct { uint32_t effective, permitted, inheritable; } data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &hdr, data) != 0)
        return 0;
    return (data[1].effective >> (35 - 32)) & 1;
}

static void on_alarm(int s) { (void)s; }

int main(void)
{
    /* ---- creation ---- */
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL, "timerfd_create(flags 1)");
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL, "timerfd_create(CLOCK_PROCESS_CPUTIME_ID)");
    CHECK_ERR(timerfd_create(CLOCK_THREAD_CPUTIME_ID, 0), EINVAL, "timerfd_create(CLOCK_THREAD_CPUTIME_ID)");
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL, "timerfd_create(CLOCK_MONOTONIC_RAW)");
    CHECK_ERR(timerfd_create(CLOCK_TAI, 0), EINVAL, "timerfd_create(CLOCK_TAI)");
    CHECK_ERR(timerfd_create(-2, 0), EINVAL, "timerfd_create(a CPU clock id)");
    int alarm_fd = timerfd_create(CLOCK_REALTIME_ALARM, 0);
    int alarm_err = errno;
    if (has_wake_alarm())
        CHECK(alarm_fd >= 0, "timerfd_create(CLOCK_REALTIME_ALARM) with CAP_WAKE_ALARM");
    else
        CHECK(alarm_fd < 0 && alarm_err == EPERM, "timerfd_create(CLOCK_REALTIME_ALARM) without CAP_WAKE_ALARM -> EPERM");
    if (alarm_fd >= 0)
        close(alarm_fd);
    if (geteuid() == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            if (setresuid(65534, 65534, 65534) != 0)
                _exit(3);
            int fd = timerfd_create(CLOCK_BOOTTIME_ALARM, 0);
            _exit(fd < 0 && errno == EPERM ? 0 : 1);
        }
        CHECK(waitstatus(pid) == 0, "an unprivileged child: timerfd_create(CLOCK_BOOTTIME_ALARM) -> EPERM");
    } else {
        CHECK_ERR(timerfd_create(CLOCK_BOOTTIME_ALARM, 0), EPERM, "timerfd_create(CLOCK_BOOTTIME_ALARM) unprivileged");
    }

    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        fatal("timerfd_create(CLOCK_MONOTONIC)");
    CHECK(fcntl(fd, F_GETFL) == (O_RDWR | O_NONBLOCK), "TFD_NONBLOCK: F_GETFL is O_RDWR|O_NONBLOCK");
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "TFD_CLOEXEC: FD_CLOEXEC set");
    int rt = timerfd_create(CLOCK_REALTIME, 0);
    int bt = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
    CHECK(rt >= 0 && bt >= 0, "timerfd_create(CLOCK_REALTIME) and (CLOCK_BOOTTIME)");
    CHECK(fcntl(rt, F_GETFL) == O_RDWR && fcntl(rt, F_GETFD) == 0, "no flags: O_RDWR, no FD_CLOEXEC");

    struct itimerspec cur;
    memset(&cur, 0x55, sizeof cur);
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0,
          "a new timer is disarmed: gettime all zero");
    CHECK_ERR(ticks(fd), EAGAIN, "read of a disarmed TFD_NONBLOCK timer");
    uint64_t small = 0;
    CHECK_ERR(read(fd, &small, 4), EINVAL, "read with a 4-byte buffer");
    CHECK(readable(fd, 0) == 0, "poll: a disarmed timer is not readable");
    CHECK(lseek(fd, 0, SEEK_CUR) == 0, "lseek succeeds without moving (noop_llseek)");
    CHECK_ERR(write(fd, &small, 8), EINVAL, "write");

    /* ---- relative one-shot ---- */
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(arm(fd, 0, 50000000LL, 0, NULL) == 0, "settime: relative 50 ms one-shot");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 50000000LL &&
              ns_of(cur.it_interval) == 0,
          "gettime: 0 < it_value <= 50 ms, no interval");
    CHECK_ERR(ticks(fd), EAGAIN, "read before the expiry");
    CHECK(readable(fd, 2000) == POLLIN, "poll: POLLIN (only) once it expires");
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 50000000LL, "... not before 50 ms");
    CHECK(ticks(fd) == 1, "read: exactly 1 expiration");
    CHECK_ERR(ticks(fd), EAGAIN, "read again (the count was reset)");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) == 0, "gettime after a one-shot expired: 0");

    /* blocking read */
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(arm(rt, 0, 30000000LL, 0, NULL) == 0, "CLOCK_REALTIME: relative 30 ms");
    CHECK(ticks(rt) == 1, "a blocking read waits and returns 1");
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 30000000LL, "... after >= 30 ms");
    CHECK(arm(bt, 0, 20000000LL, 0, NULL) == 0 && readable(bt, 2000) == POLLIN && ticks(bt) == 1,
          "CLOCK_BOOTTIME: relative 20 ms expires once");

    /* ---- absolute ---- */
    long long dl = now_ns(CLOCK_MONOTONIC) + 30000000LL;
    CHECK(arm(fd, TFD_TIMER_ABSTIME, dl, 0, NULL) == 0, "settime: TFD_TIMER_ABSTIME now + 30 ms");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30000000LL,
          "gettime shows the time left, not the absolute time");
    CHECK(readable(fd, 2000) == POLLIN && now_ns(CLOCK_MONOTONIC) >= dl, "expires at the absolute time, not before");
    CHECK(ticks(fd) == 1, "... 1 expiration");
    dl = now_ns(CLOCK_REALTIME) + 30000000LL;
    CHECK(arm(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, dl, 0, NULL) == 0,
          "CLOCK_REALTIME: TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET accepted");
    CHECK(ticks(rt) == 1 && now_ns(CLOCK_REALTIME) >= dl, "... a blocking read returns 1 at the realtime deadline");
    CHECK(arm(fd, TFD_TIMER_ABSTIME, 1, 0, NULL) == 0, "settime: absolute time in the past");
    CHECK(readable(fd, 2000) == POLLIN && ticks(fd) == 1, "... expires at once, 1 expiration");

    /* ---- periodic ---- */
    CHECK(arm(fd, 0, 10000000LL, 10000000LL, NULL) == 0, "settime: 10 ms periodic");
    sleep_ms(100);
    long long n = ticks(fd);
    CHECK(n >= 5, "after 100 ms: >= 5 expirations in one read");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_interval) == 10000000LL && ns_of(cur.it_value) > 0 &&
              ns_of(cur.it_value) <= 10000000LL,
          "gettime: interval 10 ms, 0 < it_value <= 10 ms");
    CHECK(readable(fd, 2000) == POLLIN && ticks(fd) >= 1, "it keeps expiring");
    struct itimerspec old;
    memset(&old, 0x55, sizeof old);
    CHECK(arm(fd, 0, 5000000000LL, 0, &old) == 0, "re-arm with old_value");
    CHECK(ns_of(old.it_interval) == 10000000LL && ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 10000000LL,
          "old_value: the previous interval and time left");
    CHECK_ERR(ticks(fd), EAGAIN, "settime resets the count");
    CHECK(arm(fd, 0, 0, 10000000LL, &old) == 0 && ns_of(old.it_value) > 4000000000LL && ns_of(old.it_interval) == 0,
          "disarm (it_value 0): old_value shows the 5 s timer");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 10000000LL,
          "disarmed with an interval: gettime shows it_value 0 and the interval given");
    CHECK(readable(fd, 60) == 0, "a disarmed timer does not expire");
    CHECK(arm(fd, 0, 2000000LL, 2000000LL, NULL) == 0, "a 2 ms periodic timer");
    sleep_ms(30);
    CHECK(arm(fd, 0, 10000000000LL, 0, NULL) == 0, "re-armed for 10 s while expirations were unread");
    CHECK_ERR(ticks(fd), EAGAIN, "... they are gone");
    dl = now_ns(CLOCK_REALTIME) - 1000000000LL;
    CHECK(arm(rt, TFD_TIMER_ABSTIME, dl, 100000000LL, NULL) == 0, "CLOCK_REALTIME: absolute start 1 s ago, 100 ms interval");
    n = ticks(rt);
    CHECK(n >= 10 && n <= 30, "the first read counts every interval since the start (>= 10)");
    CHECK(arm(rt, 0, 0, 0, NULL) == 0, "disarm");

    /* ---- settime/gettime errors ---- */
    struct itimerspec bad = {{0, 0}, {0, 1000000000L}};
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL, "settime: tv_nsec = 1e9");
    bad.it_value.tv_nsec = 0;
    bad.it_value.tv_sec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL, "settime: negative tv_sec");
    struct itimerspec one = {{0, 0}, {1, 0}};
    CHECK_ERR(timerfd_settime(fd, 4, &one, NULL), EINVAL, "settime: unknown flag");
    CHECK_ERR(timerfd_settime(fd, 0, NULL, NULL), EFAULT, "settime: NULL new_value");
    CHECK_ERR(timerfd_settime(-1, 0, &one, NULL), EBADF, "settime: fd -1");
    int pfd[2];
    if (pipe(pfd) != 0)
        fatal("pipe");
    CHECK_ERR(timerfd_settime(pfd[0], 0, &one, NULL), EINVAL, "settime on a pipe");
    CHECK_ERR(timerfd_gettime(pfd[0], &cur), EINVAL, "gettime on a pipe");
    CHECK_ERR(timerfd_gettime(12345, &cur), EBADF, "gettime on a closed fd");
    CHECK_ERR(timerfd_gettime(fd, NULL), EFAULT, "gettime: NULL");
    CHECK_ERR(timerfd_settime(fd, 0, &one, (struct itimerspec *)8), EFAULT, "settime: bad old_value pointer");
    CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) > 0, "... the new setting took effect anyway");
    one.it_value.tv_sec = 0x7fffffffffffffffLL;
    CHECK(timerfd_settime(fd, 0, &one, NULL) == 0 && timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec > 1000000000,
          "a huge relative time is accepted (saturated)");
    arm(fd, 0, 0, 0, NULL);

    /* ---- select and epoll ---- */
    CHECK(arm(fd, 0, 20000000LL, 0, NULL) == 0, "arm 20 ms for select");
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    struct timeval tv = {2, 0};
    CHECK(select(fd + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &rs), "select: readable once expired");
    CHECK(ticks(fd) == 1, "... read 1");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl ADD a timerfd");
    struct epoll_event got[2];
    CHECK(epoll_wait(ep, got, 2, 0) == 0, "epoll_wait: nothing yet");
    CHECK(arm(fd, 0, 20000000LL, 0, NULL) == 0, "arm 20 ms for epoll");
    int nev = epoll_wait(ep, got, 2, 2000);
    CHECK(nev == 1 && got[0].events == EPOLLIN && got[0].data.u64 == 77, "epoll_wait: EPOLLIN with the data");
    CHECK(ticks(fd) == 1 && epoll_wait(ep, got, 2, 0) == 0, "read 1, then not ready");
    CHECK(arm(fd, 0, 5000000LL, 5000000LL, NULL) == 0, "a 5 ms periodic timer under epoll");
    int rounds = 0;
    for (int i = 0; i < 3; i++)
        if (epoll_wait(ep, got, 2, 2000) == 1 && ticks(fd) >= 1)
            rounds++;
    CHECK(rounds == 3, "three epoll_wait + read rounds each see expirations");
    arm(fd, 0, 0, 0, NULL);
    close(ep);

    /* ---- a blocking read is interrupted by a signal ---- */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    CHECK(arm(rt, 0, 10000000000LL, 0, NULL) == 0, "arm 10 s");
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK_ERR(ticks(rt), EINTR, "a blocking read interrupted by SIGALRM (no SA_RESTART)");
    arm(rt, 0, 0, 0, NULL);

    /* ---- fork shares the timer ---- */
    int shared = timerfd_create(CLOCK_MONOTONIC, 0);
    CHECK(arm(shared, 0, 30000000LL, 0, NULL) == 0, "arm 30 ms, then fork");
    pid_t pid = fork();
    if (pid == 0)
        _exit(ticks(shared) == 1 ? 0 : 1);
    CHECK(waitstatus(pid) == 0, "the child's blocking read got the expiration");
    int fl = fcntl(shared, F_GETFL);
    fcntl(shared, F_SETFL, fl | O_NONBLOCK);
    CHECK_ERR(ticks(shared), EAGAIN, "the parent's read finds it taken (one shared timer)");
    CHECK(timerfd_gettime(shared, &cur) == 0 && ns_of(cur.it_value) == 0, "... and the timer expired for the parent too");
    close(shared);
    close(fd);
    close(rt);
    close(bt);
    return finish();
}
