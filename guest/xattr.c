/* xattr.c - extended attributes on a file in /tmp: set, get (and the size query), list,
 * XATTR_CREATE/XATTR_REPLACE, remove; ENODATA for a missing name, ERANGE for a short buffer or
 * an empty name, E2BIG for a value over 64 KiB, EINVAL for a bad flag; lsetxattr of user.* on a
 * symlink is EPERM; a missing file ENOENT. (Skipped where /tmp's file system has no xattrs.) */
#define _GNU_SOURCE
#include "common.h"
#include <sys/xattr.h>

int main(void)
{
    char dir[256], f[300], l[300];
    make_tmpdir(dir, sizeof dir, "xattr");
    path_in(f, sizeof f, dir, "f");
    path_in(l, sizeof l, dir, "l");
    CHECK(write_file(f, "x", 0644) == 0 && symlinkat(f, AT_FDCWD, l) == 0, "a file and a symlink");
    if (setxattr(f, "user.probe", "1", 1, 0) != 0 && errno == ENOTSUP) {
        out("ok: /tmp has no user xattrs (nothing to check)\n");
    } else {
        CHECK(setxattr(f, "user.color", "blue", 4, 0) == 0, "setxattr user.color");
        char v[64] = { 0 };
        CHECK(getxattr(f, "user.color", NULL, 0) == 4, "getxattr with size 0 reports the size");
        CHECK(getxattr(f, "user.color", v, sizeof v) == 4 && memcmp(v, "blue", 4) == 0, "getxattr reads it back");
        CHECK(getxattr(l, "user.color", v, sizeof v) == 4, "getxattr follows a symlink");
        CHECK_ERR(getxattr(f, "user.color", v, 2), ERANGE, "getxattr into a short buffer");
        CHECK_ERR(getxattr(f, "user.none", v, sizeof v), ENODATA, "a missing name");
        CHECK_ERR(setxattr(f, "user.color", "red", 3, XATTR_CREATE), EEXIST, "XATTR_CREATE of an existing name");
        CHECK_ERR(setxattr(f, "user.shape", "sq", 2, XATTR_REPLACE), ENODATA, "XATTR_REPLACE of a missing name");
        CHECK(setxattr(f, "user.color", "red", 3, XATTR_REPLACE) == 0, "XATTR_REPLACE of an existing one");
        CHECK_ERR(setxattr(f, "user.x", "v", 1, 4), EINVAL, "an unknown flag");
        CHECK_ERR(setxattr(f, "", "v", 1, 0), ERANGE, "an empty name");
        static char big[70000];
        CHECK_ERR(setxattr(f, "user.big", big, sizeof big, 0), E2BIG, "a value over 64 KiB");
        char list[256];
        ssize_t n = listxattr(f, list, sizeof list);
        int found = 0;
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
            found |= strcmp(list + i, "user.color") == 0;
        CHECK(n > 0 && found && listxattr(f, NULL, 0) == n, "listxattr lists it; size 0 reports the length");
        int fd = openat(AT_FDCWD, f, O_RDONLY);
        CHECK(fgetxattr(fd, "user.color", v, sizeof v) == 3 && memcmp(v, "red", 3) == 0, "fgetxattr");
        CHECK(fremovexattr(fd, "user.color") == 0, "fremovexattr");
        CHECK_ERR(fgetxattr(fd, "user.color", v, sizeof v), ENODATA, "gone");
        close(fd);
        CHECK_ERR(lsetxattr(l, "user.color", "x", 1, 0), EPERM, "user.* on a symlink itself");
    }
    CHECK_ERR(getxattr("/nonexistent/f", "user.a", NULL, 0), ENOENT, "a missing file");
    x_unlink(l);
    x_unlink(f);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
