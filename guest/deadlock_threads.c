/* deadlock_threads.c - NOT a normal test: run it ONLY under ucrun.
 *
 * Two threads take two mutexes in opposite order: each locks its first mutex, both meet at a
 * barrier (so each holds one), then each locks the other's. Neither can ever proceed, and the
 * main thread waits in pthread_join for the first of them, so natively this hangs forever
 * (check with `timeout 2`). ucrun must notice that every thread is blocked on a futex with
 * no way to be woken, report a deadlock and exit.
 * Prints "about to block" first; nothing may be printed after it. */
#include "thread_common.h"

static pthread_mutex_t g_a = PTHREAD_MUTEX_INITIALIZER, g_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t g_bar;

static void *locker(void *arg)
{
    int first_a = arg != NULL;
    pthread_mutex_t *first = first_a ? &g_a : &g_b, *second = first_a ? &g_b : &g_a;
    pthread_mutex_lock(first);
    pthread_barrier_wait(&g_bar); /* both now hold their first mutex */
    pthread_mutex_lock(second);   /* blocks forever */
    out("FAIL: a thread got both mutexes\n");
    exit(1);
}

int main(void)
{
    if (pthread_barrier_init(&g_bar, NULL, 2) != 0)
        fatal("pthread_barrier_init");
    out("about to block\n");
    pthread_t t1, t2;
    xcreate(&t1, locker, (void *)1);
    xcreate(&t2, locker, NULL);
    pthread_join(t1, NULL); /* never returns */
    out("FAIL: pthread_join returned\n");
    return 1;
}
