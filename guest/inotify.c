/* inotify.c - events for changes the program itself makes in a watched directory.
 *
 * Creating, writing, closing, renaming and deleting a file report IN_CREATE, IN_OPEN,
 * IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM/IN_MOVED_TO (one cookie), IN_DELETE with the name;
 * a subdirectory's events carry IN_ISDIR; a watch on the file itself sees IN_ATTRIB (chmod),
 * and IN_ATTRIB, IN_DELETE_SELF then IN_IGNORED when it goes; inotify_rm_watch queues IN_IGNORED; the
 * same inode watched twice gives the same wd; FIONREAD counts the queued bytes; read with no
 * event is EAGAIN (IN_NONBLOCK); bad arguments are EINVAL, EBADF, ENOENT, ENOTDIR. */
#include "common.h"
#include <sys/inotify.h>

static char buf[8192] __attribute__((aligned(8)));
static size_t have, at;

/* the next event, or NULL when none is queued */
static struct inotify_event *next_event(int fd)
{
    if (at >= have) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return NULL;
        have = (size_t)n;
        at = 0;
    }
    struct inotify_event *e = (struct inotify_event *)(buf + at);
    at += sizeof *e + e->len;
    return e;
}

static int expect(int fd, int wd, uint32_t mask, const char *name)
{
    struct inotify_event *e = next_event(fd);
    return e && e->wd == wd && e->mask == mask && (name ? e->len > 0 && strcmp(e->name, name) == 0 : e->len == 0);
}

int main(void)
{
    char dir[256], f[300], g[300], sub[300];
    make_tmpdir(dir, sizeof dir, "inotify");
    path_in(f, sizeof f, dir, "f");
    path_in(g, sizeof g, dir, "g");
    path_in(sub, sizeof sub, dir, "sub");
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    CHECK(in >= 0 && fcntl(in, F_GETFD) == FD_CLOEXEC, "inotify_init1(IN_NONBLOCK | IN_CLOEXEC)");
    int wd = inotify_add_watch(in, dir, IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_OPEN | IN_MOVED_FROM | IN_MOVED_TO);
    CHECK(wd > 0, "watch the directory");
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN, "no event yet: EAGAIN");
    int fd = openat(AT_FDCWD, f, O_WRONLY | O_CREAT, 0600);
    write(fd, "x", 1);
    close(fd);
    int n = -1;
    ioctl(in, FIONREAD, &n);
    CHECK(n > 0, "FIONREAD counts queued bytes");
    CHECK(expect(in, wd, IN_CREATE, "f"), "IN_CREATE f");
    CHECK(expect(in, wd, IN_OPEN, "f"), "IN_OPEN f");
    CHECK(expect(in, wd, IN_MODIFY, "f"), "IN_MODIFY f");
    CHECK(expect(in, wd, IN_CLOSE_WRITE, "f"), "IN_CLOSE_WRITE f");
    CHECK(rename(f, g) == 0, "rename f to g");
    struct inotify_event *a = next_event(in);
    uint32_t cookie = a ? a->cookie : 0;
    CHECK(a && a->mask == IN_MOVED_FROM && strcmp(a->name, "f") == 0 && cookie != 0, "IN_MOVED_FROM f with a cookie");
    struct inotify_event *b = next_event(in);
    CHECK(b && b->mask == IN_MOVED_TO && strcmp(b->name, "g") == 0 && b->cookie == cookie, "IN_MOVED_TO g with the same cookie");
    CHECK(x_mkdir(sub, 0700) == 0 && expect(in, wd, IN_CREATE | IN_ISDIR, "sub"), "mkdir: IN_CREATE|IN_ISDIR sub");
    CHECK(x_rmdir(sub) == 0 && expect(in, wd, IN_DELETE | IN_ISDIR, "sub"), "rmdir: IN_DELETE|IN_ISDIR sub");
    CHECK(inotify_add_watch(in, dir, IN_CREATE) == wd, "watching the same inode again gives the same wd");

    int fw = inotify_add_watch(in, g, IN_ATTRIB | IN_DELETE_SELF);
    CHECK(fw > 0 && fw != wd, "watch the file itself");
    CHECK(chmod(g, 0644) == 0 && expect(in, fw, IN_ATTRIB, NULL), "chmod: IN_ATTRIB on the file's watch");
    CHECK(x_unlink(g) == 0, "unlink g");
    CHECK(expect(in, fw, IN_ATTRIB, NULL), "unlink: IN_ATTRIB (the link count)");
    CHECK(expect(in, fw, IN_DELETE_SELF, NULL), "IN_DELETE_SELF");
    CHECK(expect(in, fw, IN_IGNORED, NULL), "then IN_IGNORED");
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN, "nothing else (the directory watch now wants only IN_CREATE)");
    CHECK(inotify_rm_watch(in, wd) == 0 && expect(in, wd, IN_IGNORED, NULL), "inotify_rm_watch: IN_IGNORED");
    CHECK_ERR(inotify_rm_watch(in, wd), EINVAL, "removing it again");
    CHECK_ERR(inotify_add_watch(in, dir, 0), EINVAL, "an empty mask");
    CHECK_ERR(inotify_add_watch(1, dir, IN_CREATE), EINVAL, "not an inotify fd");
    CHECK_ERR(inotify_add_watch(-1, dir, IN_CREATE), EBADF, "a bad fd");
    CHECK_ERR(inotify_add_watch(in, "/nonexistent/x", IN_CREATE), ENOENT, "a missing path");
    CHECK_ERR(inotify_add_watch(in, "/dev/null", IN_CREATE | IN_ONLYDIR), ENOTDIR, "IN_ONLYDIR on a file");
    char small[8];
    int w2 = inotify_add_watch(in, dir, IN_CREATE);
    fd = openat(AT_FDCWD, f, O_WRONLY | O_CREAT, 0600);
    close(fd);
    CHECK(w2 > 0, "a new watch");
    CHECK_ERR(read(in, small, sizeof small), EINVAL, "a buffer too small for the event");
    close(in);
    x_unlink(f);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
