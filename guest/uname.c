/* uname.c - uname, getrandom, process ids, RLIMIT_NOFILE and /proc/self/exe. */
#include "common.h"
#include <sys/resource.h>
#include <sys/utsname.h>

int main(void)
{
    struct utsname u;
    if (CHECK(uname(&u) == 0, "uname")) {
        CHECK(strcmp(u.sysname, "Linux") == 0, "sysname == \"Linux\"");
        out("arch: machine=%s\n", u.machine);
        CHECK(u.release[0] >= '1' && u.release[0] <= '9', "release starts with a digit");
        CHECK(u.nodename[0] != 0, "nodename is not empty");
    }

    unsigned char r1[16], r2[16];
    CHECK(getrandom(r1, sizeof r1, 0) == 16, "getrandom(16) returns 16");
    CHECK(getrandom(r2, sizeof r2, 0) == 16, "getrandom(16) again returns 16");
    CHECK(memcmp(r1, r2, 16) != 0, "two getrandom results differ");
    CHECK(getrandom(r1, sizeof r1, GRND_NONBLOCK) == 16, "getrandom(GRND_NONBLOCK) returns 16");
    CHECK(getrandom(r1, 0, 0) == 0, "getrandom(0 bytes) returns 0");

    pid_t pid = getpid();
    CHECK(pid > 0, "getpid() > 0");
    CHECK(getppid() >= 0, "getppid() >= 0");
    CHECK(gettid() == pid, "gettid() == getpid() (single thread)");
    CHECK(getuid() == geteuid(), "getuid() == geteuid()");
    CHECK(getgid() == getegid(), "getgid() == getegid()");
    CHECK((long)syscall(SYS_getuid) == (long)getuid(), "raw getuid matches the wrapper");

    struct rlimit rl;
    if (CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit(RLIMIT_NOFILE)"))
        CHECK(rl.rlim_cur <= rl.rlim_max, "RLIMIT_NOFILE soft <= hard");
    CHECK(rl.rlim_cur >= 64, "RLIMIT_NOFILE soft >= 64");
    struct rlimit rl2;
    CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &rl2) == 0 && rl2.rlim_cur == rl.rlim_cur &&
              rl2.rlim_max == rl.rlim_max,
          "prlimit(0, RLIMIT_NOFILE) agrees with getrlimit");
    CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 65536),
          "getrlimit(RLIMIT_STACK) is at least 64 KiB");

    char exe[4096];
    ssize_t n = x_readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (CHECK(n > 0, "readlinkat(/proc/self/exe)")) {
        exe[n] = 0;
        CHECK(exe[0] == '/', "/proc/self/exe is an absolute path");
        CHECK(n >= 6 && strcmp(exe + n - 6, "/uname") == 0, "/proc/self/exe ends with \"/uname\"");
    }
    CHECK_ERR(x_readlink("/proc/self/exe", exe, 0), EINVAL, "readlinkat with a 0-byte buffer");
    return finish();
}
