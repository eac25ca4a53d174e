/* file_names.c - names are bytes: "\xff" and "\xfe" are two files, readdir, readlink and getcwd
 * give back the bytes that were given (no UTF-8 decoding anywhere). */
#include "common.h"
int main(void)
{
    char dir[256], a[300], b[300];
    make_tmpdir(dir, sizeof dir, "names");
    snprintf(a, sizeof a, "%s/\xff", dir);
    snprintf(b, sizeof b, "%s/\xfe", dir);
    int fa = openat(AT_FDCWD, a, O_WRONLY | O_CREAT | O_EXCL, 0600);
    int fb = openat(AT_FDCWD, b, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fa >= 0 && fb >= 0, "\\xff and \\xfe are two new files (O_EXCL)");
    write(fa, "A", 1); write(fb, "B", 1);
    close(fa); close(fb);
    char c = 0;
    int fd = openat(AT_FDCWD, a, O_RDONLY);
    CHECK(fd >= 0 && read(fd, &c, 1) == 1 && c == 'A', "\\xff holds its own data");
    close(fd);
    DIR *d = opendir(dir);
    int ff = 0, fe = 0, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) { n++; ff |= strcmp(e->d_name, "\xff") == 0; fe |= strcmp(e->d_name, "\xfe") == 0; }
    closedir(d);
    CHECK(ff && fe && n == 4, "readdir lists both names as their bytes");
    char l[300], got[64];
    snprintf(l, sizeof l, "%s/link", dir);
    CHECK(symlinkat("\xff\x80", AT_FDCWD, l) == 0, "symlink to a non-UTF-8 target");
    ssize_t k = x_readlink(l, got, sizeof got);
    CHECK(k == 2 && memcmp(got, "\xff\x80", 2) == 0, "readlink returns the target's bytes");
    char cwd[300];
    snprintf(a, sizeof a, "%s/\xc3\x28", dir);
    CHECK(x_mkdir(a, 0700) == 0 && chdir(a) == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, a) == 0, "getcwd in a directory named by invalid UTF-8");
    chdir("/");
    x_rmdir(a);
    x_unlink(l);
    snprintf(a, sizeof a, "%s/\xff", dir); x_unlink(a);
    x_unlink(b);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
