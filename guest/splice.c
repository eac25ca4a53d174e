/* splice.c - moving data without user buffers: sendfile, copy_file_range, splice, tee, vmsplice.
 *
 * sendfile copies from a file (at *offset, which it advances, leaving the file offset alone;
 * or at the file offset) into a socket; copy_file_range between files at explicit offsets and
 * rejects overlapping ranges of one file; splice moves file -> pipe -> file and pipe -> socket,
 * refuses offsets on pipes (ESPIPE) and calls without a pipe (EINVAL), and reads EOF from a
 * pipe with no writer; tee duplicates a pipe's bytes into another without consuming them;
 * vmsplice writes user memory into a pipe. */
#define _GNU_SOURCE
#include "common.h"
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

static char data[100000];

int main(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    char dir[256], a[300], b[300];
    make_tmpdir(dir, sizeof dir, "splice");
    path_in(a, sizeof a, dir, "a");
    path_in(b, sizeof b, dir, "b");
    int fa = openat(AT_FDCWD, a, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fa >= 0 && write(fa, data, sizeof data) == (ssize_t)sizeof data, "a 100000-byte file");

    int s[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0, "a socketpair");
    off_t off = 10;
    CHECK(sendfile(s[0], fa, &off, 1000) == 1000 && off == 1010, "sendfile 1000 bytes at *offset 10 advances *offset");
    CHECK(lseek(fa, 0, SEEK_CUR) == (off_t)sizeof data, "... and leaves the file offset alone");
    static char got[200000];
    CHECK(recv(s[1], got, sizeof got, 0) == 1000 && memcmp(got, data + 10, 1000) == 0, "the socket got the right bytes");
    lseek(fa, 99990, SEEK_SET);
    CHECK(sendfile(s[0], fa, NULL, 1000) == 10 && lseek(fa, 0, SEEK_CUR) == 100000, "sendfile without offset: from the file offset, stops at EOF");
    recv(s[1], got, sizeof got, 0);
    CHECK_ERR(sendfile(fa, s[1], NULL, 10), EINVAL, "sendfile from a socket");

    int fb = openat(AT_FDCWD, b, O_RDWR | O_CREAT | O_TRUNC, 0600);
    off_t oi = 100, oo = 5;
    CHECK(copy_file_range(fa, &oi, fb, &oo, 50000, 0) == 50000 && oi == 50100 && oo == 50005, "copy_file_range with offsets");
    CHECK(pread(fb, got, 50000, 5) == 50000 && memcmp(got, data + 100, 50000) == 0, "the copy is exact");
    off_t x = 0, y = 10;
    CHECK_ERR(copy_file_range(fa, &x, fa, &y, 100, 0), EINVAL, "copy_file_range of overlapping ranges of one file");
    CHECK_ERR(copy_file_range(fa, NULL, fb, NULL, 10, 1), EINVAL, "copy_file_range with flags");

    int p[2];
    CHECK(pipe(p) == 0, "a pipe");
    off_t so = 0;
    CHECK(splice(fa, &so, p[1], NULL, 4096, 0) == 4096 && so == 4096, "splice file -> pipe");
    off_t bo = 0;
    CHECK(splice(p[0], NULL, fb, &bo, 4096, 0) == 4096 && bo == 4096, "splice pipe -> file");
    CHECK(pread(fb, got, 4096, 0) == 4096 && memcmp(got, data, 4096) == 0, "file -> pipe -> file is exact");
    CHECK(write(p[1], "hello", 5) == 5 && splice(p[0], NULL, s[0], NULL, 100, 0) == 5, "splice pipe -> socket");
    CHECK(recv(s[1], got, 100, 0) == 5 && memcmp(got, "hello", 5) == 0, "the socket got it");
    CHECK_ERR(splice(fa, NULL, fb, NULL, 10, 0), EINVAL, "splice without a pipe");
    off_t po = 0;
    CHECK_ERR(splice(p[0], &po, fb, NULL, 10, 0), ESPIPE, "splice with an offset on the pipe");
    CHECK_ERR(splice(p[0], NULL, fb, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN, "splice from an empty pipe, non-blocking");

    int q[2];
    CHECK(pipe(q) == 0 && write(p[1], "0123456789", 10) == 10, "a second pipe; 10 bytes in the first");
    CHECK(tee(p[0], q[1], 100, 0) == 10, "tee duplicates 10 bytes");
    CHECK(read(q[0], got, 100) == 10 && memcmp(got, "0123456789", 10) == 0, "the second pipe has them");
    CHECK(read(p[0], got, 100) == 10 && memcmp(got, "0123456789", 10) == 0, "the first still has them");
    CHECK_ERR(tee(p[0], fb, 10, 0), EINVAL, "tee into a file");

    struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
    CHECK(vmsplice(p[1], iov, 2, 0) == 5 && read(p[0], got, 100) == 5 && memcmp(got, "abcde", 5) == 0, "vmsplice into a pipe");
    close(p[1]);
    CHECK(splice(p[0], NULL, fb, NULL, 10, 0) == 0, "splice from a pipe with no writer: EOF");
    close(p[0]); close(q[0]); close(q[1]); close(s[0]); close(s[1]); close(fa); close(fb);
    x_unlink(a); x_unlink(b);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
