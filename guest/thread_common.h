/* thread_common.h - shared helpers for the thread guest test programs (thread_*.c,
 * deadlock_threads.c).
 *
 * Built on common.h (same conventions: checks print "ok:"/"FAIL:", setup errors are fatal()).
 * Every helper is static inline, so a program that uses only some of them gets no
 * unused-function warnings.
 */
#ifndef UCRUN_GUEST_THREAD_COMMON_H
#define UCRUN_GUEST_THREAD_COMMON_H

#include "common.h"
#include <pthread.h>
#include <semaphore.h>

/* pthread_create with default attributes; fatal() if it fails */
static inline void xcreate(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(t, NULL, fn, arg);
    if (rc != 0) {
        errno = rc;
        fatal("pthread_create");
    }
}

/* sem_wait, resuming after EINTR */
static inline void swait(sem_t *s)
{
    while (sem_wait(s) != 0 && errno == EINTR)
        ;
}

/* clock c (e.g. CLOCK_MONOTONIC) in milliseconds */
static inline double now_ms(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* install handler h for sig (no SA_* flags, empty sa_mask); fatal() if sigaction fails */
static inline void set_handler(int sig, void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fatal("sigaction");
}

#endif
