/* thread_sync.c - synchronisation between threads.
 *
 * Mutexes: normal (trylock EBUSY from another thread), recursive (relock count, EBUSY for
 * others until the last unlock), error-checking (EDEADLK on relock, EPERM unlocking a mutex
 * another thread holds or nobody holds); a counter under a mutex (4 threads x 10000), an
 * __atomic_fetch_add counter and a pthread_spin_lock counter. rwlocks: two readers inside at
 * once (each waits, with a bounded sched_yield spin, until both are in), trywrlock EBUSY while
 * read-locked, tryrdlock EBUSY while write-locked, writers keeping a two-word invariant that
 * readers check. Barriers: PTHREAD_BARRIER_SERIAL_THREAD exactly once per round, every write
 * before a round visible after it. Condvars: bounded-queue producers/consumers (1000 items),
 * pthread_cond_broadcast waking 4 waiters, pthread_cond_timedwait on CLOCK_REALTIME and on
 * CLOCK_MONOTONIC (pthread_condattr_setclock) -> ETIMEDOUT after >= 40 of 50 ms, and
 * pthread_cond_clockwait. Semaphores: sem_trywait EAGAIN, counting, sem_getvalue, a waiter
 * woken by sem_post, sem_timedwait ETIMEDOUT. A 4-worker pool running 200 jobs.
 * Threads only record results; the main thread prints after joining them. */
#include "thread_common.h"
#include <sched.h>

static void xjoin(pthread_t t, void **r)
{
    int rc = pthread_join(t, r);
    if (rc != 0) {
        errno = rc;
        fatal("pthread_join");
    }
}

static struct timespec deadline(clockid_t c, long ms)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* ---- mutex kinds ---- */

static pthread_mutex_t *g_tm;      /* mutex the helper thread operates on */
static int g_tm_op;                /* 0: trylock (+unlock on success), 1: unlock */
static int tm_result;

static void *mutex_op(void *arg)
{
    (void)arg;
    if (g_tm_op == 0) {
        tm_result = pthread_mutex_trylock(g_tm);
        if (tm_result == 0)
            pthread_mutex_unlock(g_tm);
    } else {
        tm_result = pthread_mutex_unlock(g_tm);
    }
    return NULL;
}

/* run op on m in another thread, return its result */
static int other_thread(pthread_mutex_t *m, int op)
{
    pthread_t t;
    g_tm = m;
    g_tm_op = op;
    tm_result = -1;
    xcreate(&t, mutex_op, NULL);
    xjoin(t, NULL);
    return tm_result;
}

static void test_mutex_kinds(void)
{
    pthread_mutex_t n = PTHREAD_MUTEX_INITIALIZER;
    CHECK(pthread_mutex_lock(&n) == 0, "normal mutex: lock");
    CHECK(other_thread(&n, 0) == EBUSY, "normal mutex: trylock from another thread -> EBUSY");
    CHECK(pthread_mutex_trylock(&n) == EBUSY, "normal mutex: trylock by the owner -> EBUSY");
    CHECK(pthread_mutex_unlock(&n) == 0, "normal mutex: unlock");
    CHECK(other_thread(&n, 0) == 0, "normal mutex: trylock from another thread after unlock -> 0");

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int type = -1;
    pthread_mutexattr_gettype(&a, &type);
    CHECK(type == PTHREAD_MUTEX_RECURSIVE, "mutexattr type reads back RECURSIVE");
    pthread_mutex_t r;
    pthread_mutex_init(&r, &a);
    int ok = pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0 &&
             pthread_mutex_lock(&r) == 0 && pthread_mutex_trylock(&r) == 0;
    CHECK(ok, "recursive mutex: locked 4 times by the owner");
    int busy = 0;
    for (int i = 0; i < 3; i++) {
        pthread_mutex_unlock(&r);
        busy += other_thread(&r, 0) == EBUSY;
    }
    CHECK(busy == 3, "recursive mutex: still busy for others after 1, 2, 3 of 4 unlocks");
    CHECK(pthread_mutex_unlock(&r) == 0, "recursive mutex: 4th unlock");
    CHECK(other_thread(&r, 0) == 0, "recursive mutex: free for others after the 4th unlock");
    CHECK(pthread_mutex_unlock(&r) == EPERM, "recursive mutex: unlock when not owned -> EPERM");
    pthread_mutex_destroy(&r);

    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t e;
    pthread_mutex_init(&e, &a);
    CHECK(pthread_mutex_lock(&e) == 0, "errorcheck mutex: lock");
    CHECK(pthread_mutex_lock(&e) == EDEADLK, "errorcheck mutex: relock by the owner -> EDEADLK");
    CHECK(other_thread(&e, 1) == EPERM, "errorcheck mutex: unlock from a non-owner -> EPERM");
    CHECK(other_thread(&e, 0) == EBUSY, "errorcheck mutex: still held after that (trylock EBUSY)");
    CHECK(pthread_mutex_unlock(&e) == 0, "errorcheck mutex: unlock by the owner");
    CHECK(pthread_mutex_unlock(&e) == EPERM, "errorcheck mutex: unlock when unlocked -> EPERM");
    pthread_mutex_destroy(&e);
    pthread_mutexattr_destroy(&a);
}

/* ---- counters ---- */

#define NCT 4
#define NINC 10000

static pthread_mutex_t g_cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t g_spin;
static long g_mcount, g_acount, g_scount;
static pthread_barrier_t g_cbar;

static void *count_mutex(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&g_cbar);
    for (int i = 0; i < NINC; i++) {
        pthread_mutex_lock(&g_cm);
        long v = g_mcount;
        if ((i & 255) == 0)
            sched_yield(); /* sometimes get switched out while holding it */
        g_mcount = v + 1;
        pthread_mutex_unlock(&g_cm);
    }
    return NULL;
}

static void *count_atomic(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&g_cbar);
    for (int i = 0; i < NINC; i++)
        __atomic_fetch_add(&g_acount, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *count_spin(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&g_cbar);
    for (int i = 0; i < NINC; i++) {
        pthread_spin_lock(&g_spin);
        g_scount = g_scount + 1;
        pthread_spin_unlock(&g_spin);
    }
    return NULL;
}

static void run_counters(void *(*fn)(void *))
{
    pthread_t t[NCT];
    pthread_barrier_init(&g_cbar, NULL, NCT);
    for (int i = 0; i < NCT; i++)
        xcreate(&t[i], fn, NULL);
    for (int i = 0; i < NCT; i++)
        xjoin(t[i], NULL);
    pthread_barrier_destroy(&g_cbar);
}

static void test_counters(void)
{
    run_counters(count_mutex);
    CHECK(g_mcount == NCT * NINC, "mutex counter: %ld of %d", g_mcount, NCT * NINC);
    run_counters(count_atomic);
    CHECK(g_acount == NCT * NINC, "__atomic_fetch_add counter: %ld of %d", g_acount, NCT * NINC);
    pthread_spin_init(&g_spin, PTHREAD_PROCESS_PRIVATE);
    CHECK(pthread_spin_trylock(&g_spin) == 0 && pthread_spin_trylock(&g_spin) == EBUSY,
          "pthread_spin_trylock: 0, then EBUSY");
    pthread_spin_unlock(&g_spin);
    run_counters(count_spin);
    CHECK(g_scount == NCT * NINC, "spinlock counter: %ld of %d", g_scount, NCT * NINC);
    pthread_spin_destroy(&g_spin);
}

/* ---- rwlocks ---- */

static pthread_rwlock_t g_rw = PTHREAD_RWLOCK_INITIALIZER;
static int g_readers_in;
static int g_reader_saw2[2];
static int g_try_results[2];
static long g_wa, g_wb;
static int g_inv_bad, g_inv_reads;

static void *reader_concurrent(void *arg)
{
    int i = (int)(intptr_t)arg;
    pthread_rwlock_rdlock(&g_rw);
    __atomic_add_fetch(&g_readers_in, 1, __ATOMIC_SEQ_CST);
    double t0 = now_ms(CLOCK_MONOTONIC);
    /* wait (holding the read lock) until the other reader is inside too */
    while (__atomic_load_n(&g_readers_in, __ATOMIC_SEQ_CST) < 2 && now_ms(CLOCK_MONOTONIC) - t0 < 5000)
        sched_yield();
    g_reader_saw2[i] = __atomic_load_n(&g_readers_in, __ATOMIC_SEQ_CST) >= 2;
    pthread_rwlock_unlock(&g_rw);
    return NULL;
}

static void *rw_try(void *arg)
{
    int i = (int)(intptr_t)arg;
    int r = i == 0 ? pthread_rwlock_trywrlock(&g_rw) : pthread_rwlock_tryrdlock(&g_rw);
    if (r == 0)
        pthread_rwlock_unlock(&g_rw);
    g_try_results[i] = r;
    return NULL;
}

static void *rw_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_rwlock_wrlock(&g_rw);
        g_wa++;
        if ((i & 63) == 0)
            sched_yield();
        g_wb++;
        pthread_rwlock_unlock(&g_rw);
    }
    return NULL;
}

static void *rw_checker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_rwlock_rdlock(&g_rw);
        if (g_wa != g_wb)
            __atomic_add_fetch(&g_inv_bad, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&g_inv_reads, 1, __ATOMIC_SEQ_CST);
        pthread_rwlock_unlock(&g_rw);
    }
    return NULL;
}

static void test_rwlock(void)
{
    pthread_t t[4];
    for (int i = 0; i < 2; i++)
        xcreate(&t[i], reader_concurrent, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++)
        xjoin(t[i], NULL);
    CHECK(g_reader_saw2[0] && g_reader_saw2[1], "rwlock: two readers hold the read lock at once");

    pthread_rwlock_rdlock(&g_rw);
    xcreate(&t[0], rw_try, (void *)0);
    xjoin(t[0], NULL);
    xcreate(&t[1], rw_try, (void *)1);
    xjoin(t[1], NULL);
    pthread_rwlock_unlock(&g_rw);
    CHECK(g_try_results[0] == EBUSY, "rwlock: trywrlock while read-locked -> EBUSY");
    CHECK(g_try_results[1] == 0, "rwlock: tryrdlock while read-locked -> 0");

    pthread_rwlock_wrlock(&g_rw);
    g_try_results[1] = -1;
    xcreate(&t[1], rw_try, (void *)1);
    xjoin(t[1], NULL);
    pthread_rwlock_unlock(&g_rw);
    CHECK(g_try_results[1] == EBUSY, "rwlock: tryrdlock while write-locked -> EBUSY");

    xcreate(&t[0], rw_writer, NULL);
    xcreate(&t[1], rw_writer, NULL);
    xcreate(&t[2], rw_checker, NULL);
    xcreate(&t[3], rw_checker, NULL);
    for (int i = 0; i < 4; i++)
        xjoin(t[i], NULL);
    CHECK(g_wa == 4000 && g_wb == 4000, "rwlock: 2 writers x 2000 updates");
    CHECK(g_inv_bad == 0 && g_inv_reads == 4000, "rwlock: readers never saw a half update");
}

/* ---- barriers ---- */

#define NBT 4
#define NROUNDS 5
static pthread_barrier_t g_bar;
static int g_serial[NROUNDS];
static int g_slots[NBT];
static int g_bar_bad;

static void *bar_fn(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int r = 0; r < NROUNDS; r++) {
        __atomic_store_n(&g_slots[me], r + 1, __ATOMIC_RELAXED);
        int rc = pthread_barrier_wait(&g_bar);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&g_serial[r], 1, __ATOMIC_SEQ_CST);
        else if (rc != 0)
            __atomic_add_fetch(&g_bar_bad, 1, __ATOMIC_SEQ_CST);
        for (int j = 0; j < NBT; j++)
            if (__atomic_load_n(&g_slots[j], __ATOMIC_RELAXED) < r + 1)
                __atomic_add_fetch(&g_bar_bad, 1, __ATOMIC_SEQ_CST);
        /* nobody may start round r+1 before everyone has checked round r */
        rc = pthread_barrier_wait(&g_bar);
        if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&g_bar_bad, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void test_barrier(void)
{
    pthread_t t[NBT];
    pthread_barrier_init(&g_bar, NULL, NBT);
    for (int i = 0; i < NBT; i++)
        xcreate(&t[i], bar_fn, (void *)(intptr_t)i);
    for (int i = 0; i < NBT; i++)
        xjoin(t[i], NULL);
    int once = 0;
    for (int r = 0; r < NROUNDS; r++)
        once += g_serial[r] == 1;
    CHECK(once == NROUNDS, "barrier: PTHREAD_BARRIER_SERIAL_THREAD exactly once in each of %d rounds", NROUNDS);
    CHECK(g_bar_bad == 0, "barrier: all writes before a round are visible after it");
    CHECK(pthread_barrier_destroy(&g_bar) == 0, "pthread_barrier_destroy");
}

/* ---- condition variables ---- */

#define QCAP 8
#define NITEMS 1000
static pthread_mutex_t g_qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_qnotempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_qnotfull = PTHREAD_COND_INITIALIZER;
static int g_q[QCAP], g_qhead, g_qlen, g_qmaxlen;
static int g_produced_next; /* next item to produce, shared by the producers */
static int g_consumed;
static unsigned char g_seen[NITEMS];
static long g_qsum;
static int g_qorder_bad;

static void *producer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&g_qm);
        while (g_qlen == QCAP && g_produced_next < NITEMS)
            pthread_cond_wait(&g_qnotfull, &g_qm);
        if (g_produced_next == NITEMS) {
            pthread_cond_signal(&g_qnotfull); /* pass the wake-up on to the other producer */
            pthread_mutex_unlock(&g_qm);
            return NULL;
        }
        g_q[(g_qhead + g_qlen) % QCAP] = g_produced_next++;
        g_qlen++;
        if (g_qlen > g_qmaxlen)
            g_qmaxlen = g_qlen;
        pthread_cond_signal(&g_qnotempty);
        pthread_mutex_unlock(&g_qm);
    }
}

static void *consumer(void *arg)
{
    (void)arg;
    int last = -1;
    for (;;) {
        pthread_mutex_lock(&g_qm);
        while (g_qlen == 0 && g_consumed < NITEMS)
            pthread_cond_wait(&g_qnotempty, &g_qm);
        if (g_qlen == 0) { /* all consumed */
            pthread_mutex_unlock(&g_qm);
            return NULL;
        }
        int v = g_q[g_qhead];
        g_qhead = (g_qhead + 1) % QCAP;
        g_qlen--;
        g_consumed++;
        if (v <= last)
            g_qorder_bad++; /* items come out in the order they were queued */
        last = v;
        g_seen[v]++;
        g_qsum += v;
        if (g_consumed == NITEMS)
            pthread_cond_broadcast(&g_qnotempty); /* release the other consumer */
        pthread_cond_signal(&g_qnotfull);
        pthread_mutex_unlock(&g_qm);
    }
}

static pthread_mutex_t g_bm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_bc = PTHREAD_COND_INITIALIZER;
static int g_bgo, g_bwaiting, g_bwoken;

static void *bwaiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_bm);
    g_bwaiting++;
    pthread_cond_broadcast(&g_bc); /* tell main (it waits on the same condvar) */
    while (!g_bgo)
        pthread_cond_wait(&g_bc, &g_bm);
    g_bwoken++;
    pthread_mutex_unlock(&g_bm);
    return NULL;
}

static pthread_cond_t g_tc_mono;
static sem_t g_sem_never; /* never posted */
static int g_tw_result[5];
static double g_tw_elapsed[5];

/* the timed waits, run at once in 5 threads: which = 0 cond_timedwait REALTIME, 1 cond_timedwait
 * on a CLOCK_MONOTONIC condvar, 2 cond_clockwait MONOTONIC, 3 sem_timedwait, 4 sem_clockwait */
static void *timed_waiter(void *arg)
{
    int which = (int)(intptr_t)arg;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&m);
    double t0 = now_ms(CLOCK_MONOTONIC);
    struct timespec d = deadline(which == 0 || which == 3 ? CLOCK_REALTIME : CLOCK_MONOTONIC, 50);
    int rc;
    switch (which) {
    case 0:
        while ((rc = pthread_cond_timedwait(&c, &m, &d)) == 0)
            ;
        break;
    case 1:
        while ((rc = pthread_cond_timedwait(&g_tc_mono, &m, &d)) == 0)
            ;
        break;
    case 2:
        while ((rc = pthread_cond_clockwait(&c, &m, CLOCK_MONOTONIC, &d)) == 0)
            ;
        break;
    case 3:
        while ((rc = sem_timedwait(&g_sem_never, &d)) != 0 && errno == EINTR)
            ;
        rc = rc ? errno : 0;
        break;
    default:
        while ((rc = sem_clockwait(&g_sem_never, CLOCK_MONOTONIC, &d)) != 0 && errno == EINTR)
            ;
        rc = rc ? errno : 0;
        break;
    }
    g_tw_elapsed[which] = now_ms(CLOCK_MONOTONIC) - t0;
    g_tw_result[which] = rc;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void test_timed(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    clockid_t ck = -1;
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_condattr_getclock(&ca, &ck);
    CHECK(rc == 0 && ck == CLOCK_MONOTONIC, "pthread_condattr_setclock(CLOCK_MONOTONIC) reads back");
    pthread_cond_init(&g_tc_mono, &ca);
    pthread_condattr_destroy(&ca);
    sem_init(&g_sem_never, 0, 0);
    pthread_t w[5];
    for (int i = 0; i < 5; i++)
        xcreate(&w[i], timed_waiter, (void *)(intptr_t)i);
    for (int i = 0; i < 5; i++)
        xjoin(w[i], NULL);
    static const char *const what[5] = {
        "pthread_cond_timedwait (CLOCK_REALTIME, 50 ms)",
        "pthread_cond_timedwait (condattr CLOCK_MONOTONIC, 50 ms)",
        "pthread_cond_clockwait (CLOCK_MONOTONIC, 50 ms)",
        "sem_timedwait (50 ms)",
        "sem_clockwait (CLOCK_MONOTONIC, 50 ms)",
    };
    for (int i = 0; i < 5; i++) {
        CHECK(g_tw_result[i] == ETIMEDOUT, "%s -> ETIMEDOUT", what[i]);
        CHECK(g_tw_elapsed[i] >= 40, "... after >= 40 ms");
    }
    pthread_cond_destroy(&g_tc_mono);
    sem_destroy(&g_sem_never);
}

static void test_condvar(void)
{
    pthread_t t[4];
    xcreate(&t[0], producer, NULL);
    xcreate(&t[1], producer, NULL);
    xcreate(&t[2], consumer, NULL);
    xcreate(&t[3], consumer, NULL);
    for (int i = 0; i < 4; i++)
        xjoin(t[i], NULL);
    int once = 0;
    for (int i = 0; i < NITEMS; i++)
        once += g_seen[i] == 1;
    CHECK(g_consumed == NITEMS && once == NITEMS, "condvar queue: %d items, each consumed once", NITEMS);
    CHECK(g_qsum == (long)NITEMS * (NITEMS - 1) / 2, "condvar queue: sum of items");
    CHECK(g_qorder_bad == 0, "condvar queue: each consumer got items in increasing order");
    CHECK(g_qmaxlen <= QCAP, "condvar queue: never more than %d queued", QCAP);

    for (int i = 0; i < 4; i++)
        xcreate(&t[i], bwaiter, NULL);
    pthread_mutex_lock(&g_bm);
    while (g_bwaiting < 4)
        pthread_cond_wait(&g_bc, &g_bm);
    g_bgo = 1;
    pthread_cond_broadcast(&g_bc);
    pthread_mutex_unlock(&g_bm);
    for (int i = 0; i < 4; i++)
        xjoin(t[i], NULL);
    CHECK(g_bwoken == 4, "pthread_cond_broadcast woke all 4 waiters");
}

/* ---- semaphores ---- */

static sem_t g_sem, g_sem_ack;
static int g_sem_woken;

static void *sem_waiter(void *arg)
{
    (void)arg;
    sem_post(&g_sem_ack); /* about to wait */
    swait(&g_sem);
    g_sem_woken = 1;
    return NULL;
}

static void test_sem(void)
{
    CHECK(sem_init(&g_sem, 0, 0) == 0 && sem_init(&g_sem_ack, 0, 0) == 0, "sem_init");
    CHECK_ERR(sem_trywait(&g_sem), EAGAIN, "sem_trywait on 0");
    for (int i = 0; i < 5; i++)
        sem_post(&g_sem);
    int v = -1;
    sem_getvalue(&g_sem, &v);
    CHECK(v == 5, "sem_getvalue after 5 posts -> 5");
    int got = 0;
    for (int i = 0; i < 5; i++)
        got += sem_trywait(&g_sem) == 0;
    CHECK(got == 5, "5 sem_trywait succeed");
    CHECK_ERR(sem_trywait(&g_sem), EAGAIN, "the 6th sem_trywait");

    pthread_t t;
    xcreate(&t, sem_waiter, NULL);
    swait(&g_sem_ack);
    sem_post(&g_sem);
    xjoin(t, NULL);
    CHECK(g_sem_woken, "sem_wait in a thread woken by sem_post");
    sem_getvalue(&g_sem, &v);
    CHECK(v == 0, "the post was consumed");

    sem_post(&g_sem);
    struct timespec d = deadline(CLOCK_REALTIME, 50);
    CHECK(sem_timedwait(&g_sem, &d) == 0, "sem_timedwait on a posted semaphore -> 0");
    sem_destroy(&g_sem);
    sem_destroy(&g_sem_ack);
}

/* ---- a thread pool ---- */

#define NWORKERS 4
#define NJOBS 200
static pthread_mutex_t g_pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_pwork = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_pdone = PTHREAD_COND_INITIALIZER;
static int g_jobs[NJOBS], g_jhead, g_jtail, g_jdone, g_shutdown;
static long g_results[NJOBS];
static int g_per_worker[NWORKERS];

static long job(int n)
{
    long s = 0;
    for (int i = 1; i <= n; i++)
        s += (long)i * i % 7;
    return s + n;
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    pthread_mutex_lock(&g_pm);
    for (;;) {
        while (g_jhead == g_jtail && !g_shutdown)
            pthread_cond_wait(&g_pwork, &g_pm);
        if (g_jhead == g_jtail) /* shutdown and nothing left */
            break;
        int j = g_jobs[g_jhead++];
        pthread_mutex_unlock(&g_pm);
        long r = job(j);
        pthread_mutex_lock(&g_pm);
        g_results[j] = r;
        g_per_worker[me]++;
        if (++g_jdone == NJOBS)
            pthread_cond_signal(&g_pdone);
    }
    pthread_mutex_unlock(&g_pm);
    return NULL;
}

static void test_pool(void)
{
    pthread_t t[NWORKERS];
    for (int i = 0; i < NWORKERS; i++)
        xcreate(&t[i], worker, (void *)(intptr_t)i);
    for (int j = 0; j < NJOBS; j++) {
        pthread_mutex_lock(&g_pm);
        g_jobs[g_jtail++] = j;
        pthread_cond_signal(&g_pwork);
        pthread_mutex_unlock(&g_pm);
    }
    pthread_mutex_lock(&g_pm);
    while (g_jdone < NJOBS)
        pthread_cond_wait(&g_pdone, &g_pm);
    g_shutdown = 1;
    pthread_cond_broadcast(&g_pwork);
    pthread_mutex_unlock(&g_pm);
    for (int i = 0; i < NWORKERS; i++)
        xjoin(t[i], NULL);
    long sum = 0, want = 0;
    int right = 0, jobs = 0;
    for (int j = 0; j < NJOBS; j++) {
        sum += g_results[j];
        want += job(j);
        right += g_results[j] == job(j);
    }
    for (int i = 0; i < NWORKERS; i++)
        jobs += g_per_worker[i];
    CHECK(right == NJOBS && sum == want, "thread pool: %d jobs, every result right, sum %ld", NJOBS, sum);
    CHECK(jobs == NJOBS, "thread pool: the workers ran %d jobs in all", jobs);
}

int main(void)
{
    test_mutex_kinds();
    test_counters();
    test_rwlock();
    test_barrier();
    test_condvar();
    test_sem();
    test_timed();
    test_pool();
    return finish();
}
