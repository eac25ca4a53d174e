/* ownership.c - chown, fchown, lchown, fchownat and the utimensat family.
 *
 * The owner may give a file to one of its own groups; only CAP_CHOWN gives it to another user
 * (root: stat then shows the new owner; anyone else: EPERM). lchown changes a symlink, not its
 * target. utimensat sets nanosecond times, UTIME_OMIT keeps one, UTIME_NOW and NULL take the
 * clock; futimens (a NULL path) works on an fd; a bad tv_nsec is EINVAL. */
#include "common.h"
#include <sys/time.h>

static int owner_is(const char *p, uid_t u, gid_t g, int follow)
{
    struct stat st;
    if (fstatat(AT_FDCWD, p, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    return st.st_uid == u && st.st_gid == g;
}

int main(void)
{
    char dir[256], f[300], l[300];
    make_tmpdir(dir, sizeof dir, "ownership");
    path_in(f, sizeof f, dir, "file");
    path_in(l, sizeof l, dir, "link");
    CHECK(write_file(f, "x", 0644) == 0 && symlinkat(f, AT_FDCWD, l) == 0, "a file and a symlink to it");
    uid_t me = geteuid();
    gid_t mygid = getegid();
    CHECK(owner_is(f, me, mygid, 1), "a new file is the creator's");
    CHECK(fchownat(AT_FDCWD, f, -1, -1, 0) == 0, "fchownat(-1, -1) changes nothing and succeeds");
    CHECK(chown(f, me, mygid) == 0 && owner_is(f, me, mygid, 1), "chown to oneself");
    int fd = openat(AT_FDCWD, f, O_RDONLY);
    CHECK(fchown(fd, -1, mygid) == 0, "fchown to one's own group");
    CHECK(fchownat(fd, "", me, -1, AT_EMPTY_PATH) == 0, "fchownat(fd, \"\", AT_EMPTY_PATH)");
    if (me == 0) {
        CHECK(chown(f, 65534, 65534) == 0 && owner_is(f, 65534, 65534, 1), "root: chown to 65534, stat shows it");
        CHECK(lchown(l, 65533, 65533) == 0 && owner_is(l, 65533, 65533, 0) && owner_is(f, 65534, 65534, 1),
              "root: lchown changes the link, not its target");
        CHECK(fchown(fd, 0, 0) == 0 && owner_is(f, 0, 0, 1), "root: fchown back to 0");
    } else {
        CHECK_ERR(chown(f, 0, -1), EPERM, "chown to another user without CAP_CHOWN");
        CHECK_ERR(chown(f, -1, mygid == 0 ? 1 : 0), EPERM, "chown to a group one is not in");
        CHECK(owner_is(f, me, mygid, 1), "the owner is unchanged");
    }
    CHECK_ERR(chown("/nonexistent/x", me, -1), ENOENT, "chown of a missing path");

    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
    CHECK(utimensat(AT_FDCWD, f, ts, 0) == 0, "utimensat with explicit times");
    struct stat st;
    CHECK(stat(f, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
          st.st_mtim.tv_sec == 1100000000 && st.st_mtim.tv_nsec == 987654321, "stat shows them to the nanosecond");
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1200000000, 5 } };
    CHECK(utimensat(AT_FDCWD, f, omit, 0) == 0 && stat(f, &st) == 0 && st.st_atim.tv_sec == 1000000000 &&
          st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 5, "UTIME_OMIT keeps atime");
    time_t now = time(NULL);
    struct timespec nw[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
    CHECK(utimensat(AT_FDCWD, f, nw, 0) == 0 && stat(f, &st) == 0 && st.st_atim.tv_sec >= now - 2 &&
          st.st_mtim.tv_sec == 1200000000, "UTIME_NOW sets atime to now");
    CHECK(utimensat(AT_FDCWD, f, NULL, 0) == 0 && stat(f, &st) == 0 && st.st_mtim.tv_sec >= now - 2, "NULL times: both now");
    CHECK(futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_nsec == 987654321, "futimens on an fd");
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    CHECK_ERR(utimensat(AT_FDCWD, f, bad, 0), EINVAL, "tv_nsec of 10^9");
    CHECK_ERR(utimensat(AT_FDCWD, f, ts, 0x1000000), EINVAL, "an unknown flag");
    struct timespec lt[2] = { { 1300000000, 0 }, { 1300000000, 0 } };
    CHECK(utimensat(AT_FDCWD, l, lt, AT_SYMLINK_NOFOLLOW) == 0 && lstat(l, &st) == 0 && st.st_mtim.tv_sec == 1300000000 &&
          stat(f, &st) == 0 && st.st_mtim.tv_sec != 1300000000, "AT_SYMLINK_NOFOLLOW sets the link's times");
    close(fd);
    x_unlink(l);
    x_unlink(f);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
