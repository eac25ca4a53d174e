/* thread_preempt.c - preemption: threads and timers that need a CPU-bound thread interrupted.
 *
 * The main thread spins on an atomic flag (no syscalls in the loop) that a worker sets after
 * computing a checksum, and sees the worker's result; two threads ping-pong 5 times through an
 * atomic turn variable, both spinning; 3 threads spin, each until it has seen all 3 counters
 * move. A SIGALRM from setitimer(ITIMER_REAL, 50 ms) interrupts a pure CPU loop that waits for
 * the handler's flag (>= 40 ms later); ITIMER_VIRTUAL and ITIMER_PROF (20 ms) fire during CPU
 * loops; a process-directed SIGALRM reaches a spinning non-main thread while main (blocking it)
 * waits in pthread_join. A thread in nanosleep(100 ms) wakes while another loops on
 * sched_yield(). Every loop is bounded: SPIN_LIMIT iterations (a few seconds natively) or 5 s,
 * then the check fails. Threads only record results; the main thread prints after joins. */
#include "thread_common.h"
#include <sched.h>
#include <sys/time.h>

#define SPIN_LIMIT 4000000000UL

static uint64_t checksum(unsigned n)
{
    uint64_t x = 88172645463325252ULL, s = 0;
    for (unsigned i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s += x;
    }
    return s;
}

/* ---- spin on a flag another thread sets ---- */

static int g_flag;
static uint64_t g_result;

static void *setter(void *arg)
{
    (void)arg;
    g_result = checksum(2000000);
    __atomic_store_n(&g_flag, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_spin_flag(void)
{
    pthread_t t;
    xcreate(&t, setter, NULL);
    unsigned long n = 0;
    while (!__atomic_load_n(&g_flag, __ATOMIC_ACQUIRE) && ++n < SPIN_LIMIT)
        ;
    int seen = __atomic_load_n(&g_flag, __ATOMIC_ACQUIRE);
    pthread_join(t, NULL);
    CHECK(seen, "main spinning (no syscalls) sees the flag a worker sets after its work");
    CHECK(seen && g_result == checksum(2000000), "... and the worker's result (acquire/release)");
}

/* ---- ping-pong through a spin-waited turn variable ---- */

#define ROUNDS 5
static int g_turn; /* 0: main's turn, 1: the other's; -1: gave up */
static int g_pong_rounds;

static int wait_turn(int me)
{
    unsigned long n = 0;
    int v;
    while ((v = __atomic_load_n(&g_turn, __ATOMIC_ACQUIRE)) != me && v != -1 && ++n < SPIN_LIMIT)
        ;
    if (v != me) {
        __atomic_store_n(&g_turn, -1, __ATOMIC_RELEASE); /* let the other one stop too */
        return 0;
    }
    return 1;
}

static void *ponger(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        if (!wait_turn(1))
            return NULL;
        g_pong_rounds++;
        __atomic_store_n(&g_turn, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_pingpong(void)
{
    pthread_t t;
    xcreate(&t, ponger, NULL);
    int rounds = 0;
    for (int r = 0; r < ROUNDS; r++) {
        __atomic_store_n(&g_turn, 1, __ATOMIC_RELEASE);
        if (!wait_turn(0))
            break;
        rounds++;
    }
    pthread_join(t, NULL);
    CHECK(rounds == ROUNDS && g_pong_rounds == ROUNDS, "%d spin-waited ping-pong rounds between two threads", ROUNDS);
}

/* ---- 3 spinning threads must all make progress ---- */

#define NSPIN 3
#define SEE_AT 100000UL
static unsigned long g_cnt[NSPIN];
static int g_saw_all[NSPIN], g_nsaw;

static void *spinner(void *arg)
{
    int me = (int)(intptr_t)arg;
    unsigned long iters = 0;
    while (__atomic_load_n(&g_nsaw, __ATOMIC_ACQUIRE) < NSPIN && ++iters < SPIN_LIMIT) {
        __atomic_store_n(&g_cnt[me], iters, __ATOMIC_RELAXED);
        if (!g_saw_all[me]) {
            int all = 1;
            for (int j = 0; j < NSPIN; j++)
                all &= __atomic_load_n(&g_cnt[j], __ATOMIC_RELAXED) >= SEE_AT;
            if (all) {
                g_saw_all[me] = 1;
                __atomic_add_fetch(&g_nsaw, 1, __ATOMIC_ACQ_REL);
            }
        }
    }
    return NULL;
}

static void test_spinners(void)
{
    pthread_t t[NSPIN];
    for (int i = 0; i < NSPIN; i++)
        xcreate(&t[i], spinner, (void *)(intptr_t)i);
    for (int i = 0; i < NSPIN; i++)
        pthread_join(t[i], NULL);
    int saw = 0;
    for (int i = 0; i < NSPIN; i++)
        saw += g_saw_all[i];
    CHECK(saw == NSPIN, "%d spinning threads each saw all %d counters pass %lu", NSPIN, NSPIN, SEE_AT);
}

/* ---- interval timers during CPU loops ---- */

static volatile sig_atomic_t g_fired;
static volatile pid_t g_fired_tid;

static void h_timer(int sig)
{
    (void)sig;
    g_fired++;
    g_fired_tid = gettid();
}

static int arm(int which, long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    return setitimer(which, &it, NULL);
}

/* pure CPU loop until the handler has run; returns the iterations (SPIN_LIMIT on timeout) */
static unsigned long cpu_until_fired(void)
{
    unsigned long n = 0;
    while (!g_fired && ++n < SPIN_LIMIT)
        ;
    return n;
}

static void test_itimers(void)
{
    static const struct {
        int which, sig;
        long ms;
        double min_ms;
        const char *name;
    } cases[] = {
        {ITIMER_REAL, SIGALRM, 50, 40, "ITIMER_REAL 50 ms"},
        {ITIMER_VIRTUAL, SIGVTALRM, 20, 15, "ITIMER_VIRTUAL 20 ms"},
        {ITIMER_PROF, SIGPROF, 20, 15, "ITIMER_PROF 20 ms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        set_handler(cases[i].sig, h_timer);
        g_fired = 0;
        double t0 = now_ms(CLOCK_MONOTONIC);
        int rc = arm(cases[i].which, cases[i].ms);
        unsigned long n = cpu_until_fired();
        double el = now_ms(CLOCK_MONOTONIC) - t0;
        arm(cases[i].which, 0);
        CHECK(rc == 0 && g_fired == 1 && n > 0 && n < SPIN_LIMIT, "%s: the signal interrupts a pure CPU loop", cases[i].name);
        CHECK(el >= cases[i].min_ms, "... after >= %.0f ms", cases[i].min_ms);
        signal(cases[i].sig, SIG_DFL);
    }
}

/* ---- SIGALRM to a spinning non-main thread ---- */

static pid_t g_spin_tid;
static unsigned long g_spin_n;

static void *alarm_spinner(void *arg)
{
    (void)arg;
    g_spin_tid = gettid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    g_spin_n = cpu_until_fired();
    return NULL;
}

static void test_alarm_thread(void)
{
    set_handler(SIGALRM, h_timer);
    g_fired = 0;
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &s, &old);
    pthread_t t;
    xcreate(&t, alarm_spinner, NULL);
    int rc = arm(ITIMER_REAL, 30);
    pthread_join(t, NULL);
    arm(ITIMER_REAL, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    signal(SIGALRM, SIG_DFL);
    CHECK(rc == 0 && g_fired == 1 && g_spin_n < SPIN_LIMIT, "ITIMER_REAL: SIGALRM interrupts a spinning thread (main blocks it)");
    CHECK(g_fired_tid == g_spin_tid && g_fired_tid != gettid(), "... the handler ran in that thread");
}

/* ---- a sleeper wakes while another thread yields ---- */

static int g_woke;
static double g_slept;

static void *sleeper(void *arg)
{
    (void)arg;
    double t0 = now_ms(CLOCK_MONOTONIC);
    struct timespec ts = {0, 100 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    g_slept = now_ms(CLOCK_MONOTONIC) - t0;
    __atomic_store_n(&g_woke, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_sleep_yield(void)
{
    pthread_t t;
    xcreate(&t, sleeper, NULL);
    double t0 = now_ms(CLOCK_MONOTONIC);
    unsigned long yields = 0;
    while (!__atomic_load_n(&g_woke, __ATOMIC_ACQUIRE) && now_ms(CLOCK_MONOTONIC) - t0 < 5000) {
        sched_yield();
        yields++;
    }
    int woke = __atomic_load_n(&g_woke, __ATOMIC_ACQUIRE);
    pthread_join(t, NULL);
    CHECK(woke && yields > 0, "a thread in nanosleep(100 ms) wakes while another loops on sched_yield");
    CHECK(g_slept >= 90, "... after >= 90 ms");
}

int main(void)
{
    test_spin_flag();
    test_pingpong();
    test_spinners();
    test_itimers();
    test_alarm_thread();
    test_sleep_yield();
    return finish();
}
