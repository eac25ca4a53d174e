/* statfs.c - statfs and fstatfs: a file's file system is the host's (statfs and fstatfs agree),
 * /proc, /sys and /dev are procfs, sysfs and devtmpfs; pipes, sockets and eventfds report pipefs,
 * sockfs and anon_inodefs; a missing path is ENOENT. */
#include "common.h"
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/vfs.h>

int main(void)
{
    struct statfs a, b;
    char dir[256];
    make_tmpdir(dir, sizeof dir, "statfs");
    int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
    CHECK(statfs(dir, &a) == 0 && fstatfs(fd, &b) == 0, "statfs and fstatfs of a directory in /tmp");
    CHECK(a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_blocks == b.f_blocks && a.f_type != 0, "they agree");
    CHECK(a.f_namelen == 255 && a.f_bsize > 0 && a.f_bfree <= a.f_blocks, "names of 255 bytes, free <= total");
    close(fd);
    CHECK(statfs("/proc", &a) == 0 && a.f_type == 0x9fa0, "/proc is procfs (PROC_SUPER_MAGIC)");
    CHECK(statfs("/proc/self/status", &a) == 0 && a.f_type == 0x9fa0, "/proc/self/status too");
    CHECK(statfs("/sys", &a) == 0 && a.f_type == 0x62656572, "/sys is sysfs");
    CHECK(statfs("/dev/null", &a) == 0 && a.f_type == 0x01021994, "/dev/null lies on devtmpfs (TMPFS_MAGIC)");
    int p[2];
    CHECK(pipe(p) == 0 && fstatfs(p[0], &a) == 0 && a.f_type == 0x50495045, "a pipe: pipefs");
    int s[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0 && fstatfs(s[0], &a) == 0 && a.f_type == 0x534f434b, "a socket: sockfs");
    int e = eventfd(0, 0);
    CHECK(e >= 0 && fstatfs(e, &a) == 0 && a.f_type == 0x09041934, "an eventfd: anon_inodefs");
    CHECK_ERR(statfs("/nonexistent/dir", &a), ENOENT, "a missing path");
    CHECK_ERR(fstatfs(-1, &a), EBADF, "a bad fd");
    CHECK_ERR(statfs("/tmp", NULL), EFAULT, "a NULL buffer");
    x_rmdir(dir);
    return finish();
}
