/* bench_fork: fork of a process with 256 MiB (argv[1] MiB) allocated and touched.
 * Prints the median wall time of fork() as seen by the parent, over 5 forks; the child
 * exits at once. ucrun copies on write, so the time should not grow with the size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 256;
    size_t len = mib << 20;
    unsigned char *p = malloc(len);
    if (!p) return 1;
    memset(p, 0x5a, len);
    double t[5];
    for (int i = 0; i < 5; i++) {
        double t0 = now_us();
        pid_t c = fork();
        if (c == 0) _exit(p[len - 1] == 0x5a ? 0 : 1);
        t[i] = now_us() - t0;
        int st;
        if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 2;
    }
    qsort(t, 5, sizeof t[0], cmp);
    printf("arch: fork_us %.0f\n", t[2]);
    printf("forked a %zu MiB process 5 times\n", mib);
    return 0;
}
