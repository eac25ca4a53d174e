/* args.c - argv, envp and the auxiliary vector as the loader built them. */
#include "common.h"
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

extern const ElfW(Ehdr) __ehdr_start; /* the ELF header, mapped by the loader */
extern char _start[];                  /* the entry point */
extern char **environ;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv, char **envp)
{
    /* ---- argv ---- */
    out("argc: %d\n", argc);
    /* argv[0] is a path that names the arch's build dir: print only its basename */
    out("argv[0] basename: %s\n", base_name(argv[0]));
    for (int i = 1; i < argc; i++)
        out("argv[%d]: %s\n", i, argv[i]);
    CHECK(argv[argc] == NULL, "argv[argc] == NULL");

    /* ---- envp ---- */
    const char *t = getenv("UCRUN_TEST");
    if (t)
        out("UCRUN_TEST=%s\n", t);
    else
        out("UCRUN_TEST unset\n");
    CHECK(envp == argv + argc + 1, "envp follows argv's NULL on the stack");
    CHECK(envp == environ, "environ == main's envp");
    size_t nenv = 0;
    while (envp[nenv])
        nenv++;
    CHECK(envp[nenv] == NULL, "envp ends with NULL");
    int has_eq = 1;
    for (size_t i = 0; i < nenv; i++)
        if (!strchr(envp[i], '='))
            has_eq = 0;
    CHECK(has_eq, "every envp entry contains '='");

    /* ---- auxv: walk it directly (it follows envp's NULL) and compare with getauxval ---- */
    ElfW(auxv_t) *av = (ElfW(auxv_t) *)(envp + nenv + 1);
    int n = 0, consistent = 1, seen_pagesz = 0;
    unsigned long hwcap = 0, hwcap2 = 0;
    for (; av[n].a_type != AT_NULL && n < 256; n++) {
        unsigned long ty = av[n].a_type;
        if (ty == AT_PAGESZ)
            seen_pagesz = 1;
        if (ty == AT_HWCAP)
            hwcap = av[n].a_un.a_val;
        if (ty == AT_HWCAP2)
            hwcap2 = av[n].a_un.a_val;
        /* glibc's getauxval(AT_HWCAP/AT_HWCAP2) returns its own dl_hwcap, which x86_64
         * glibc replaces with HWCAP_X86_* bits: compare only the other entries */
        if (ty == AT_IGNORE || ty == AT_HWCAP || ty == AT_HWCAP2)
            continue;
        if (getauxval(ty) != av[n].a_un.a_val) {
            consistent = 0;
            out("FAIL: auxv entry type %lu differs from getauxval\n", ty);
        }
    }
    CHECK(n < 256, "auxv is terminated by AT_NULL");
    CHECK(seen_pagesz, "auxv on the stack after envp contains AT_PAGESZ");
    CHECK(consistent, "auxv on the stack agrees with getauxval");
    out("arch: auxv entries: %d\n", n);

    CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ == 4096");
    CHECK(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE) == 4096");

    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    if (CHECK(rnd != NULL, "AT_RANDOM non-null")) {
        unsigned acc = 0;
        for (int i = 0; i < 16; i++)
            acc |= rnd[i];
        CHECK(acc != 0, "AT_RANDOM: 16 bytes readable and not all zero");
    }

    const ElfW(Ehdr) *eh = &__ehdr_start;
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "__ehdr_start is mapped and has the ELF magic");
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    CHECK(ph == (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff),
          "AT_PHDR == __ehdr_start + e_phoff");
    CHECK(getauxval(AT_PHNUM) == eh->e_phnum, "AT_PHNUM == e_phnum");
    CHECK(getauxval(AT_PHENT) == sizeof(ElfW(Phdr)), "AT_PHENT == sizeof(Elf64_Phdr)");
    if (ph) {
        int covers_main = 0, covers_phdr = 0;
        for (unsigned i = 0; i < eh->e_phnum; i++) {
            if (ph[i].p_type != PT_LOAD)
                continue;
            uintptr_t lo = ph[i].p_vaddr, hi = ph[i].p_vaddr + ph[i].p_memsz;
            if ((uintptr_t)&main >= lo && (uintptr_t)&main < hi)
                covers_main = 1;
            if ((uintptr_t)ph >= lo && (uintptr_t)ph < hi)
                covers_phdr = 1;
        }
        CHECK(covers_main, "a PT_LOAD segment contains main");
        CHECK(covers_phdr, "a PT_LOAD segment contains the program headers");
    }
    CHECK(getauxval(AT_ENTRY) == (unsigned long)_start, "AT_ENTRY == &_start");
    CHECK(getauxval(AT_ENTRY) == eh->e_entry, "AT_ENTRY == e_entry");
    CHECK(getauxval(AT_BASE) == 0, "AT_BASE == 0 (static, no interpreter)");

    const char *execfn = (const char *)getauxval(AT_EXECFN);
    CHECK(execfn && strcmp(execfn, argv[0]) == 0, "AT_EXECFN equals argv[0]");

    CHECK(getauxval(AT_UID) == getuid(), "AT_UID == getuid()");
    CHECK(getauxval(AT_EUID) == geteuid(), "AT_EUID == geteuid()");
    CHECK(getauxval(AT_GID) == getgid(), "AT_GID == getgid()");
    CHECK(getauxval(AT_EGID) == getegid(), "AT_EGID == getegid()");
    CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE == 0");
    CHECK(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK == 100");

    const char *plat = (const char *)getauxval(AT_PLATFORM);
    if (CHECK(plat != NULL, "AT_PLATFORM non-null"))
        out("arch: AT_PLATFORM=%s\n", plat);
    /* the raw values from the stack (see above for why not getauxval) */
    out("arch: AT_HWCAP=0x%lx\n", hwcap);
    out("arch: AT_HWCAP2=0x%lx\n", hwcap2);

    errno = 0;
    CHECK(getauxval(0x7fffffff) == 0 && errno == ENOENT, "getauxval(unknown) == 0 with ENOENT");
    return finish();
}
