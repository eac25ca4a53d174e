/* segv_catch.c - synchronous signals from CPU faults, caught by the program itself.
 *
 * SIGSEGV from a NULL write (SEGV_MAPERR, si_addr NULL) and from a write to a read-only
 * page (SEGV_ACCERR, si_addr exact), both left with siglongjmp; a handler that fixes the
 * fault with mprotect and returns, so the faulting store is retried; reads of PROT_NONE and
 * unmapped pages; SIGBUS beyond the end of a mapped file; stack overflow caught on an
 * alternate stack; an undefined instruction (x86 ud2, aarch64 udf) -> SIGILL with si_addr at
 * the instruction; __builtin_trap (SIGILL on x86_64, SIGTRAP on aarch64: `arch:` line);
 * integer division by zero (SIGFPE on x86_64, quietly 0 on aarch64: `arch:` lines). In
 * children: a fault while SIGSEGV is blocked, or ignored, kills despite the handler/SIG_IGN. */
#include "common.h"
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char __executable_start[], etext[];

static sigjmp_buf g_jb;
static struct {
    volatile sig_atomic_t count;
    int signo, code;
    void *addr;
    uintptr_t pc;
} g_f;
static volatile int g_fix_prot; /* when set, the handler makes g_fix_page writable and returns */
static void *volatile g_fix_page;

static uintptr_t uc_pc(const ucontext_t *uc)
{
#ifdef __x86_64__
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
    return (uintptr_t)uc->uc_mcontext.pc;
#endif
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    g_f.count++;
    g_f.signo = sig;
    g_f.code = si->si_code;
    g_f.addr = si->si_addr;
    g_f.pc = uc_pc(ucv);
    if (g_fix_prot) {
        g_fix_prot = 0;
        mprotect(g_fix_page, 4096, PROT_READ | PROT_WRITE);
        return; /* retry the faulting instruction */
    }
    siglongjmp(g_jb, 1);
}

static void catch_sig(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fatal("sigaction");
}

static int in_text(uintptr_t pc) { return pc >= (uintptr_t)__executable_start && pc < (uintptr_t)etext; }

/* TRY(r, statement): r = 0 if the statement completed, 1 if a handler jumped out of it */
#define TRY(r, stmt)                           \
    do {                                       \
        memset((void *)&g_f, 0, sizeof g_f);   \
        if (sigsetjmp(g_jb, 1) == 0) {         \
            stmt;                              \
            r = 0;                             \
        } else {                               \
            r = 1;                             \
        }                                      \
    } while (0)

/* undefined instruction with a label on it */
void undef_insn(void);
extern char undef_at[];
#ifdef __x86_64__
__asm__(".text\n.globl undef_insn\n.type undef_insn,@function\nundef_insn:\n"
        ".globl undef_at\nundef_at:\n  ud2\n  ret\n.size undef_insn, .-undef_insn\n");
#else
__asm__(".text\n.globl undef_insn\n.type undef_insn,%function\nundef_insn:\n"
        ".globl undef_at\nundef_at:\n  .inst 0x00000000\n  ret\n.size undef_insn, .-undef_insn\n");
#endif

static volatile int g_zero = 0, g_minus1 = -1, g_intmin = (int)0x80000000;
static volatile int g_sink;

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    pad[1023] = (char)n;
    return recurse(n + 1) + pad[0] + pad[1023];
}

int main(void)
{
    signal(SIGCHLD, SIG_DFL);
    catch_sig(SIGSEGV, 0);
    catch_sig(SIGBUS, 0);
    catch_sig(SIGILL, 0);
    catch_sig(SIGFPE, 0);
    catch_sig(SIGTRAP, 0);
    long pg = sysconf(_SC_PAGESIZE);

    /* 1. NULL write */
    volatile int *volatile nullp = NULL; /* volatile stores: none may be optimised away */
    volatile int r;
    TRY(r, *nullp = 1);
    CHECK(r == 1, "a write through NULL was caught and left with siglongjmp");
    CHECK(g_f.count == 1 && g_f.signo == SIGSEGV, "the signal was SIGSEGV");
    CHECK(g_f.code == SEGV_MAPERR, "si_code == SEGV_MAPERR (got %d)", g_f.code);
    CHECK(g_f.addr == NULL, "si_addr == NULL");
    CHECK(in_text(g_f.pc), "mcontext pc is inside the program text");
    CHECK(!is_blocked(SIGSEGV), "siglongjmp restored the signal mask (SIGSEGV not blocked)");

    /* 2. write to a read-only page */
    char *page = mmap(NULL, (size_t)pg * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        fatal("mmap");
    char *ro = page + pg;
    ro[100] = 'a';
    CHECK(mprotect(ro, (size_t)pg, PROT_READ) == 0, "mprotect(PROT_READ)");
    volatile char *vro = ro;
    CHECK(vro[100] == 'a', "reading the read-only page works");
    TRY(r, vro[200] = 'b');
    CHECK(r == 1 && g_f.signo == SIGSEGV, "a write to the read-only page raised SIGSEGV");
    CHECK(g_f.code == SEGV_ACCERR, "si_code == SEGV_ACCERR (got %d)", g_f.code);
    CHECK(g_f.addr == ro + 200, "si_addr == the address written");
    CHECK(vro[200] == 0, "the store did not happen");

    /* 3. the handler fixes the protection and returns: the store is retried */
    g_fix_page = ro;
    g_fix_prot = 1;
    memset((void *)&g_f, 0, sizeof g_f);
    vro[300] = 'c';
    CHECK(g_f.count == 1 && g_f.code == SEGV_ACCERR, "a handler that mprotects the page and returns ran once");
    CHECK(vro[300] == 'c', "the faulting store was retried and took effect");

    /* 4. PROT_NONE and unmapped pages */
    CHECK(mprotect(ro, (size_t)pg, PROT_NONE) == 0, "mprotect(PROT_NONE)");
    TRY(r, g_sink = vro[5]);
    CHECK(r == 1 && g_f.signo == SIGSEGV && g_f.code == SEGV_ACCERR && g_f.addr == ro + 5,
          "a read of a PROT_NONE page: SIGSEGV, SEGV_ACCERR, si_addr exact");
    CHECK(munmap(page + 2 * pg, (size_t)pg) == 0, "munmap the third page");
    volatile char *gone = page + 2 * pg;
    TRY(r, g_sink = gone[7]);
    CHECK(r == 1 && g_f.signo == SIGSEGV && g_f.code == SEGV_MAPERR && g_f.addr == page + 2 * pg + 7,
          "a read of an unmapped page: SIGSEGV, SEGV_MAPERR, si_addr exact");
    munmap(page, (size_t)pg * 2);

    /* 5. SIGBUS beyond the end of a mapped file */
    char dir[256], path[512];
    make_tmpdir(dir, sizeof dir, "segv_catch");
    path_in(path, sizeof path, dir, "short");
    if (write_file(path, "0123456789", 0600) != 0)
        fatal("write temp file");
    int fd = openat(AT_FDCWD, path, O_RDONLY);
    char *fm = mmap(NULL, (size_t)pg * 2, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (fm == MAP_FAILED)
        fatal("mmap file");
    volatile char *vfm = fm;
    CHECK(vfm[3] == '3' && vfm[100] == 0, "the file's page reads its data, then zeros to the page end");
    TRY(r, g_sink = vfm[pg + 1]);
    CHECK(r == 1 && g_f.signo == SIGBUS, "a read from the mapped page wholly beyond EOF raises SIGBUS");
    CHECK(g_f.code == BUS_ADRERR && g_f.addr == fm + pg + 1, "si_code == BUS_ADRERR, si_addr exact");
    munmap(fm, (size_t)pg * 2);
    x_unlink(path);
    x_rmdir(dir);

    /* 6. undefined instruction */
    TRY(r, undef_insn());
    CHECK(r == 1 && g_f.signo == SIGILL, "an undefined instruction raised SIGILL");
    CHECK((char *)g_f.addr == undef_at && g_f.pc == (uintptr_t)undef_at, "si_addr and mcontext pc == the instruction's address");
    /* si_code: x86_64 Linux reports ILL_ILLOPN for ud2, arm64 Linux ILL_ILLOPC for an
     * undefined instruction; qemu-aarch64 7.2 reports ILL_ILLOPN, so aarch64 accepts either */
#ifdef __x86_64__
    int ill_ok = g_f.code == ILL_ILLOPN;
#else
    int ill_ok = g_f.code == ILL_ILLOPC || g_f.code == ILL_ILLOPN;
#endif
    CHECK(ill_ok, "SIGILL si_code: ILL_ILLOPN for x86_64 ud2; ILL_ILLOPC on arm64 (qemu-user: ILL_ILLOPN)");
    out("arch: SIGILL si_code %d (%s)\n", g_f.code,
        g_f.code == ILL_ILLOPC ? "ILL_ILLOPC" : g_f.code == ILL_ILLOPN ? "ILL_ILLOPN" : "other");

    TRY(r, __builtin_trap());
#ifdef __x86_64__
    int trap_sig = SIGILL; /* ud2 */
#else
    int trap_sig = SIGTRAP; /* brk #0x3e8 */
#endif
    CHECK(r == 1 && g_f.signo == trap_sig, "__builtin_trap() was caught (x86_64: SIGILL from ud2; aarch64: SIGTRAP from brk)");
    out("arch: __builtin_trap() raised %s\n", g_f.signo == SIGILL ? "SIGILL" : g_f.signo == SIGTRAP ? "SIGTRAP" : "another signal");

    /* 7. integer division by zero: a trap on x86_64, a defined result (0) on aarch64 */
    volatile int q = 12345;
    TRY(r, q = 7 / g_zero);
#ifdef __x86_64__
    int div_ok = r == 1 && g_f.signo == SIGFPE && g_f.code == FPE_INTDIV && (uintptr_t)g_f.addr == g_f.pc && in_text(g_f.pc);
#else
    int div_ok = r == 0 && q == 0;
#endif
    CHECK(div_ok, "integer division by zero: x86_64 SIGFPE/FPE_INTDIV with si_addr == pc; aarch64 quotient 0, no signal");
    out("arch: 7 / 0 %s (signal %d, si_code %d)\n", r ? (g_f.signo == SIGFPE && g_f.code == FPE_INTDIV ? "raised SIGFPE (FPE_INTDIV)" : "raised another signal or code") : q == 0 ? "gave 0, no signal" : "gave nonzero, no signal",
        r ? g_f.signo : 0, r ? g_f.code : 0);
    q = 12345;
    TRY(r, q = g_intmin / g_minus1);
#ifdef __x86_64__
    div_ok = r == 1 && g_f.signo == SIGFPE && g_f.code == FPE_INTDIV;
#else
    div_ok = r == 0 && q == (int)0x80000000;
#endif
    CHECK(div_ok, "INT_MIN / -1: x86_64 SIGFPE/FPE_INTDIV; aarch64 INT_MIN, no signal");
    out("arch: INT_MIN / -1 %s (signal %d, si_code %d)\n", r ? (g_f.signo == SIGFPE && g_f.code == FPE_INTDIV ? "raised SIGFPE (FPE_INTDIV)" : "raised another signal or code") : q == (int)0x80000000 ? "gave INT_MIN, no signal" : "gave something else, no signal",
        r ? g_f.signo : 0, r ? g_f.code : 0);

    /* 8. stack overflow, caught on an alternate stack */
    static unsigned char alt[65536] __attribute__((aligned(16)));
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack(64 KiB)");
    catch_sig(SIGSEGV, SA_ONSTACK);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20)) {
        rl.rlim_cur = 8u << 20; /* natively the stack would otherwise grow without end */
        setrlimit(RLIMIT_STACK, &rl);
    }
    TRY(r, g_sink = recurse(0));
    CHECK(r == 1 && g_f.signo == SIGSEGV, "unbounded recursion: SIGSEGV caught on the alternate stack");
    catch_sig(SIGSEGV, 0);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);

    /* 9. a fault while SIGSEGV is blocked, or ignored, kills anyway */
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit z = {0, 0};
        setrlimit(RLIMIT_CORE, &z);
        if (sigsetjmp(g_jb, 0) == 0) /* 0: the jump out will leave SIGSEGV blocked */
            *nullp = 1;
        if (!is_blocked(SIGSEGV))
            _exit(1);
        *nullp = 2; /* blocked synchronous signal: the kernel forces the default action */
        _exit(2);
    }
    int st = reap(pid);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
          "after longjmp (not siglongjmp) out of the handler SIGSEGV stays blocked; the next fault kills with SIGSEGV");
    pid = fork();
    if (pid == 0) {
        struct rlimit z = {0, 0};
        setrlimit(RLIMIT_CORE, &z);
        signal(SIGSEGV, SIG_IGN);
        *nullp = 3;
        _exit(3);
    }
    st = reap(pid);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a NULL write with SIGSEGV ignored still kills with SIGSEGV");
    pid = fork();
    if (pid == 0) {
        struct rlimit z = {0, 0};
        setrlimit(RLIMIT_CORE, &z);
        signal(SIGSEGV, SIG_DFL);
        *nullp = 4;
        _exit(4);
    }
    st = reap(pid);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "with SIG_DFL a NULL write kills with SIGSEGV");
    return finish();
}
