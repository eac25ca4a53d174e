/* thread_exitmain.c - the main thread calls pthread_exit while another thread keeps running.
 *
 * main records its pthread_t, pid and tid, sets a thread-specific value with a destructor,
 * registers an atexit handler, starts a worker and calls pthread_exit((void *)77). The process
 * must stay alive: the worker joins the main thread (pthread_join gets 77, which needs the
 * kernel's clear-tid wake-up of the exited main thread), sees that the main thread's TSD
 * destructor ran and that atexit handlers did not, that getpid() is unchanged, that it can
 * still create and join a thread, then prints every check and calls exit() with the result:
 * the exit status is 0 when all passed. main prints nothing before it exits. */
#include "thread_common.h"

static pthread_t g_main;
static pid_t g_pid;
static pid_t g_main_tid;
static pthread_key_t g_key;
static int g_dtor_runs;
static int g_atexit_runs;
static volatile int g_main_exiting;

static void key_dtor(void *v)
{
    if ((intptr_t)v == 5)
        __atomic_add_fetch(&g_dtor_runs, 1, __ATOMIC_SEQ_CST);
}

static void at_exit(void) { g_atexit_runs++; }

static void *helper(void *arg) { return (void *)((intptr_t)arg + 1); }

static void *worker(void *arg)
{
    (void)arg;
    void *r = NULL;
    int rc = pthread_join(g_main, &r);
    /* only now print anything: the main thread is gone */
    CHECK(g_main_exiting == 1, "main thread reached pthread_exit");
    CHECK(rc == 0, "pthread_join(main thread) -> 0");
    CHECK((intptr_t)r == 77, "main thread's pthread_exit value arrives (77)");
    CHECK(g_dtor_runs == 1, "main thread's TSD destructor ran at pthread_exit");
    CHECK(g_atexit_runs == 0, "atexit handlers did not run at the main thread's pthread_exit");
    CHECK(getpid() == g_pid, "getpid() unchanged after the main thread exited");
    CHECK(gettid() != g_main_tid, "the worker's tid is not the main thread's");
    pthread_t t;
    void *hr = NULL;
    rc = pthread_create(&t, NULL, helper, (void *)41);
    CHECK(rc == 0 && pthread_join(t, &hr) == 0 && (intptr_t)hr == 42,
          "create + join a new thread after main exited");
    int code = finish();
    exit(code);
}

int main(void)
{
    g_main = pthread_self();
    g_pid = getpid();
    g_main_tid = gettid();
    if (pthread_key_create(&g_key, key_dtor) != 0 || pthread_setspecific(g_key, (void *)5) != 0)
        fatal("pthread_key_create");
    atexit(at_exit);
    pthread_t w;
    xcreate(&w, worker, NULL);
    g_main_exiting = 1;
    pthread_exit((void *)77);
}
