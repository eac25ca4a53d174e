/* thread_basic.c - thread creation and per-thread state.
 *
 * pthread_create/join with return values (plain return and pthread_exit), pthread_detach and
 * detached-attribute threads that report through a semaphore, 80 threads alive at once (all
 * created, meeting at a barrier, then joined), a caller-supplied stack (pthread_attr_setstack)
 * and a deep recursion on a 256 KiB stack, __thread variables (initialised values, zeroed ones,
 * distinct per thread, the main thread's copy untouched), gettid vs getpid, pthread_self /
 * pthread_equal, pthread_once run once by 8 racing threads, thread-specific data (values per
 * thread, destructors counted, NULL values skipped, key deletion), and C11 <threads.h>:
 * thrd_create/thrd_join, mtx_t, cnd_t, call_once, tss_t, thrd_current/thrd_equal.
 * Threads only record results; the main thread prints after joining them. */
#include "thread_common.h"
#include <threads.h>

/* ---- create / join / return values ---- */

static void *ret_double(void *arg) { return (void *)((intptr_t)arg * 2); }

static void *exit_inner(intptr_t v)
{
    pthread_exit((void *)(v + 1000));
}

static void *ret_via_exit(void *arg)
{
    exit_inner((intptr_t)arg);
    return NULL; /* not reached */
}

static void test_join(void)
{
    pthread_t t[4];
    int created = 0;
    for (intptr_t i = 0; i < 4; i++)
        created += pthread_create(&t[i], NULL, ret_double, (void *)(i + 1)) == 0;
    CHECK(created == 4, "pthread_create x4");
    int good = 0;
    for (intptr_t i = 0; i < 4; i++) {
        void *r = NULL;
        if (pthread_join(t[i], &r) == 0 && (intptr_t)r == (i + 1) * 2)
            good++;
    }
    CHECK(good == 4, "pthread_join returns each thread's return value (%d of 4)", good);

    pthread_t e;
    void *r = NULL;
    int rc = pthread_create(&e, NULL, ret_via_exit, (void *)7);
    CHECK(rc == 0 && pthread_join(e, &r) == 0 && (intptr_t)r == 1007,
          "pthread_exit from a nested call delivers its value to pthread_join");

    pthread_t z;
    rc = pthread_create(&z, NULL, ret_double, (void *)0);
    r = (void *)1;
    CHECK(rc == 0 && pthread_join(z, &r) == 0 && r == NULL, "a NULL return value");
}

/* ---- detached threads ---- */

static sem_t g_det_sem;
static int g_det_val[2];
static int g_det_rc;

static void *det_attr(void *arg)
{
    g_det_val[0] = (int)(intptr_t)arg;
    sem_post(&g_det_sem);
    return NULL;
}

static void *det_self(void *arg)
{
    g_det_rc = pthread_detach(pthread_self());
    g_det_val[1] = (int)(intptr_t)arg;
    sem_post(&g_det_sem);
    return NULL;
}

static void test_detach(void)
{
    sem_init(&g_det_sem, 0, 0);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int ds = -1;
    pthread_attr_getdetachstate(&a, &ds);
    CHECK(ds == PTHREAD_CREATE_DETACHED, "attr detachstate reads back DETACHED");
    pthread_t t;
    int rc = pthread_create(&t, &a, det_attr, (void *)11);
    pthread_attr_destroy(&a);
    CHECK(rc == 0, "pthread_create detached");
    swait(&g_det_sem);
    CHECK(g_det_val[0] == 11, "detached thread ran and posted the semaphore");

    rc = pthread_create(&t, NULL, det_self, (void *)22);
    CHECK(rc == 0, "pthread_create (thread detaches itself)");
    swait(&g_det_sem);
    CHECK(g_det_val[1] == 22 && g_det_rc == 0, "pthread_detach(pthread_self()) -> 0, thread ran");

    /* pthread_detach from the creator */
    pthread_t u;
    rc = pthread_create(&u, NULL, det_attr, (void *)33);
    CHECK(rc == 0 && pthread_detach(u) == 0, "pthread_detach(other) -> 0");
    swait(&g_det_sem);
    CHECK(g_det_val[0] == 33, "thread detached by its creator ran");
    sem_destroy(&g_det_sem);
}

/* ---- many threads, TLS, tids ---- */

#define NMANY 80

static __thread int tls_init = 42;
static __thread int tls_zero;
static __thread int tls_arr[4] = {1, 2, 3, 4};
static __thread char tls_big[8192];

struct many {
    int idx;
    int init_ok;    /* TLS initial values seen */
    int tls_after;  /* tls_init after the barrier (must be our own value) */
    uintptr_t addr; /* &tls_init in this thread */
    pid_t tid;
    int tid_ne_pid;
    int pid_same;
    pthread_t self;
};

static struct many g_many[NMANY];
static pthread_barrier_t g_many_bar;
static pid_t g_pid;
static int g_alive, g_max_alive;

static void *many_fn(void *arg)
{
    struct many *m = arg;
    int init_ok = tls_init == 42 && tls_zero == 0 && tls_arr[0] == 1 && tls_arr[3] == 4;
    for (size_t i = 0; i < sizeof tls_big; i++)
        if (tls_big[i] != 0)
            init_ok = 0;
    m->init_ok = init_ok;
    tls_init = 1000 + m->idx;
    tls_zero = m->idx;
    memset(tls_big, m->idx & 0x7f, sizeof tls_big);
    m->addr = (uintptr_t)&tls_init;
    m->tid = gettid();
    m->tid_ne_pid = m->tid != getpid();
    m->pid_same = getpid() == g_pid;
    m->self = pthread_self();
    int now = __atomic_add_fetch(&g_alive, 1, __ATOMIC_SEQ_CST);
    int mx = __atomic_load_n(&g_max_alive, __ATOMIC_SEQ_CST);
    while (now > mx && !__atomic_compare_exchange_n(&g_max_alive, &mx, now, 0, __ATOMIC_SEQ_CST,
                                                    __ATOMIC_SEQ_CST))
        ;
    pthread_barrier_wait(&g_many_bar); /* every thread has written its TLS */
    int ok = tls_init == 1000 + m->idx && tls_zero == m->idx;
    for (size_t i = 0; i < sizeof tls_big; i++)
        if (tls_big[i] != (char)(m->idx & 0x7f))
            ok = 0;
    m->tls_after = ok;
    __atomic_sub_fetch(&g_alive, 1, __ATOMIC_SEQ_CST);
    return (void *)(intptr_t)(m->idx * 3 + 1);
}

static void test_many(void)
{
    pthread_t t[NMANY];
    g_pid = getpid();
    tls_init = 5; /* the main thread's copy */
    pthread_barrier_init(&g_many_bar, NULL, NMANY);
    int created = 0;
    for (int i = 0; i < NMANY; i++) {
        g_many[i].idx = i;
        if (pthread_create(&t[i], NULL, many_fn, &g_many[i]) == 0)
            created++;
        else
            break;
    }
    CHECK(created == NMANY, "created %d threads without joining", NMANY);
    if (created != NMANY)
        fatal("pthread_create");
    int rets = 0;
    for (int i = 0; i < NMANY; i++) {
        void *r;
        if (pthread_join(t[i], &r) == 0 && (intptr_t)r == i * 3 + 1)
            rets++;
    }
    CHECK(rets == NMANY, "joined all %d with the right return values", NMANY);
    CHECK(g_max_alive == NMANY, "all %d threads were alive at the same time", NMANY);
    pthread_barrier_destroy(&g_many_bar);

    int init_ok = 0, after_ok = 0, ne = 0, same = 0, eq = 0;
    int addr_distinct = 1, tid_distinct = 1, self_distinct = 1;
    for (int i = 0; i < NMANY; i++) {
        init_ok += g_many[i].init_ok;
        after_ok += g_many[i].tls_after;
        ne += g_many[i].tid_ne_pid;
        same += g_many[i].pid_same;
        eq += pthread_equal(g_many[i].self, t[i]) != 0;
        if (g_many[i].addr == (uintptr_t)&tls_init)
            addr_distinct = 0;
        for (int j = 0; j < i; j++) {
            if (g_many[i].addr == g_many[j].addr)
                addr_distinct = 0;
            if (g_many[i].tid == g_many[j].tid)
                tid_distinct = 0;
            if (pthread_equal(g_many[i].self, g_many[j].self))
                self_distinct = 0;
        }
    }
    CHECK(init_ok == NMANY, "__thread initial values (42, 0, {1..4}, zeroed 8 KiB) in every thread");
    CHECK(after_ok == NMANY, "__thread values stay per thread while all threads write theirs");
    CHECK(tls_init == 5, "the main thread's __thread copy is untouched");
    CHECK(addr_distinct, "&tls_init differs in every thread and from the main thread's");
    CHECK(ne == NMANY, "gettid() != getpid() in every thread");
    CHECK(same == NMANY, "getpid() in threads == the process's pid");
    CHECK(tid_distinct, "thread ids are distinct");
    CHECK(gettid() == getpid(), "gettid() == getpid() in the main thread");
    CHECK(eq == NMANY, "pthread_self() in a thread equals the pthread_t from pthread_create");
    CHECK(self_distinct, "pthread_self() distinct across threads");
    CHECK(pthread_equal(pthread_self(), pthread_self()) && !pthread_equal(pthread_self(), t[0]),
          "pthread_equal: self == self, main != a thread");
}

/* ---- stacks ---- */

static uintptr_t g_stk_local;
static long deep(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    pad[1023] = (char)(n >> 8);
    if (n == 0)
        return pad[0];
    return deep(n - 1) + pad[0] + pad[1023];
}

static void *stack_fn(void *arg)
{
    (void)arg;
    char c;
    g_stk_local = (uintptr_t)&c;
    return (void *)deep(150); /* ~160 KiB of stack */
}

static void test_stacks(void)
{
    size_t sz = 256 * 1024;
    void *mem = aligned_alloc(65536, sz);
    if (!mem)
        fatal("aligned_alloc");
    pthread_attr_t a;
    pthread_attr_init(&a);
    int rc = pthread_attr_setstack(&a, mem, sz);
    pthread_t t;
    if (rc == 0)
        rc = pthread_create(&t, &a, stack_fn, NULL);
    pthread_attr_destroy(&a);
    void *r = NULL;
    CHECK(rc == 0 && pthread_join(t, &r) == 0, "thread on a caller-supplied 256 KiB stack");
    CHECK(g_stk_local > (uintptr_t)mem && g_stk_local < (uintptr_t)mem + sz,
          "its locals live inside the supplied stack");
    CHECK((long)(intptr_t)r == deep(150), "160 KiB recursion on it gives the right result");
    free(mem);

    pthread_attr_init(&a);
    rc = pthread_attr_setstacksize(&a, sz);
    size_t got = 0;
    pthread_attr_getstacksize(&a, &got);
    CHECK(rc == 0 && got == sz, "pthread_attr_setstacksize(256 KiB) reads back");
    if (rc == 0)
        rc = pthread_create(&t, &a, stack_fn, NULL);
    pthread_attr_destroy(&a);
    CHECK(rc == 0 && pthread_join(t, &r) == 0 && (long)(intptr_t)r == deep(150),
          "deep recursion on a 256 KiB stack of glibc's");
}

/* ---- pthread_once ---- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_once_runs;
static pthread_barrier_t g_once_bar;
static int g_once_seen[8];

static void once_init(void)
{
    __atomic_add_fetch(&g_once_runs, 1, __ATOMIC_SEQ_CST);
    sched_yield(); /* give the other callers a chance to pile up */
}

static void *once_fn(void *arg)
{
    int i = (int)(intptr_t)arg;
    pthread_barrier_wait(&g_once_bar);
    pthread_once(&g_once, once_init);
    g_once_seen[i] = __atomic_load_n(&g_once_runs, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_once(void)
{
    pthread_t t[8];
    pthread_barrier_init(&g_once_bar, NULL, 8);
    for (int i = 0; i < 8; i++)
        xcreate(&t[i], once_fn, (void *)(intptr_t)i);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&g_once_bar);
    int seen = 0;
    for (int i = 0; i < 8; i++)
        seen += g_once_seen[i] == 1;
    CHECK(g_once_runs == 1, "pthread_once: init ran once for 8 racing threads");
    CHECK(seen == 8, "pthread_once: every caller returned after the init finished");
    pthread_once(&g_once, once_init);
    CHECK(g_once_runs == 1, "pthread_once again from main: not run");
}

/* ---- thread-specific data ---- */

static pthread_key_t g_key;
static int g_dtor_calls, g_dtor_sum;
static int g_tsd_ok[4];

static void key_dtor(void *v)
{
    __atomic_add_fetch(&g_dtor_calls, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&g_dtor_sum, *(int *)v, __ATOMIC_SEQ_CST);
    free(v);
}

static void *tsd_fn(void *arg)
{
    int i = (int)(intptr_t)arg;
    int ok = pthread_getspecific(g_key) == NULL;
    if (i < 3) { /* thread 3 leaves its value NULL: no destructor call */
        int *v = malloc(sizeof *v);
        *v = 10 + i;
        ok &= pthread_setspecific(g_key, v) == 0;
        sched_yield();
        ok &= pthread_getspecific(g_key) == v && *v == 10 + i;
    }
    g_tsd_ok[i] = ok;
    return NULL;
}

static void test_tsd(void)
{
    int rc = pthread_key_create(&g_key, key_dtor);
    CHECK(rc == 0, "pthread_key_create with a destructor");
    static int main_val = 99;
    CHECK(pthread_getspecific(g_key) == NULL, "a new key's value is NULL");
    pthread_setspecific(g_key, &main_val);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        xcreate(&t[i], tsd_fn, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    int ok = 0;
    for (int i = 0; i < 4; i++)
        ok += g_tsd_ok[i];
    CHECK(ok == 4, "each thread sees NULL first, then its own value");
    CHECK(g_dtor_calls == 3 && g_dtor_sum == 10 + 11 + 12,
          "destructor ran once per non-NULL value at thread exit (%d calls)", g_dtor_calls);
    CHECK(pthread_getspecific(g_key) == &main_val, "the main thread's value is untouched");
    pthread_setspecific(g_key, NULL);
    CHECK(pthread_key_delete(g_key) == 0, "pthread_key_delete");
}

/* ---- C11 threads ---- */

static mtx_t g_mtx;
static cnd_t g_cnd;
static int g_c11_counter;
static int g_c11_state; /* 0: waiting for main, 1: main signalled, 2: thread answered */
static once_flag g_c11_once = ONCE_FLAG_INIT;
static int g_c11_once_runs;
static tss_t g_tss;
static int g_tss_dtor;
static thrd_t g_c11_self[2];

static void c11_once(void) { g_c11_once_runs++; }
static void tss_dtor(void *v) { __atomic_add_fetch(&g_tss_dtor, (int)(intptr_t)v, __ATOMIC_SEQ_CST); }

static int c11_count(void *arg)
{
    int i = (int)(intptr_t)arg;
    g_c11_self[i] = thrd_current();
    call_once(&g_c11_once, c11_once);
    tss_set(g_tss, (void *)(intptr_t)(i + 1));
    for (int k = 0; k < 5000; k++) {
        mtx_lock(&g_mtx);
        g_c11_counter++;
        mtx_unlock(&g_mtx);
    }
    return 100 + i;
}

static int c11_cond(void *arg)
{
    (void)arg;
    mtx_lock(&g_mtx);
    while (g_c11_state != 1)
        cnd_wait(&g_cnd, &g_mtx);
    g_c11_state = 2;
    cnd_signal(&g_cnd);
    mtx_unlock(&g_mtx);
    return 5;
}

static void test_c11(void)
{
    CHECK(mtx_init(&g_mtx, mtx_plain) == thrd_success && cnd_init(&g_cnd) == thrd_success &&
              tss_create(&g_tss, tss_dtor) == thrd_success,
          "mtx_init / cnd_init / tss_create");
    thrd_t t[2];
    int ok = 1;
    for (int i = 0; i < 2; i++)
        ok &= thrd_create(&t[i], c11_count, (void *)(intptr_t)i) == thrd_success;
    CHECK(ok, "thrd_create x2");
    int res[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        ok &= thrd_join(t[i], &res[i]) == thrd_success;
    CHECK(ok && res[0] == 100 && res[1] == 101, "thrd_join returns each result");
    CHECK(g_c11_counter == 10000, "mtx_lock/unlock counter: %d of 10000", g_c11_counter);
    CHECK(g_c11_once_runs == 1, "call_once ran once");
    CHECK(g_tss_dtor == 1 + 2, "tss destructors ran with each thread's value");
    CHECK(thrd_equal(g_c11_self[0], t[0]) && thrd_equal(g_c11_self[1], t[1]) &&
              !thrd_equal(thrd_current(), t[0]),
          "thrd_current / thrd_equal");

    thrd_t c;
    ok = thrd_create(&c, c11_cond, NULL) == thrd_success;
    mtx_lock(&g_mtx);
    g_c11_state = 1;
    cnd_signal(&g_cnd);
    while (g_c11_state != 2)
        cnd_wait(&g_cnd, &g_mtx);
    mtx_unlock(&g_mtx);
    int r = 0;
    ok &= thrd_join(c, &r) == thrd_success && r == 5;
    CHECK(ok, "cnd_wait/cnd_signal handshake both ways");

    CHECK(mtx_trylock(&g_mtx) == thrd_success, "mtx_trylock on a free mutex");
    mtx_unlock(&g_mtx);
    tss_delete(g_tss);
    cnd_destroy(&g_cnd);
    mtx_destroy(&g_mtx);
}

int main(void)
{
    test_join();
    test_detach();
    test_many();
    test_stacks();
    test_once();
    test_tsd();
    test_c11();
    return finish();
}
