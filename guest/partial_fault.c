/* partial_fault.c - a buffer whose end lies in unmapped memory, as Linux treats it.
 *
 * Copies stop at the first bad page. A regular file moves the accessible prefix (read and
 * write return short counts). A pipe or socket message that would cross the bad page is
 * EFAULT and stays queued (a stream) or is lost (a datagram, dequeued before the copy); a
 * pipe write moves the whole pages before the fault. readv stops at the first bad vector. */
#include "common.h"
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

static char *edge; /* 50 bytes before an unmapped page */

static int queued(int fd)
{
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

static void pipes(void)
{
    char data[9000];
    memset(data, 'p', sizeof data);
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    write(p[1], data, 10);
    CHECK(read(p[0], edge, 200) == 10, "pipe read: 10 queued bytes fit before the bad page");
    write(p[1], data, 100);
    errno = 0;
    CHECK(read(p[0], edge, 200) < 0 && errno == EFAULT, "pipe read: 100 bytes would cross it: EFAULT");
    CHECK(queued(p[0]) == 100, "pipe read: the bytes stay queued");
    char sink[200];
    CHECK(read(p[0], sink, sizeof sink) == 100, "pipe: a good read then gets them");

    errno = 0;
    CHECK(write(p[1], edge, 100) < 0 && errno == EFAULT, "pipe write of 100 with 50 readable: EFAULT");
    CHECK(queued(p[0]) == 0, "pipe write: nothing queued");
    char *big = edge + 50 - 4096 - 50; /* 4096 + 50 readable bytes, then the bad page */
    CHECK(write(p[1], big, 8192) == 4096, "pipe write: the whole page before the fault moves");
    CHECK(queued(p[0]) == 4096, "pipe write: one page queued");
    close(p[0]);
    close(p[1]);
}

static void files(void)
{
    char dir[256], path[300];
    make_tmpdir(dir, sizeof dir, "partial_fault");
    path_in(path, sizeof path, dir, "f");
    int fd = openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "create a file");
    memset(edge, 'f', 50);
    CHECK(write(fd, edge, 100) == 50, "file write: the readable 50 of 100 bytes");
    char fill[200];
    memset(fill, 'g', sizeof fill);
    pwrite(fd, fill, sizeof fill, 0);
    CHECK(pread(fd, edge, 200, 0) == 50, "file pread: 50 bytes fit before the bad page");
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, edge, 200) == 50 && lseek(fd, 0, SEEK_CUR) == 50, "file read: the offset moves by what was copied");
    char a[10];
    struct iovec iov[2] = { { a, sizeof a }, { edge + 50, 10 } };
    CHECK(preadv(fd, iov, 2, 0) == 10, "file preadv: stops at the unmapped second vector");
    close(fd);
    x_unlink(path);
    x_rmdir(dir);
}

static void sockets(void)
{
    char data[100];
    memset(data, 's', sizeof data);
    int s[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0, "stream socketpair");
    send(s[0], data, 100, 0);
    errno = 0;
    CHECK(recv(s[1], edge, 200, MSG_DONTWAIT) < 0 && errno == EFAULT, "stream recv crossing the bad page: EFAULT");
    CHECK(queued(s[1]) == 100, "stream recv: the bytes stay queued");
    char sink[200];
    CHECK(recv(s[1], sink, sizeof sink, MSG_DONTWAIT) == 100, "stream: a good recv then gets them");
    errno = 0;
    CHECK(send(s[0], edge, 100, MSG_DONTWAIT) < 0 && errno == EFAULT, "stream send of 100 with 50 readable: EFAULT");
    CHECK(recv(s[1], sink, sizeof sink, MSG_DONTWAIT) < 0 && errno == EAGAIN, "stream send: nothing arrived");
    close(s[0]);
    close(s[1]);

    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, s) == 0, "datagram socketpair");
    send(s[0], data, 100, 0);
    send(s[0], data, 7, 0);
    errno = 0;
    CHECK(recv(s[1], edge, 200, MSG_DONTWAIT) < 0 && errno == EFAULT, "datagram recv crossing the bad page: EFAULT");
    CHECK(recv(s[1], sink, sizeof sink, MSG_DONTWAIT) == 7, "datagram recv: the faulted datagram is gone, the next arrives");
    errno = 0;
    CHECK(send(s[0], edge, 100, 0) < 0 && errno == EFAULT, "datagram send of 100 with 50 readable: EFAULT");
    close(s[0]);
    close(s[1]);
}

int main(void)
{
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED && munmap(m + 2 * 4096, 4096) == 0, "two pages, then an unmapped one");
    edge = m + 2 * 4096 - 50;
    pipes();
    files();
    sockets();
    return finish();
}
