/* file_locks.c - advisory locks between processes: fcntl record locks, OFD locks and flock.
 *
 * A child's write lock makes the parent's F_SETLK EAGAIN and F_GETLK report the child's pid and
 * range; read locks share; F_SETLKW waits until the child unlocks; closing any fd of the file
 * drops a process's record locks; two processes each waiting for the other's lock: one gets
 * EDEADLK; OFD locks belong to the open file description (l_pid must be 0); flock LOCK_EX|LOCK_NB
 * is EWOULDBLOCK while another description holds it, and is released when that description
 * closes; bad arguments give EINVAL and EBADF. */
#define _GNU_SOURCE
#include "common.h"
#include <sys/file.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

static int p2c[2], c2p[2];
static void tell(int fd) { char c = 1; write(fd, &c, 1); }
static void hear(int fd) { char c; read(fd, &c, 1); }

int main(void)
{
    char dir[256], f[300];
    make_tmpdir(dir, sizeof dir, "locks");
    path_in(f, sizeof f, dir, "f");
    int fd = openat(AT_FDCWD, f, O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0 && ftruncate(fd, 1000) == 0, "a 1000-byte file");
    pipe(p2c);
    pipe(c2p);
    pid_t pid = fork();
    if (pid == 0) {
        int cfd = openat(AT_FDCWD, f, O_RDWR);
        lk(cfd, F_SETLK, F_WRLCK, 100, 50);
        lk(cfd, F_SETLK, F_RDLCK, 500, 10);
        tell(c2p[1]);
        hear(p2c[0]); /* parent checked */
        lk(cfd, F_SETLK, F_UNLCK, 100, 50);
        hear(p2c[0]);
        /* deadlock: the child holds 500-509 (read) and now wants 0-9, which the parent holds */
        lk(cfd, F_SETLK, F_WRLCK, 500, 10);
        tell(c2p[1]);
        int r = lk(cfd, F_SETLKW, F_WRLCK, 0, 10);
        _exit(r == 0 || errno == EDEADLK ? 0 : 1);
    }
    hear(c2p[0]);
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 120, 10), EAGAIN, "F_SETLK on the child's write-locked range");
    CHECK(lk(fd, F_SETLK, F_WRLCK, 150, 10) == 0, "the range right after it is free");
    CHECK(lk(fd, F_SETLK, F_RDLCK, 505, 1) == 0, "read locks share");
    struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK(fcntl(fd, F_GETLK, &q) == 0 && q.l_type == F_WRLCK && q.l_pid == pid && q.l_start == 100 && q.l_len == 50,
          "F_GETLK reports the child's lock: type, pid, range");
    struct flock own = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 150, .l_len = 10 };
    CHECK(fcntl(fd, F_GETLK, &own) == 0 && own.l_type == F_UNLCK, "F_GETLK ignores one's own locks");
    tell(p2c[1]);
    CHECK(lk(fd, F_SETLKW, F_WRLCK, 100, 50) == 0, "F_SETLKW waits until the child unlocks");
    lk(fd, F_SETLK, F_UNLCK, 0, 0);
    CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "the parent takes 0-9");
    tell(p2c[1]);
    hear(c2p[0]);
    sleep_ms(100); /* the child is now waiting for 0-9 */
    errno = 0;
    int r = lk(fd, F_SETLKW, F_WRLCK, 500, 10);
    int deadlock = r < 0 && errno == EDEADLK;
    lk(fd, F_SETLK, F_UNLCK, 0, 0);
    CHECK(waitstatus(pid) == 0, "the child got its lock once the parent unlocked");
    CHECK(deadlock, "waiting for each other's lock: EDEADLK");

    int fd2 = openat(AT_FDCWD, f, O_RDWR);
    CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "a record lock");
    close(fd2);
    pid = fork();
    if (pid == 0) {
        int cfd = openat(AT_FDCWD, f, O_RDWR);
        _exit(lk(cfd, F_SETLK, F_WRLCK, 0, 10) == 0 ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "closing another fd of the file dropped it");

    int o1 = openat(AT_FDCWD, f, O_RDWR), o2 = openat(AT_FDCWD, f, O_RDWR);
    CHECK(lk(o1, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "an OFD lock");
    CHECK_ERR(lk(o2, F_OFD_SETLK, F_WRLCK, 5, 10), EAGAIN, "another description of the same process conflicts");
    struct flock bad = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10, .l_pid = 1 };
    CHECK_ERR(fcntl(o2, F_OFD_SETLK, &bad), EINVAL, "F_OFD_SETLK with l_pid set");
    close(o1);
    CHECK(lk(o2, F_OFD_SETLK, F_WRLCK, 5, 10) == 0, "closing the description released its OFD lock");
    close(o2);

    int a = openat(AT_FDCWD, f, O_RDONLY), b = openat(AT_FDCWD, f, O_RDONLY);
    CHECK(flock(a, LOCK_EX) == 0, "flock LOCK_EX");
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK, "another description: LOCK_EX|LOCK_NB");
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK, "LOCK_SH|LOCK_NB too");
    int a2 = dup(a);
    close(a);
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK, "a dup keeps the description's lock");
    close(a2);
    CHECK(flock(b, LOCK_EX | LOCK_NB) == 0, "the last close released it");
    CHECK(flock(b, LOCK_UN) == 0 && flock(b, LOCK_SH) == 0, "unlock, then a shared lock");
    CHECK_ERR(flock(b, LOCK_SH | LOCK_EX), EINVAL, "flock with a bad operation");
    CHECK_ERR(flock(-1, LOCK_SH), EBADF, "flock on a bad fd");
    CHECK_ERR(lk(b, F_SETLK, F_WRLCK, 0, 10), EBADF, "a write lock on a read-only fd");
    CHECK_ERR(lk(fd, F_SETLK, 7, 0, 10), EINVAL, "a bad l_type");
    close(b);
    close(fd);
    x_unlink(f);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
