/* thread_signal.c - signals and cancellation with several threads.
 *
 * pthread_kill runs the handler in the target thread (the handler records gettid() and a
 * __thread value; both are compared with the target's in the program), raise() in a thread
 * runs it in that thread; signal masks are per thread and inherited by pthread_create; a
 * process-directed kill(getpid()) while the main thread blocks the signal goes to the thread
 * that does not; rt_sigtimedwait in one thread (all others block the signals) receives
 * kill(getpid()) (SI_USER, our pid), pthread_kill (SI_TKILL: the raw syscall, since glibc's
 * sigwaitinfo folds SI_TKILL into SI_USER) and pthread_sigqueue (SI_QUEUE + value) without
 * any handler running; sigtimedwait in a thread -> EAGAIN. pthread_cancel of threads blocked
 * in read() on an empty pipe, pthread_cond_wait, nanosleep, sleep, pause, poll, sem_wait and
 * pthread_join; cleanup handlers run in reverse order, and on pthread_exit and
 * pthread_cleanup_pop(1); PTHREAD_CANCEL_DISABLE defers a cancel to pthread_testcancel;
 * asynchronous cancellation of a thread in a pure CPU loop. A NULL dereference in a thread is
 * caught by a SA_ONSTACK handler in that thread, on that thread's sigaltstack, and the thread
 * siglongjmps out; the main thread, with no alternate stack, catches its own fault on its stack.
 * Threads only record results; the main thread prints after joining them. */
#include "thread_common.h"
#include <poll.h>
#include <setjmp.h>

static void block(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

static int thread_blocks(int sig)
{
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static __thread int t_id; /* 1, 2, ... per test thread; 0 in main */
static volatile pid_t g_h_tid;
static volatile int g_h_tls, g_h_count;

static void h_record(int sig)
{
    (void)sig;
    g_h_tid = gettid();
    g_h_tls = t_id;
    g_h_count++;
}

/* ---- pthread_kill / raise / masks ---- */

static sem_t g_ready, g_go;
static pid_t g_t_tid;
static int g_t_inherited, g_t_eintr;
static pid_t g_raise_tid;
static int g_raise_tls;

static void *kill_target(void *arg)
{
    t_id = (int)(intptr_t)arg;
    g_t_tid = gettid();
    block(SIG_BLOCK, SIGUSR1);
    sem_post(&g_ready);
    sigset_t none;
    sigemptyset(&none);
    g_t_eintr = sigsuspend(&none) == -1 && errno == EINTR; /* the handler runs here */
    return NULL;
}

static void *raiser(void *arg)
{
    t_id = (int)(intptr_t)arg;
    raise(SIGUSR1);
    g_raise_tid = g_h_tid; /* the handler ran before raise returned */
    g_raise_tls = g_h_tls;
    g_t_tid = gettid();
    return NULL;
}

static void *mask_target(void *arg)
{
    t_id = (int)(intptr_t)arg;
    g_t_tid = gettid();
    g_t_inherited = thread_blocks(SIGUSR2);
    sem_post(&g_ready);
    sigset_t none;
    sigemptyset(&none);
    while (g_h_count == 0) /* until the process-directed SIGUSR2 arrives */
        sigsuspend(&none);
    return NULL;
}

static void test_kill(void)
{
    set_handler(SIGUSR1, h_record);
    set_handler(SIGUSR2, h_record);
    pthread_t t;
    g_h_count = 0;
    xcreate(&t, kill_target, (void *)1);
    swait(&g_ready);
    CHECK(pthread_kill(t, 0) == 0, "pthread_kill(t, 0) on a live thread -> 0");
    CHECK(pthread_kill(t, SIGUSR1) == 0, "pthread_kill(t, SIGUSR1) -> 0");
    pthread_join(t, NULL);
    CHECK(g_h_count == 1, "the handler ran once");
    CHECK(g_h_tid == g_t_tid && g_h_tid != gettid(), "pthread_kill: the handler ran in the target thread (gettid)");
    CHECK(g_h_tls == 1, "pthread_kill: the handler saw the target's __thread value");
    CHECK(g_t_eintr, "the target's sigsuspend returned EINTR");

    g_h_count = 0;
    xcreate(&t, raiser, (void *)2);
    pthread_join(t, NULL);
    CHECK(g_h_count == 1 && g_raise_tid == g_t_tid && g_raise_tls == 2,
          "raise() in a thread runs the handler in that thread before it returns");

    /* main blocks SIGUSR2; the new thread inherits that, then waits in sigsuspend with an
     * empty mask: a kill() to the process must be handled there */
    g_h_count = 0;
    block(SIG_BLOCK, SIGUSR2);
    xcreate(&t, mask_target, (void *)3);
    swait(&g_ready);
    kill(getpid(), SIGUSR2);
    pthread_join(t, NULL);
    CHECK(g_t_inherited, "a new thread inherits its creator's signal mask");
    CHECK(g_h_count == 1, "kill(getpid(), SIGUSR2) was handled once");
    CHECK(g_h_tid == g_t_tid && g_h_tls == 3, "... by the thread that does not block it");
    sigset_t p;
    sigpending(&p);
    CHECK(!sigismember(&p, SIGUSR2) && thread_blocks(SIGUSR2),
          "main: still blocked, nothing left pending");
    block(SIG_UNBLOCK, SIGUSR2);
    CHECK(g_h_count == 1, "unblocking in main delivers nothing more");
}

/* ---- sigwait ---- */

static siginfo_t g_wi[3];
static int g_wr[3];
static int g_tw_rc, g_tw_errno;
static pid_t g_waiter_tid;

static void *sig_waiter(void *arg)
{
    (void)arg;
    g_waiter_tid = gettid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN);
    struct timespec ts = {0, 20 * 1000000L};
    g_tw_rc = sigtimedwait(&s, NULL, &ts);
    g_tw_errno = errno;
    sem_post(&g_ready);
    for (int i = 0; i < 3; i++) {
        swait(&g_go); /* main sends signal i after this */
        do /* the raw syscall: glibc's sigwaitinfo reports SI_TKILL as SI_USER */
            g_wr[i] = (int)syscall(SYS_rt_sigtimedwait, &s, &g_wi[i], NULL, _NSIG / 8);
        while (g_wr[i] < 0 && errno == EINTR);
    }
    return NULL;
}

static sem_t g_idle_go;
static void *idle_thread(void *arg)
{
    (void)arg;
    swait(&g_idle_go);
    return NULL;
}

static void test_sigwait(void)
{
    g_h_count = 0;
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN);
    pthread_sigmask(SIG_BLOCK, &s, &old); /* every thread created below blocks them too */
    pthread_t w, idle;
    xcreate(&w, sig_waiter, NULL);
    xcreate(&idle, idle_thread, NULL);
    swait(&g_ready);
    sem_post(&g_go);
    kill(getpid(), SIGUSR1);
    /* wait until the waiter has taken it before sending the next one */
    for (int i = 1; i < 3; i++) {
        double t0 = now_ms(CLOCK_MONOTONIC);
        while (__atomic_load_n(&g_wr[i - 1], __ATOMIC_SEQ_CST) == 0 && now_ms(CLOCK_MONOTONIC) - t0 < 5000)
            sched_yield();
        sem_post(&g_go);
        if (i == 1) {
            pthread_kill(w, SIGUSR2);
        } else {
            union sigval v = {.sival_int = 4242};
            pthread_sigqueue(w, SIGRTMIN, v);
        }
    }
    pthread_join(w, NULL);
    sem_post(&g_idle_go);
    pthread_join(idle, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    CHECK(g_tw_rc == -1 && g_tw_errno == EAGAIN, "sigtimedwait (20 ms) in a thread -> EAGAIN");
    CHECK(g_wr[0] == SIGUSR1 && g_wi[0].si_signo == SIGUSR1, "rt_sigtimedwait in a thread got kill(getpid(), SIGUSR1)");
    CHECK(g_wi[0].si_code == SI_USER && g_wi[0].si_pid == getpid(), "... si_code SI_USER, si_pid our pid");
    CHECK(g_wr[1] == SIGUSR2 && g_wi[1].si_code == SI_TKILL, "rt_sigtimedwait got pthread_kill(SIGUSR2), SI_TKILL");
    CHECK(g_wr[2] == SIGRTMIN && g_wi[2].si_code == SI_QUEUE && g_wi[2].si_value.sival_int == 4242,
          "rt_sigtimedwait got pthread_sigqueue(SIGRTMIN, 4242), SI_QUEUE");
    CHECK(g_h_count == 0, "no handler ran for signals taken by rt_sigtimedwait");
}

/* ---- cancellation points ---- */

enum { C_READ, C_COND, C_NANOSLEEP, C_SLEEP, C_PAUSE, C_POLL, C_SEM, C_JOIN, C_N };
static const char *const c_names[C_N] = {"read() on an empty pipe", "pthread_cond_wait", "nanosleep(10 s)",
                                         "sleep(10)", "pause()", "poll(-1)", "sem_wait",
                                         "pthread_join"};
static int g_cleanups[C_N];
static pthread_mutex_t g_cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cc = PTHREAD_COND_INITIALIZER;
static int g_pipe[2];
static sem_t g_never;
static pthread_t g_forever; /* a thread that never ends (until cancelled last) */
static int g_reached_end[C_N];

static void cleanup_count(void *arg) { g_cleanups[(intptr_t)arg]++; }
static void cleanup_unlock(void *arg)
{
    g_cleanups[(intptr_t)arg]++;
    pthread_mutex_unlock(&g_cm);
}

static void *forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *cancel_me(void *arg)
{
    intptr_t k = (intptr_t)arg;
    char c;
    struct pollfd pfd = {.fd = -1, .events = POLLIN};
    pthread_cleanup_push(cleanup_count, (void *)k);
    sem_post(&g_ready);
    switch (k) {
    case C_READ:
        read(g_pipe[0], &c, 1);
        break;
    case C_COND:
        pthread_mutex_lock(&g_cm);
        pthread_cleanup_push(cleanup_unlock, (void *)k);
        for (;;)
            pthread_cond_wait(&g_cc, &g_cm);
        pthread_cleanup_pop(1);
        break;
    case C_NANOSLEEP: {
        struct timespec ts = {10, 0};
        nanosleep(&ts, NULL);
        break;
    }
    case C_SLEEP:
        sleep(10);
        break;
    case C_PAUSE:
        pause();
        break;
    case C_POLL:
        pfd.fd = g_pipe[0];
        poll(&pfd, 1, -1);
        break;
    case C_SEM:
        sem_wait(&g_never);
        break;
    case C_JOIN:
        pthread_join(g_forever, NULL);
        break;
    }
    g_reached_end[k] = 1;
    pthread_cleanup_pop(0);
    return NULL;
}

static int g_order[3], g_norder;
static void push_order(void *arg) { g_order[g_norder++] = (int)(intptr_t)arg; }

static void *nested_cleanups(void *arg)
{
    (void)arg;
    pthread_cleanup_push(push_order, (void *)1);
    pthread_cleanup_push(push_order, (void *)2);
    pthread_cleanup_push(push_order, (void *)3);
    sem_post(&g_ready);
    for (;;)
        pause();
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return NULL;
}

static int g_exit_cleanups, g_pop1_runs;
static void cnt_exit(void *arg) { (void)arg; g_exit_cleanups++; }
static void cnt_pop1(void *arg) { (void)arg; g_pop1_runs++; }

static void *exit_with_cleanups(void *arg)
{
    (void)arg;
    pthread_cleanup_push(cnt_pop1, NULL);
    pthread_cleanup_pop(1); /* runs it now */
    pthread_cleanup_push(cnt_exit, NULL);
    pthread_cleanup_push(cnt_exit, NULL);
    pthread_exit((void *)9);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return NULL;
}

static int g_dis_old, g_dis_survived, g_dis_after;
static void *disabled(void *arg)
{
    (void)arg;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &g_dis_old);
    sem_post(&g_ready);
    swait(&g_go);   /* main has called pthread_cancel; sem_wait is a cancellation point */
    sleep_ms(10);   /* and so is nanosleep */
    g_dis_survived = 1;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    pthread_testcancel();
    g_dis_after = 1; /* not reached */
    return NULL;
}

static volatile int g_async_started;
static unsigned long g_async_iters;
static void *async_spin(void *arg)
{
    (void)arg;
    int old;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
    g_async_started = 1;
    unsigned long n = 0;
    /* no syscalls here: only an asynchronous cancel can stop it early */
    while (++n < 3000000000UL)
        __asm__ volatile("" ::: "memory");
    g_async_iters = n;
    return NULL;
}

static void test_cancel(void)
{
    if (pipe(g_pipe) != 0)
        fatal("pipe");
    sem_init(&g_never, 0, 0);
    xcreate(&g_forever, forever, NULL);
    for (int k = 0; k < C_N; k++) {
        pthread_t t;
        xcreate(&t, cancel_me, (void *)(intptr_t)k);
        swait(&g_ready);
        double t0 = now_ms(CLOCK_MONOTONIC);
        int rc = pthread_cancel(t);
        void *r = NULL;
        pthread_join(t, &r);
        double el = now_ms(CLOCK_MONOTONIC) - t0;
        CHECK(rc == 0 && r == PTHREAD_CANCELED && !g_reached_end[k], "cancel a thread blocked in %s", c_names[k]);
        CHECK(g_cleanups[k] == (k == C_COND ? 2 : 1) && el < 5000, "... its cleanup handler%s ran", k == C_COND ? "s" : "");
    }
    CHECK(pthread_mutex_trylock(&g_cm) == 0, "the mutex the cond_wait cleanup handler released is free");
    pthread_mutex_unlock(&g_cm);
    void *r = NULL;
    pthread_cancel(g_forever);
    pthread_join(g_forever, &r);
    CHECK(r == PTHREAD_CANCELED, "cancel a thread in a pause() loop");

    pthread_t t;
    xcreate(&t, nested_cleanups, NULL);
    swait(&g_ready);
    pthread_cancel(t);
    pthread_join(t, &r);
    CHECK(r == PTHREAD_CANCELED && g_norder == 3 && g_order[0] == 3 && g_order[1] == 2 && g_order[2] == 1,
          "three nested cleanup handlers run in reverse order (3, 2, 1)");

    xcreate(&t, exit_with_cleanups, NULL);
    pthread_join(t, &r);
    CHECK(g_pop1_runs == 1, "pthread_cleanup_pop(1) runs the handler");
    CHECK((intptr_t)r == 9 && g_exit_cleanups == 2, "pthread_exit runs the pushed cleanup handlers");

    xcreate(&t, disabled, NULL);
    swait(&g_ready);
    int rc = pthread_cancel(t);
    sem_post(&g_go);
    pthread_join(t, &r);
    CHECK(rc == 0 && g_dis_old == PTHREAD_CANCEL_ENABLE, "pthread_setcancelstate: the old state was ENABLE");
    CHECK(g_dis_survived, "PTHREAD_CANCEL_DISABLE: sem_wait and nanosleep were not cancelled");
    CHECK(r == PTHREAD_CANCELED && !g_dis_after, "... the cancel acted at pthread_testcancel after re-enabling");

    xcreate(&t, async_spin, NULL);
    while (!g_async_started)
        sched_yield();
    pthread_cancel(t);
    pthread_join(t, &r);
    CHECK(r == PTHREAD_CANCELED && g_async_iters == 0, "PTHREAD_CANCEL_ASYNCHRONOUS stops a pure CPU loop");
    close(g_pipe[0]);
    close(g_pipe[1]);
}

/* ---- faults in a thread ---- */

static __thread sigjmp_buf *t_jb;
static volatile pid_t g_f_tid[2];
static volatile int g_f_onstack[2], g_f_addr0[2], g_f_code[2];
static __thread char *t_alt;
static __thread size_t t_alt_size;

static void h_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    char here;
    int slot = t_id ? 1 : 0;
    g_f_tid[slot] = gettid();
    g_f_onstack[slot] = t_alt && &here >= t_alt && &here < t_alt + t_alt_size;
    g_f_addr0[slot] = si->si_addr == NULL;
    g_f_code[slot] = si->si_code;
    if (t_jb)
        siglongjmp(*t_jb, 1);
    _exit(3);
}

static int fault(void)
{
    sigjmp_buf jb;
    t_jb = &jb;
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile int *)(uintptr_t)0 = 1;
        t_jb = NULL;
        return 0; /* no fault */
    }
    t_jb = NULL;
    return 1;
}

static int g_thread_faulted, g_thread_alive_after;
static pid_t g_fault_thread_tid;

static void *faulting_thread(void *arg)
{
    t_id = (int)(intptr_t)arg;
    g_fault_thread_tid = gettid();
    stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0};
    t_alt = ss.ss_sp;
    t_alt_size = ss.ss_size;
    if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0)
        return NULL;
    g_thread_faulted = fault();
    g_thread_alive_after = 1;
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    return NULL;
}

static void test_fault(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        fatal("sigaction");
    pthread_t t;
    xcreate(&t, faulting_thread, (void *)1);
    pthread_join(t, NULL);
    CHECK(g_thread_faulted && g_thread_alive_after, "a thread caught its NULL write and siglongjmp'd out");
    CHECK(g_f_tid[1] == g_fault_thread_tid && g_f_tid[1] != gettid(), "the SIGSEGV handler ran in the faulting thread");
    CHECK(g_f_onstack[1], "... on that thread's sigaltstack");
    CHECK(g_f_addr0[1] && g_f_code[1] == SEGV_MAPERR, "... si_addr NULL, SEGV_MAPERR");

    stack_t cur;
    sigaltstack(NULL, &cur);
    CHECK(cur.ss_flags == SS_DISABLE, "the main thread has no alternate stack");
    int f = fault();
    CHECK(f && g_f_tid[0] == gettid() && !g_f_onstack[0], "the main thread catches its own fault on its own stack");
    signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
    sem_init(&g_ready, 0, 0);
    sem_init(&g_go, 0, 0);
    sem_init(&g_idle_go, 0, 0);
    test_kill();
    test_sigwait();
    test_cancel();
    test_fault();
    return finish();
}
