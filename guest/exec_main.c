/* exec_main.c - execve and friends; the program it runs is exec_child from the same directory
 * (found through /proc/self/exe).
 *
 * A forked child prepares signals (a handler, an ignored signal, a mask, a pending signal),
 * an alarm, a cwd, an alternate stack and three fds (a pipe without FD_CLOEXEC, an O_CLOEXEC
 * one and a dup of it), then execve's exec_child with a chosen argv and envp; exec_child
 * checks all that arrived and reports through the pipe, and exec_main waits for it.
 * Then: the exit status of the exec'd program; `#!` scripts (with an argument, with spaces,
 * without an argument) and fexecve (execveat with AT_EMPTY_PATH); errors: ENOENT (missing file, missing
 * interpreter, empty path), EACCES (a directory, a file without x permission), ENOEXEC (a
 * non-ELF file without #!), ENOTDIR. Nothing printed contains a path or a pid. */
#include "common.h"
#include <libgen.h>
#include <signal.h>
#include <sys/wait.h>

static char g_child[4096];
static char g_dir[256];

/* read a pipe to EOF */
static void slurp(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got + 1 < n) {
        ssize_t r = read(fd, buf + got, n - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    buf[got] = 0;
}

static void h_usr1(int sig) { (void)sig; }

/* fork; the child execve's path and, on failure, exits with the errno (or 200) */
static int exec_errno(const char *path, const char *what)
{
    (void)what;
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)"x", NULL};
        char *envp[] = {NULL};
        execve(path, argv, envp);
        _exit(errno > 0 && errno < 200 ? errno : 200);
    }
    int st = reap(pid);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define CHECK_EXEC_ERR(path, E, what) \
    do { \
        int e_ = exec_errno(path, what); \
        CHECK(e_ == E, "execve(%s) -> %s (got %s)", what, #E, e_ < 0 ? "no error" : errname(e_)); \
    } while (0)

static void test_basic(void)
{
    int rep[2], clo[2];
    if (pipe(rep) != 0 || pipe2(clo, O_CLOEXEC) != 0)
        fatal("pipe");
    int dupfd = dup(clo[0]);
    if (dupfd < 0)
        fatal("dup");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        fatal("fork");
    if (pid == 0) {
        close(rep[0]);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = h_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGHUP, SIG_DFL);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGTERM);
        sigaddset(&m, SIGWINCH);
        sigprocmask(SIG_SETMASK, &m, NULL);
        raise(SIGTERM); /* stays pending across exec */
        static unsigned char alt[65536];
        stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
        sigaltstack(&ss, NULL);
        alarm(10);
        if (chdir("/") != 0)
            _exit(126);
        char a2[16], a3[16], a4[16], a5[16], a6[16];
        snprintf(a2, sizeof a2, "%d", rep[1]);
        snprintf(a3, sizeof a3, "%d", clo[0]);
        snprintf(a4, sizeof a4, "%d", dupfd);
        snprintf(a5, sizeof a5, "%d", (int)parent);
        snprintf(a6, sizeof a6, "%d", (int)getpid());
        char *argv[] = {(char *)"custom-argv0", (char *)"basic", a2, a3, a4, a5, a6,
                        (char *)"two words", (char *)"", (char *)"last", NULL};
        char *envp[] = {(char *)"UCRUN_A=1", (char *)"UCRUN_B=two words", (char *)"UCRUN_EMPTY=", NULL};
        execve(g_child, argv, envp);
        _exit(127);
    }
    close(rep[1]);
    close(clo[0]);
    char buf[256];
    slurp(rep[0], buf, sizeof buf);
    close(rep[0]);
    CHECK(strcmp(buf, "exec_child basic: 0 of 22 checks failed\n") == 0,
          "exec_child's report arrived through the pipe kept open across exec: all its checks passed");
    int st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "waitpid: the exec'd child exited with 0");
    close(clo[1]);
    close(dupfd);

    pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)"exec_child", (char *)"status", NULL};
        char *envp[] = {NULL};
        execve(g_child, argv, envp);
        _exit(127);
    }
    st = reap(pid);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 42, "the exec'd program's exit status (42) reaches waitpid");
}

/* run a script (or, with fd >= 0, execveat) in a child; returns the report line */
static void run_mode(const char *mode, const char *path, int dirfd, char *const argv[], char *report, size_t n, int *status)
{
    int rep[2];
    if (pipe(rep) != 0)
        fatal("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(rep[0]);
        char e0[64], e1[32], e2[4200], e3[4200];
        snprintf(e0, sizeof e0, "EXEC_CHILD_MODE=%s", mode);
        snprintf(e1, sizeof e1, "EXEC_CHILD_REP=%d", rep[1]);
        snprintf(e2, sizeof e2, "EXEC_CHILD_SELF=%s", g_child);
        snprintf(e3, sizeof e3, "EXEC_CHILD_SCRIPT=%s", path ? path : "");
        char *envp[] = {e0, e1, e2, e3, NULL};
        if (dirfd >= 0)
            fexecve(dirfd, argv, envp); /* glibc: execveat(fd, "", AT_EMPTY_PATH), on ENOSYS /proc/self/fd/N */
        else
            execve(path, argv, envp);
        _exit(127);
    }
    close(rep[1]);
    slurp(rep[0], report, n);
    close(rep[0]);
    *status = reap(pid);
}

static void test_scripts(void)
{
    char s1[512], s2[512], s3[512], body[4300];
    path_in(s1, sizeof s1, g_dir, "script1");
    path_in(s2, sizeof s2, g_dir, "script2");
    path_in(s3, sizeof s3, g_dir, "script3");
    snprintf(body, sizeof body, "#!%s arg1\nthis line is not read by the kernel\n", g_child);
    if (write_file(s1, body, 0755) != 0)
        fatal("write script1");
    snprintf(body, sizeof body, "#!  %s   a  b  \t\n", g_child);
    if (write_file(s2, body, 0755) != 0)
        fatal("write script2");
    snprintf(body, sizeof body, "#!%s\n", g_child);
    if (write_file(s3, body, 0755) != 0)
        fatal("write script3");
    fchmodat(AT_FDCWD, s1, 0755, 0);
    fchmodat(AT_FDCWD, s2, 0755, 0);
    fchmodat(AT_FDCWD, s3, 0755, 0);

    char rep[256];
    int st;
    char *av1[] = {(char *)"ignored-argv0", (char *)"x1", (char *)"x2", NULL};
    run_mode("script1", s1, -1, av1, rep, sizeof rep, &st);
    CHECK(strcmp(rep, "exec_child script1: 0 of 2 checks failed\n") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "#! script with an argument ran its interpreter with [interp, arg, script, args[1..]]");
    char *av2[] = {(char *)"ignored-argv0", (char *)"x1", NULL};
    run_mode("script2", s2, -1, av2, rep, sizeof rep, &st);
    CHECK(strcmp(rep, "exec_child script2: 0 of 2 checks failed\n") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "#! line with extra spaces: one argument, inner spaces kept, outer ones stripped");
    run_mode("script3", s3, -1, av2, rep, sizeof rep, &st);
    CHECK(strcmp(rep, "exec_child script3: 0 of 2 checks failed\n") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "#! line without an argument: [interp, script, args[1..]]");

    int fd = openat(AT_FDCWD, g_child, O_RDONLY);
    if (fd < 0)
        fatal("open exec_child");
    char *av3[] = {(char *)"via-fexecve", (char *)"fexecve-arg", NULL};
    run_mode("fexecve", NULL, fd, av3, rep, sizeof rep, &st);
    CHECK(strcmp(rep, "exec_child fexecve: 0 of 1 checks failed\n") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "fexecve(fd of exec_child, argv, envp) ran it");
    close(fd);

    x_unlink(s1);
    x_unlink(s2);
    x_unlink(s3);
}

static void test_errors(void)
{
    char p[512], q[600];
    CHECK_EXEC_ERR("/nonexistent-ucrun-dir/prog", ENOENT, "a missing file");
    CHECK_EXEC_ERR("", ENOENT, "\"\"");
    CHECK_EXEC_ERR("/tmp", EACCES, "a directory");

    path_in(p, sizeof p, g_dir, "notelf");
    if (write_file(p, "just some text, no #! line\n", 0755) != 0)
        fatal("write notelf");
    fchmodat(AT_FDCWD, p, 0755, 0);
    CHECK_EXEC_ERR(p, ENOEXEC, "an executable text file without #!");
    snprintf(q, sizeof q, "%s/x", p);
    CHECK_EXEC_ERR(q, ENOTDIR, "a path through a regular file");
    x_unlink(p);

    path_in(p, sizeof p, g_dir, "noexec");
    if (write_file(p, "#!/bin/sh\n", 0644) != 0)
        fatal("write noexec");
    fchmodat(AT_FDCWD, p, 0644, 0);
    CHECK_EXEC_ERR(p, EACCES, "a file without execute permission");
    x_unlink(p);

    path_in(p, sizeof p, g_dir, "badinterp");
    if (write_file(p, "#!/nonexistent-ucrun-dir/interp\n", 0755) != 0)
        fatal("write badinterp");
    fchmodat(AT_FDCWD, p, 0755, 0);
    CHECK_EXEC_ERR(p, ENOENT, "a script whose interpreter is missing");
    x_unlink(p);
}

int main(void)
{
    signal(SIGCHLD, SIG_DFL);
    char self[4096];
    ssize_t n = x_readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        fatal("readlink /proc/self/exe");
    self[n] = 0;
    snprintf(g_child, sizeof g_child, "%s/exec_child", dirname(self));
    CHECK(x_access(g_child, X_OK) == 0, "exec_child is next to exec_main and executable");
    make_tmpdir(g_dir, sizeof g_dir, "exec_main");

    test_basic();
    test_scripts();
    test_errors();

    x_rmdir(g_dir);
    return finish();
}
