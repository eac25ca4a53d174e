/* fileio.c - open/read/write/lseek/pread/pwrite/readv/writev, open flags, dup and fcntl,
 * rename, unlink and rmdir, all inside a fresh directory under /tmp. */
#include "common.h"
#include <sys/uio.h>

static char dir[256];

static const char *P(const char *name)
{
    static char bufs[4][512];
    static int i;
    i = (i + 1) % 4;
    return path_in(bufs[i], sizeof bufs[i], dir, name);
}

static off_t cur(int fd) { return lseek(fd, 0, SEEK_CUR); }

/* read exactly n bytes at the current offset into buf; returns the read() result */
static ssize_t rd(int fd, void *buf, size_t n) { return read(fd, buf, n); }

int main(void)
{
    char buf[256];
    make_tmpdir(dir, sizeof dir, "fileio");
    out("created a temp dir under /tmp\n");

    /* ---- create, write, lseek, read ---- */
    int fd = openat(AT_FDCWD, P("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0644);
    if (!CHECK(fd >= 0, "openat(O_RDWR|O_CREAT|O_EXCL) creates a.txt"))
        fatal("create a.txt");
    CHECK(write(fd, "hello world", 11) == 11, "write 11 bytes");
    CHECK(cur(fd) == 11, "offset is 11 after the write");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek(0, SEEK_SET) == 0");
    memset(buf, 0, sizeof buf);
    CHECK(rd(fd, buf, sizeof buf) == 11 && memcmp(buf, "hello world", 11) == 0,
          "read returns the 11 bytes written");
    CHECK(rd(fd, buf, sizeof buf) == 0, "read at EOF returns 0");
    CHECK(lseek(fd, -5, SEEK_CUR) == 6, "lseek(-5, SEEK_CUR) == 6");
    CHECK(rd(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "read after SEEK_CUR gives \"world\"");
    CHECK(lseek(fd, -11, SEEK_END) == 0, "lseek(-11, SEEK_END) == 0");
    CHECK(lseek(fd, 0, SEEK_END) == 11, "lseek(0, SEEK_END) == 11 (file size)");
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL, "lseek(-1, SEEK_SET)");

    /* ---- hole ---- */
    CHECK(lseek(fd, 100, SEEK_SET) == 100, "lseek beyond EOF to 100");
    CHECK(write(fd, "END", 3) == 3, "write 3 bytes at 100");
    CHECK(lseek(fd, 0, SEEK_END) == 103, "file size is 103 after writing past EOF");
    CHECK(lseek(fd, 11, SEEK_SET) == 11, "seek back to the hole");
    memset(buf, 'x', sizeof buf);
    int zeros = rd(fd, buf, 89) == 89;
    for (int i = 0; i < 89; i++)
        if (buf[i] != 0)
            zeros = 0;
    CHECK(zeros, "the hole (11..99) reads back as zeros");
    CHECK(rd(fd, buf, 10) == 3 && memcmp(buf, "END", 3) == 0, "data after the hole is intact");

    /* ---- pread / pwrite leave the offset alone ---- */
    CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek to 2");
    CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0, "pread(5 @ 6) gives \"world\"");
    CHECK(cur(fd) == 2, "offset still 2 after pread");
    CHECK(pwrite(fd, "WORLD", 5, 6) == 5, "pwrite(5 @ 6)");
    CHECK(cur(fd) == 2, "offset still 2 after pwrite");
    CHECK(pread(fd, buf, 11, 0) == 11 && memcmp(buf, "hello WORLD", 11) == 0,
          "pread shows the pwrite");
    CHECK(pread(fd, buf, 10, 103) == 0, "pread at EOF returns 0");
    CHECK(pread(fd, buf, 10, 200) == 0, "pread beyond EOF returns 0");
    CHECK_ERR(pread(fd, buf, 1, -1), EINVAL, "pread at offset -1");

    /* ---- readv / writev ---- */
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0 for writev");
    struct iovec wv[3] = {{"one,", 4}, {"", 0}, {"two,three", 9}};
    CHECK(writev(fd, wv, 3) == 13, "writev of 3 iovecs (one empty) writes 13 bytes");
    CHECK(cur(fd) == 13, "offset 13 after writev");
    char a[3], b[5], c[5];
    struct iovec rv[3] = {{a, 3}, {b, 5}, {c, 5}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0 for readv");
    CHECK(readv(fd, rv, 3) == 13, "readv of 3 iovecs reads 13 bytes");
    CHECK(memcmp(a, "one", 3) == 0 && memcmp(b, ",two,", 5) == 0 && memcmp(c, "three", 5) == 0,
          "readv scattered the bytes in order");
    CHECK(close(fd) == 0, "close a.txt");

    /* ---- O_EXCL, O_TRUNC, O_APPEND ---- */
    CHECK_ERR(openat(AT_FDCWD, P("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
              "open existing with O_CREAT|O_EXCL");
    fd = openat(AT_FDCWD, P("a.txt"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0, "open O_WRONLY|O_APPEND");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0 on the O_APPEND fd");
    CHECK(write(fd, "+app", 4) == 4, "write with O_APPEND");
    CHECK(cur(fd) == 107, "O_APPEND write went to the end (offset 107)");
    close(fd);
    fd = openat(AT_FDCWD, P("a.txt"), O_RDWR | O_TRUNC);
    CHECK(fd >= 0, "open O_RDWR|O_TRUNC");
    CHECK(lseek(fd, 0, SEEK_END) == 0, "O_TRUNC emptied the file");
    CHECK(write(fd, "abcdefgh", 8) == 8, "write 8 bytes after truncation");

    /* ---- dup shares the file offset ---- */
    int d = dup(fd);
    CHECK(d >= 0 && d != fd, "dup returns a new fd");
    CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek(fd, 2)");
    CHECK(cur(d) == 2, "the dup sees offset 2");
    CHECK(rd(d, buf, 3) == 3 && memcmp(buf, "cde", 3) == 0, "read 3 via the dup");
    CHECK(cur(fd) == 5, "the original sees offset 5");
    CHECK(dup2(fd, d) == d, "dup2 onto the open dup returns the target fd");
    CHECK(cur(d) == 5, "dup2'd fd shares the offset");
    int hi = fcntl(fd, F_DUPFD, 50);
    CHECK(hi >= 50, "fcntl(F_DUPFD, 50) returns an fd >= 50");
    CHECK(fcntl(hi, F_GETFD) == 0, "F_DUPFD result has FD_CLOEXEC clear");
    close(hi);
    hi = fcntl(fd, F_DUPFD_CLOEXEC, 60);
    CHECK(hi >= 60, "fcntl(F_DUPFD_CLOEXEC, 60) returns an fd >= 60");
    CHECK(fcntl(hi, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC result has FD_CLOEXEC");
    close(hi);

    /* ---- fcntl flags ---- */
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_ACCMODE) == O_RDWR, "F_GETFL reports O_RDWR");
    CHECK(!(fl & O_APPEND), "F_GETFL: O_APPEND clear");
    CHECK(fcntl(fd, F_SETFL, fl | O_APPEND) == 0, "F_SETFL O_APPEND");
    CHECK(fcntl(fd, F_GETFL) & O_APPEND, "F_GETFL now reports O_APPEND");
    CHECK(fcntl(d, F_GETFL) & O_APPEND, "the dup shares the O_APPEND status flag");
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "Z", 1) == 1 && cur(fd) == 9,
          "write after F_SETFL O_APPEND goes to the end");
    CHECK(fcntl(fd, F_SETFL, fl) == 0 && !(fcntl(fd, F_GETFL) & O_APPEND), "F_SETFL clears O_APPEND");
    CHECK(pread(fd, buf, 9, 0) == 9 && memcmp(buf, "abcdefghZ", 9) == 0, "content is abcdefghZ");

    /* ---- FD_CLOEXEC ---- */
    CHECK(fcntl(fd, F_GETFD) == 0, "F_GETFD: FD_CLOEXEC clear on a fresh fd");
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD FD_CLOEXEC");
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_GETFD: FD_CLOEXEC set");
    CHECK(fcntl(d, F_GETFD) == 0, "FD_CLOEXEC is per-descriptor (the dup's is clear)");
    CHECK(fcntl(fd, F_SETFD, 0) == 0 && fcntl(fd, F_GETFD) == 0, "F_SETFD 0 clears it");
    int d3 = dup3(fd, 40, O_CLOEXEC);
    CHECK(d3 == 40, "dup3(fd, 40, O_CLOEXEC) returns 40");
    CHECK(fcntl(40, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC sets FD_CLOEXEC");
    CHECK_ERR(dup3(fd, fd, 0), EINVAL, "dup3(fd, fd, 0)");
    int oc = openat(AT_FDCWD, P("a.txt"), O_RDONLY | O_CLOEXEC);
    CHECK(oc >= 0 && fcntl(oc, F_GETFD) == FD_CLOEXEC, "open O_CLOEXEC sets FD_CLOEXEC");
    close(oc);
    close(40);
    close(d);
    CHECK(close(fd) == 0, "close");
    CHECK_ERR(close(fd), EBADF, "close twice");

    /* ---- lowest free fd is reused ---- */
    int f1 = openat(AT_FDCWD, P("a.txt"), O_RDONLY);
    int f2 = openat(AT_FDCWD, P("a.txt"), O_RDONLY);
    close(f1);
    int f3 = openat(AT_FDCWD, P("a.txt"), O_RDONLY);
    CHECK(f1 >= 0 && f2 == f1 + 1 && f3 == f1, "open reuses the lowest free fd");
    close(f2);
    close(f3);

    /* ---- bigger write/read round trip (crosses page boundaries) ---- */
    static unsigned char big[300000], back[300000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + (i >> 9));
    fd = openat(AT_FDCWD, P("big.bin"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, big, sizeof big) == (ssize_t)sizeof big, "write 300000 bytes");
    size_t got = 0;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        ssize_t n = read(fd, back + got, 65536 < sizeof back - got ? 65536 : sizeof back - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    CHECK(got == sizeof big && memcmp(big, back, sizeof big) == 0, "read 300000 bytes back in 64 KiB chunks");
    close(fd);

    /* ---- rename, unlink, rmdir ---- */
    CHECK(x_rename(P("a.txt"), P("b.txt")) == 0, "renameat2(a.txt -> b.txt, 0)");
    CHECK_ERR(openat(AT_FDCWD, P("a.txt"), O_RDONLY), ENOENT, "open the old name");
    fd = openat(AT_FDCWD, P("b.txt"), O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 9) == 9 && memcmp(buf, "abcdefghZ", 9) == 0,
          "the new name has the content");
    close(fd);
    CHECK(write_file(P("c.txt"), "ccc", 0644) == 0, "create c.txt");
    CHECK(x_rename(P("c.txt"), P("b.txt")) == 0, "rename over an existing file replaces it");
    fd = openat(AT_FDCWD, P("b.txt"), O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 10) == 3 && memcmp(buf, "ccc", 3) == 0, "b.txt now has c's content");
    close(fd);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, P("big.bin"), AT_FDCWD, P("b.txt"), 1 /* RENAME_NOREPLACE */),
              EEXIST, "renameat2(RENAME_NOREPLACE) onto an existing file");
    CHECK(x_mkdir(P("sub"), 0755) == 0, "mkdirat sub");
    CHECK(x_rename(P("b.txt"), P("sub/b.txt")) == 0, "rename into a subdirectory");
    CHECK(x_access(P("sub/b.txt"), F_OK) == 0, "the file is in the subdirectory");
    CHECK(x_rename(P("sub"), P("sub2")) == 0, "rename a directory");
    CHECK(x_unlink(P("sub2/b.txt")) == 0, "unlink sub2/b.txt");
    CHECK_ERR(x_unlink(P("sub2/b.txt")), ENOENT, "unlink it again");
    CHECK(x_rmdir(P("sub2")) == 0, "rmdir sub2");
    CHECK(x_unlink(P("big.bin")) == 0, "unlink big.bin");
    CHECK(x_rmdir(dir) == 0, "rmdir the temp dir");
    CHECK_ERR(x_access(dir, F_OK), ENOENT, "the temp dir is gone");
    return finish();
}
