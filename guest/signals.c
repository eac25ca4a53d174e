/* signals.c - signal delivery, handlers, masks, waiting for signals, timers, kill, process
 * groups, stop/continue and wait status encodings.
 *
 * Handlers with SA_SIGINFO read siginfo (si_code SI_USER from kill, SI_TKILL from raise) and
 * the ucontext: the pc is exactly the instruction after the kill syscall (an asm helper
 * loads known values into registers first), a callee-saved register and a vector register
 * hold those values, the syscall return register holds 0, and the sp is on our stack.
 * Changing a register in the ucontext changes it after sigreturn; every other general and
 * vector register comes back intact, also for signals from an interval timer that land in
 * the middle of a computation. Then: sa_mask/uc_sigmask, SA_RESTART vs EINTR, sigprocmask
 * and pending signals (standard signals merge, real-time ones queue), SA_RESETHAND,
 * SA_NODEFER, sigaltstack + SA_ONSTACK, sigsuspend, sigtimedwait, pause, alarm, setitimer,
 * SIGCHLD, kill(pid, 0), process groups, SIGSTOP/SIGCONT and exit status encodings. */
#include "common.h"
#include <signal.h>
#include <time.h>
#include <ucontext.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

extern char __executable_start[], etext[];

static uintptr_t g_main_sp; /* address of a local in main */

static void set_handler(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fatal("sigaction");
}

static void set_action(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fatal("sigaction");
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    if (sigprocmask(how, &s, NULL) != 0)
        fatal("sigprocmask");
}

static int is_pending(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------- */
/* 1. siginfo and ucontext from kill() and raise()                                        */

static uintptr_t uc_pc(const ucontext_t *uc)
{
#ifdef __x86_64__
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
    return (uintptr_t)uc->uc_mcontext.pc;
#endif
}

static uintptr_t uc_sp(const ucontext_t *uc)
{
#ifdef __x86_64__
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#else
    return (uintptr_t)uc->uc_mcontext.sp;
#endif
}

static int near_main_stack(uintptr_t sp)
{
    return sp < g_main_sp + (1u << 20) && sp + (1u << 20) > g_main_sp;
}

static struct {
    volatile sig_atomic_t count;
    int signo, isigno, icode, ipid, iuid;
    int pc_in_text, sp_near, blocked_inside, uc_has_usr1, uc_has_usr2;
} g_info;

static void h_info(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    g_info.count++;
    g_info.signo = sig;
    g_info.isigno = si->si_signo;
    g_info.icode = si->si_code;
    g_info.ipid = si->si_pid;
    g_info.iuid = (int)si->si_uid;
    uintptr_t pc = uc_pc(uc);
    g_info.pc_in_text = pc >= (uintptr_t)__executable_start && pc < (uintptr_t)etext;
    g_info.sp_near = near_main_stack(uc_sp(uc));
    g_info.blocked_inside = is_blocked(sig);
    g_info.uc_has_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
    g_info.uc_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
}

static void test_siginfo(void)
{
    set_action(SIGUSR1, h_info, 0);
    mask(SIG_BLOCK, SIGUSR2);
    memset(&g_info, 0, sizeof g_info);
    CHECK(kill(getpid(), SIGUSR1) == 0, "kill(getpid(), SIGUSR1)");
    CHECK(g_info.count == 1, "the SA_SIGINFO handler ran once before kill returned");
    CHECK(g_info.signo == SIGUSR1 && g_info.isigno == SIGUSR1, "handler's sig and si_signo == SIGUSR1");
    CHECK(g_info.icode == SI_USER, "si_code == SI_USER for kill() (got %d)", g_info.icode);
    CHECK(g_info.ipid == getpid(), "si_pid == getpid()");
    CHECK(g_info.iuid == (int)getuid(), "si_uid == getuid()");
    CHECK(g_info.pc_in_text, "mcontext pc is inside the program text (__executable_start..etext)");
    CHECK(g_info.sp_near, "mcontext sp is within 1 MiB of a local variable of main");
    CHECK(g_info.blocked_inside, "SIGUSR1 is blocked while its handler runs");
    CHECK(!g_info.uc_has_usr1 && g_info.uc_has_usr2,
          "uc_sigmask is the interrupted mask: SIGUSR2 (blocked by main) in, SIGUSR1 out");
    CHECK(!is_blocked(SIGUSR1) && is_blocked(SIGUSR2), "after the handler the mask is restored");
    mask(SIG_UNBLOCK, SIGUSR2);

    memset(&g_info, 0, sizeof g_info);
    CHECK(raise(SIGUSR1) == 0, "raise(SIGUSR1)");
    CHECK(g_info.count == 1, "the handler ran once before raise returned");
    CHECK(g_info.icode == SI_TKILL, "si_code == SI_TKILL for raise() (glibc raise uses tgkill; got %d)", g_info.icode);
    CHECK(g_info.ipid == getpid(), "si_pid == getpid() for raise()");
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 2. registers across a handled signal (asm helper)                                      */

/* in/out block: gp[32] at 0, 32 vector registers of 16 bytes at 256, extra[4] at 768.
 * x86_64: gp[0..9] = rbx rbp r12 r13 r14 r15 r8 r9 r10 rdx; vec[0..15] = xmm0..15;
 *         extra = rdi (pid), rsi (sig), rax (result).
 * aarch64: gp[i] = xi for i = 2..7, 9..30; vec[0..31] = q0..q31; extra[1] = x1 (sig),
 *         extra[2] = x0 (result). */
struct regblock {
    uint64_t gp[32];
    uint64_t vec[32][2];
    uint64_t extra[4];
};
_Static_assert(sizeof(struct regblock) == 800, "regblock layout");

void sigregs_kill(const struct regblock *in, struct regblock *out, long pid, long sig);
extern char sigregs_after_syscall[];

#ifdef __x86_64__
#define NGP 10
static const int gp_used[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
#define NVEC 16
#define GP_MARK 2 /* r12 */
__asm__(
    ".text\n"
    ".globl sigregs_kill\n"
    ".type sigregs_kill,@function\n"
    "sigregs_kill:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  push %rsi\n"
    "  mov %rdx, %rax\n"
    "  mov %rcx, %r11\n"
    "  movdqu 256(%rdi), %xmm0\n  movdqu 272(%rdi), %xmm1\n  movdqu 288(%rdi), %xmm2\n"
    "  movdqu 304(%rdi), %xmm3\n  movdqu 320(%rdi), %xmm4\n  movdqu 336(%rdi), %xmm5\n"
    "  movdqu 352(%rdi), %xmm6\n  movdqu 368(%rdi), %xmm7\n  movdqu 384(%rdi), %xmm8\n"
    "  movdqu 400(%rdi), %xmm9\n  movdqu 416(%rdi), %xmm10\n movdqu 432(%rdi), %xmm11\n"
    "  movdqu 448(%rdi), %xmm12\n movdqu 464(%rdi), %xmm13\n movdqu 480(%rdi), %xmm14\n"
    "  movdqu 496(%rdi), %xmm15\n"
    "  mov 0(%rdi), %rbx\n  mov 8(%rdi), %rbp\n  mov 16(%rdi), %r12\n  mov 24(%rdi), %r13\n"
    "  mov 32(%rdi), %r14\n mov 40(%rdi), %r15\n mov 48(%rdi), %r8\n   mov 56(%rdi), %r9\n"
    "  mov 64(%rdi), %r10\n mov 72(%rdi), %rdx\n"
    "  mov %rax, %rdi\n"
    "  mov %r11, %rsi\n"
    "  mov $62, %eax\n" /* __NR_kill */
    "  syscall\n"
    ".globl sigregs_after_syscall\n"
    "sigregs_after_syscall:\n"
    "  mov 0(%rsp), %r11\n"
    "  mov %rbx, 0(%r11)\n  mov %rbp, 8(%r11)\n  mov %r12, 16(%r11)\n mov %r13, 24(%r11)\n"
    "  mov %r14, 32(%r11)\n mov %r15, 40(%r11)\n mov %r8, 48(%r11)\n  mov %r9, 56(%r11)\n"
    "  mov %r10, 64(%r11)\n mov %rdx, 72(%r11)\n"
    "  movdqu %xmm0, 256(%r11)\n  movdqu %xmm1, 272(%r11)\n  movdqu %xmm2, 288(%r11)\n"
    "  movdqu %xmm3, 304(%r11)\n  movdqu %xmm4, 320(%r11)\n  movdqu %xmm5, 336(%r11)\n"
    "  movdqu %xmm6, 352(%r11)\n  movdqu %xmm7, 368(%r11)\n  movdqu %xmm8, 384(%r11)\n"
    "  movdqu %xmm9, 400(%r11)\n  movdqu %xmm10, 416(%r11)\n movdqu %xmm11, 432(%r11)\n"
    "  movdqu %xmm12, 448(%r11)\n movdqu %xmm13, 464(%r11)\n movdqu %xmm14, 480(%r11)\n"
    "  movdqu %xmm15, 496(%r11)\n"
    "  mov %rdi, 768(%r11)\n"
    "  mov %rsi, 776(%r11)\n"
    "  mov %rax, 784(%r11)\n"
    "  pop %rsi\n pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n"
    ".size sigregs_kill, .-sigregs_kill\n");

static uint64_t uc_gp_mark(const ucontext_t *uc) { return (uint64_t)uc->uc_mcontext.gregs[REG_R12]; }
static void uc_set_gp_mark(ucontext_t *uc, uint64_t v) { uc->uc_mcontext.gregs[REG_R12] = (greg_t)v; }
static uint64_t uc_ret(const ucontext_t *uc) { return (uint64_t)uc->uc_mcontext.gregs[REG_RAX]; }
/* vector register n in the signal frame (low and high 64 bits), or NULL */
static uint32_t *uc_vec(ucontext_t *uc, int n)
{
    if (!uc->uc_mcontext.fpregs)
        return NULL;
    return uc->uc_mcontext.fpregs->_xmm[n].element;
}
static uint32_t *uc_sve_vec(ucontext_t *uc, int n) { (void)uc; (void)n; return NULL; }
/* overwrite registers the handler's caller would not save */
static void clobber_regs(void)
{
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n movdqa %%xmm0, %%xmm1\n movdqa %%xmm0, %%xmm2\n"
                     "movdqa %%xmm0, %%xmm3\n movdqa %%xmm0, %%xmm4\n movdqa %%xmm0, %%xmm5\n"
                     "movdqa %%xmm0, %%xmm6\n movdqa %%xmm0, %%xmm7\n movdqa %%xmm0, %%xmm8\n"
                     "movdqa %%xmm0, %%xmm9\n movdqa %%xmm0, %%xmm10\n movdqa %%xmm0, %%xmm11\n"
                     "movdqa %%xmm0, %%xmm12\n movdqa %%xmm0, %%xmm13\n movdqa %%xmm0, %%xmm14\n"
                     "movdqa %%xmm0, %%xmm15\n"
                     "mov $-1, %%rax\n mov $-1, %%rcx\n mov $-1, %%rdx\n mov $-1, %%rsi\n mov $-1, %%rdi\n"
                     "mov $-1, %%r8\n mov $-1, %%r9\n mov $-1, %%r10\n mov $-1, %%r11\n"
                     "mov $-1, %%rbx\n mov $-1, %%r12\n mov $-1, %%r13\n mov $-1, %%r14\n mov $-1, %%r15\n"
                     "xor %%eax, %%eax\n cmp $1, %%eax\n" /* flags change too */
                     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                     "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "rax", "rcx",
                     "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "rbx", "r12", "r13", "r14",
                     "r15", "cc", "memory");
}
#else
#define NGP 28
static const int gp_used[] = {2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 13, 14, 15, 16,
                              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
#define NVEC 32
#define GP_MARK 19 /* x19 */
__asm__(
    ".text\n"
    ".globl sigregs_kill\n"
    ".type sigregs_kill,%function\n"
    "sigregs_kill:\n"
    "  stp x29, x30, [sp, #-192]!\n"
    "  stp x19, x20, [sp, #16]\n  stp x21, x22, [sp, #32]\n  stp x23, x24, [sp, #48]\n"
    "  stp x25, x26, [sp, #64]\n  stp x27, x28, [sp, #80]\n"
    "  stp d8, d9, [sp, #96]\n    stp d10, d11, [sp, #112]\n stp d12, d13, [sp, #128]\n"
    "  stp d14, d15, [sp, #144]\n"
    "  str x1, [sp, #160]\n  str x2, [sp, #168]\n  str x3, [sp, #176]\n"
    "  mov x8, x0\n"
    "  ldp q0, q1, [x8, #256]\n   ldp q2, q3, [x8, #288]\n   ldp q4, q5, [x8, #320]\n"
    "  ldp q6, q7, [x8, #352]\n   ldp q8, q9, [x8, #384]\n   ldp q10, q11, [x8, #416]\n"
    "  ldp q12, q13, [x8, #448]\n ldp q14, q15, [x8, #480]\n ldp q16, q17, [x8, #512]\n"
    "  ldp q18, q19, [x8, #544]\n ldp q20, q21, [x8, #576]\n ldp q22, q23, [x8, #608]\n"
    "  ldp q24, q25, [x8, #640]\n ldp q26, q27, [x8, #672]\n ldp q28, q29, [x8, #704]\n"
    "  ldp q30, q31, [x8, #736]\n"
    "  ldp x2, x3, [x8, #16]\n    ldp x4, x5, [x8, #32]\n    ldp x6, x7, [x8, #48]\n"
    "  ldr x9, [x8, #72]\n"
    "  ldp x10, x11, [x8, #80]\n  ldp x12, x13, [x8, #96]\n  ldp x14, x15, [x8, #112]\n"
    "  ldp x16, x17, [x8, #128]\n ldp x18, x19, [x8, #144]\n ldp x20, x21, [x8, #160]\n"
    "  ldp x22, x23, [x8, #176]\n ldp x24, x25, [x8, #192]\n ldp x26, x27, [x8, #208]\n"
    "  ldp x28, x29, [x8, #224]\n ldr x30, [x8, #240]\n"
    "  ldr x0, [sp, #168]\n"
    "  ldr x1, [sp, #176]\n"
    "  mov x8, #129\n" /* __NR_kill */
    "  svc #0\n"
    ".globl sigregs_after_syscall\n"
    "sigregs_after_syscall:\n"
    "  str x0, [sp, #184]\n"
    "  ldr x0, [sp, #160]\n"
    "  str x1, [x0, #776]\n"
    "  stp x2, x3, [x0, #16]\n    stp x4, x5, [x0, #32]\n    stp x6, x7, [x0, #48]\n"
    "  str x9, [x0, #72]\n"
    "  stp x10, x11, [x0, #80]\n  stp x12, x13, [x0, #96]\n  stp x14, x15, [x0, #112]\n"
    "  stp x16, x17, [x0, #128]\n stp x18, x19, [x0, #144]\n stp x20, x21, [x0, #160]\n"
    "  stp x22, x23, [x0, #176]\n stp x24, x25, [x0, #192]\n stp x26, x27, [x0, #208]\n"
    "  stp x28, x29, [x0, #224]\n str x30, [x0, #240]\n"
    "  stp q0, q1, [x0, #256]\n   stp q2, q3, [x0, #288]\n   stp q4, q5, [x0, #320]\n"
    "  stp q6, q7, [x0, #352]\n   stp q8, q9, [x0, #384]\n   stp q10, q11, [x0, #416]\n"
    "  stp q12, q13, [x0, #448]\n stp q14, q15, [x0, #480]\n stp q16, q17, [x0, #512]\n"
    "  stp q18, q19, [x0, #544]\n stp q20, q21, [x0, #576]\n stp q22, q23, [x0, #608]\n"
    "  stp q24, q25, [x0, #640]\n stp q26, q27, [x0, #672]\n stp q28, q29, [x0, #704]\n"
    "  stp q30, q31, [x0, #736]\n"
    "  ldr x1, [sp, #184]\n"
    "  str x1, [x0, #784]\n"
    "  ldp x19, x20, [sp, #16]\n  ldp x21, x22, [sp, #32]\n  ldp x23, x24, [sp, #48]\n"
    "  ldp x25, x26, [sp, #64]\n  ldp x27, x28, [sp, #80]\n"
    "  ldp d8, d9, [sp, #96]\n    ldp d10, d11, [sp, #112]\n ldp d12, d13, [sp, #128]\n"
    "  ldp d14, d15, [sp, #144]\n"
    "  ldp x29, x30, [sp], #192\n"
    "  ret\n"
    ".size sigregs_kill, .-sigregs_kill\n");

static uint64_t uc_gp_mark(const ucontext_t *uc) { return uc->uc_mcontext.regs[19]; }
static void uc_set_gp_mark(ucontext_t *uc, uint64_t v) { uc->uc_mcontext.regs[19] = v; }
static uint64_t uc_ret(const ucontext_t *uc) { return uc->uc_mcontext.regs[0]; }
struct fpsimd_rec {
    uint32_t magic, size;
    uint32_t fpsr, fpcr;
    __uint128_t vregs[32];
};
static struct fpsimd_rec *find_rec(ucontext_t *uc, uint32_t magic)
{
    unsigned char *p = uc->uc_mcontext.__reserved;
    unsigned char *end = p + sizeof uc->uc_mcontext.__reserved;
    while (p + 8 <= end) {
        struct fpsimd_rec *r = (struct fpsimd_rec *)p;
        if (r->magic == 0 || r->size < 8)
            return NULL;
        if (r->magic == magic)
            return r;
        p += r->size;
    }
    return NULL;
}
static uint32_t *uc_vec(ucontext_t *uc, int n)
{
    struct fpsimd_rec *r = find_rec(uc, 0x46508001); /* FPSIMD_MAGIC */
    return r ? (uint32_t *)&r->vregs[n] : NULL;
}
/* When the frame also carries live SVE state (qemu's cpu "max" always writes it; Linux
 * does when SVE was in use), sigreturn loads the Z registers from it, so a change to a
 * vector register has to go into both records: V<n> is the low 128 bits of Z<n>. */
static uint32_t *uc_sve_vec(ucontext_t *uc, int n)
{
    struct sve_rec {
        uint32_t magic, size;
        uint16_t vl, flags, reserved[2];
    } *r = (struct sve_rec *)find_rec(uc, 0x53564501); /* SVE_MAGIC */
    if (!r || r->size <= 16 || r->vl == 0)
        return NULL;
    unsigned vq = r->vl / 16;
    return (uint32_t *)((unsigned char *)r + 16 + (size_t)vq * 16 * (size_t)n);
}
static void clobber_regs(void)
{
    __asm__ volatile(
        "movi v0.16b, #0xff\n mov v1.16b, v0.16b\n mov v2.16b, v0.16b\n mov v3.16b, v0.16b\n"
        "mov v4.16b, v0.16b\n mov v5.16b, v0.16b\n mov v6.16b, v0.16b\n mov v7.16b, v0.16b\n"
        "mov v8.16b, v0.16b\n mov v9.16b, v0.16b\n mov v10.16b, v0.16b\n mov v11.16b, v0.16b\n"
        "mov v12.16b, v0.16b\n mov v13.16b, v0.16b\n mov v14.16b, v0.16b\n mov v15.16b, v0.16b\n"
        "mov v16.16b, v0.16b\n mov v17.16b, v0.16b\n mov v18.16b, v0.16b\n mov v19.16b, v0.16b\n"
        "mov v20.16b, v0.16b\n mov v21.16b, v0.16b\n mov v22.16b, v0.16b\n mov v23.16b, v0.16b\n"
        "mov v24.16b, v0.16b\n mov v25.16b, v0.16b\n mov v26.16b, v0.16b\n mov v27.16b, v0.16b\n"
        "mov v28.16b, v0.16b\n mov v29.16b, v0.16b\n mov v30.16b, v0.16b\n mov v31.16b, v0.16b\n"
        "mov x0, #-1\n mov x1, #-1\n mov x2, #-1\n mov x3, #-1\n mov x4, #-1\n mov x5, #-1\n"
        "mov x6, #-1\n mov x7, #-1\n mov x8, #-1\n mov x9, #-1\n mov x10, #-1\n mov x11, #-1\n"
        "mov x12, #-1\n mov x13, #-1\n mov x14, #-1\n mov x15, #-1\n mov x16, #-1\n mov x17, #-1\n"
        "mov x19, #-1\n mov x20, #-1\n mov x21, #-1\n mov x22, #-1\n mov x23, #-1\n"
        "mov x24, #-1\n mov x25, #-1\n mov x26, #-1\n mov x27, #-1\n mov x28, #-1\n"
        "cmp x0, #1\n" ::: "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "x0", "x1", "x2", "x3",
        "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
        "x17", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "cc",
        "memory");
}
#endif

static struct regblock g_in, g_out;
static struct {
    volatile sig_atomic_t count;
    int pc_exact, mark_seen, ret_zero, sp_near, vec_seen, vec_found, modify;
} g_regs;
#define MOD_GP 0x0123456789abcdefull
#define MOD_VEC 0x5a5a5a5au

static void h_regs(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    g_regs.count++;
    g_regs.pc_exact = uc_pc(uc) == (uintptr_t)sigregs_after_syscall;
    g_regs.mark_seen = uc_gp_mark(uc) == g_in.gp[GP_MARK];
    g_regs.ret_zero = uc_ret(uc) == 0;
    g_regs.sp_near = near_main_stack(uc_sp(uc));
    uint32_t *v3 = uc_vec(uc, 3);
    g_regs.vec_found = v3 != NULL;
    g_regs.vec_seen = v3 && memcmp(v3, g_in.vec[3], 16) == 0;
    if (g_regs.modify) {
        uc_set_gp_mark(uc, MOD_GP);
        uint32_t *v5 = uc_vec(uc, 5), *z5 = uc_sve_vec(uc, 5);
        for (int i = 0; i < 4; i++) {
            if (v5)
                v5[i] = MOD_VEC;
            if (z5)
                z5[i] = MOD_VEC;
        }
    }
    clobber_regs();
}

static void test_registers(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 32; i++) {
        x ^= x << 7;
        x ^= x >> 9;
        g_in.gp[i] = x;
        g_in.vec[i][0] = x * 3;
        g_in.vec[i][1] = ~x;
    }
    set_action(SIGUSR1, h_regs, 0);
    for (int round = 0; round < 2; round++) {
        memset(&g_out, 0, sizeof g_out);
        memset((void *)&g_regs, 0, sizeof g_regs);
        g_regs.modify = round == 1;
        sigregs_kill(&g_in, &g_out, getpid(), SIGUSR1);
        const char *r = round ? "(handler modifies the ucontext) " : "";
        CHECK(g_regs.count == 1, "%shandler ran once for the kill made by the asm helper", r);
        CHECK(g_out.extra[2] == 0, "%skill's return value reached the program", r);
        if (round == 0) {
            CHECK(g_regs.pc_exact, "mcontext pc == the instruction after the syscall");
            CHECK(g_regs.mark_seen, "mcontext holds the callee-saved register value main put there");
            CHECK(g_regs.ret_zero, "mcontext return-value register holds kill's result 0");
            CHECK(g_regs.sp_near, "mcontext sp is on main's stack");
            CHECK(g_regs.vec_found && g_regs.vec_seen, "the signal frame's FP/SIMD state holds vector register 3 as loaded");
        }
        int gp_bad = 0, vec_bad = 0;
        for (size_t i = 0; i < sizeof gp_used / sizeof gp_used[0]; i++) {
            int k = gp_used[i];
            uint64_t want = round == 1 && k == GP_MARK ? MOD_GP : g_in.gp[k];
            gp_bad += g_out.gp[k] != want;
        }
        for (int i = 0; i < NVEC; i++) {
            uint64_t w[2] = {g_in.vec[i][0], g_in.vec[i][1]};
            if (round == 1 && i == 5)
                w[0] = w[1] = (uint64_t)MOD_VEC << 32 | MOD_VEC;
            vec_bad += memcmp(g_out.vec[i], w, 16) != 0;
        }
        if (round == 0) {
            CHECK(gp_bad == 0, "every general register the helper loaded is intact after the handler (%d differ)", gp_bad);
            CHECK(vec_bad == 0, "every vector register is intact after the handler (%d differ)", vec_bad);
        } else {
            CHECK(gp_bad == 0, "a general register changed in the ucontext is in effect after sigreturn, the others intact (%d differ)", gp_bad);
            CHECK(vec_bad == 0, "a vector register changed in the frame's FP state is in effect after sigreturn, the others intact (%d differ)", vec_bad);
        }
        CHECK(g_out.extra[1] == SIGUSR1, "%sthe syscall argument register (sig) is intact", r);
    }
    out("arch: compared %d general and %d vector registers\n", NGP, NVEC);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* asynchronous signals in the middle of a computation */
static volatile sig_atomic_t g_ticks;
static void h_tick(int sig)
{
    (void)sig;
    g_ticks++;
    clobber_regs();
}

__attribute__((noinline)) static uint64_t compute(int n)
{
    uint64_t a = 1, b = 2, c = 3, d = 4;
    double f = 1.0, g = 0.5;
    for (int i = 0; i < n; i++) {
        a = a * 6364136223846793005ull + b;
        b ^= a >> 29;
        c += (a & 0xffff) * (d | 1);
        d = (d << 3) ^ c ^ (uint64_t)i;
        f = f * 1.0000001 + g;
        g = g * 0.9999999 + (double)(a & 0xff) / 256.0;
        if (f > 1e6)
            f -= 1e6;
    }
    return a ^ b ^ c ^ d ^ (uint64_t)(f * 1000) ^ (uint64_t)(g * 1000);
}

static void test_async(void)
{
    const int n = 3000000;
    uint64_t want = compute(n);
    set_handler(SIGALRM, h_tick, SA_RESTART);
    struct itimerval it = {{0, 500}, {0, 500}};
    g_ticks = 0;
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer(ITIMER_REAL) every 0.5 ms");
    uint64_t got = 0;
    int rounds = 0;
    double t0 = now();
    do {
        got |= compute(n) ^ want;
        rounds++;
    } while ((g_ticks < 5 || rounds < 2) && now() - t0 < 5);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK(g_ticks >= 5, "timer signals arrived during the computation");
    CHECK(got == 0, "the computation gives the same result with signals landing mid-loop");
    set_handler(SIGALRM, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 3. sa_mask, flags, uc_sigmask changes                                                  */

static struct {
    volatile sig_atomic_t count;
    int usr2_blocked;
} g_m;
static void h_mask(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    g_m.count++;
    g_m.usr2_blocked = is_blocked(SIGUSR2);
    sigaddset(&uc->uc_sigmask, SIGWINCH); /* the mask sigreturn installs */
}

static void h_nop(int sig) { (void)sig; }

static void test_sigaction_fields(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h_mask;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction(SIGUSR1, SA_SIGINFO|SA_RESTART, sa_mask {SIGUSR2})");
    memset(&old, 0, sizeof old);
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0, "query it back");
    CHECK(old.sa_sigaction == h_mask, "sa_sigaction reads back");
    int fl = SA_SIGINFO | SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_ONSTACK;
    CHECK((old.sa_flags & fl) == (SA_SIGINFO | SA_RESTART), "sa_flags read back (ignoring SA_RESTORER)");
    CHECK(sigismember(&old.sa_mask, SIGUSR2) && !sigismember(&old.sa_mask, SIGUSR1), "sa_mask reads back");

    g_m.count = 0;
    raise(SIGUSR1);
    CHECK(g_m.count == 1 && g_m.usr2_blocked, "sa_mask's SIGUSR2 is blocked while the handler runs");
    CHECK(!is_blocked(SIGUSR2), "and unblocked after it returns");
    CHECK(is_blocked(SIGWINCH), "a signal the handler added to uc_sigmask is blocked after sigreturn");
    mask(SIG_UNBLOCK, SIGWINCH);

    /* glibc's signal() has BSD semantics: SA_RESTART, handler not reset */
    signal(SIGUSR1, h_nop);
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == h_nop &&
              (old.sa_flags & fl) == SA_RESTART,
          "signal() installs with SA_RESTART only");
    set_handler(SIGUSR1, SIG_DFL, 0);

    sa.sa_handler = h_nop;
    sa.sa_flags = 0;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL, handler)");
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP, handler)");
    CHECK_ERR(sigaction(0, &sa, NULL), EINVAL, "sigaction(0)");
    CHECK_ERR(sigaction(65, &sa, NULL), EINVAL, "sigaction(65)");
    sigset_t all, cur;
    sigfillset(&all);
    sigset_t saved;
    sigprocmask(SIG_SETMASK, NULL, &saved);
    CHECK(sigprocmask(SIG_BLOCK, &all, NULL) == 0, "block every signal");
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP) && sigismember(&cur, SIGTERM),
          "the mask then holds SIGTERM but not SIGKILL or SIGSTOP");
    sigprocmask(SIG_SETMASK, &saved, NULL);
    CHECK_ERR(sigprocmask(99, &all, NULL), EINVAL, "sigprocmask(how = 99)");
    CHECK_ERR(kill(getpid(), 65), EINVAL, "kill(getpid(), 65)");
}

/* ------------------------------------------------------------------------------------- */
/* 4. blocking and pending                                                               */

static volatile sig_atomic_t g_cnt1, g_cnt2, g_rt;
static int g_order[8];
static volatile sig_atomic_t g_norder;
static void h_cnt(int sig)
{
    if (sig == SIGUSR1)
        g_cnt1++;
    else if (sig == SIGUSR2)
        g_cnt2++;
    else
        g_rt++;
    if (g_norder < 8)
        g_order[g_norder++] = sig;
}

static void test_pending(void)
{
    set_handler(SIGUSR1, h_cnt, 0);
    set_handler(SIGUSR2, h_cnt, 0);
    g_cnt1 = g_cnt2 = 0;
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    CHECK(g_cnt1 == 0, "raise while SIGUSR1 is blocked: the handler does not run");
    CHECK(is_pending(SIGUSR1), "sigpending shows SIGUSR1");
    raise(SIGUSR1);
    raise(SIGUSR1);
    mask(SIG_UNBLOCK, SIGUSR1);
    CHECK(g_cnt1 == 1, "unblocking delivers it before sigprocmask returns, once for 3 raises (ran %d)", (int)g_cnt1);
    CHECK(!is_pending(SIGUSR1), "no longer pending");
    /* raise() (tgkill) queues on the thread, kill() on the process: two pending sets */
    g_cnt1 = 0;
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    mask(SIG_UNBLOCK, SIGUSR1);
    CHECK(g_cnt1 == 2, "one raise + two kills of a blocked SIGUSR1: delivered twice (thread and process pending sets are separate; ran %d)", (int)g_cnt1);

    int rt = SIGRTMIN + 2;
    set_handler(rt, h_cnt, 0);
    g_rt = 0;
    mask(SIG_BLOCK, rt);
    for (int i = 0; i < 3; i++)
        raise(rt);
    CHECK(g_rt == 0 && is_pending(rt), "a blocked real-time signal sent 3 times is pending");
    mask(SIG_UNBLOCK, rt);
    CHECK(g_rt == 3, "real-time signals queue: the handler ran 3 times (ran %d)", (int)g_rt);
    set_handler(rt, SIG_DFL, 0);

    /* setting SIG_IGN discards a pending signal */
    mask(SIG_BLOCK, SIGUSR2);
    raise(SIGUSR2);
    CHECK(is_pending(SIGUSR2), "blocked SIGUSR2 pending");
    set_handler(SIGUSR2, SIG_IGN, 0);
    CHECK(!is_pending(SIGUSR2), "setting SIG_IGN discards the pending SIGUSR2");
    set_handler(SIGUSR2, h_cnt, 0);
    mask(SIG_UNBLOCK, SIGUSR2);
    CHECK(g_cnt2 == 0, "nothing delivered on unblock");

    /* two different signals pending at once */
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigprocmask(SIG_BLOCK, &both, NULL);
    g_cnt1 = g_cnt2 = 0;
    g_norder = 0;
    raise(SIGUSR2);
    raise(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    CHECK(g_cnt1 == 1 && g_cnt2 == 1, "two different blocked signals are both delivered on unblock");
    /* Linux dequeues the lowest number first (SIGUSR1) and sets up its frame, then SIGUSR2's
     * frame on top of it: SIGUSR2's handler runs first, then SIGUSR1's */
    CHECK(g_norder == 2 && g_order[0] == SIGUSR2 && g_order[1] == SIGUSR1,
          "handlers ran SIGUSR2 then SIGUSR1 (SIGUSR1 dequeued first, SIGUSR2's frame stacked on it)");
    set_handler(SIGUSR1, SIG_DFL, 0);
    set_handler(SIGUSR2, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 5. SA_RESETHAND, SA_NODEFER                                                           */

static volatile sig_atomic_t g_depth, g_maxdepth, g_calls;
static void h_nest(int sig)
{
    g_calls++;
    g_depth++;
    if (g_depth > g_maxdepth)
        g_maxdepth = g_depth;
    if (g_calls == 1)
        raise(sig); /* with SA_NODEFER: nested now; without: runs after we return */
    g_depth--;
}

static void h_reset(int sig)
{
    (void)sig;
    g_calls++;
}

static void test_flags(void)
{
    g_depth = g_maxdepth = g_calls = 0;
    set_handler(SIGUSR2, h_nest, SA_NODEFER);
    raise(SIGUSR2);
    CHECK(g_calls == 2 && g_maxdepth == 2, "SA_NODEFER: raising inside the handler re-enters it (depth 2)");
    g_depth = g_maxdepth = g_calls = 0;
    set_handler(SIGUSR2, h_nest, 0);
    raise(SIGUSR2);
    CHECK(g_calls == 2 && g_maxdepth == 1, "without SA_NODEFER: the second one runs after the first returns (depth 1)");
    set_handler(SIGUSR2, SIG_DFL, 0);

    /* SA_RESETHAND: second raise kills, in a child */
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        g_calls = 0;
        set_handler(SIGUSR1, h_reset, SA_RESETHAND);
        raise(SIGUSR1);
        struct sigaction old;
        sigaction(SIGUSR1, NULL, &old);
        char r[2];
        r[0] = g_calls == 1 && old.sa_handler == SIG_DFL ? 'y' : 'n';
        r[1] = (old.sa_flags & SA_RESETHAND) ? 'y' : 'n';
        write(p[1], r, 2);
        raise(SIGUSR1);
        _exit(0);
    }
    close(p[1]);
    char r[2] = {0, 0};
    CHECK(read(p[0], r, 2) == 2 && r[0] == 'y', "SA_RESETHAND: the handler ran, then the action read back SIG_DFL");
    CHECK(r[1] == 'y', "the SA_RESETHAND flag itself is left in sa_flags (Linux resets only the handler)");
    close(p[0]);
    int st = reap(pid);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "the second SIGUSR1 killed the child (WTERMSIG == SIGUSR1)");
}

/* ------------------------------------------------------------------------------------- */
/* 6. sigaltstack                                                                        */

static unsigned char g_alt[65536] __attribute__((aligned(16)));
static struct {
    int local_in_alt, onstack_flag, eperm, uc_sp_ok, uc_size_ok, uc_flags;
} g_as;

static void h_alt(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    volatile char local;
    uintptr_t a = (uintptr_t)&local;
    g_as.local_in_alt = a >= (uintptr_t)g_alt && a < (uintptr_t)g_alt + sizeof g_alt;
    stack_t cur;
    sigaltstack(NULL, &cur);
    g_as.onstack_flag = (cur.ss_flags & SS_ONSTACK) != 0;
    stack_t ns = {.ss_sp = g_alt, .ss_size = sizeof g_alt, .ss_flags = 0};
    errno = 0;
    g_as.eperm = sigaltstack(&ns, NULL) == -1 && errno == EPERM;
    g_as.uc_sp_ok = uc->uc_stack.ss_sp == g_alt;
    g_as.uc_size_ok = uc->uc_stack.ss_size == sizeof g_alt;
    g_as.uc_flags = uc->uc_stack.ss_flags;
}

static void test_altstack(void)
{
    stack_t ss = {.ss_sp = g_alt, .ss_size = 1024, .ss_flags = 0};
    CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM, "sigaltstack with 1024 bytes (< MINSIGSTKSZ)");
    ss.ss_flags = 12345;
    ss.ss_size = sizeof g_alt;
    CHECK_ERR(sigaltstack(&ss, NULL), EINVAL, "sigaltstack with bad flags");
    ss.ss_flags = 0;
    stack_t old;
    CHECK(sigaltstack(&ss, &old) == 0, "sigaltstack(64 KiB)");
    CHECK(old.ss_flags == SS_DISABLE, "the previous alternate stack was disabled");

    set_action(SIGUSR1, h_alt, SA_ONSTACK);
    memset(&g_as, 0, sizeof g_as);
    raise(SIGUSR1);
    CHECK(g_as.local_in_alt, "SA_ONSTACK: the handler's local variable is inside the alternate stack");
    CHECK(g_as.onstack_flag, "sigaltstack() inside the handler reports SS_ONSTACK");
    CHECK(g_as.eperm, "changing the alternate stack while on it -> EPERM");
    CHECK(g_as.uc_sp_ok && g_as.uc_size_ok, "uc_stack holds the alternate stack's base and size");
    CHECK(g_as.uc_flags == 0, "uc_stack.ss_flags == 0 (the interrupted code was not on it)");

    set_action(SIGUSR1, h_alt, 0);
    memset(&g_as, 0, sizeof g_as);
    raise(SIGUSR1);
    CHECK(!g_as.local_in_alt && !g_as.onstack_flag, "without SA_ONSTACK the handler runs on the normal stack");
    stack_t cur;
    CHECK(sigaltstack(NULL, &cur) == 0 && cur.ss_flags == 0 && cur.ss_sp == g_alt, "after the handlers: not on the alternate stack");
    ss.ss_flags = SS_DISABLE;
    CHECK(sigaltstack(&ss, NULL) == 0 && sigaltstack(NULL, &cur) == 0 && cur.ss_flags == SS_DISABLE, "SS_DISABLE turns it off");
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 7. waiting for signals: sigsuspend, sigtimedwait, pause                                 */

static volatile sig_atomic_t g_got;
static volatile pid_t g_from;
static void h_from(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    g_got = sig;
    g_from = si->si_pid;
}

static void test_wait_signals(void)
{
    /* sigsuspend: a child sends SIGUSR2 */
    set_action(SIGUSR2, h_from, 0);
    mask(SIG_BLOCK, SIGUSR2);
    g_got = 0;
    pid_t pid = fork();
    if (pid == 0) {
        usleep(20000);
        _exit(kill(getppid(), SIGUSR2) == 0 ? 0 : 1);
    }
    sigset_t during;
    sigprocmask(SIG_BLOCK, NULL, &during);
    sigdelset(&during, SIGUSR2);
    int r = sigsuspend(&during);
    CHECK(r == -1 && errno == EINTR, "sigsuspend returned -1 EINTR");
    CHECK(g_got == SIGUSR2 && g_from == pid, "the handler ran for SIGUSR2 from the child (si_pid == child)");
    CHECK(is_blocked(SIGUSR2), "sigsuspend restored the mask (SIGUSR2 blocked again)");
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's kill(getppid(), SIGUSR2) succeeded");

    /* sigtimedwait with the signal already pending */
    g_got = 0;
    raise(SIGUSR2);
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    struct timespec zero = {0, 0};
    r = sigtimedwait(&w, &si, &zero);
    CHECK(r == SIGUSR2, "sigtimedwait returns the pending SIGUSR2");
    CHECK(si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid(),
          "its siginfo: si_signo, si_pid, and SI_USER (glibc's wrapper folds SI_TKILL into SI_USER)");
    CHECK(g_got == 0, "the handler did not run");
    CHECK(!is_pending(SIGUSR2), "SIGUSR2 is no longer pending");

    raise(SIGUSR2);
    memset(&si, 0, sizeof si);
    r = (int)syscall(SYS_rt_sigtimedwait, &w, &si, &zero, 8);
    CHECK(r == SIGUSR2 && si.si_code == SI_TKILL, "the raw rt_sigtimedwait syscall reports SI_TKILL for raise()");

    double t0 = now();
    struct timespec ts = {0, 50000000};
    CHECK_ERR(sigtimedwait(&w, &si, &ts), EAGAIN, "sigtimedwait(50 ms) with nothing pending");
    CHECK(now() - t0 >= 0.049, "it waited at least 50 ms");

    kill(getpid(), SIGUSR2);
    memset(&si, 0, sizeof si);
    CHECK(sigwaitinfo(&w, &si) == SIGUSR2 && si.si_code == SI_USER, "sigwaitinfo returns a pending SIGUSR2 from kill (SI_USER)");
    mask(SIG_UNBLOCK, SIGUSR2);
    set_handler(SIGUSR2, SIG_DFL, 0);

    /* pause() */
    set_action(SIGALRM, h_from, 0);
    struct itimerval it = {{0, 0}, {0, 50000}};
    g_got = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = now();
    r = pause();
    CHECK(r == -1 && errno == EINTR, "pause() returned -1 EINTR after a handled SIGALRM");
    CHECK(g_got == SIGALRM, "the SIGALRM handler ran");
    CHECK(now() - t0 >= 0.045, "the 50 ms timer fired no earlier than asked");
    set_handler(SIGALRM, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 8. EINTR vs SA_RESTART, alarm, setitimer                                                */

static volatile sig_atomic_t g_alarms;
static void h_alarm(int sig)
{
    (void)sig;
    g_alarms++;
}

static void test_restart(void)
{
    CHECK(alarm(5) == 0, "alarm(5) with no alarm pending returns 0");
    unsigned left = alarm(0);
    CHECK(left == 5, "alarm(0) right after returns 5 (rounded remaining seconds)");

    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    set_handler(SIGALRM, h_alarm, 0);
    g_alarms = 0;
    alarm(1);
    char buf[16];
    double t0 = now();
    ssize_t n = read(p[0], buf, sizeof buf);
    int e = errno;
    CHECK(n == -1 && e == EINTR, "without SA_RESTART a blocked read on an empty pipe fails with EINTR after alarm(1)");
    CHECK(g_alarms == 1, "the SIGALRM handler ran once");
    CHECK(now() - t0 >= 0.95, "the read blocked about a second");

    set_handler(SIGALRM, h_alarm, SA_RESTART);
    g_alarms = 0;
    pid_t pid = fork();
    if (pid == 0) {
        usleep(300000);
        write(p[1], "late", 4);
        _exit(0);
    }
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    n = read(p[0], buf, sizeof buf);
    CHECK(n == 4 && memcmp(buf, "late", 4) == 0, "with SA_RESTART the read restarts and returns the child's data");
    CHECK(g_alarms == 1, "and the handler ran during it");
    reap(pid);

    /* nanosleep is not restarted, whatever SA_RESTART says */
    g_alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {2, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    e = errno;
    CHECK(r == -1 && e == EINTR, "nanosleep interrupted by a SA_RESTART handler still fails with EINTR");
    CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 2, "and reports the remaining time (between 1 and 2 s)");
    CHECK(g_alarms == 1, "the handler ran");

    /* periodic timer */
    set_handler(SIGALRM, h_alarm, 0);
    mask(SIG_BLOCK, SIGALRM);
    struct itimerval per = {{0, 20000}, {0, 20000}}, cur;
    g_alarms = 0;
    CHECK(setitimer(ITIMER_REAL, &per, NULL) == 0, "setitimer(ITIMER_REAL, 20 ms interval)");
    CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000 &&
              cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000,
          "getitimer shows the interval and a value no larger than 20 ms");
    sigset_t during;
    sigprocmask(SIG_BLOCK, NULL, &during);
    sigdelset(&during, SIGALRM);
    t0 = now();
    while (g_alarms < 3)
        sigsuspend(&during);
    CHECK(now() - t0 >= 0.055, "three expirations took at least 60 ms");
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_REAL, &off, &cur) == 0 && cur.it_interval.tv_usec == 20000, "disarming returns the old interval");
    CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "getitimer shows it disarmed");
    mask(SIG_UNBLOCK, SIGALRM);
    set_handler(SIGALRM, SIG_DFL, 0);
    close(p[0]);
    close(p[1]);
}

/* ------------------------------------------------------------------------------------- */
/* 9. SIGCHLD                                                                             */

static struct {
    volatile sig_atomic_t count;
    int code, status, pid;
} g_chld;
static void h_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    g_chld.count++;
    g_chld.code = si->si_code;
    g_chld.status = si->si_status;
    g_chld.pid = si->si_pid;
}

static void test_sigchld(void)
{
    set_action(SIGCHLD, h_chld, SA_RESTART);
    mask(SIG_BLOCK, SIGCHLD);
    memset((void *)&g_chld, 0, sizeof g_chld);
    pid_t pid = fork();
    if (pid == 0)
        _exit(4);
    sigset_t during;
    sigprocmask(SIG_BLOCK, NULL, &during);
    sigdelset(&during, SIGCHLD);
    while (g_chld.count == 0)
        sigsuspend(&during);
    CHECK(g_chld.count == 1, "the SIGCHLD handler ran when the child exited");
    CHECK(g_chld.pid == pid && g_chld.code == CLD_EXITED && g_chld.status == 4, "its siginfo: si_pid == child, CLD_EXITED, si_status 4");
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 4, "waitpid then reaps it with status 4");
    mask(SIG_UNBLOCK, SIGCHLD);

    /* SIGCHLD ignored: children are reaped automatically */
    set_handler(SIGCHLD, SIG_IGN, 0);
    pid = fork();
    if (pid == 0)
        _exit(0);
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD, "with SIGCHLD at SIG_IGN, waitpid for an exiting child");
    set_handler(SIGCHLD, SIG_DFL, 0);
}

/* ------------------------------------------------------------------------------------- */
/* 10. kill(pid, 0), zombies, process groups, sessions                                     */

static void test_kill(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        char c;
        read(p[0], &c, 1);
        _exit(0);
    }
    close(p[0]);
    CHECK(kill(pid, 0) == 0, "kill(child, 0) == 0 while it runs");
    close(p[1]);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid, "waitid(WNOWAIT) sees it exit");
    CHECK(kill(pid, 0) == 0, "kill(zombie, 0) == 0: an unreaped child still exists");
    reap(pid);
    CHECK_ERR(kill(pid, 0), ESRCH, "kill(reaped pid, 0)");
    CHECK_ERR(kill(pid, SIGTERM), ESRCH, "kill(reaped pid, SIGTERM)");
    CHECK(kill(getpid(), 0) == 0, "kill(getpid(), 0) == 0");

    /* two children in a new process group (the first one leads it), killed through the group */
    int ready[2];
    if (pipe(ready) != 0 || pipe(p) != 0)
        fatal("pipe");
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            close(ready[0]);
            close(p[1]);
            pid_t leader = k == 0 ? 0 : kids[0];
            setpgid(0, leader);
            write(ready[1], getpgid(0) == (k == 0 ? getpid() : kids[0]) ? "y" : "n", 1);
            char c;
            read(p[0], &c, 1); /* until killed */
            _exit(10);
        }
        setpgid(kids[k], kids[0]); /* also from the parent, so there is no race */
    }
    close(ready[1]);
    close(p[0]);
    char c[2] = {0, 0};
    CHECK(read(ready[0], &c[0], 1) == 1 && read(ready[0], &c[1], 1) == 1 && c[0] == 'y' && c[1] == 'y',
          "two children in a new process group led by the first");
    CHECK(getpgid(kids[0]) == kids[0] && getpgid(kids[1]) == kids[0], "getpgid of both == the first child's pid");
    CHECK(getpgid(0) == getpgrp() && getpgid(0) != kids[0], "we stay in our own group");
    CHECK(kill(-kids[0], SIGTERM) == 0, "kill(-pgid, SIGTERM)");
    int st = reap(kids[0]), st2 = reap(kids[1]);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && st2 != -1 && WIFSIGNALED(st2) && WTERMSIG(st2) == SIGTERM,
          "both children died of SIGTERM");
    CHECK_ERR(kill(-kids[0], 0), ESRCH, "kill(-pgid, 0) once the whole group is reaped");
    close(ready[0]);
    close(p[1]);

    /* setsid */
    pid = fork();
    if (pid == 0) {
        pid_t s = setsid();
        if (s != getpid())
            _exit(1);
        if (getsid(0) != getpid() || getpgid(0) != getpid())
            _exit(2);
        if (setsid() != -1 || errno != EPERM)
            _exit(3);
        _exit(0);
    }
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "setsid in a child: returns its pid, getsid/getpgid follow, a second setsid -> EPERM");
    CHECK(getsid(0) == getsid(getpid()), "getsid(0) == getsid(getpid())");
    CHECK_ERR(setpgid(0, -1), EINVAL, "setpgid(0, -1)");
}

/* ------------------------------------------------------------------------------------- */
/* 11. SIGSTOP / SIGCONT                                                                   */

static void test_stop(void)
{
    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    mask(SIG_BLOCK, SIGCHLD);
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGCHLD);
    siginfo_t si;
    struct timespec zero = {0, 0}, sec = {2, 0};
    while (sigtimedwait(&w, &si, &zero) > 0) {
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        char c;
        ssize_t n = read(p[0], &c, 1);
        _exit(n == 0 ? 0 : n < 0 && errno == EINTR ? 3 : 4);
    }
    close(p[0]);
    CHECK(kill(pid, SIGSTOP) == 0, "kill(child, SIGSTOP)");
    int st = 0;
    CHECK(waitpid(pid, &st, WUNTRACED) == pid, "waitpid(WUNTRACED) reports the child");
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "WIFSTOPPED, WSTOPSIG == SIGSTOP");
    CHECK(st == (SIGSTOP << 8 | 0x7f), "raw status word == SIGSTOP << 8 | 0x7f");
    memset(&si, 0, sizeof si);
    CHECK(sigtimedwait(&w, &si, &sec) == SIGCHLD && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP && si.si_pid == pid,
          "SIGCHLD with CLD_STOPPED, si_status SIGSTOP");
    CHECK(waitpid(pid, &st, WUNTRACED | WNOHANG) == 0, "the stop is reported only once");
    CHECK(kill(pid, SIGCONT) == 0, "kill(child, SIGCONT)");
    CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st), "waitpid(WCONTINUED) reports WIFCONTINUED");
    CHECK(st == 0xffff, "raw status word == 0xffff");
    memset(&si, 0, sizeof si);
    CHECK(sigtimedwait(&w, &si, &sec) == SIGCHLD && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT,
          "SIGCHLD with CLD_CONTINUED, si_status SIGCONT");
    close(p[1]);
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "after SIGCONT the child's read resumed (no EINTR), saw EOF and the child exited 0");
    memset(&si, 0, sizeof si);
    CHECK(sigtimedwait(&w, &si, &sec) == SIGCHLD && si.si_code == CLD_EXITED, "SIGCHLD with CLD_EXITED");
    mask(SIG_UNBLOCK, SIGCHLD);
}

/* ------------------------------------------------------------------------------------- */
/* 12. exit status encodings and default actions                                           */

enum { EXIT_255, EXIT_0, EXIT_256, EXIT_M1, KILL9, ABORT, ABORT_CAUGHT, ABORT_IGN, TERM_DFL, WINCH_DFL, QUIT_DFL };

static void h_abrt(int sig) { (void)sig; write(3, "h", 1); }

static void child_do(int what)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl); /* never leave core files behind */
    switch (what) {
    case EXIT_255: exit(255);
    case EXIT_0: _exit(0);
    case EXIT_256: exit(256);
    case EXIT_M1: exit(-1);
    case KILL9: raise(SIGKILL); break;
    case ABORT: abort();
    case ABORT_CAUGHT: set_handler(SIGABRT, h_abrt, 0); abort();
    case ABORT_IGN: set_handler(SIGABRT, SIG_IGN, 0); mask(SIG_BLOCK, SIGABRT); abort();
    case TERM_DFL: raise(SIGTERM); break;
    case WINCH_DFL: raise(SIGWINCH); raise(SIGURG); _exit(5);
    case QUIT_DFL: raise(SIGQUIT); break;
    }
    _exit(100);
}

static int run_child(int what)
{
    pid_t pid = fork();
    if (pid == 0)
        child_do(what);
    return reap(pid);
}

static void test_exit_codes(void)
{
    int st = run_child(EXIT_255);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 255 && st == 0xff00, "exit(255): WEXITSTATUS 255, status word 0xff00");
    st = run_child(EXIT_0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && st == 0, "_exit(0): status word 0");
    st = run_child(EXIT_256);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit(256): only the low 8 bits survive (0)");
    st = run_child(EXIT_M1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 255, "exit(-1): WEXITSTATUS 255");
    st = run_child(KILL9);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && (st & 0x7f) == 9, "raise(SIGKILL): WTERMSIG 9");
    st = run_child(ABORT);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort(): WTERMSIG == SIGABRT");

    int p[2];
    if (pipe(p) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 3);
        child_do(ABORT_CAUGHT);
    }
    close(p[1]);
    char c = 0;
    CHECK(read(p[0], &c, 1) == 1 && c == 'h', "abort() with a SIGABRT handler: the handler ran");
    st = reap(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "and the process still died of SIGABRT after it returned");
    close(p[0]);
    st = run_child(ABORT_IGN);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort() with SIGABRT ignored and blocked still dies of SIGABRT");
    st = run_child(TERM_DFL);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "default action of SIGTERM: terminate");
    st = run_child(WINCH_DFL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "default action of SIGWINCH and SIGURG: ignore");
    st = run_child(QUIT_DFL);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT, "default action of SIGQUIT: terminate (core)");
}

int main(void)
{
    volatile int local = 0;
    g_main_sp = (uintptr_t)&local;
    /* start from a clean state, whatever we inherited */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);

    test_siginfo();
    test_registers();
    test_async();
    test_sigaction_fields();
    test_pending();
    test_flags();
    test_altstack();
    test_wait_signals();
    test_restart();
    test_sigchld();
    test_kill();
    test_stop();
    test_exit_codes();
    return finish();
}
