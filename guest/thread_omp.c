/* thread_omp.c - OpenMP (libgomp, linked statically with -fopenmp).
 *
 * With omp_set_dynamic(0) and omp_set_num_threads(4): omp_get_max_threads() == 4; a parallel
 * region has 4 threads with thread numbers 0..3, each seen once, and distinct gettid()s;
 * `parallel for reduction(+:sum)` over 1..1000000 (static and dynamic schedules) gives the exact
 * sum; `critical` and `atomic` counters; `single` runs once; a `barrier` separates writes from
 * reads; `sections` runs each section once; recursive tasks (fib(20)) with taskwait; a
 * num_threads(2) clause; with omp_set_max_active_levels(1) a nested parallel region gets 1 thread.
 * Only the main thread prints, after each parallel region. */
#include "common.h"
#include <omp.h>

static long fib(int n)
{
    if (n < 2)
        return n;
    long a, b;
#pragma omp task shared(a) if (n > 12)
    a = fib(n - 1);
#pragma omp task shared(b) if (n > 12)
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

static long fib_serial(int n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

int main(void)
{
    omp_set_dynamic(0);
    omp_set_num_threads(4);
    omp_set_max_active_levels(1); /* not left to OMP_MAX_ACTIVE_LEVELS / OMP_NESTED */
    CHECK(omp_get_max_threads() == 4, "omp_get_max_threads() == 4 after omp_set_num_threads(4)");
    CHECK(!omp_in_parallel() && omp_get_thread_num() == 0, "outside a parallel region: not in parallel, thread 0");

    int nthreads[4] = {0}, seen[4] = {0}, bad_num = 0;
    pid_t tids[4] = {0};
#pragma omp parallel
    {
        int me = omp_get_thread_num();
        if (me >= 0 && me < 4) {
            nthreads[me] = omp_get_num_threads();
            tids[me] = gettid();
#pragma omp atomic
            seen[me]++;
        } else {
#pragma omp atomic
            bad_num++;
        }
    }
    int all4 = 1, once = 1, distinct = 1;
    for (int i = 0; i < 4; i++) {
        all4 &= nthreads[i] == 4;
        once &= seen[i] == 1;
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j];
    }
    CHECK(all4 && bad_num == 0, "parallel region: omp_get_num_threads() == 4 in every thread");
    CHECK(once, "parallel region: thread numbers 0..3, each once");
    CHECK(distinct && tids[0] == gettid(), "4 distinct tids; thread 0 is the main thread");

    const long N = 1000000;
    long sum = 0;
#pragma omp parallel for reduction(+ : sum)
    for (long i = 1; i <= N; i++)
        sum += i;
    CHECK(sum == N * (N + 1) / 2, "parallel for reduction(+:sum) over 1..%ld = %ld", N, sum);

    long sq = 0;
#pragma omp parallel for schedule(dynamic, 1000) reduction(+ : sq)
    for (long i = 1; i <= N; i++)
        sq += (i * i) % 1000003;
    long want = 0;
    for (long i = 1; i <= N; i++)
        want += (i * i) % 1000003;
    CHECK(sq == want, "schedule(dynamic, 1000) reduction matches the serial sum");

    int crit = 0, atom = 0;
#pragma omp parallel for
    for (int i = 0; i < 4000; i++) {
#pragma omp critical
        crit++;
#pragma omp atomic
        atom++;
    }
    CHECK(crit == 4000 && atom == 4000, "critical and atomic counters: 4000 each");

    int singles = 0, slots[4] = {0}, barrier_bad = 0;
#pragma omp parallel
    {
        int me = omp_get_thread_num();
#pragma omp single
        singles++;
        slots[me] = me + 1;
#pragma omp barrier
        for (int j = 0; j < 4; j++)
            if (slots[j] != j + 1) {
#pragma omp atomic
                barrier_bad++;
            }
    }
    CHECK(singles == 1, "single ran once");
    CHECK(barrier_bad == 0, "barrier: every thread's write is visible after it");

    int sec[3] = {0};
#pragma omp parallel sections
    {
#pragma omp section
        sec[0]++;
#pragma omp section
        sec[1]++;
#pragma omp section
        sec[2]++;
    }
    CHECK(sec[0] == 1 && sec[1] == 1 && sec[2] == 1, "sections: each of 3 ran once");

    long f = 0;
#pragma omp parallel
#pragma omp single
    f = fib(20);
    CHECK(f == fib_serial(20), "tasks: fib(20) = %ld", f);

    int two = 0;
#pragma omp parallel num_threads(2)
    {
#pragma omp atomic
        two++;
    }
    CHECK(two == 2, "num_threads(2) clause: 2 threads");

    int inner_n = -1;
#pragma omp parallel
    {
        if (omp_get_thread_num() == 0) {
#pragma omp parallel
            {
                inner_n = omp_get_num_threads();
            }
        }
    }
    CHECK(inner_n == 1, "max_active_levels 1: a nested parallel region gets 1 thread");
    return finish();
}
