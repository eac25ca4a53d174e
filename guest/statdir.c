/* statdir.c - stat/fstat/lstat/statx, directories and getdents64 (via readdir),
 * getcwd/chdir and faccessat, inside a fresh directory under /tmp. */
#include "common.h"
#include <dirent.h>

static char dir[256];

static const char *P(const char *name)
{
    static char bufs[4][512];
    static int i;
    i = (i + 1) % 4;
    return path_in(bufs[i], sizeof bufs[i], dir, name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    struct stat st, st2;
    make_tmpdir(dir, sizeof dir, "statdir");
    out("created a temp dir under /tmp\n");

    /* ---- a regular file ---- */
    int fd = openat(AT_FDCWD, P("file"), O_RDWR | O_CREAT | O_EXCL, 0640);
    if (!CHECK(fd >= 0, "create file"))
        fatal("create file");
    CHECK(write(fd, "0123456789abcdef", 16) == 16, "write 16 bytes");
    CHECK(fstat(fd, &st) == 0, "fstat");
    CHECK(S_ISREG(st.st_mode), "fstat: S_ISREG");
    CHECK(st.st_size == 16, "fstat: st_size == 16");
    CHECK(st.st_nlink == 1, "fstat: st_nlink == 1");
    CHECK((st.st_mode & 0600) == 0600, "fstat: owner rw bits set");
    CHECK((st.st_mode & 0137) == 0, "fstat: no bits beyond the requested 0640");
    CHECK(st.st_uid == getuid() && st.st_gid == getgid(), "fstat: owned by getuid()/getgid()");
    CHECK(st.st_blksize > 0, "fstat: st_blksize > 0");
    CHECK(stat(P("file"), &st2) == 0, "stat");
    CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev, "stat and fstat agree on dev/ino");
    CHECK(st2.st_size == 16 && S_ISREG(st2.st_mode), "stat: regular, 16 bytes");
    CHECK(lstat(P("file"), &st2) == 0 && st2.st_ino == st.st_ino && S_ISREG(st2.st_mode),
          "lstat of a regular file");
    CHECK(fstatat(AT_FDCWD, P("file"), &st2, 0) == 0 && st2.st_size == 16, "fstatat(AT_FDCWD)");
    CHECK(fstatat(fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino,
          "fstatat(fd, \"\", AT_EMPTY_PATH)");
    CHECK(st.st_mtim.tv_sec > 1000000000, "st_mtime is a plausible date");

    struct statx sx;
    memset(&sx, 0, sizeof sx);
    CHECK(statx(AT_FDCWD, P("file"), 0, STATX_BASIC_STATS, &sx) == 0, "statx");
    CHECK((sx.stx_mask & (STATX_SIZE | STATX_MODE | STATX_TYPE)) == (STATX_SIZE | STATX_MODE | STATX_TYPE),
          "statx: mask has SIZE, MODE and TYPE");
    CHECK(sx.stx_size == 16, "statx: stx_size == 16");
    CHECK(S_ISREG(sx.stx_mode) && (sx.stx_mode & 07777) == (st.st_mode & 07777),
          "statx: stx_mode matches fstat");
    CHECK(sx.stx_ino == st.st_ino && sx.stx_nlink == 1, "statx: ino and nlink match");
    CHECK(statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx) == 0 && sx.stx_size == 16,
          "statx(fd, \"\", AT_EMPTY_PATH)");
    CHECK(write(fd, "!", 1) == 1 && fstat(fd, &st) == 0 && st.st_size == 17, "size follows a write");
    close(fd);
    CHECK_ERR(stat(P("missing"), &st2), ENOENT, "stat a missing file");
    CHECK_ERR(stat(P("file/x"), &st2), ENOTDIR, "stat through a file");

    /* ---- a directory ---- */
    CHECK(x_mkdir(P("d"), 0755) == 0, "mkdirat d");
    CHECK(stat(P("d"), &st) == 0 && S_ISDIR(st.st_mode), "stat d: S_ISDIR");
    CHECK(!S_ISREG(st.st_mode), "stat d: not S_ISREG");
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "stat the temp dir: S_ISDIR");
    int dfd = openat(AT_FDCWD, P("d"), O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0 && fstat(dfd, &st2) == 0 && S_ISDIR(st2.st_mode), "open O_DIRECTORY + fstat: S_ISDIR");
    CHECK_ERR(openat(AT_FDCWD, P("file"), O_RDONLY | O_DIRECTORY), ENOTDIR, "open a file with O_DIRECTORY");
    CHECK(mkdirat(dfd, "inner", 0755) == 0, "mkdirat(dirfd, \"inner\")");
    CHECK(fstatat(dfd, "inner", &st2, 0) == 0 && S_ISDIR(st2.st_mode), "fstatat(dirfd, \"inner\")");
    CHECK(unlinkat(dfd, "inner", AT_REMOVEDIR) == 0, "unlinkat(dirfd, \"inner\", AT_REMOVEDIR)");
    close(dfd);

    /* ---- 50 files in a directory, listed with readdir ---- */
    int made = 0;
    for (int i = 0; i < 50; i++) {
        char name[64];
        snprintf(name, sizeof name, "d/entry-%02d-%s", i, i % 2 ? "odd" : "even");
        if (write_file(P(name), "x", 0644) == 0)
            made++;
    }
    CHECK(made == 50, "created 50 files in d");
    DIR *dp = opendir(P("d"));
    char *names[128];
    int n = 0, dot = 0, dotdot = 0, types_ok = 1;
    if (CHECK(dp != NULL, "opendir d")) {
        struct dirent *de;
        errno = 0;
        while ((de = readdir(dp)) != NULL) {
            if (strcmp(de->d_name, ".") == 0) {
                dot = 1;
                continue;
            }
            if (strcmp(de->d_name, "..") == 0) {
                dotdot = 1;
                continue;
            }
            if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                types_ok = 0;
            if (n < 128)
                names[n++] = strdup(de->d_name);
        }
        CHECK(errno == 0, "readdir ended without error");
        closedir(dp);
    }
    CHECK(dot && dotdot, "'.' and '..' are listed");
    CHECK(types_ok, "d_type is DT_REG (or DT_UNKNOWN) for the files");
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    out("entries (without . and ..): %d\n", n);
    if (n > 0)
        out("first: %s\nlast: %s\n", names[0], names[n - 1]);
    CHECK(n == 50, "50 entries besides . and ..");
    int all_match = n == 50;
    for (int i = 0; i < n && all_match; i++) {
        char want[64];
        snprintf(want, sizeof want, "entry-%02d-%s", i, i % 2 ? "odd" : "even");
        if (strcmp(names[i], want) != 0)
            all_match = 0;
    }
    CHECK(all_match, "the sorted names are exactly the 50 created");

    /* raw getdents64 with a small buffer forces several calls */
    dfd = openat(AT_FDCWD, P("d"), O_RDONLY | O_DIRECTORY);
    char dbuf[512];
    int calls = 0, total = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
        if (r <= 0) {
            CHECK(r == 0, "getdents64 ends with 0");
            break;
        }
        calls++;
        for (long off = 0; off < r;) {
            unsigned short reclen;
            memcpy(&reclen, dbuf + off + 16, sizeof reclen); /* d_reclen at offset 16 */
            total++;
            off += reclen;
        }
    }
    CHECK(total == 52, "getdents64 with a 512-byte buffer returns 52 entries in total");
    CHECK(calls > 1, "... spread over several calls");
    CHECK(lseek(dfd, 0, SEEK_SET) == 0 && syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf) > 0,
          "lseek(0) rewinds a directory");
    CHECK_ERR(syscall(SYS_getdents64, dfd, dbuf, 8), EINVAL, "getdents64 with an 8-byte buffer");
    close(dfd);
    int rf = openat(AT_FDCWD, P("file"), O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents64, rf, dbuf, sizeof dbuf), ENOTDIR, "getdents64 on a regular file");
    close(rf);

    /* ---- getcwd / chdir ---- */
    char saved[4096], now[4096];
    if (!CHECK(getcwd(saved, sizeof saved) != NULL, "getcwd"))
        fatal("getcwd");
    CHECK(saved[0] == '/', "getcwd returns an absolute path");
    CHECK(chdir(P("d")) == 0, "chdir into d");
    CHECK(getcwd(now, sizeof now) != NULL, "getcwd after chdir");
    size_t ln = strlen(now);
    out("getcwd after chdir ends with \"/d\": %s\n", ln >= 2 && strcmp(now + ln - 2, "/d") == 0 ? "yes" : "no");
    CHECK(strncmp(now, dir, strlen(dir)) == 0, "getcwd after chdir starts with the temp dir");
    CHECK(x_access("entry-00-even", F_OK) == 0, "relative path resolves against the new cwd");
    CHECK(stat(".", &st) == 0 && stat(P("d"), &st2) == 0 && st.st_ino == st2.st_ino, "\".\" is d");
    CHECK(chdir("..") == 0 && getcwd(now, sizeof now) && strcmp(now, dir) == 0, "chdir(\"..\") goes back up");
    CHECK_ERR(chdir("file/x"), ENOTDIR, "chdir through a file");
    CHECK_ERR(chdir("nonexistent"), ENOENT, "chdir to a missing dir");
    CHECK_ERR(getcwd(now, 1) ? 0 : -1, ERANGE, "getcwd with a 1-byte buffer");
    CHECK(chdir(saved) == 0 && getcwd(now, sizeof now) && strcmp(now, saved) == 0,
          "chdir back to the original cwd");

    /* ---- faccessat ---- */
    CHECK(x_access(P("file"), F_OK) == 0, "faccessat(file, F_OK)");
    CHECK(x_access(P("file"), R_OK | W_OK) == 0, "faccessat(file, R_OK|W_OK)");
    CHECK_ERR(x_access(P("missing"), F_OK), ENOENT, "faccessat(missing, F_OK)");
    CHECK(x_access(P("d"), X_OK) == 0, "faccessat(d, X_OK)");

    /* ---- cleanup ---- */
    int removed = 0;
    for (int i = 0; i < 50; i++) {
        char name[64];
        snprintf(name, sizeof name, "d/entry-%02d-%s", i, i % 2 ? "odd" : "even");
        removed += x_unlink(P(name)) == 0;
    }
    CHECK(removed == 50, "unlinked the 50 files");
    for (int i = 0; i < n; i++)
        free(names[i]);
    CHECK(x_rmdir(P("d")) == 0, "rmdir d");
    CHECK(x_unlink(P("file")) == 0, "unlink file");
    CHECK(x_rmdir(dir) == 0, "rmdir the temp dir");
    return finish();
}
