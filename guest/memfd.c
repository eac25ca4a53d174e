/* memfd.c - memfd_create with seals, and fallocate.
 *
 * A memfd reads back what was written, grows with ftruncate and fallocate, is named
 * "/memfd:NAME (deleted)" in /proc/self/fd, honours MFD_CLOEXEC; with MFD_ALLOW_SEALING,
 * F_SEAL_WRITE makes writes EPERM and F_SEAL_SHRINK makes shrinking EPERM; without it the
 * only seal is F_SEAL_SEAL. fallocate extends a file (or keeps its size with
 * FALLOC_FL_KEEP_SIZE), and refuses pipes (ESPIPE), bad ranges (EINVAL) and unknown modes. */
#define _GNU_SOURCE
#include "common.h"
#include <sys/mman.h>

int main(void)
{
    int fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "memfd_create with MFD_CLOEXEC");
    char buf[64];
    CHECK(write(fd, "hello memfd", 11) == 11 && pread(fd, buf, 64, 0) == 11 && memcmp(buf, "hello memfd", 11) == 0, "write and read back");
    struct stat st;
    CHECK(ftruncate(fd, 4096) == 0 && fstat(fd, &st) == 0 && st.st_size == 4096 && S_ISREG(st.st_mode), "ftruncate grows it");
    char link[128], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = x_readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(strcmp(link, "/memfd:test (deleted)") == 0, "/proc/self/fd names it /memfd:test (deleted)");
    CHECK(fcntl(fd, F_GET_SEALS) == 0, "no seals yet");
    CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0, "F_SEAL_SHRINK");
    CHECK_ERR(ftruncate(fd, 10), EPERM, "shrinking after F_SEAL_SHRINK");
    CHECK(ftruncate(fd, 8192) == 0, "growing is still allowed");
    CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0 && fcntl(fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_WRITE), "F_SEAL_WRITE; F_GET_SEALS reports both");
    CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM, "writing after F_SEAL_WRITE");
    CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL) == 0, "F_SEAL_SEAL");
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM, "no more seals after F_SEAL_SEAL");
    close(fd);

    int plain = memfd_create("plain", 0);
    CHECK(plain >= 0 && fcntl(plain, F_GETFD) == 0, "memfd_create without flags");
    CHECK(fcntl(plain, F_GET_SEALS) == F_SEAL_SEAL, "without MFD_ALLOW_SEALING it is sealed against seals");
    CHECK_ERR(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EPERM, "so F_ADD_SEALS is EPERM");
    CHECK(fallocate(plain, 0, 0, 100000) == 0 && fstat(plain, &st) == 0 && st.st_size == 100000, "fallocate extends the size");
    CHECK(fallocate(plain, FALLOC_FL_KEEP_SIZE, 0, 200000) == 0 && fstat(plain, &st) == 0 && st.st_size == 100000, "FALLOC_FL_KEEP_SIZE keeps it");
    CHECK_ERR(fallocate(plain, 0, -1, 10), EINVAL, "a negative offset");
    CHECK_ERR(fallocate(plain, 0, 0, 0), EINVAL, "a zero length");
    CHECK_ERR(fallocate(plain, 0x1000, 0, 10), EOPNOTSUPP, "an unknown mode");
    int p[2];
    pipe(p);
    CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE, "fallocate on a pipe");
    close(plain);
    char big[300];
    memset(big, 'n', 260);
    big[260] = 0;
    CHECK_ERR(memfd_create(big, 0), EINVAL, "a name over 249 bytes");
    CHECK_ERR(memfd_create("x", 0x100), EINVAL, "an unknown flag");
    return finish();
}
