/* creds.c - credentials as Linux keeps them: the get/set*id calls, groups and capabilities.
 *
 * Run as root it drops to uid/gid 65534 in a child and checks what the child then may not do:
 * open a 0600 root file or a file in a 0700 root directory (EACCES), write a 0644 file, create
 * or remove in a root directory, chmod or chown what it does not own, get uid 0 back (EPERM);
 * its capabilities are gone. A child that keeps saved uid 0 gets euid 0 and its capabilities
 * back. Run as anyone else it checks the EPERM side: no uid 0, no setgroups, no capabilities. */
#include "common.h"
#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>

/* The capabilities these checks need: CAP_CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID (a
 * container may hold fewer than all). */
#define NEEDED ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 6) | (1ULL << 7))

static unsigned long long caps(int which)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return ~0ULL;
    return which == 0 ? d[0].effective | ((unsigned long long)d[1].effective << 32)
                      : d[0].permitted | ((unsigned long long)d[1].permitted << 32);
}

static void common_checks(void)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    CHECK(getresuid(&r, &e, &s) == 0 && r == getuid() && e == geteuid(), "getresuid agrees with getuid and geteuid");
    CHECK(getresgid(&rg, &eg, &sg) == 0 && rg == getgid() && eg == getegid(), "getresgid agrees with getgid and getegid");
    int n = getgroups(0, NULL);
    gid_t g[256];
    CHECK(n >= 0 && getgroups(256, g) == n, "getgroups(0) counts what getgroups lists");
    if (n > 1)
        CHECK_ERR(getgroups(n - 1, g), EINVAL, "getgroups with too small a list");
    struct __user_cap_header_struct h = { 0x12345678, 0 };
    CHECK(syscall(SYS_capget, &h, NULL) == 0 && h.version == _LINUX_CAPABILITY_VERSION_3,
          "capget with an unknown version and no data: 0, and the kernel's version written back");
    struct __user_cap_data_struct d[2];
    h.version = 0x12345678;
    CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL, "capget with an unknown version and data");
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = 0x7ffffff0;
    CHECK_ERR(syscall(SYS_capget, &h, d), ESRCH, "capget of a pid that does not exist");
    CHECK(setfsuid(-1) == (int)geteuid(), "setfsuid(-1) reports the fs uid (the euid) and changes nothing");
}

static void as_root(void)
{
    CHECK((caps(0) & NEEDED) == NEEDED, "root: CAP_CHOWN, DAC_OVERRIDE, FOWNER, SETGID and SETUID are effective");
    char dir[256], secret[300], pub[300], closed[300], inner[400];
    make_tmpdir(dir, sizeof dir, "creds");
    CHECK(chmod(dir, 0755) == 0, "a 0755 root directory");
    path_in(secret, sizeof secret, dir, "secret");
    path_in(pub, sizeof pub, dir, "public");
    path_in(closed, sizeof closed, dir, "closed");
    path_in(inner, sizeof inner, closed, "inner");
    CHECK(write_file(secret, "s", 0600) == 0 && write_file(pub, "p", 0644) == 0, "a 0600 and a 0644 root file");
    CHECK(x_mkdir(closed, 0700) == 0 && write_file(inner, "i", 0644) == 0, "a 0644 file in a 0700 directory");

    pid_t pid = fork();
    if (pid == 0) {
        CHECK(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0, "drop the groups and to gid 65534");
        CHECK(setresuid(65534, 65534, 65534) == 0, "drop to uid 65534 (real, effective, saved)");
        CHECK(getuid() == 65534 && geteuid() == 65534 && getgid() == 65534, "the ids are 65534");
        CHECK(caps(0) == 0 && caps(1) == 0, "no capability is left, effective or permitted");
        CHECK_ERR(openat(AT_FDCWD, secret, O_RDONLY), EACCES, "open a 0600 root file");
        int fd = openat(AT_FDCWD, pub, O_RDONLY);
        CHECK(fd >= 0, "open a 0644 root file for reading");
        close(fd);
        CHECK_ERR(openat(AT_FDCWD, pub, O_WRONLY), EACCES, "open a 0644 root file for writing");
        CHECK_ERR(openat(AT_FDCWD, inner, O_RDONLY), EACCES, "open a file in a 0700 root directory (no search)");
        CHECK_ERR(x_access(pub, W_OK), EACCES, "access(W_OK) on the 0644 root file");
        CHECK(x_access(pub, R_OK) == 0, "access(R_OK) on it");
        char sub[300];
        path_in(sub, sizeof sub, dir, "new");
        CHECK_ERR(x_mkdir(sub, 0755), EACCES, "mkdir in the root directory");
        CHECK_ERR(openat(AT_FDCWD, sub, O_WRONLY | O_CREAT, 0644), EACCES, "create a file in the root directory");
        CHECK_ERR(x_unlink(pub), EACCES, "unlink in the root directory");
        CHECK_ERR(chmod(pub, 0666), EPERM, "chmod a file of root's");
        CHECK_ERR(chown(pub, 65534, 65534), EPERM, "chown a file of root's to oneself");
        CHECK_ERR(setuid(0), EPERM, "setuid(0): no way back");
        CHECK_ERR(setgroups(0, NULL), EPERM, "setgroups without CAP_SETGID");
        CHECK_ERR(kill(getppid(), 0), EPERM, "kill(parent, 0): the parent is root's");
        _exit(finish());
    }
    CHECK(waitstatus(pid) == 0, "the child that dropped privileges passed");

    pid = fork();
    if (pid == 0) {
        CHECK(setresuid(65534, 65534, 0) == 0, "effective uid 65534, saved uid 0");
        CHECK(caps(0) == 0 && caps(1) != 0, "the effective set is empty, the permitted one kept");
        CHECK_ERR(openat(AT_FDCWD, secret, O_RDONLY), EACCES, "then a 0600 root file is closed");
        CHECK(seteuid(0) == 0 && geteuid() == 0, "seteuid(0) through the saved uid");
        CHECK((caps(0) & NEEDED) == NEEDED, "the capabilities are effective again");
        int fd = openat(AT_FDCWD, secret, O_RDONLY);
        CHECK(fd >= 0, "and the file opens");
        _exit(finish());
    }
    CHECK(waitstatus(pid) == 0, "the child with a saved uid 0 passed");
    x_unlink(inner);
    x_rmdir(closed);
    x_unlink(secret);
    x_unlink(pub);
    CHECK(x_rmdir(dir) == 0, "clean up");
}

static void as_user(void)
{
    CHECK(caps(0) == 0 && caps(1) == 0, "not root: no capabilities");
    CHECK_ERR(setuid(0), EPERM, "setuid(0)");
    CHECK_ERR(setresuid(-1, 0, -1), EPERM, "setresuid to euid 0");
    CHECK(setuid(getuid()) == 0 && seteuid(geteuid()) == 0, "setuid to oneself");
    CHECK_ERR(setgroups(0, NULL), EPERM, "setgroups without CAP_SETGID");
    CHECK_ERR(setgid(0 == getgid() ? 1 : 0), EPERM, "setgid to another group");
    CHECK(setfsuid(0) == (int)geteuid() && setfsuid(-1) == (int)geteuid(), "setfsuid(0) is refused (the old value is returned, nothing changes)");
}

int main(void)
{
    common_checks();
    if (geteuid() == 0)
        as_root();
    else
        as_user();
    return finish();
}
