/* thread_robust.c - robust and priority-inheritance mutexes.
 *
 * A PTHREAD_MUTEX_ROBUST mutex whose owner thread exits without unlocking: the next
 * pthread_mutex_lock / trylock returns EOWNERDEAD (the kernel walks the dead thread's robust
 * list); after pthread_mutex_consistent, unlock and relock work; unlocked without
 * pthread_mutex_consistent it becomes ENOTRECOVERABLE. The same with a waiter already blocked
 * in pthread_mutex_lock when the owner dies. A robust PTHREAD_PROCESS_SHARED mutex in MAP_SHARED
 * memory held by a forked child that _exit()s: the parent gets EOWNERDEAD (after the child is
 * reaped, and while blocked in lock). PTHREAD_PRIO_INHERIT mutexes: trylock EBUSY from another
 * thread, a counter under one contended by 2 threads, and a robust PI mutex whose owner dies.
 * Threads only record results; the main thread prints after joining them. */
#include "thread_common.h"
#include <sys/mman.h>

/* pthread_* return values by name (common.h's table lacks the robust ones) */
static const char *rname(int r)
{
    switch (r) {
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    default: return errname(r);
    }
}

#define CHECK_RC(expr, want, what)                                                      \
    do {                                                                              \
        int r_ = (expr);                                                              \
        CHECK(r_ == (want), "%s -> %s%s%s", what, rname(want), r_ == (want) ? "" : ", got ", \
              r_ == (want) ? "" : rname(r_));                                         \
    } while (0)

static void init_mutex(pthread_mutex_t *m, int robust, int pshared, int proto)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    int rc = 0;
    if (robust)
        rc |= pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared)
        rc |= pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (proto)
        rc |= pthread_mutexattr_setprotocol(&a, proto);
    if (rc == 0)
        rc = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) {
        errno = rc;
        fatal("pthread_mutex_init");
    }
}

/* ---- an owner thread that dies holding the mutex ---- */

static pthread_mutex_t *g_om;
static int g_owner_lock_rc;
static sem_t g_locked;
static int g_owner_delay_ms;

static void *die_holding(void *arg)
{
    (void)arg;
    g_owner_lock_rc = pthread_mutex_lock(g_om);
    sem_post(&g_locked);
    if (g_owner_delay_ms)
        sleep_ms(g_owner_delay_ms); /* let the main thread block in lock first */
    return NULL;                    /* exits still holding it */
}

/* start a thread that locks m and exits holding it; wait for it only if join */
static pthread_t owner_dies(pthread_mutex_t *m, int delay_ms, int join)
{
    pthread_t t;
    g_om = m;
    g_owner_delay_ms = delay_ms;
    g_owner_lock_rc = -1;
    xcreate(&t, die_holding, NULL);
    swait(&g_locked);
    if (join)
        pthread_join(t, NULL);
    return t;
}

static void test_robust_threads(void)
{
    pthread_mutex_t m;
    init_mutex(&m, 1, 0, 0);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    int rb = -1;
    pthread_mutexattr_getrobust(&a, &rb);
    pthread_mutexattr_destroy(&a);
    CHECK(rb == PTHREAD_MUTEX_ROBUST, "mutexattr robust reads back PTHREAD_MUTEX_ROBUST");

    owner_dies(&m, 0, 1);
    CHECK(g_owner_lock_rc == 0, "owner thread locked the robust mutex, then exited");
    CHECK_RC(pthread_mutex_lock(&m), EOWNERDEAD, "lock after the owner died");
    CHECK_RC(pthread_mutex_consistent(&m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    CHECK_RC(pthread_mutex_lock(&m), 0, "relock");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock again");

    owner_dies(&m, 0, 1);
    CHECK_RC(pthread_mutex_trylock(&m), EOWNERDEAD, "trylock after the owner died");
    CHECK_RC(pthread_mutex_consistent(&m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    pthread_mutex_destroy(&m);

    /* not made consistent: unrecoverable */
    init_mutex(&m, 1, 0, 0);
    owner_dies(&m, 0, 1);
    CHECK_RC(pthread_mutex_lock(&m), EOWNERDEAD, "lock after the owner died (2nd mutex)");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock without pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_lock(&m), ENOTRECOVERABLE, "lock after that");
    CHECK_RC(pthread_mutex_trylock(&m), ENOTRECOVERABLE, "trylock after that");
    pthread_mutex_destroy(&m);

    /* the main thread is (very likely) blocked in lock when the owner dies; either way the
     * result is the same */
    init_mutex(&m, 1, 0, 0);
    pthread_t t = owner_dies(&m, 30, 0);
    CHECK_RC(pthread_mutex_lock(&m), EOWNERDEAD, "a lock waiting while the owner dies");
    pthread_join(t, NULL);
    CHECK_RC(pthread_mutex_consistent(&m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    CHECK_RC(pthread_mutex_trylock(&m), 0, "trylock");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    pthread_mutex_destroy(&m);
}

/* ---- process-shared robust mutex, owner is a forked child ---- */

static void test_robust_fork(void)
{
    pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        fatal("mmap");
    init_mutex(m, 1, 1, 0);
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");

    /* 1: the child locks, reports, and _exits; the parent reaps it first */
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        int rc = pthread_mutex_lock(m);
        char c = rc == 0 ? 'L' : 'E';
        write_all(p[1], &c, 1);
        _exit(0);
    }
    char c = 0;
    CHECK(read(p[0], &c, 1) == 1 && c == 'L', "child locked the shared robust mutex");
    CHECK(waitstatus(pid) == 0, "child _exit(0)ed holding it");
    CHECK_RC(pthread_mutex_lock(m), EOWNERDEAD, "parent's lock after the child died");
    CHECK_RC(pthread_mutex_consistent(m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(m), 0, "unlock");

    /* 2: the parent is blocked in lock while the child dies */
    pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        int rc = pthread_mutex_lock(m);
        char c2 = rc == 0 ? 'L' : 'E';
        write_all(p[1], &c2, 1);
        sleep_ms(30);
        _exit(0);
    }
    c = 0;
    CHECK(read(p[0], &c, 1) == 1 && c == 'L', "second child locked it");
    CHECK_RC(pthread_mutex_lock(m), EOWNERDEAD, "parent waiting in lock while the child dies");
    CHECK_RC(pthread_mutex_consistent(m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(m), 0, "unlock");
    CHECK(waitstatus(pid) == 0, "second child reaped");

    /* 3: the child finds it free and unlocks normally: nothing reported */
    pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        int rc = pthread_mutex_lock(m);
        if (rc == 0)
            rc = pthread_mutex_unlock(m);
        _exit(rc == 0 ? 3 : 4);
    }
    CHECK(waitstatus(pid) == 3, "a child locks and unlocks it cleanly (exit 3)");
    CHECK_RC(pthread_mutex_lock(m), 0, "parent's lock after a clean unlock");
    CHECK_RC(pthread_mutex_unlock(m), 0, "unlock");
    pthread_mutex_destroy(m);
    close(p[0]);
    close(p[1]);
    munmap(m, 4096);
}

/* ---- priority inheritance ---- */

static pthread_mutex_t g_pi;
static long g_pi_count;
static int g_pi_try;

static void *pi_count(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&g_pi);
        long v = g_pi_count;
        if ((i & 127) == 0)
            sched_yield(); /* make the other thread wait on the PI futex now and then */
        g_pi_count = v + 1;
        pthread_mutex_unlock(&g_pi);
    }
    return NULL;
}

static void *pi_try(void *arg)
{
    (void)arg;
    g_pi_try = pthread_mutex_trylock(&g_pi);
    if (g_pi_try == 0)
        pthread_mutex_unlock(&g_pi);
    return NULL;
}

static void test_pi(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    int proto = -1;
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutexattr_getprotocol(&a, &proto);
    pthread_mutexattr_destroy(&a);
    CHECK(proto == PTHREAD_PRIO_INHERIT, "mutexattr protocol reads back PTHREAD_PRIO_INHERIT");
    init_mutex(&g_pi, 0, 0, PTHREAD_PRIO_INHERIT);
    CHECK_RC(pthread_mutex_lock(&g_pi), 0, "PI mutex: lock");
    pthread_t t[2];
    xcreate(&t[0], pi_try, NULL);
    pthread_join(t[0], NULL);
    CHECK(g_pi_try == EBUSY, "PI mutex: trylock from another thread -> EBUSY");
    CHECK_RC(pthread_mutex_unlock(&g_pi), 0, "PI mutex: unlock");
    xcreate(&t[0], pi_try, NULL);
    pthread_join(t[0], NULL);
    CHECK(g_pi_try == 0, "PI mutex: trylock from another thread after unlock -> 0");

    xcreate(&t[0], pi_count, NULL);
    xcreate(&t[1], pi_count, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    CHECK(g_pi_count == 20000, "PI mutex: counter under contention %ld of 20000", g_pi_count);
    pthread_mutex_destroy(&g_pi);

    pthread_mutex_t m;
    init_mutex(&m, 1, 0, PTHREAD_PRIO_INHERIT);
    owner_dies(&m, 0, 1);
    CHECK_RC(pthread_mutex_lock(&m), EOWNERDEAD, "robust PI mutex: lock after the owner died");
    CHECK_RC(pthread_mutex_consistent(&m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    pthread_t w = owner_dies(&m, 30, 0);
    CHECK_RC(pthread_mutex_lock(&m), EOWNERDEAD, "robust PI mutex: a lock waiting while the owner dies");
    pthread_join(w, NULL);
    CHECK_RC(pthread_mutex_consistent(&m), 0, "pthread_mutex_consistent");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    CHECK_RC(pthread_mutex_lock(&m), 0, "relock");
    CHECK_RC(pthread_mutex_unlock(&m), 0, "unlock");
    pthread_mutex_destroy(&m);
}

int main(void)
{
    sem_init(&g_locked, 0, 0);
    test_robust_threads();
    test_robust_fork();
    test_pi();
    return finish();
}
