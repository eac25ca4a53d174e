/* memory.c - brk/sbrk, malloc/realloc of large blocks, anonymous and file mmap,
 * munmap, mremap, mprotect and MAP_FIXED. */
#include "common.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define MiB (1024UL * 1024UL)

static unsigned char pat(size_t i, unsigned seed) { return (unsigned char)((i * 131 + (i >> 12) + seed) & 0xff); }

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pat(i, seed);
}

static int verify(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pat(i, seed))
            return 0;
    return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int main(void)
{
    /* ---- brk / sbrk ---- */
    char *b0 = sbrk(0);
    CHECK(b0 != (char *)-1, "sbrk(0)");
    CHECK((char *)syscall(SYS_brk, 0) == b0, "brk(0) returns the current break");
    char *b1 = sbrk(4 * MiB);
    CHECK(b1 == b0, "sbrk(4 MiB) returns the old break");
    CHECK(sbrk(0) == b0 + 4 * MiB, "the break moved up by 4 MiB");
    int zero = 1;
    for (size_t off = 0; off < 4 * MiB; off += PAGE)
        if (b1[off] != 0)
            zero = 0;
    CHECK(zero, "new brk memory reads as zeros");
    fill((unsigned char *)b1, 4 * MiB, 1);
    CHECK(verify((unsigned char *)b1, 4 * MiB, 1), "new brk memory is writable (4 MiB pattern)");
    CHECK(sbrk(-(intptr_t)(2 * MiB)) == b0 + 4 * MiB && sbrk(0) == b0 + 2 * MiB, "sbrk(-2 MiB) shrinks");
    CHECK(verify((unsigned char *)b1, 2 * MiB, 1), "the remaining brk memory is intact");
    CHECK(sbrk(2 * MiB) == b0 + 2 * MiB, "sbrk(+2 MiB) grows again");
    CHECK(all_zero((unsigned char *)b1 + 2 * MiB, 2 * MiB), "re-grown brk memory is zeroed");
    CHECK(sbrk(-(intptr_t)(4 * MiB)) != (void *)-1 && sbrk(0) == b0, "sbrk back to the start");

    /* ---- malloc / realloc from 1 KiB to 64 MiB ---- */
    size_t sz = 1024;
    unsigned char *blk = malloc(sz);
    int ok = blk != NULL;
    if (ok)
        fill(blk, sz, 7);
    while (ok && sz < 64 * MiB) {
        size_t nsz = sz * 2;
        unsigned char *nb = realloc(blk, nsz);
        if (!nb) {
            ok = 0;
            break;
        }
        blk = nb;
        if (!verify(blk, sz, 7)) {
            out("FAIL: realloc to %zu lost contents\n", nsz);
            ok = 0;
        }
        /* extend the position-based pattern over the new part */
        for (size_t i = sz; i < nsz; i++)
            blk[i] = pat(i, 7);
        sz = nsz;
    }
    CHECK(ok && sz == 64 * MiB, "realloc doubling 1 KiB -> 64 MiB keeps contents");
    CHECK(ok && verify(blk, sz, 7), "the full 64 MiB block verifies");
    blk = realloc(blk, 4096);
    CHECK(blk && verify(blk, 4096, 7), "realloc shrink to 4 KiB keeps the prefix");
    free(blk);
    void *many[1000];
    int mok = 1;
    for (int i = 0; i < 1000; i++) {
        many[i] = malloc((size_t)(i % 37) * 100 + 1);
        if (!many[i])
            mok = 0;
        else
            memset(many[i], i & 0xff, (size_t)(i % 37) * 100 + 1);
    }
    for (int i = 0; i < 1000; i++)
        if (many[i] && ((unsigned char *)many[i])[(i % 37) * 100] != (i & 0xff))
            mok = 0;
    for (int i = 0; i < 1000; i += 2)
        free(many[i]);
    for (int i = 1; i < 1000; i += 2)
        free(many[i]);
    CHECK(mok, "1000 small mallocs hold their contents");
    void *c = calloc(1, 8 * MiB);
    CHECK(c && all_zero(c, 8 * MiB), "calloc(8 MiB) is zeroed");
    free(c);

    /* ---- anonymous mmap of 16 MiB ---- */
    size_t len = 16 * MiB;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(m != MAP_FAILED, "mmap 16 MiB anonymous"))
        fatal("mmap");
    CHECK(((uintptr_t)m & (PAGE - 1)) == 0, "mmap result is page aligned");
    zero = 1;
    for (size_t off = 0; off < len; off += PAGE)
        if (m[off] || m[off + PAGE - 1])
            zero = 0;
    CHECK(zero, "every page reads as zero");
    for (size_t off = 0; off < len; off += PAGE)
        m[off] = (unsigned char)(off / PAGE), m[off + PAGE - 1] = 0x5a;
    ok = 1;
    for (size_t off = 0; off < len; off += PAGE)
        if (m[off] != (unsigned char)(off / PAGE) || m[off + PAGE - 1] != 0x5a)
            ok = 0;
    CHECK(ok, "touched every page (write then read back)");
    CHECK(munmap(m + 4 * MiB, 4 * MiB) == 0, "munmap a 4 MiB hole in the middle");
    CHECK(m[4 * MiB - PAGE] == (unsigned char)(1023) && m[8 * MiB] == (unsigned char)(2048),
          "pages on both sides of the hole survive");
    CHECK(munmap(m, len) == 0, "munmap the whole range (hole included)");
    CHECK(munmap(m, len) == 0, "munmap of an already unmapped range succeeds");

    /* ---- mremap ---- */
    unsigned char *r = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(r != MAP_FAILED, "mmap 2 pages for mremap");
    fill(r, 2 * PAGE, 3);
    unsigned char *r2 = mremap(r, 2 * PAGE, 8 * MiB, MREMAP_MAYMOVE);
    CHECK(r2 != MAP_FAILED, "mremap grow to 8 MiB (MREMAP_MAYMOVE)");
    if (r2 != MAP_FAILED) {
        CHECK(verify(r2, 2 * PAGE, 3), "mremap grow keeps the contents");
        CHECK(all_zero(r2 + 2 * PAGE, 8 * MiB - 2 * PAGE), "the grown part is zeroed");
        fill(r2, 8 * MiB, 4);
        unsigned char *r3 = mremap(r2, 8 * MiB, PAGE, 0);
        CHECK(r3 == r2, "mremap shrink to 1 page stays in place");
        CHECK(verify(r3, PAGE, 4), "mremap shrink keeps the first page");
        CHECK(munmap(r3, PAGE) == 0, "munmap the remapped page");
    }
    CHECK_ERR(mremap((void *)(PAGE + 1), PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL, "mremap unaligned address");

    /* ---- mprotect ---- */
    unsigned char *pp = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pp != MAP_FAILED, "mmap 4 pages for mprotect");
    fill(pp, 4 * PAGE, 9);
    CHECK(mprotect(pp, 4 * PAGE, PROT_READ) == 0, "mprotect RW -> R");
    CHECK(verify(pp, 4 * PAGE, 9), "reads work on the read-only pages");
    CHECK(mprotect(pp + PAGE, PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect one page back to RW");
    pp[PAGE] = 0xee;
    CHECK(pp[PAGE] == 0xee, "write to the RW page works");
    CHECK(mprotect(pp, 4 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect all back to RW");
    pp[0] = 0xaa, pp[4 * PAGE - 1] = 0xbb;
    CHECK(pp[0] == 0xaa && pp[4 * PAGE - 1] == 0xbb && pp[2 * PAGE] == pat(2 * PAGE, 9),
          "writes work after RW again; other bytes unchanged");
    CHECK(mprotect(pp, 4 * PAGE, PROT_NONE) == 0, "mprotect PROT_NONE");
    CHECK(mprotect(pp, 4 * PAGE, PROT_READ) == 0 && pp[2 * PAGE] == pat(2 * PAGE, 9),
          "PROT_NONE -> R keeps the contents");
    CHECK_ERR(mprotect(pp + 1, PAGE, PROT_READ), EINVAL, "mprotect on an unaligned address");
    CHECK_ERR(mprotect(pp, PAGE, 0x1000), EINVAL, "mprotect with bogus prot bits");
    CHECK(munmap(pp, 4 * PAGE) == 0, "munmap the mprotect pages");
    CHECK_ERR(mprotect(pp, PAGE, PROT_READ), ENOMEM, "mprotect on an unmapped page");

    /* ---- argument errors ---- */
    CHECK_ERR(munmap(pp, 0), EINVAL, "munmap with length 0");
    CHECK_ERR(munmap(pp + 1, PAGE), EINVAL, "munmap of an unaligned address");
    CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL,
              "mmap with length 0");
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED ? -1 : 0, EBADF,
              "mmap of fd -1 without MAP_ANONYMOUS");
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL,
              "mmap without MAP_PRIVATE or MAP_SHARED");
    CHECK_ERR(mmap((void *)(PAGE + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0,
              EINVAL, "mmap MAP_FIXED at an unaligned address");

    /* ---- MAP_FIXED over an existing mapping ---- */
    unsigned char *fx = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fx != MAP_FAILED, "mmap 3 pages");
    memset(fx, 0x11, 3 * PAGE);
    unsigned char *fx2 = mmap(fx + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(fx2 == fx + PAGE, "mmap MAP_FIXED over the middle page returns that address");
    CHECK(all_zero(fx + PAGE, PAGE), "the replaced page is fresh zeros");
    CHECK(fx[0] == 0x11 && fx[PAGE - 1] == 0x11 && fx[2 * PAGE] == 0x11 && fx[3 * PAGE - 1] == 0x11,
          "the neighbouring pages keep their contents");
    CHECK(munmap(fx, 3 * PAGE) == 0, "munmap the 3 pages");

    /* ---- file mapping (MAP_PRIVATE) ---- */
    char dir[256], path[512];
    make_tmpdir(dir, sizeof dir, "memory");
    path_in(path, sizeof path, dir, "data");
    int fd = openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "create a data file");
    static unsigned char fdata[3 * PAGE + 100];
    fill(fdata, sizeof fdata, 5);
    CHECK(write(fd, fdata, sizeof fdata) == (ssize_t)sizeof fdata, "write 3 pages + 100 bytes");
    unsigned char *fm = mmap(NULL, sizeof fdata, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (CHECK(fm != MAP_FAILED, "mmap the file MAP_PRIVATE")) {
        CHECK(verify(fm, sizeof fdata, 5), "the mapping shows the file content");
        CHECK(all_zero(fm + sizeof fdata, 4 * PAGE - sizeof fdata), "the tail of the last page is zero");
        fm[0] ^= 0xff;
        unsigned char first;
        CHECK(pread(fd, &first, 1, 0) == 1 && first == fdata[0], "writing the private mapping leaves the file alone");
        CHECK(munmap(fm, sizeof fdata) == 0, "munmap the file mapping");
    }
    unsigned char *fo = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    if (CHECK(fo != MAP_FAILED, "mmap the file at offset 2 pages")) {
        CHECK(memcmp(fo, fdata + 2 * PAGE, PAGE) == 0, "the offset mapping shows the third page");
        munmap(fo, PAGE);
    }
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1 : 0, EINVAL,
              "mmap the file at an unaligned offset");
    close(fd);
    CHECK(x_unlink(path) == 0 && x_rmdir(dir) == 0, "cleaned up the temp dir");
    return finish();
}
