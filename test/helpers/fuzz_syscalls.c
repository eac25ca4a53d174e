/* fuzz_syscalls.c - every syscall number with hostile arguments, run only under ucrun (with
 * --root on an empty directory): integers at the edges of every C type and pointers that are
 * NULL, unmapped, read-only, across a page boundary into nothing, at 2^47 and at 2^63. Each
 * batch runs in a forked child whose 20 ms interval timer interrupts any call that blocks; a
 * call that kills only ends that child. Calls that end or replace the process, tear down its
 * own memory or change its signal handling are skipped (they would only end the batch early). Prints "fuzz done: B batches" when every child ended. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t g_rng;
static void tick(int sig) { (void)sig; }
static uint64_t next(void) { g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17; return g_rng; }

static const long skip[] = {
    SYS_exit, SYS_exit_group, SYS_kill, SYS_tkill, SYS_tgkill, SYS_clone, SYS_clone3, SYS_execve, SYS_execveat,
    SYS_reboot, SYS_rt_sigreturn, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_brk, SYS_madvise, SYS_mmap,
    SYS_shmdt, SYS_ptrace, SYS_setsid, SYS_setpgid, SYS_rt_sigprocmask, SYS_prctl, SYS_seccomp, SYS_unshare,
    SYS_setns, SYS_personality, SYS_mlockall, SYS_rt_sigaction, SYS_setitimer, SYS_timer_create,
    SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_ppoll, SYS_pselect6, SYS_epoll_pwait, SYS_epoll_pwait2,
#ifdef SYS_alarm
    SYS_alarm,
#endif
#ifdef SYS_fork
    SYS_fork, SYS_vfork, SYS_arch_prctl,
#endif
};

int main(int argc, char **argv)
{
    g_rng = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    int batches = argc > 2 ? atoi(argv[2]) : 8;
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    static const char ro[] = "/";
    const uint64_t pool[] = {
        0, 1, 2, 3, 0xffffffffffffffffULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffULL,
        0x80000000ULL, 0x100000000ULL | 3, 0x0000800000000000ULL, 0x0000800000000000ULL - 8, 4096, 1 << 20,
        (uint64_t)(uintptr_t)ro, (uint64_t)(uintptr_t)(page + 4096 - 3), (uint64_t)(uintptr_t)(page + 4096),
        0x10, 0xdead0000ULL, (uint64_t)(uintptr_t)page,
    };
    const int npool = sizeof pool / sizeof pool[0];
    close(0); /* reads from fd 0 fail instead of waiting for a terminal */
    for (int b = 0; b < batches; b++) {
        uint64_t seed = next();
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 2; }
        if (pid == 0) {
            g_rng = seed | 1;
            /* the guest's own stdout/stderr go nowhere: random writes to fds 1 and 2 are noise */
            int null = open("/dev/null", O_RDWR);
            dup2(null, 1);
            dup2(null, 2);
            /* every 20 ms a signal with a handler interrupts whatever call blocks (EINTR) */
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = tick;
            sigaction(SIGALRM, &sa, NULL);
            struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
            setitimer(ITIMER_REAL, &it, NULL);
            for (long nr = 0; nr < 460; nr++) {
                int skipped = 0;
                for (unsigned i = 0; i < sizeof skip / sizeof skip[0]; i++) skipped |= skip[i] == nr;
                if (skipped) continue;
                for (int k = 0; k < 3; k++) {
                    uint64_t a[6];
                    for (int i = 0; i < 6; i++) a[i] = pool[next() % npool];
                    syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
                }
            }
            _exit(0);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid) { perror("waitpid"); return 2; }
    }
    printf("fuzz done: %d batches\n", batches);
    return 0;
}
