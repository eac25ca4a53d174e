/* pipes.c - pipe and pipe2: EFAULT, EMFILE (no fd leaked), wrong end -> EBADF, no readers ->
 * EPIPE, EOF after the last writer, capacity 65536 and EAGAIN, PIPE_BUF atomicity and partial
 * writes, F_GETPIPE_SZ/F_SETPIPE_SZ (rounding, EBUSY), ESPIPE, FIONREAD, pipe2 flags,
 * O_DIRECT packet mode, fstat S_ISFIFO. Single process: empty pipes are only read nonblocking.
 * Every expected value was checked against native Linux. */
#include "common.h"
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#define FDS 64 /* RLIMIT_NOFILE used for the EMFILE checks */

static char big[70000];
static char sink[140000];

static void make_pipe(int p[2], int flags)
{
    if (pipe2(p, flags) != 0)
        fatal("pipe2");
}

static void close_pipe(int p[2])
{
    close(p[0]);
    close(p[1]);
}

/* write chunk-byte pieces until EAGAIN; returns the total written (-1 if another error) */
static long fill(int fd, size_t chunk)
{
    long total = 0;
    for (;;) {
        ssize_t n = write(fd, big, chunk);
        if (n < 0)
            return errno == EAGAIN ? total : -1;
        total += n;
    }
}

/* read everything queued (the fd must be nonblocking) */
static long drain(int fd)
{
    long total = 0;
    ssize_t n;
    while ((n = read(fd, sink, sizeof sink)) > 0)
        total += n;
    return total;
}

int main(void)
{
    char buf[256];
    int p[2];
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 13 + 1);

    /* ---- basics ---- */
    int before = count_fds(FDS);
    CHECK(pipe(p) == 0 && p[0] >= 3 && p[1] >= 3 && p[0] != p[1], "pipe() -> two new fds");
    CHECK(write(p[1], "hello", 5) == 5, "write 5 bytes to the write end");
    CHECK(inq(p[0]) == 5, "FIONREAD on the read end == 5");
    memset(buf, 0, sizeof buf);
    CHECK(read(p[0], buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "read them back");
    CHECK(inq(p[0]) == 0, "FIONREAD == 0");
    CHECK(write(p[1], "ab", 2) == 2 && write(p[1], "cd", 2) == 2, "two writes of 2");
    CHECK(read(p[0], buf, 3) == 3 && read(p[0], buf, 3) == 1, "read 3 -> 3, then 1 (a byte stream)");
    struct stat st;
    CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat(read end): S_ISFIFO");
    CHECK(fstat(p[1], &st) == 0 && S_ISFIFO(st.st_mode), "fstat(write end): S_ISFIFO");
    CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY, "read end is O_RDONLY");
    CHECK((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY, "write end is O_WRONLY");
    CHECK(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0, "no FD_CLOEXEC");
    CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK) && !(fcntl(p[1], F_GETFL) & O_NONBLOCK), "no O_NONBLOCK");

    /* ---- wrong end, ESPIPE ---- */
    CHECK_ERR(write(p[0], "x", 1), EBADF, "write to the read end");
    CHECK_ERR(read(p[1], buf, 1), EBADF, "read from the write end");
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek(read end)");
    CHECK_ERR(lseek(p[1], 0, SEEK_CUR), ESPIPE, "lseek(write end, SEEK_CUR)");
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE, "pread");
    CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE, "pwrite");

    /* ---- writers all closed ---- */
    int w2 = dup(p[1]);
    CHECK(w2 >= 0, "dup the write end");
    CHECK(write(p[1], "xyz", 3) == 3, "write 3 bytes");
    CHECK(close(p[1]) == 0, "close the original write end");
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0, "make the read end nonblocking");
    CHECK(read(p[0], buf, 2) == 2 && read(p[0], buf, 2) == 1, "read the 3 bytes (2 + 1)");
    CHECK_ERR(read(p[0], buf, 2), EAGAIN, "the dup still writes: empty read");
    CHECK(write(w2, "last", 4) == 4, "write 4 bytes through the dup");
    CHECK(close(w2) == 0, "close the last writer");
    CHECK(read(p[0], buf, sizeof buf) == 4 && memcmp(buf, "last", 4) == 0, "the remaining data is still read");
    CHECK(read(p[0], buf, sizeof buf) == 0, "then 0 (EOF)");
    CHECK(fcntl(p[0], F_SETFL, 0) == 0 && read(p[0], buf, sizeof buf) == 0,
          "blocking read with no writers -> 0 at once");
    close(p[0]);

    /* ---- no readers ---- */
    CHECK(pipe(p) == 0, "pipe()");
    CHECK(write(p[1], "data", 4) == 4, "write 4 bytes");
    CHECK(close(p[0]) == 0, "close the read end");
    CHECK_ERR(write(p[1], "x", 1), EPIPE, "write with no readers (SIGPIPE ignored)");
    CHECK(write(p[1], big, 0) == 0, "but a zero-length write -> 0 (no EPIPE)");
    close(p[1]);

    /* ---- pipe errors ---- */
    int *volatile badp = (int *)1;
    CHECK_ERR(pipe(badp), EFAULT, "pipe((int*)1)");
    CHECK_ERR(pipe2(badp, O_CLOEXEC), EFAULT, "pipe2((int*)1, O_CLOEXEC)");
    /* Linux makes no fd here; qemu-user leaks the pipe when it cannot store the fds, so
     * this is not a check: close whatever appeared so the fd counts below stay right. */
    for (int fd = 3; fd < FDS; fd++)
        if (count_fds(FDS) > before && fd_open(fd))
            close(fd);
    CHECK_ERR(pipe2(p, O_WRONLY), EINVAL, "pipe2(O_WRONLY)");
    CHECK_ERR(pipe2(p, O_RDWR), EINVAL, "pipe2(O_RDWR)");
    CHECK_ERR(pipe2(p, O_APPEND), EINVAL, "pipe2(O_APPEND)");
    CHECK_ERR(pipe2(p, O_CLOEXEC | O_SYNC), EINVAL, "pipe2(O_CLOEXEC | O_SYNC)");
    CHECK(count_fds(FDS) == before, "no fd leaked by the failed pipe2 calls");

    /* ---- EMFILE ---- */
    struct rlimit old_rl, rl;
    if (getrlimit(RLIMIT_NOFILE, &old_rl) != 0)
        fatal("getrlimit");
    rl = old_rl;
    rl.rlim_cur = FDS;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit(RLIMIT_NOFILE, %d)", FDS);
    int made[FDS], nmade = 0, q[2], r;
    while ((r = pipe(q)) == 0 && nmade < FDS) {
        made[nmade++] = q[0];
        made[nmade++] = q[1];
    }
    CHECK(r == -1 && errno == EMFILE, "pipe() until it fails -> EMFILE");
    int open_now = count_fds(FDS);
    CHECK(open_now == FDS || open_now == FDS - 1, "it failed with at most one free fd left");
    if (open_now == FDS - 1) {
        int d = dup(0 + made[0]);
        if (d >= 0)
            made[nmade++] = d;
    }
    CHECK(count_fds(FDS) == FDS, "the table is now full (%d fds)", FDS);
    CHECK_ERR(pipe(q), EMFILE, "pipe with no free fd");
    CHECK_ERR(pipe2(q, O_CLOEXEC), EMFILE, "pipe2 with no free fd");
    CHECK_ERR(dup(made[0]), EMFILE, "dup with no free fd");
    CHECK(count_fds(FDS) == FDS, "still %d fds open: the failures made none", FDS);
    CHECK(close(made[--nmade]) == 0, "close one fd: exactly one free");
    CHECK_ERR(pipe(q), EMFILE, "pipe with one free fd (it needs two)");
    CHECK(count_fds(FDS) == FDS - 1, "no fd leaked: the one free fd is still free");
    int d1 = dup(made[0]);
    CHECK(d1 >= 0, "dup fills it");
    close(d1);
    for (int i = 0; i < nmade; i++)
        close(made[i]);
    CHECK(setrlimit(RLIMIT_NOFILE, &old_rl) == 0, "restore RLIMIT_NOFILE");
    CHECK(count_fds(FDS) == before, "every fd made for the EMFILE checks is closed");

    /* ---- capacity ---- */
    make_pipe(p, O_NONBLOCK);
    CHECK(fcntl(p[0], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ (read end) -> 65536");
    CHECK(fcntl(p[1], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ (write end) -> 65536");
    CHECK(fill(p[1], 4096) == 65536, "4096-byte writes fill it with exactly 65536 bytes");
    CHECK(inq(p[0]) == 65536, "FIONREAD 65536");
    CHECK_ERR(write(p[1], "x", 1), EAGAIN, "a 1-byte write to the full pipe");
    CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY, "F_SETPIPE_SZ 4096 with 65536 bytes queued");
    CHECK(fcntl(p[0], F_GETPIPE_SZ) == 65536, "the size is unchanged");
    CHECK(drain(p[0]) == 65536, "read back 65536 bytes");
    CHECK(fill(p[1], 512) == 65536, "512-byte writes: 65536 too");
    CHECK(read(p[0], sink, 4096) == 4096, "read 4096");
    CHECK(write(p[1], big, 5000) == 4096, "a 5000-byte write (> PIPE_BUF) with 4096 free -> 4096 (partial)");
    CHECK_ERR(write(p[1], big, 5000), EAGAIN, "the next one");
    /* Linux frees pipe space a page at a time: reading 1 byte of a full pipe frees nothing */
    CHECK(read(p[0], sink, 1) == 1, "read 1 byte");
    CHECK_ERR(write(p[1], "x", 1), EAGAIN, "a 1-byte write (no page free yet)");
    CHECK(drain(p[0]) == 65535, "drain the other 65535");
    CHECK(write(p[1], big, 65537) == 65536, "a 65537-byte write into the empty pipe -> 65536");
    CHECK(drain(p[0]) == 65536, "drain");

    /* ---- PIPE_BUF atomicity ---- */
    CHECK(PIPE_BUF == 4096, "PIPE_BUF == 4096");
    CHECK(write(p[1], big, 65536 - 4095) == 65536 - 4095, "write 61441 bytes: 4095 free");
    CHECK_ERR(write(p[1], big, 4096), EAGAIN, "a 4096-byte write (<= PIPE_BUF, atomic) with 4095 free");
    CHECK(inq(p[0]) == 61441, "nothing of it was written");
    CHECK(write(p[1], big, 4095) == 4095, "a 4095-byte write fits exactly");
    CHECK_ERR(write(p[1], "x", 1), EAGAIN, "then full");
    CHECK(drain(p[0]) == 65536 && memcmp(sink, big, 61441) == 0 && memcmp(sink + 61441, big, 4095) == 0,
          "the data reads back in order");

    /* ---- F_SETPIPE_SZ ---- */
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 4096) == 4096, "F_SETPIPE_SZ 4096 -> 4096");
    CHECK(fcntl(p[1], F_GETPIPE_SZ) == 4096, "F_GETPIPE_SZ on the other end -> 4096");
    CHECK(fill(p[1], 1024) == 4096, "now it holds 4096 bytes");
    CHECK(fcntl(p[1], F_SETPIPE_SZ, 8192) == 8192, "F_SETPIPE_SZ 8192 with 4096 queued -> 8192");
    CHECK(write(p[1], big, 4096) == 4096, "room for 4096 more");
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY, "F_SETPIPE_SZ 4096 with 8192 queued");
    CHECK(drain(p[0]) == 8192, "drain 8192");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 100000) == 131072, "F_SETPIPE_SZ 100000 -> 131072 (a power of two of pages)");
    CHECK(fcntl(p[0], F_GETPIPE_SZ) == 131072, "F_GETPIPE_SZ -> 131072");
    CHECK(fill(p[1], 4096) == 131072, "it holds 131072 bytes");
    CHECK(drain(p[0]) == 131072, "drain");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 5000) == 8192, "F_SETPIPE_SZ 5000 -> 8192");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 12288) == 16384, "F_SETPIPE_SZ 12288 -> 16384");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 1) == 4096, "F_SETPIPE_SZ 1 -> 4096");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 0) == 4096, "F_SETPIPE_SZ 0 -> 4096");
    CHECK(fcntl(p[0], F_SETPIPE_SZ, 65536) == 65536, "F_SETPIPE_SZ 65536 -> 65536");
    CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, -1), EINVAL, "F_SETPIPE_SZ -1");
    close_pipe(p);
    int file = openat(AT_FDCWD, "/dev/null", O_RDWR);
    CHECK_ERR(fcntl(file, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ on /dev/null");
    CHECK_ERR(fcntl(file, F_SETPIPE_SZ, 4096), EBADF, "F_SETPIPE_SZ on /dev/null");
    close(file);

    /* ---- pipe2 flags ---- */
    make_pipe(p, O_CLOEXEC);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "pipe2(O_CLOEXEC): both FD_CLOEXEC");
    CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK) && !(fcntl(p[1], F_GETFL) & O_NONBLOCK), "and neither O_NONBLOCK");
    close_pipe(p);
    make_pipe(p, O_NONBLOCK);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK), "pipe2(O_NONBLOCK): both O_NONBLOCK");
    CHECK(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0, "and neither FD_CLOEXEC");
    CHECK_ERR(read(p[0], buf, 1), EAGAIN, "read on the empty pipe");
    close_pipe(p);
    make_pipe(p, O_NONBLOCK | O_CLOEXEC);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && (fcntl(p[1], F_GETFL) & O_NONBLOCK), "pipe2(O_NONBLOCK | O_CLOEXEC): both");
    close_pipe(p);
    make_pipe(p, 0);
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK), "F_SETFL O_NONBLOCK on a pipe");
    CHECK_ERR(read(p[0], buf, 1), EAGAIN, "then read on the empty pipe");
    close_pipe(p);

    /* ---- O_DIRECT: packet mode ---- */
    make_pipe(p, O_DIRECT | O_NONBLOCK);
    CHECK(fcntl(p[1], F_GETFL) & O_DIRECT, "pipe2(O_DIRECT): the write end has O_DIRECT");
    CHECK(!(fcntl(p[0], F_GETFL) & O_DIRECT), "the read end does not show O_DIRECT");
    CHECK(write(p[1], big, 10) == 10 && write(p[1], big, 20) == 20, "write 10, then 20 bytes");
    CHECK(read(p[0], buf, 100) == 10, "read(100) -> 10 (one packet)");
    CHECK(read(p[0], buf, 100) == 20, "read(100) -> 20");
    CHECK(write(p[1], big, 5000) == 5000, "write 5000 bytes: packets of 4096 and 904");
    CHECK(inq(p[0]) == 5000, "FIONREAD 5000");
    CHECK(read(p[0], buf, 100) == 100, "read(100) -> 100 of the first packet");
    CHECK(inq(p[0]) == 904, "the rest of that packet is discarded (FIONREAD 904)");
    CHECK(read(p[0], sink, 10000) == 904, "read -> the 904-byte packet");
    CHECK_ERR(read(p[0], buf, 1), EAGAIN, "then empty");
    CHECK(fill(p[1], 1) == 16, "1-byte packets: 16 fit (one per page slot)");
    CHECK(read(p[0], buf, 100) == 1, "read(100) -> 1");
    close_pipe(p);

    CHECK(count_fds(FDS) == before, "every fd made here is closed again");
    return finish();
}
