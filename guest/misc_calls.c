/* misc_calls.c - the small calls: sethostname's checks, sync/syncfs, fadvise64, readahead,
 * sync_file_range, mincore and preadv2/pwritev2.
 *
 * sethostname needs CAP_SYS_ADMIN (EPERM) and at most 64 bytes (EINVAL; never called with a
 * valid name here: natively that would rename the machine); fadvise64 is ESPIPE on a pipe and
 * EINVAL for unknown advice; mincore reports touched pages of a mapping as resident, refuses an
 * unaligned address (EINVAL) and unmapped memory (ENOMEM); preadv2 with offset -1 reads at the
 * file position and advances it. */
#define _GNU_SOURCE
#include "common.h"
#include <sys/mman.h>
#include <sys/uio.h>

int main(void)
{
    static char name[65] = "x";
    CHECK_ERR(sethostname(name, 65), geteuid() == 0 ? EINVAL : EPERM, "sethostname of 65 bytes (EINVAL as root, EPERM otherwise)");
    CHECK_ERR(syscall(SYS_setdomainname, "x", -1), geteuid() == 0 ? EINVAL : EPERM, "setdomainname with a negative length");
    sync();
    CHECK(syncfs(1) == 0, "sync and syncfs");
    CHECK_ERR(syncfs(-1), EBADF, "syncfs of a bad fd");
    char dir[256], f[300];
    make_tmpdir(dir, sizeof dir, "misc");
    path_in(f, sizeof f, dir, "f");
    int fd = openat(AT_FDCWD, f, O_RDWR | O_CREAT, 0600);
    CHECK(write(fd, "0123456789", 10) == 10, "a file");
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "fadvise SEQUENTIAL");
    CHECK(posix_fadvise(fd, 0, 0, 99) == EINVAL, "fadvise with unknown advice: EINVAL");
    int p[2];
    pipe(p);
    CHECK(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL) == ESPIPE, "fadvise on a pipe: ESPIPE");
    CHECK(readahead(fd, 0, 4096) == 0, "readahead on a file");
    CHECK_ERR(readahead(p[0], 0, 10), EINVAL, "readahead on a pipe");
    CHECK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0, "sync_file_range");
    CHECK_ERR(sync_file_range(fd, 0, 0, 0x80), EINVAL, "sync_file_range with an unknown flag");

    char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    m[2 * 4096] = 1;
    unsigned char vec[4];
    CHECK(mincore(m, 4 * 4096, vec) == 0 && (vec[0] & 1) && !(vec[1] & 1) && (vec[2] & 1) && !(vec[3] & 1),
          "mincore: the touched pages are resident, the others not");
    CHECK_ERR(mincore(m + 1, 4096, vec), EINVAL, "mincore of an unaligned address");
    munmap(m + 3 * 4096, 4096);
    CHECK_ERR(mincore(m, 4 * 4096, vec), ENOMEM, "mincore over an unmapped page");

    char a[4], b[4];
    struct iovec iov[2] = { { a, 4 }, { b, 4 } };
    lseek(fd, 1, SEEK_SET);
    CHECK(preadv2(fd, iov, 2, -1, 0) == 8 && memcmp(a, "1234", 4) == 0 && lseek(fd, 0, SEEK_CUR) == 9, "preadv2 at offset -1 uses and moves the position");
    CHECK(preadv2(fd, iov, 1, 0, RWF_HIPRI) == 4 && memcmp(a, "0123", 4) == 0, "preadv2 at 0 with RWF_HIPRI");
    struct iovec w = { "ab", 2 };
    CHECK(pwritev2(fd, &w, 1, 8, 0) == 2 && pread(fd, a, 2, 8) == 2 && memcmp(a, "ab", 2) == 0, "pwritev2 at an offset");
    CHECK_ERR(preadv2(fd, iov, 1, 0, 0x10000), EOPNOTSUPP, "preadv2 with an unknown flag");
    close(fd);
    x_unlink(f);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
