/* exec_limits.c - what execve refuses before reading a file, and how deep #! chains go.
 *
 * A file without an execute bit, a character device, a directory: EACCES (a FIFO as the program
 * is in test/unit/cli_errors.test.ts: making one needs mknodat). execveat(...,
 * AT_SYMLINK_NOFOLLOW) on a symlink: ELOOP, even though its target is executable. A chain of
 * five #! scripts (s5 runs s4 ... s1, which the static /bin/busybox sh runs) exits with s1's
 * status; six levels are ELOOP. qemu-aarch64 7.2 has no execveat (ENOSYS). */
#include "common.h"
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char g_dir[256];

static void path(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", g_dir, name); }

static void put_file(const char *name, const char *text, mode_t mode)
{
    char p[320];
    path(p, sizeof p, name);
    if (write_file(p, text, mode) != 0 || fchmodat(AT_FDCWD, p, mode, 0) != 0)
        fatal("put_file");
}

/* Run execve(argv0) in a child; returns the exit status, or 1000 + errno if execve failed. */
static int run(const char *file)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { (char *)file, NULL }, *envp[] = { "PATH=/usr/bin:/bin", NULL };
        execve(file, argv, envp);
        _exit(200 + (errno & 0x3f));
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        fatal("waitpid");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 300 + WTERMSIG(st);
}

static int exec_errno(const char *file)
{
    char *argv[] = { (char *)file, NULL }, *envp[] = { NULL };
    errno = 0;
    execve(file, argv, envp);
    return errno;
}

int main(void)
{
    make_tmpdir(g_dir, sizeof g_dir, "exec_limits");
    char p[320];

    put_file("plain", "#!/bin/busybox sh\nexit 3\n", 0644);
    path(p, sizeof p, "plain");
    CHECK(exec_errno(p) == EACCES, "execve of a file without an execute bit -> EACCES");

    CHECK(exec_errno("/dev/zero") == EACCES, "execve of /dev/zero -> EACCES");
    put_file("bang2", "#!", 0755);
    path(p, sizeof p, "bang2");
    CHECK(exec_errno(p) == EACCES, "execve of a 2-byte \"#!\" file -> EACCES (the empty interpreter)");
    put_file("bang3", "#!\n", 0755);
    path(p, sizeof p, "bang3");
    CHECK(exec_errno(p) == ENOEXEC, "execve of \"#!\\n\" -> ENOEXEC (no interpreter name)");
    CHECK(exec_errno(g_dir) == EACCES, "execve of a directory -> EACCES");

    put_file("ok.sh", "#!/bin/busybox sh\nexit 5\n", 0755);
    path(p, sizeof p, "link");
    char target[320];
    path(target, sizeof target, "ok.sh");
    CHECK(symlinkat(target, AT_FDCWD, p) == 0, "symlink to an executable script");
    CHECK(run(p) == 5, "execve through the symlink runs its target");
    int dfd = openat(AT_FDCWD, g_dir, O_RDONLY | O_DIRECTORY);
    char *argv[] = { "link", NULL }, *envp[] = { NULL };
    errno = 0;
    syscall(SYS_execveat, dfd, "link", argv, envp, AT_SYMLINK_NOFOLLOW);
    CHECK(errno == ELOOP, "execveat(dirfd, link, AT_SYMLINK_NOFOLLOW) -> ELOOP (errno=%s)", errname(errno));
    close(dfd);
    /* faccessat2(AT_SYMLINK_NOFOLLOW) answers about the link, not what it points to */
    char dangling[320];
    path(dangling, sizeof dangling, "dangling");
    CHECK(symlinkat("/nonexistent/ucrun-target", AT_FDCWD, dangling) == 0, "a dangling symlink");
    CHECK(syscall(SYS_faccessat2, AT_FDCWD, dangling, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno == ENOSYS,
          "faccessat2(dangling, F_OK, AT_SYMLINK_NOFOLLOW) -> 0 (the link exists)");
    CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, dangling, F_OK, 0), ENOENT, "faccessat2(dangling, F_OK) follows it");
    unlinkat(AT_FDCWD, dangling, 0);

    /* s1 is run by busybox sh; s2..s6 each name the previous one as their interpreter */
    put_file("s1", "#!/bin/busybox sh\nexit 7\n", 0755);
    for (int i = 2; i <= 6; i++) {
        char name[8], text[400], prev[320];
        snprintf(name, sizeof name, "s%d", i);
        snprintf(prev, sizeof prev, "%s/s%d", g_dir, i - 1);
        snprintf(text, sizeof text, "#!%s\n", prev);
        put_file(name, text, 0755);
    }
    path(p, sizeof p, "s5");
    CHECK(run(p) == 7, "a chain of five #! scripts runs (exit 7)");
    path(p, sizeof p, "s6");
    CHECK(run(p) == 200 + ELOOP, "six levels of #! -> ELOOP");

    const char *names[] = { "plain", "bang2", "bang3", "ok.sh", "link", "s1", "s2", "s3", "s4", "s5", "s6" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        path(p, sizeof p, names[i]);
        unlinkat(AT_FDCWD, p, 0);
    }
    unlinkat(AT_FDCWD, g_dir, AT_REMOVEDIR);
    return finish();
}
