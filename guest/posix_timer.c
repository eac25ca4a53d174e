/* posix_timer.c - POSIX timers (timer_create/settime/gettime/getoverrun/delete) and
 * clock_nanosleep on every clock: creation errors and ids (per process, increasing, a fork
 * starts afresh), SIGEV_SIGNAL siginfo (SI_TIMER, si_timerid, si_overrun, si_value), the NULL
 * sigevent default (SIGALRM, the id as value), SIGEV_NONE, SIGEV_THREAD_ID to one thread,
 * glibc's SIGEV_THREAD, one-shot and periodic, TIMER_ABSTIME (also in the past), old_value,
 * overruns counted while the signal stays blocked (si_overrun == timer_getoverrun), a pending
 * signal dropped by timer_settime and timer_delete, signals landing in a CPU-bound loop, the
 * CPU-time clocks (process and thread), ignored signals, timers gone after execve; and
 * clock_nanosleep TIMER_ABSTIME on REALTIME/MONOTONIC/BOOTTIME/TAI and the CPU clocks.
 * Timing checks only use lower bounds and generous upper ones. Every expected value was
 * checked against native Linux (6.18). */
#include "common.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>


static int arm(timer_t id, int flags, long long value, long long interval, struct itimerspec *old)
{
    struct itimerspec its = {ts_of(interval), ts_of(value)};
    return timer_settime(id, flags, &its, old);
}

/* a kernel timer id made by the raw syscall (glibc's timer_t is the same number for these) */
static int kcreate(clockid_t clock, struct sigevent *ev)
{
    int id = -1;
    if (syscall(SYS_timer_create, clock, ev, &id) != 0)
        return -1;
    return id;
}

static struct sigevent sev(int notify, int signo, int value)
{
    struct sigevent e;
    memset(&e, 0, sizeof e);
    e.sigev_notify = notify;
    e.sigev_signo = signo;
    e.sigev_value.sival_int = value;
    return e;
}

/* wait up to ms for sig (blocked); returns the signal or -1 */
static int waitsig(int sig, siginfo_t *si, long ms)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    struct timespec t = ts_of(ms * 1000000LL);
    memset(si, 0, sizeof *si);
    return sigtimedwait(&s, si, &t);
}

static volatile sig_atomic_t hits;
static volatile int hit_code, hit_value;
static void on_usr2(int s, siginfo_t *si, void *uc)
{
    (void)s, (void)uc;
    hits++;
    hit_code = si->si_code;
    hit_value = si->si_value.sival_int;
}

static atomic_int thread_fired;
static sem_t thread_sem;
static void notify_fn(union sigval v)
{
    atomic_fetch_add(&thread_fired, v.sival_int);
    sem_post(&thread_sem);
}

static _Atomic pid_t waiter_tid;
static atomic_int waiter_got;
static void *waiter(void *arg)
{
    (void)arg;
    waiter_tid = gettid();
    siginfo_t si;
    int sig = waitsig(SIGUSR1, &si, 3000);
    waiter_got = (sig == SIGUSR1 && si.si_code == SI_TIMER && si.si_value.sival_int == 99) ? 1 : -1;
    return NULL;
}

static atomic_int spin_stop;
static void *spinner(void *arg)
{
    (void)arg;
    while (!atomic_load(&spin_stop))
        ;
    return NULL;
}

/* argv[1] == "exec-check": started by execve with a timer id that must be gone */
static int exec_check(const char *idstr)
{
    int id = atoi(idstr);
    struct itimerspec cur;
    if (syscall(SYS_timer_gettime, id, &cur) != -1 || errno != EINVAL)
        return 1;
    return kcreate(CLOCK_MONOTONIC, NULL) == id + 1 ? 0 : 2; /* the id counter survives exec */
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-check") == 0)
        return exec_check(argv[2]);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGALRM);
    sigaddset(&blocked, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    siginfo_t si;
    struct itimerspec cur, old;

    /* ---- ids and creation errors ---- */
    int first = kcreate(CLOCK_MONOTONIC, NULL);
    CHECK(first == 0, "the process's first timer id is 0");
    CHECK(kcreate(CLOCK_REALTIME, NULL) == 1, "the next is 1");
    CHECK(syscall(SYS_timer_delete, 1) == 0 && kcreate(CLOCK_BOOTTIME, NULL) == 2, "ids are not reused after a delete");
    struct sigevent e = sev(SIGEV_SIGNAL, 0, 0);
    int id = -1;
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &e, &id), EINVAL, "sigev_signo 0");
    e.sigev_signo = 65;
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &e, &id), EINVAL, "sigev_signo 65");
    e = sev(77, SIGUSR1, 0);
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &e, &id), EINVAL, "sigev_notify 77");
    e = sev(SIGEV_THREAD_ID, SIGUSR1, 0);
    e._sigev_un._tid = getppid();
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &e, &id), EINVAL, "SIGEV_THREAD_ID: a tid of another process");
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, NULL), EFAULT, "timerid NULL");
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &id), EFAULT, "sigevent at a bad address");
    CHECK(kcreate(CLOCK_MONOTONIC, NULL) == 8, "every failure after the id was taken used one up (next id 8)");
    CHECK_ERR(syscall(SYS_timer_create, 12345, NULL, &id), EINVAL, "an unknown clock");
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, NULL, &id), EOPNOTSUPP, "CLOCK_MONOTONIC_RAW");
    CHECK_ERR(syscall(SYS_timer_create, CLOCK_REALTIME_COARSE, NULL, &id), EOPNOTSUPP, "CLOCK_REALTIME_COARSE");
    int ar = (int)syscall(SYS_timer_create, CLOCK_REALTIME_ALARM, NULL, &id);
    CHECK(ar == 0 || errno == EOPNOTSUPP || errno == EPERM, "CLOCK_REALTIME_ALARM: created, or EOPNOTSUPP without an RTC");
    CHECK(kcreate(CLOCK_TAI, NULL) >= 0 && kcreate(CLOCK_PROCESS_CPUTIME_ID, NULL) >= 0 &&
              kcreate(CLOCK_THREAD_CPUTIME_ID, NULL) >= 0,
          "CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID timers");
    clockid_t cpu;
    CHECK(clock_getcpuclockid(getpid(), &cpu) == 0 && kcreate(cpu, NULL) >= 0, "a timer on clock_getcpuclockid(getpid())");
    CHECK_ERR(syscall(SYS_timer_create, -1, NULL, &id), EINVAL, "clock id -1 (an invalid CPU clock)");
    CHECK_ERR(syscall(SYS_timer_create, -5, NULL, &id), EOPNOTSUPP, "clock id -5 (a clock fd)");

    /* ---- lookups ---- */
    CHECK(syscall(SYS_timer_gettime, first, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0,
          "a new timer is disarmed");
    CHECK(syscall(SYS_timer_getoverrun, first) == 0, "timer_getoverrun of a new timer: 0");
    CHECK_ERR(syscall(SYS_timer_gettime, 12345, &cur), EINVAL, "timer_gettime: unknown id");
    CHECK_ERR(syscall(SYS_timer_gettime, -1, &cur), EINVAL, "timer_gettime: id -1");
    CHECK_ERR(syscall(SYS_timer_gettime, first, NULL), EFAULT, "timer_gettime: NULL");
    CHECK_ERR(syscall(SYS_timer_getoverrun, 12345), EINVAL, "timer_getoverrun: unknown id");
    CHECK_ERR(syscall(SYS_timer_delete, 12345), EINVAL, "timer_delete: unknown id");
    struct itimerspec its = {{0, 0}, {1, 0}};
    CHECK_ERR(syscall(SYS_timer_settime, first, 0, NULL, NULL), EINVAL, "timer_settime: NULL new_value");
    CHECK_ERR(syscall(SYS_timer_settime, first, 0, (void *)8, NULL), EFAULT, "timer_settime: bad new_value pointer");
    its.it_value.tv_nsec = 1000000000L;
    CHECK_ERR(syscall(SYS_timer_settime, first, 0, &its, NULL), EINVAL, "timer_settime: tv_nsec 1e9");
    its.it_value.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_timer_settime, 12345, 0, &its, NULL), EINVAL, "timer_settime: unknown id");
    CHECK_ERR(syscall(SYS_timer_settime, first, 0, &its, (void *)8), EFAULT, "timer_settime: bad old_value pointer");
    CHECK(syscall(SYS_timer_gettime, first, &cur) == 0 && ns_of(cur.it_value) > 0, "... the new setting took effect anyway");
    its.it_value.tv_sec = 0;
    syscall(SYS_timer_settime, first, 0, &its, NULL);

    /* ---- SIGEV_SIGNAL one-shot ---- */
    timer_t t1;
    e = sev(SIGEV_SIGNAL, SIGUSR1, 1234);
    CHECK(timer_create(CLOCK_MONOTONIC, &e, &t1) == 0, "timer_create SIGEV_SIGNAL SIGUSR1");
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(arm(t1, 0, 30000000LL, 0, NULL) == 0, "relative 30 ms one-shot");
    CHECK(timer_gettime(t1, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30000000LL &&
              ns_of(cur.it_interval) == 0,
          "timer_gettime: 0 < it_value <= 30 ms");
    CHECK(waitsig(SIGUSR1, &si, 2000) == SIGUSR1, "the signal arrives");
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 30000000LL, "... not before 30 ms");
    CHECK(si.si_code == SI_TIMER && si.si_timerid == (int)(intptr_t)t1 && si.si_overrun == 0 &&
              si.si_value.sival_int == 1234,
          "siginfo: SI_TIMER, si_timerid, si_overrun 0, si_value");
    CHECK(timer_gettime(t1, &cur) == 0 && ns_of(cur.it_value) == 0, "after it fired: disarmed");
    CHECK(waitsig(SIGUSR1, &si, 60) == -1 && errno == EAGAIN, "a one-shot signals once");

    /* ---- absolute times ---- */
    long long dl = now_ns(CLOCK_MONOTONIC) + 30000000LL;
    CHECK(arm(t1, TIMER_ABSTIME, dl, 0, NULL) == 0, "TIMER_ABSTIME now + 30 ms");
    CHECK(timer_gettime(t1, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30000000LL,
          "timer_gettime shows the time left");
    CHECK(waitsig(SIGUSR1, &si, 2000) == SIGUSR1 && now_ns(CLOCK_MONOTONIC) >= dl, "fires at the absolute time, not before");
    timer_t trt;
    e = sev(SIGEV_SIGNAL, SIGUSR1, 5);
    timer_create(CLOCK_REALTIME, &e, &trt);
    dl = now_ns(CLOCK_REALTIME) + 20000000LL;
    CHECK(arm(trt, TIMER_ABSTIME, dl, 0, NULL) == 0 && waitsig(SIGUSR1, &si, 2000) == SIGUSR1 &&
              now_ns(CLOCK_REALTIME) >= dl && si.si_value.sival_int == 5,
          "CLOCK_REALTIME TIMER_ABSTIME: fires at the realtime deadline");
    CHECK(arm(trt, TIMER_ABSTIME, 1, 0, NULL) == 0 && waitsig(SIGUSR1, &si, 2000) == SIGUSR1,
          "an absolute time in the past fires at once");
    timer_delete(trt);

    /* ---- periodic, overruns ---- */
    CHECK(arm(t1, 0, 10000000LL, 10000000LL, NULL) == 0, "10 ms periodic, signal blocked");
    sleep_ms(200);
    CHECK(waitsig(SIGUSR1, &si, 2000) == SIGUSR1, "one signal after 200 ms");
    int ovr = si.si_overrun;
    CHECK(ovr >= 5, "si_overrun counts the expirations while it was pending (>= 5)");
    CHECK(timer_getoverrun(t1) == ovr, "timer_getoverrun == that si_overrun");
    CHECK(timer_gettime(t1, &cur) == 0 && ns_of(cur.it_interval) == 10000000LL && ns_of(cur.it_value) > 0 &&
              ns_of(cur.it_value) <= 10000000LL,
          "timer_gettime: interval 10 ms, 0 < it_value <= 10 ms");
    CHECK(waitsig(SIGUSR1, &si, 2000) == SIGUSR1 && si.si_code == SI_TIMER, "it was re-armed: another signal");
    memset(&old, 0x55, sizeof old);
    CHECK(arm(t1, 0, 5000000000LL, 0, &old) == 0 && ns_of(old.it_interval) == 10000000LL && ns_of(old.it_value) > 0 &&
              ns_of(old.it_value) <= 10000000LL,
          "old_value: the previous interval and time left");
    CHECK(timer_getoverrun(t1) == 0, "timer_settime resets the overrun");
    CHECK(arm(t1, 0, 0, 10000000LL, &old) == 0 && ns_of(old.it_value) > 4000000000LL,
          "disarm: old_value shows the 5 s timer");
    CHECK(timer_gettime(t1, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0,
          "disarmed: no interval is kept");
    CHECK(arm(t1, 0, 10000000LL, 0, NULL) == 0, "10 ms one-shot, then wait until its signal is pending");
    for (int i = 0; i < 200; i++) {
        sigset_t p;
        sigpending(&p);
        if (sigismember(&p, SIGUSR1))
            break;
        sleep_ms(10);
    }
    CHECK(arm(t1, 0, 0, 0, NULL) == 0, "disarm while the signal is pending");
    CHECK(waitsig(SIGUSR1, &si, 0) == -1 && errno == EAGAIN, "the pending signal was dropped");
    arm(t1, 0, 5000000LL, 0, NULL);
    sleep_ms(50);
    CHECK(timer_delete(t1) == 0, "timer_delete with its signal pending");
    CHECK(waitsig(SIGUSR1, &si, 0) == -1 && errno == EAGAIN, "the pending signal was dropped");
    CHECK(timer_delete(t1) == -1 && errno == EINVAL, "timer_delete again -> EINVAL");

    /* ---- the NULL sigevent ---- */
    int kid = kcreate(CLOCK_MONOTONIC, NULL);
    its = (struct itimerspec){{0, 0}, {0, 10000000L}};
    CHECK(syscall(SYS_timer_settime, kid, 0, &its, NULL) == 0 && waitsig(SIGALRM, &si, 2000) == SIGALRM &&
              si.si_code == SI_TIMER && si.si_value.sival_int == kid && si.si_timerid == kid,
          "no sigevent: SIGALRM with the timer id as si_value");

    /* ---- SIGEV_NONE ---- */
    timer_t tn;
    e = sev(SIGEV_NONE, 0, 0);
    CHECK(timer_create(CLOCK_MONOTONIC, &e, &tn) == 0, "timer_create SIGEV_NONE");
    arm(tn, 0, 40000000LL, 0, NULL);
    CHECK(timer_gettime(tn, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 40000000LL,
          "SIGEV_NONE counts down");
    sleep_ms(60);
    CHECK(timer_gettime(tn, &cur) == 0 && ns_of(cur.it_value) == 0, "... and shows 0 once expired");
    arm(tn, 0, 10000000LL, 10000000LL, NULL);
    sleep_ms(55);
    CHECK(timer_gettime(tn, &cur) == 0 && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 10000000LL &&
              ns_of(cur.it_interval) == 10000000LL,
          "a periodic SIGEV_NONE timer shows the next expiry");
    CHECK(timer_getoverrun(tn) == 0, "... no overrun is reported (nothing was delivered)");
    sigset_t p;
    sigpending(&p);
    CHECK(!sigismember(&p, SIGUSR1) && !sigismember(&p, SIGALRM), "SIGEV_NONE sends nothing");
    timer_delete(tn);

    /* ---- a handler, a CPU-bound loop ---- */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr2;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    timer_t th;
    e = sev(SIGEV_SIGNAL, SIGUSR2, 321);
    timer_create(CLOCK_MONOTONIC, &e, &th);
    arm(th, 0, 5000000LL, 5000000LL, NULL);
    long long start = now_ns(CLOCK_MONOTONIC);
    volatile unsigned long spin = 0;
    while (hits < 3 && now_ns(CLOCK_MONOTONIC) - start < 2000000000LL)
        for (int i = 0; i < 100000; i++)
            spin++;
    CHECK(hits >= 3 && hit_code == SI_TIMER && hit_value == 321, "a 5 ms periodic timer interrupts a CPU loop 3 times within 2 s");
    timer_delete(th);

    /* ---- an ignored signal ---- */
    signal(SIGUSR2, SIG_IGN);
    e = sev(SIGEV_SIGNAL, SIGUSR2, 1);
    timer_create(CLOCK_MONOTONIC, &e, &th);
    arm(th, 0, 5000000LL, 5000000LL, NULL);
    sleep_ms(30);
    sigpending(&p);
    CHECK(!sigismember(&p, SIGUSR2), "an ignored timer signal is not queued");
    hits = 0;
    sigaction(SIGUSR2, &sa, NULL);
    start = now_ns(CLOCK_MONOTONIC);
    while (hits < 1 && now_ns(CLOCK_MONOTONIC) - start < 2000000000LL)
        sleep_ms(5);
    CHECK(hits >= 1, "a handler installed later gets the periodic timer's signals");
    timer_delete(th);

    /* ---- CPU-time clocks ---- */
    hits = 0;
    timer_t tc;
    e = sev(SIGEV_SIGNAL, SIGUSR2, 7);
    CHECK(timer_create(CLOCK_PROCESS_CPUTIME_ID, &e, &tc) == 0, "timer_create(CLOCK_PROCESS_CPUTIME_ID)");
    long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    arm(tc, 0, 20000000LL, 0, NULL);
    start = now_ns(CLOCK_MONOTONIC);
    while (hits < 1 && now_ns(CLOCK_MONOTONIC) - start < 3000000000LL)
        for (int i = 0; i < 100000; i++)
            spin++;
    CHECK(hits == 1 && hit_value == 7, "it fires during a CPU loop");
    CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 20000000LL, "... after >= 20 ms of CPU time");
    arm(tc, 0, 1000000000LL, 0, NULL);
    sleep_ms(50);
    CHECK(timer_gettime(tc, &cur) == 0 && ns_of(cur.it_value) > 900000000LL, "sleeping does not use up CPU time");
    timer_delete(tc);
    hits = 0;
    CHECK(timer_create(CLOCK_THREAD_CPUTIME_ID, &e, &tc) == 0, "timer_create(CLOCK_THREAD_CPUTIME_ID)");
    arm(tc, 0, 20000000LL, 0, NULL);
    start = now_ns(CLOCK_MONOTONIC);
    while (hits < 1 && now_ns(CLOCK_MONOTONIC) - start < 3000000000LL)
        for (int i = 0; i < 100000; i++)
            spin++;
    CHECK(hits == 1, "a thread CPU-time timer fires during the thread's loop");
    timer_delete(tc);

    /* ---- SIGEV_THREAD_ID and SIGEV_THREAD ---- */
    pthread_t w;
    pthread_create(&w, NULL, waiter, NULL);
    while (!waiter_tid)
        sleep_ms(1);
    e = sev(SIGEV_THREAD_ID, SIGUSR1, 99);
    e._sigev_un._tid = waiter_tid;
    timer_t tt;
    CHECK(timer_create(CLOCK_MONOTONIC, &e, &tt) == 0, "timer_create SIGEV_THREAD_ID to a thread");
    arm(tt, 0, 20000000LL, 0, NULL);
    pthread_join(w, NULL);
    CHECK(waiter_got == 1, "the signal went to that thread (SI_TIMER, its value)");
    CHECK(waitsig(SIGUSR1, &si, 0) == -1 && errno == EAGAIN, "... not to the main thread");
    timer_delete(tt);
    sem_init(&thread_sem, 0, 0);
    struct sigevent te;
    memset(&te, 0, sizeof te);
    te.sigev_notify = SIGEV_THREAD;
    te.sigev_notify_function = notify_fn;
    te.sigev_value.sival_int = 3;
    timer_t tth;
    CHECK(timer_create(CLOCK_MONOTONIC, &te, &tth) == 0, "timer_create SIGEV_THREAD (glibc)");
    arm(tth, 0, 20000000LL, 0, NULL);
    struct timespec abs_t;
    clock_gettime(CLOCK_REALTIME, &abs_t);
    abs_t.tv_sec += 3;
    CHECK(sem_timedwait(&thread_sem, &abs_t) == 0 && thread_fired == 3, "the notify function ran in a new thread with the value");
    timer_delete(tth);

    /* ---- fork and exec ---- */
    timer_t tf;
    e = sev(SIGEV_SIGNAL, SIGUSR1, 0);
    timer_create(CLOCK_MONOTONIC, &e, &tf);
    arm(tf, 0, 5000000000LL, 0, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = syscall(SYS_timer_gettime, (int)(intptr_t)tf, &cur) == -1 && errno == EINVAL;
        ok = ok && kcreate(CLOCK_MONOTONIC, NULL) == 0;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "a forked child has no timers and its ids start at 0");
    CHECK(timer_gettime(tf, &cur) == 0 && ns_of(cur.it_value) > 0, "the parent's timer is still armed");
    pid = fork();
    if (pid == 0) {
        int k = kcreate(CLOCK_MONOTONIC, NULL);
        struct itimerspec far = {{0, 0}, {100, 0}};
        syscall(SYS_timer_settime, k, 0, &far, NULL);
        char arg[16];
        snprintf(arg, sizeof arg, "%d", k);
        execl("/proc/self/exe", "posix_timer", "exec-check", arg, (char *)NULL);
        _exit(3);
    }
    CHECK(waitstatus(pid) == 0, "execve deletes the timers (the id counter goes on)");
    timer_delete(tf);

    /* ---- clock_nanosleep ---- */
    clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI};
    const char *names[] = {"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_BOOTTIME", "CLOCK_TAI"};
    for (int i = 0; i < 4; i++) {
        struct timespec d;
        clock_gettime(clocks[i], &d);
        long long want = ns_of(d) + 20000000LL;
        d = ts_of(want);
        int r = clock_nanosleep(clocks[i], TIMER_ABSTIME, &d, NULL);
        CHECK(r == 0 && now_ns(clocks[i]) >= want, "clock_nanosleep(%s, TIMER_ABSTIME, now + 20 ms) returns at the deadline", names[i]);
        struct timespec past = {0, 1};
        CHECK(clock_nanosleep(clocks[i], TIMER_ABSTIME, &past, NULL) == 0, "clock_nanosleep(%s, TIMER_ABSTIME, past) returns at once", names[i]);
    }
    struct timespec past = {0, 1}, rel = {0, 1000};
    CHECK(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &past, NULL) == 0,
          "clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, past) returns at once");
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &past, NULL) == 0,
          "... also as the raw clock id 2");
    CHECK(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL) == EINVAL, "clock_nanosleep(CLOCK_THREAD_CPUTIME_ID) -> EINVAL (glibc)");
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL), EOPNOTSUPP, "raw clock id 3");
    CHECK_ERR(syscall(SYS_clock_nanosleep, -2, TIMER_ABSTIME, &past, NULL), EINVAL, "the caller's own thread CPU clock (-2)");
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &rel, NULL), EOPNOTSUPP, "CLOCK_MONOTONIC_RAW");
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &rel, NULL), EOPNOTSUPP, "CLOCK_MONOTONIC_COARSE");
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_ALARM, 0, &rel, NULL), EOPNOTSUPP, "CLOCK_REALTIME_ALARM (no RTC)");
    CHECK_ERR(syscall(SYS_clock_nanosleep, 12345, 0, &rel, NULL), EINVAL, "an unknown clock");
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (void *)8, NULL), EFAULT, "a bad timespec pointer");
    struct timespec badts = {0, 1000000000L};
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &badts, NULL), EINVAL, "tv_nsec 1e9");
    pthread_t sp;
    pthread_create(&sp, NULL, spinner, NULL);
    long long cstart = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct timespec cpu_rel = {0, 30000000L};
    CHECK(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &cpu_rel, NULL) == 0,
          "clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 30 ms) returns while another thread computes");
    CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cstart >= 30000000LL, "... after >= 30 ms of process CPU time");
    clockid_t tclk;
    pthread_getcpuclockid(sp, &tclk);
    struct timespec tnow;
    clock_gettime(tclk, &tnow);
    long long twant = ns_of(tnow) + 20000000LL;
    struct timespec tdl = ts_of(twant);
    CHECK(clock_nanosleep(tclk, TIMER_ABSTIME, &tdl, NULL) == 0, "clock_nanosleep on the spinning thread's CPU clock");
    clock_gettime(tclk, &tnow);
    CHECK(ns_of(tnow) >= twant, "... returns once that thread has run 20 ms more");
    atomic_store(&spin_stop, 1);
    pthread_join(sp, NULL);
    return finish();
}
