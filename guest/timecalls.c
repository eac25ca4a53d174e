/* timecalls.c - clock_gettime, time, gettimeofday, nanosleep, clock_nanosleep,
 * clock_getres, sched_yield. Prints only pass/fail lines (no times). */
#include "common.h"
#include <sched.h>
#include <sys/time.h>
#include <time.h>


static long long mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ns_of(t);
}

int main(void)
{
    struct timespec t, prev;
    /* ---- monotonic never goes backwards ---- */
    int mono_ok = clock_gettime(CLOCK_MONOTONIC, &prev) == 0;
    int valid = 1;
    for (int i = 0; i < 1000 && mono_ok; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
            mono_ok = 0;
        if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000L)
            valid = 0;
        if (ns_of(t) < ns_of(prev))
            mono_ok = 0;
        prev = t;
    }
    CHECK(mono_ok, "CLOCK_MONOTONIC is non-decreasing over 1000 calls");
    CHECK(valid, "tv_nsec is always in [0, 1e9)");

    /* ---- wall clock ---- */
    struct timespec rt;
    CHECK(clock_gettime(CLOCK_REALTIME, &rt) == 0, "clock_gettime(CLOCK_REALTIME)");
    time_t now = time(NULL);
    time_t now2;
    CHECK(time(&now2) >= now && now2 - now < 2, "time(&t) stores the same value it returns");
    CHECK(rt.tv_sec > 1600000000, "CLOCK_REALTIME is after 2020");
    long long d = (long long)rt.tv_sec - (long long)now;
    CHECK(d >= -2 && d <= 2, "CLOCK_REALTIME within 2 s of time(NULL)");
    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
    d = (long long)tv.tv_sec - (long long)rt.tv_sec;
    CHECK(d >= -2 && d <= 2, "gettimeofday within 2 s of CLOCK_REALTIME");
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec in [0, 1e6)");
    CHECK(clock_gettime(CLOCK_REALTIME_COARSE, &t) == 0 || errno == EINVAL,
          "clock_gettime(CLOCK_REALTIME_COARSE) succeeds or says EINVAL");
    CHECK(clock_gettime(CLOCK_BOOTTIME, &t) == 0 || errno == EINVAL,
          "clock_gettime(CLOCK_BOOTTIME) succeeds or says EINVAL");
    CHECK_ERR(clock_gettime((clockid_t)12345, &t), EINVAL, "clock_gettime(bogus clock)");

    /* ---- sleeping ---- */
    long long a = mono_ns();
    struct timespec req = {0, 20 * 1000 * 1000}, rem = {7, 7};
    CHECK(nanosleep(&req, &rem) == 0, "nanosleep(20 ms) returns 0");
    long long el = mono_ns() - a;
    CHECK(el >= 20000000LL, "nanosleep(20 ms) took >= 20 ms of CLOCK_MONOTONIC");
    CHECK(el < 2000000000LL, "nanosleep(20 ms) took < 2 s");
    a = mono_ns();
    req.tv_nsec = 10 * 1000 * 1000;
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0, "clock_nanosleep(relative 10 ms) returns 0");
    el = mono_ns() - a;
    CHECK(el >= 10000000LL, "clock_nanosleep(10 ms) took >= 10 ms");
    struct timespec abs_t;
    clock_gettime(CLOCK_MONOTONIC, &abs_t);
    abs_t.tv_nsec += 15 * 1000 * 1000;
    if (abs_t.tv_nsec >= 1000000000L)
        abs_t.tv_sec++, abs_t.tv_nsec -= 1000000000L;
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_t, NULL) == 0,
          "clock_nanosleep(TIMER_ABSTIME, now + 15 ms) returns 0");
    CHECK(mono_ns() >= ns_of(abs_t), "... and returns after the deadline");
    req.tv_sec = 0;
    req.tv_nsec = 0;
    CHECK(nanosleep(&req, NULL) == 0, "nanosleep(0) returns 0");
    req.tv_nsec = 1000000000L;
    CHECK_ERR(nanosleep(&req, NULL), EINVAL, "nanosleep with tv_nsec = 1e9");

    /* ---- resolution, yield, CPU time ---- */
    struct timespec res = {-1, -1};
    CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0, "clock_getres(CLOCK_MONOTONIC) succeeds");
    CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000L,
          "CLOCK_MONOTONIC resolution in (0, 10 ms]");
    CHECK(sched_yield() == 0, "sched_yield returns 0");
    struct timespec c0, c1;
    CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0) == 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    volatile unsigned long spin = 0;
    long long until = mono_ns() + 30000000LL; /* burn 30 ms of CPU */
    while (mono_ns() < until)
        for (int i = 0; i < 1000; i++)
            spin += (unsigned long)i;
    CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1) == 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) again");
    CHECK(ns_of(c1) > ns_of(c0), "process CPU time advanced while spinning");
    CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    return finish();
}
