/* errors.c - errno values for common failure cases. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

int main(void)
{
    char buf[64];
    char dir[256], file[512], sub[512], subfile[640];
    make_tmpdir(dir, sizeof dir, "errors");
    path_in(file, sizeof file, dir, "file");
    path_in(sub, sizeof sub, dir, "sub");
    path_in(subfile, sizeof subfile, sub, "x");
    if (write_file(file, "some content\n", 0644) != 0)
        fatal("create file");

    /* ---- bad file descriptors ---- */
    CHECK_ERR(read(-1, buf, 1), EBADF, "read(-1)");
    CHECK_ERR(write(-1, "x", 1), EBADF, "write(-1)");
    CHECK_ERR(close(-1), EBADF, "close(-1)");
    CHECK_ERR(read(999, buf, 1), EBADF, "read(999) (never opened)");
    CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF, "lseek(-1)");
    CHECK_ERR(dup(-1), EBADF, "dup(-1)");
    CHECK_ERR(fcntl(-1, F_GETFD), EBADF, "fcntl(-1, F_GETFD)");
    struct stat st;
    CHECK_ERR(fstat(-1, &st), EBADF, "fstat(-1)");
    int rfd = openat(AT_FDCWD, file, O_RDONLY);
    CHECK_ERR(write(rfd, "x", 1), EBADF, "write to an O_RDONLY fd");
    int wfd = openat(AT_FDCWD, file, O_WRONLY);
    CHECK_ERR(read(wfd, buf, 1), EBADF, "read from an O_WRONLY fd");

    /* ---- paths ---- */
    CHECK_ERR(openat(AT_FDCWD, "/nonexistent-ucrun/file", O_RDONLY), ENOENT, "open a missing file");
    CHECK_ERR(openat(AT_FDCWD, "", O_RDONLY), ENOENT, "open \"\"");
    CHECK_ERR(openat(AT_FDCWD, dir, O_WRONLY), EISDIR, "open a directory O_WRONLY");
    CHECK_ERR(openat(AT_FDCWD, dir, O_RDWR), EISDIR, "open a directory O_RDWR");
    char notdir[600];
    snprintf(notdir, sizeof notdir, "%s/y", file);
    CHECK_ERR(openat(AT_FDCWD, notdir, O_RDONLY), ENOTDIR, "open file/y (a file as a directory)");
    CHECK_ERR(openat(-1, "relative", O_RDONLY), EBADF, "openat(-1, relative path)");
    char longname[400];
    memset(longname, 'n', 300);
    longname[300] = 0;
    CHECK_ERR(openat(AT_FDCWD, longname, O_RDONLY), ENAMETOOLONG, "open a 300-character name");

    /* ---- bad pointers ---- */
    void *const volatile badp = (void *)1;
    CHECK_ERR(read(rfd, badp, 4), EFAULT, "read into (void*)1");
    CHECK_ERR(write(wfd, badp, 4), EFAULT, "write from (void*)1");
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED && munmap(page, 4096) == 0, "mmap + munmap a page");
    char *volatile gone = page;
    CHECK(lseek(rfd, 0, SEEK_SET) == 0, "rewind");
    CHECK_ERR(read(rfd, gone, 4), EFAULT, "read into a just-munmapped page");
    CHECK_ERR(write(wfd, gone, 4), EFAULT, "write from a just-munmapped page");
    CHECK_ERR(openat(AT_FDCWD, (const char *)badp, O_RDONLY), EFAULT, "open with a bad path pointer");
    CHECK_ERR(stat((const char *)badp, &st), EFAULT, "stat with a bad path pointer");
    CHECK_ERR(fstat(rfd, (struct stat *)badp), EFAULT, "fstat into a bad pointer");
    CHECK(fstat(rfd, &st) == 0 && st.st_size == 13, "the file is unchanged by the failed writes");

    /* ---- directories ---- */
    CHECK(x_mkdir(sub, 0755) == 0, "mkdir sub");
    CHECK_ERR(x_mkdir(sub, 0755), EEXIST, "mkdir an existing dir");
    CHECK_ERR(x_mkdir(file, 0755), EEXIST, "mkdir over an existing file");
    CHECK(write_file(subfile, "x", 0644) == 0, "create sub/x");
    CHECK_ERR(x_rmdir(sub), ENOTEMPTY, "rmdir a non-empty dir");
    CHECK_ERR(x_unlink(sub), EISDIR, "unlink a directory");
    CHECK_ERR(x_rmdir(file), ENOTDIR, "rmdir a file");
    CHECK_ERR(x_rename(sub, file), ENOTDIR, "rename a dir over a file");
    CHECK_ERR(x_rename(file, sub), EISDIR, "rename a file over a dir");
    CHECK_ERR(x_rename(dir, sub), EINVAL, "rename a dir into its own subdir");

    /* ---- arguments ---- */
    CHECK_ERR(lseek(rfd, 0, 99), EINVAL, "lseek whence 99");
    struct termios tio;
    CHECK_ERR(ioctl(rfd, TCGETS, &tio), ENOTTY, "ioctl(TCGETS) on a regular file");
    struct winsize ws;
    CHECK_ERR(ioctl(rfd, TIOCGWINSZ, &ws), ENOTTY, "ioctl(TIOCGWINSZ) on a regular file");
    CHECK(isatty(rfd) == 0 && errno == ENOTTY, "isatty(regular file) == 0 with ENOTTY");
    int dn = openat(AT_FDCWD, "/dev/null", O_RDWR);
    CHECK_ERR(ioctl(dn, TCGETS, &tio), ENOTTY, "ioctl(TCGETS) on /dev/null");
    close(dn);
    CHECK_ERR(fcntl(rfd, 9999), EINVAL, "fcntl bad cmd 9999");
    CHECK(dup2(rfd, rfd) == rfd, "dup2(fd, fd) returns fd");
    CHECK_ERR(dup2(-1, 5), EBADF, "dup2(-1, 5)");
    CHECK_ERR(dup2(rfd, -1), EBADF, "dup2(fd, -1)");
    CHECK_ERR(openat(AT_FDCWD, file, O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST, "O_CREAT|O_EXCL on an existing file");
    CHECK_ERR(x_access("/nonexistent-ucrun", F_OK), ENOENT, "faccessat a missing path");

    /* ---- cleanup ---- */
    close(rfd);
    close(wfd);
    CHECK(x_unlink(subfile) == 0 && x_rmdir(sub) == 0 && x_unlink(file) == 0 && x_rmdir(dir) == 0,
          "cleaned up the temp dir");
    return finish();
}
