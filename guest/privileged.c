/* privileged.c - the guest runs in user mode (x86_64 CPL3, aarch64 EL0).
 *
 * Every privileged instruction faults as on Linux: SIGSEGV on x86_64 (#GP, si_code SI_KERNEL),
 * SIGILL on aarch64 (ILL_ILLOPC); the program catches each one and goes on. What Linux lets
 * user space do still works: rdtsc, cpuid, segment loads of the user selectors (x86_64); the
 * counters, CTR_EL0, DCZID_EL0, `dc zva`, cache maintenance to the point of unification and
 * FP/SIMD (aarch64). */
#include "common.h"
#include <setjmp.h>

static sigjmp_buf env;
static int user_fail;
#define UCHECK(ok, ...) do { int ok_ = (ok); acheck(ok_, __VA_ARGS__); user_fail += !ok_; } while (0)
static volatile int got_sig, got_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    siglongjmp(env, 1);
}

typedef void (*insn_fn)(void);

#if defined(__x86_64__)
#define EXPECT_SIG SIGSEGV
#define EXPECT_CODE 0x80 /* SI_KERNEL */
#define INSN(name, text) static void name(void) { __asm__ volatile(text ::: "memory", "rax", "rcx", "rdx"); }
INSN(i_hlt, "hlt")
INSN(i_cli, "cli")
INSN(i_sti, "sti")
INSN(i_cr3_read, "mov %%cr3, %%rax")
INSN(i_cr0_write, "xor %%eax, %%eax; mov %%rax, %%cr0")
INSN(i_wrmsr, "xor %%eax, %%eax; xor %%edx, %%edx; mov $0xc0000100, %%ecx; wrmsr")
INSN(i_rdmsr, "mov $0xc0000080, %%ecx; rdmsr")
INSN(i_lgdt, "sub $16, %%rsp; lgdt (%%rsp); add $16, %%rsp")
INSN(i_lidt, "sub $16, %%rsp; lidt (%%rsp); add $16, %%rsp")
INSN(i_invlpg, "invlpg (%%rsp)")
INSN(i_swapgs, "swapgs")
INSN(i_wbinvd, "wbinvd")
INSN(i_clts, "clts")
INSN(i_dr7, "mov %%dr7, %%rax")
INSN(i_in, "xor %%edx, %%edx; mov $0x60, %%dx; in %%dx, %%al")
INSN(i_out, "mov $0x80, %%dx; xor %%eax, %%eax; out %%al, %%dx")
INSN(i_sysret, "sysretq")
static const struct { const char *name; insn_fn fn; } insns[] = {
    { "hlt", i_hlt }, { "cli", i_cli }, { "sti", i_sti }, { "mov cr3, rax", i_cr3_read }, { "mov rax, cr0", i_cr0_write },
    { "wrmsr", i_wrmsr }, { "rdmsr", i_rdmsr }, { "lgdt", i_lgdt }, { "lidt", i_lidt }, { "invlpg", i_invlpg },
    { "swapgs", i_swapgs }, { "wbinvd", i_wbinvd }, { "clts", i_clts }, { "mov rax, dr7", i_dr7 },
    { "in al, dx", i_in }, { "out dx, al", i_out }, { "sysretq", i_sysret },
};

static void user_things(void)
{
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    unsigned a = 0, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    UCHECK(a >= 1, "rdtsc and cpuid work in user mode");
    unsigned short ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    UCHECK(ss == 0x2b, "ss holds __USER_DS (0x2b)");
    unsigned short cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    UCHECK((cs & 3) == 3, "cs has RPL 3 (CPL3)");
    unsigned short ds = 0;
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0)
        __asm__ volatile("mov %1, %%ds; mov %1, %%es; mov %%ds, %0" : "=r"(ds) : "r"((unsigned short)0x2b));
    UCHECK(got_sig == 0 && ds == 0x2b, "loading __USER_DS into ds and es works");
}
#elif defined(__aarch64__)
#define EXPECT_SIG SIGILL
#define EXPECT_CODE 1 /* ILL_ILLOPC */
#define INSN(name, text) static void name(void) { __asm__ volatile(text ::: "memory", "x0"); }
INSN(i_daifset, "msr daifset, #2")
INSN(i_sctlr, "mrs x0, sctlr_el1")
INSN(i_sctlr_w, "mov x0, #0; msr sctlr_el1, x0")
INSN(i_tlbi, "tlbi vmalle1")
INSN(i_eret, "eret")
INSN(i_spsel, "msr spsel, #1")
INSN(i_at, "mov x0, sp; at s1e1r, x0")
INSN(i_dcivac, "mov x0, sp; dc ivac, x0")
INSN(i_iciallu, "ic iallu")
INSN(i_hvc, "hvc #0")
INSN(i_currentel, "mrs x0, currentel")
INSN(i_tpidr_el1, "mrs x0, tpidr_el1")
INSN(i_tpidrro_w, "mov x0, #0; msr tpidrro_el0, x0")
INSN(i_vbar, "mrs x0, vbar_el1")
static const struct { const char *name; insn_fn fn; } insns[] = {
    { "msr daifset", i_daifset }, { "mrs sctlr_el1", i_sctlr }, { "msr sctlr_el1", i_sctlr_w }, { "tlbi vmalle1", i_tlbi },
    { "eret", i_eret }, { "msr spsel", i_spsel }, { "at s1e1r", i_at }, { "dc ivac", i_dcivac }, { "ic iallu", i_iciallu },
    { "hvc #0", i_hvc }, { "mrs currentel", i_currentel }, { "mrs tpidr_el1", i_tpidr_el1 },
    { "msr tpidrro_el0", i_tpidrro_w }, { "mrs vbar_el1", i_vbar },
};

static void user_things(void)
{
    unsigned long v1, v2, ctr, dczid, freq;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v1));
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v2));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    UCHECK(v2 >= v1 && freq > 0, "cntvct_el0 and cntfrq_el0 read in user mode");
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    __asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
    UCHECK(ctr != 0 && (dczid & 16) == 0, "ctr_el0 reads; dczid_el0 allows dc zva");
    static char block[256] __attribute__((aligned(256)));
    memset(block, 0x5a, sizeof block);
    char *p = block;
    __asm__ volatile("dc zva, %0" :: "r"(p) : "memory");
    size_t zsz = 4u << (dczid & 15);
    int zero = 1;
    for (size_t i = 0; i < zsz && i < sizeof block; i++)
        zero &= block[i] == 0;
    UCHECK(zero, "dc zva zeroes a block");
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0)
        __asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" :: "r"(p) : "memory");
    UCHECK(got_sig == 0, "dc cvau and ic ivau work in user mode");
    volatile double x = 1.5;
    UCHECK(x * x == 2.25, "floating point works");
}
#endif

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    volatile int faulted = 0;
    for (volatile size_t i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        got_sig = got_code = 0;
        if (sigsetjmp(env, 1) == 0)
            insns[i].fn();
        int ok = got_sig == EXPECT_SIG && got_code == EXPECT_CODE;
        acheck(ok, "%s faults as in user mode (signal %d code %d)", insns[i].name, got_sig, got_code);
        faulted += ok;
    }
    CHECK(faulted == (int)(sizeof insns / sizeof insns[0]), "every privileged instruction faults (x86_64: SIGSEGV SI_KERNEL, aarch64: SIGILL ILL_ILLOPC)");
    user_things();
    CHECK(user_fail == 0, "what user space may do still works");
    return finish();
}
