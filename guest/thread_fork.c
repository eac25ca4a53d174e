/* thread_fork.c - fork in a multi-threaded process.
 *
 * A non-main thread forks while a ticker thread keeps running: the child is that one thread
 * (gettid() == getpid(), the ticker's counter stays still, the forking thread's __thread
 * values survive, getppid() is the parent, malloc and pthread_create/join work) and exits 7;
 * the main thread, not the forking one, reaps it with waitpid and decodes each of the child's
 * checks from the status; the ticker goes on in the parent. pthread_atfork handlers: prepare
 * and parent run in the forking thread, child in the child. fork from main while 3 threads
 * wait on a condvar: the child can lock that mutex and wait on a new condvar with it, the
 * parent's waiters still wake.
 * A thread blocked in waitpid(-1) reaps a child that main forked. 4 threads fork at once,
 * each reaps its own child by pid and gets that child's status.
 * Threads only record results; the main thread prints after joining them. */
#include "thread_common.h"

/* ---- a ticker that runs all the time in the parent ---- */

static long g_ticks;
static int g_stop;

static void *ticker(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&g_stop, __ATOMIC_SEQ_CST)) {
        void *p = malloc(100 + (size_t)(g_ticks % 1000)); /* keep malloc busy around the fork */
        __atomic_add_fetch(&g_ticks, 1, __ATOMIC_SEQ_CST);
        free(p);
        sleep_ms(1);
    }
    return NULL;
}

static long ticks(void) { return __atomic_load_n(&g_ticks, __ATOMIC_SEQ_CST); }

/* wait (bounded) until the ticker has moved past t */
static int ticker_moves(long t)
{
    double t0 = now_ms(CLOCK_MONOTONIC);
    while (ticks() <= t + 2 && now_ms(CLOCK_MONOTONIC) - t0 < 5000)
        sleep_ms(1);
    return ticks() > t + 2;
}

/* ---- fork from a non-main thread ---- */

static __thread int t_val = 1;
static pid_t g_parent_pid;
static pid_t g_forker_tid, g_child_pid;
static int g_forker_continued;
static pid_t g_prep_tid, g_parent_h_tid;
static int g_prep_runs, g_parent_runs, g_child_runs;

static void at_prepare(void) { g_prep_runs++; g_prep_tid = gettid(); }
static void at_parent(void) { g_parent_runs++; g_parent_h_tid = gettid(); }
static void at_child(void) { g_child_runs++; }

static void *helper(void *arg) { return (void *)((intptr_t)arg + 1); }

/* bits the child sets for each failed check */
enum { CF_TID = 1, CF_PPID = 2, CF_ONE = 4, CF_TLS = 8, CF_THREAD = 16, CF_ATFORK = 32 };
static const struct {
    int bit;
    const char *what;
} child_checks[] = {
    {CF_TID, "child: gettid() == getpid()"},
    {CF_PPID, "child: getppid() == the parent's pid"},
    {CF_ONE, "child: the parent's ticker thread does not run in it"},
    {CF_TLS, "child: the forking thread's __thread value survived"},
    {CF_THREAD, "child: malloc and pthread_create/join work"},
    {CF_ATFORK, "child: the atfork child handler ran once"},
};

static void *forker(void *arg)
{
    (void)arg;
    t_val = 77;
    g_forker_tid = gettid();
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        if (gettid() != getpid())
            bad |= CF_TID;
        if (getppid() != g_parent_pid)
            bad |= CF_PPID;
        long t = ticks();
        sleep_ms(30);
        if (ticks() != t)
            bad |= CF_ONE;
        if (t_val != 77)
            bad |= CF_TLS;
        void *m[64];
        for (int i = 0; i < 64; i++)
            m[i] = malloc((size_t)(i + 1) * 256);
        for (int i = 0; i < 64; i++)
            free(m[i]);
        pthread_t h;
        void *r = NULL;
        if (pthread_create(&h, NULL, helper, (void *)6) != 0 || pthread_join(h, &r) != 0 || (intptr_t)r != 7)
            bad |= CF_THREAD;
        if (g_child_runs != 1)
            bad |= CF_ATFORK;
        _exit(bad ? 64 + bad : 7);
    }
    g_child_pid = pid;
    g_forker_continued = pid > 0 && gettid() == g_forker_tid && t_val == 77;
    return NULL;
}

static void test_thread_fork(void)
{
    g_parent_pid = getpid();
    pthread_atfork(at_prepare, at_parent, at_child);
    pthread_t tk, f;
    xcreate(&tk, ticker, NULL);
    CHECK(ticker_moves(0), "the ticker thread runs");
    xcreate(&f, forker, NULL);
    pthread_join(f, NULL);
    CHECK(g_child_pid > 0, "fork() from a non-main thread");
    CHECK(g_forker_continued, "the forking thread continues in the parent");
    int st = waitstatus(g_child_pid);
    CHECK(st == 7, "the main thread's waitpid gets the child's exit code 7");
    for (size_t i = 0; i < sizeof child_checks / sizeof child_checks[0]; i++)
        CHECK(st == 7 || (st >= 64 && st < 128 && !((st - 64) & child_checks[i].bit)), "%s",
              child_checks[i].what);
    CHECK(g_prep_runs == 1 && g_prep_tid == g_forker_tid, "atfork prepare ran once in the forking thread");
    CHECK(g_parent_runs == 1 && g_parent_h_tid == g_forker_tid, "atfork parent ran once in the forking thread");
    CHECK(g_child_runs == 0, "atfork child did not run in the parent");
    CHECK(ticker_moves(ticks()), "the ticker keeps running in the parent after the fork");
    __atomic_store_n(&g_stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(tk, NULL);
}

/* ---- fork from main while threads wait on a condvar ---- */

static pthread_mutex_t g_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_c = PTHREAD_COND_INITIALIZER;
static int g_waiting, g_go, g_woken;

static void *cv_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_m);
    g_waiting++;
    pthread_cond_broadcast(&g_c);
    while (!g_go)
        pthread_cond_wait(&g_c, &g_m);
    g_woken++;
    pthread_mutex_unlock(&g_m);
    return NULL;
}

static void test_fork_waiters(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        xcreate(&t[i], cv_waiter, NULL);
    pthread_mutex_lock(&g_m);
    while (g_waiting < 3)
        pthread_cond_wait(&g_c, &g_m);
    /* fork while holding the mutex: a waiter woken by another's broadcast cannot be holding it
     * at the fork (it would stay locked forever in the child). */
    pid_t pid = fork();
    if (pid != 0)
        pthread_mutex_unlock(&g_m);
    if (pid == 0) {
        /* the waiters do not exist here; the child's only thread holds the (normal) mutex and
         * releases it. (The shared condvar still counts the parent's waiters, so a broadcast
         * could wait for them forever: a new condvar is used instead.) */
        int ok = pthread_mutex_unlock(&g_m) == 0;
        ok = ok && pthread_mutex_trylock(&g_m) == 0;
        pthread_cond_t c2 = PTHREAD_COND_INITIALIZER;
        struct timespec d;
        clock_gettime(CLOCK_REALTIME, &d);
        d.tv_nsec += 10 * 1000000L;
        if (d.tv_nsec >= 1000000000L) {
            d.tv_sec++;
            d.tv_nsec -= 1000000000L;
        }
        ok = ok && pthread_cond_timedwait(&c2, &g_m, &d) == ETIMEDOUT;
        ok = ok && pthread_mutex_unlock(&g_m) == 0;
        _exit(ok ? 3 : 4);
    }
    CHECK(pid > 0 && waitstatus(pid) == 3,
          "fork from main with 3 threads in cond_wait: the child locks the mutex, timedwaits (exit 3)");
    pthread_mutex_lock(&g_m);
    g_go = 1;
    pthread_cond_broadcast(&g_c);
    pthread_mutex_unlock(&g_m);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    CHECK(g_woken == 3, "the parent's 3 waiters still wake after the fork");
}

/* ---- a thread reaps main's child ---- */

static pid_t g_reaped_pid;
static int g_reaped_status;
static sem_t g_ready;

static void *reaper(void *arg)
{
    (void)arg;
    sem_post(&g_ready);
    int st = 0;
    pid_t r;
    while ((r = waitpid(-1, &st, 0)) < 0 && errno == EINTR)
        ;
    g_reaped_pid = r;
    g_reaped_status = st;
    return NULL;
}

static void test_thread_reaps(void)
{
    /* the child exists before the reaper starts (waitpid(-1) without children is ECHILD) and
     * exits when main writes to the pipe, after the reaper is (very likely) waiting */
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        _exit(read(p[0], &c, 1) == 1 ? 5 : 6);
    }
    close(p[0]);
    sem_init(&g_ready, 0, 0);
    pthread_t t;
    xcreate(&t, reaper, NULL);
    swait(&g_ready);
    sleep_ms(5);
    write_all(p[1], "x", 1);
    pthread_join(t, NULL);
    close(p[1]);
    CHECK(pid > 0 && g_reaped_pid == pid, "a thread in waitpid(-1) reaps a child forked by main");
    CHECK(WIFEXITED(g_reaped_status) && WEXITSTATUS(g_reaped_status) == 5, "... with its exit code 5");
    CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD, "waitpid(-1) from main after that");
}

/* ---- 4 threads fork at once ---- */

static pthread_barrier_t g_bar;
static int g_multi_st[4];
static pid_t g_multi_pid[4];

static void *multi_forker(void *arg)
{
    int i = (int)(intptr_t)arg;
    pthread_barrier_wait(&g_bar);
    pid_t pid = fork();
    if (pid == 0)
        _exit(10 + i);
    g_multi_pid[i] = pid;
    g_multi_st[i] = pid > 0 ? waitstatus(pid) : -1;
    return NULL;
}

static void test_multi_fork(void)
{
    pthread_t t[4];
    pthread_barrier_init(&g_bar, NULL, 4);
    for (int i = 0; i < 4; i++)
        xcreate(&t[i], multi_forker, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&g_bar);
    int good = 0, distinct = 1;
    for (int i = 0; i < 4; i++) {
        good += g_multi_st[i] == 10 + i;
        for (int j = 0; j < i; j++)
            distinct &= g_multi_pid[i] != g_multi_pid[j];
    }
    CHECK(good == 4 && distinct, "4 threads fork at once; each reaps its own child's status");
}

int main(void)
{
    test_thread_fork();
    test_fork_waiters();
    test_thread_reaps();
    test_multi_fork();
    return finish();
}
