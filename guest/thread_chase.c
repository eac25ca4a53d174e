/* thread_chase.c - preemption must not replay a load that overwrote its own address register.
 *
 * Two threads each follow a pointer ring (`p = *p`, a load whose destination is its base
 * register: aarch64 `ldr x0, [x0]`, x86_64 `mov (%rax), %rax`) for STEPS steps with no syscall,
 * so the scheduler preempts them every time slice. The node each ends on is checked against
 * the index arithmetic; a preemption that resumed by re-executing an already completed load
 * would follow one extra (wrong) pointer. Run under `--slice-ms 0.05` by the test suite too. */
#include "thread_common.h"

#define N 4096
#define STEPS 30000000L
static uintptr_t g_ring[2][N][8];
static long g_end[2];

static void *chase(void *arg)
{
    int r = (int)(intptr_t)arg;
    uintptr_t p = (uintptr_t)&g_ring[r][0][0];
    for (long k = 0; k < STEPS; k++) {
#if defined(__aarch64__)
        __asm__ volatile("ldr %0, [%0]" : "+r"(p));
#else
        __asm__ volatile("mov (%0), %0" : "+r"(p));
#endif
    }
    g_end[r] = (long)((p - (uintptr_t)&g_ring[r][0][0]) / sizeof g_ring[r][0]);
    return NULL;
}

int main(void)
{
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < N; i++)
            g_ring[r][i][0] = (uintptr_t)&g_ring[r][(i * 7 + 1 + r) % N][0];
    pthread_t t[2];
    for (int r = 0; r < 2; r++)
        xcreate(&t[r], chase, (void *)(intptr_t)r);
    for (int r = 0; r < 2; r++)
        pthread_join(t[r], NULL);
    for (int r = 0; r < 2; r++) {
        long i = 0;
        for (long k = 0; k < STEPS; k++)
            i = (i * 7 + 1 + r) % N;
        CHECK(g_end[r] == i, "thread %d: %ld self-addressed loads end on the right node", r, STEPS);
    }
    return finish();
}
