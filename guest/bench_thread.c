/* bench_thread.c - thread benchmarks. argv[1] = mode, argv[2] = N.
 *   handoff N: N round trips of a token between two threads (mutex + two condvars)
 *   lock N:    N uncontended pthread_mutex_lock/unlock pairs in one thread
 *   create N:  N x (pthread_create of an empty thread + pthread_join)
 *   parallel N: 4 threads each hash N/4 rounds (CPU-parallel work; qemu-user runs the
 *              threads on 4 host threads, ucrun on one)
 * Prints "done MODE N CHECKSUM". */
#include "common.h"
#include <pthread.h>

static pthread_mutex_t g_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_ping = PTHREAD_COND_INITIALIZER, g_pong = PTHREAD_COND_INITIALIZER;
static long g_turn, g_n;

static void *ponger(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_m);
    for (long i = 0; i < g_n; i++) {
        while (g_turn != 1)
            pthread_cond_wait(&g_ping, &g_m);
        g_turn = 0;
        pthread_cond_signal(&g_pong);
    }
    pthread_mutex_unlock(&g_m);
    return NULL;
}

static void *empty(void *arg) { return arg; }

static void *hasher(void *arg)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(intptr_t)arg;
    for (long i = 0; i < g_n; i++) {
        h ^= (uint64_t)i;
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return (void *)(intptr_t)(h & 0xffffff);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "lock";
    long n = argc > 2 ? atol(argv[2]) : 100000;
    long sum = 0;
    g_n = n;
    if (!strcmp(mode, "handoff")) {
        pthread_t t;
        if (pthread_create(&t, NULL, ponger, NULL))
            fatal("pthread_create");
        pthread_mutex_lock(&g_m);
        for (long i = 0; i < n; i++) {
            g_turn = 1;
            pthread_cond_signal(&g_ping);
            while (g_turn != 0)
                pthread_cond_wait(&g_pong, &g_m);
            sum++;
        }
        pthread_mutex_unlock(&g_m);
        pthread_join(t, NULL);
    } else if (!strcmp(mode, "lock")) {
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&g_m);
            sum += i & 1;
            pthread_mutex_unlock(&g_m);
        }
    } else if (!strcmp(mode, "create")) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            void *r;
            if (pthread_create(&t, NULL, empty, (void *)(intptr_t)1))
                fatal("pthread_create");
            pthread_join(t, &r);
            sum += (intptr_t)r;
        }
    } else if (!strcmp(mode, "parallel")) {
        pthread_t t[4];
        g_n = n / 4;
        for (int i = 0; i < 4; i++)
            if (pthread_create(&t[i], NULL, hasher, (void *)(intptr_t)i))
                fatal("pthread_create");
        for (int i = 0; i < 4; i++) {
            void *r;
            pthread_join(t[i], &r);
            sum += (intptr_t)r;
        }
    } else {
        fatal("unknown mode");
    }
    out("done %s %ld %ld\n", mode, n, sum);
    return 0;
}
