/* exec_child.c - the program exec_main execve's; it checks what it received and reports.
 *
 * Started directly (as the guest suite does) it has nothing to check and says so. Started by
 * exec_main, the mode comes from EXEC_CHILD_MODE in the environment or else argv[1]:
 *   basic    argv/envp exactly as sent; pid and parent unchanged; the report pipe survived
 *            exec and the O_CLOEXEC fd did not (a dup of it did); a handled signal is back to
 *            SIG_DFL, an ignored one still SIG_IGN; the mask, a pending signal, the alarm
 *            and the cwd are kept; the alternate signal stack is gone.
 *   script1  run as `#!<exec_child> arg1`, argv = [interpreter, "arg1", script, x1, x2]
 *   script2  `#!  <exec_child>   a  b  ` : one argument "a  b" (inner spaces kept)
 *   script3  `#!<exec_child>` with no argument: argv = [interpreter, script, x1]
 *   fexecve  run by fexecve(fd) (execveat(fd, "", AT_EMPTY_PATH), or /proc/self/fd/N)
 *   status   exit with status 42
 * Checks are printed here (stdout is shared with exec_main, which waits for us); a one-line
 * summary also goes to the report fd so exec_main knows the pipe survived. */
#include "common.h"
#include <signal.h>
#include <sys/auxv.h>

extern char **environ;

static int g_rep = -1;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v ? v : dflt;
}

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* paths are printed by name only (they differ per arch and the script dir is random) */
static const char *symbolic(const char *s)
{
    if (streq(s, getenv("EXEC_CHILD_SELF")))
        return "<path of exec_child>";
    if (streq(s, getenv("EXEC_CHILD_SCRIPT")))
        return "<path of the script>";
    if (s && s[0] == '/')
        return "<another absolute path>";
    return s ? s : "(null)";
}

static void check_argv(int argc, char **argv, int n, const char *const *want, const char *what)
{
    int ok = argc == n && argv[argc] == NULL;
    for (int i = 0; ok && i < n; i++)
        ok = streq(argv[i], want[i]);
    CHECK(ok, "%s: argv is exactly as expected (%d entries)", what, n);
    if (!ok) {
        out("  argc=%d, want %d\n", argc, n);
        for (int i = 0; i < argc && i < 8; i++)
            out("  argv[%d]=\"%s\" want \"%s\"\n", i, symbolic(argv[i]), i < n ? symbolic(want[i]) : "(none)");
    }
}

static int disposition(int sig, void **h)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) != 0)
        return -1;
    *h = (void *)sa.sa_handler;
    return 0;
}

static void basic(int argc, char **argv)
{
    static const char *const want_tail[] = {"two words", "", "last"};
    CHECK(argc == 10 && argv[10] == NULL, "basic: argc == 10 and argv[argc] == NULL");
    if (argc != 10)
        return;
    CHECK(streq(argv[0], "custom-argv0"), "argv[0] is the string exec_main passed, not the path");
    int ok = 1;
    for (int i = 0; i < 3; i++)
        ok &= streq(argv[7 + i], want_tail[i]);
    CHECK(ok, "argv[7..9] arrive exactly: \"two words\", \"\", \"last\"");
    int rep = atoi(argv[2]), clo = atoi(argv[3]), dupfd = atoi(argv[4]);
    pid_t parent = (pid_t)atoi(argv[5]), self = (pid_t)atoi(argv[6]);
    g_rep = rep;

    static const char *const want_env[] = {"UCRUN_A=1", "UCRUN_B=two words", "UCRUN_EMPTY="};
    /* Linux keeps the order too, but qemu-aarch64 7.2 reverses the environment, so only
     * the set of strings is compared */
    int n = 0;
    while (environ[n])
        n++;
    ok = n == 3;
    for (int i = 0; ok && i < 3; i++) {
        int found = 0;
        for (int j = 0; j < n; j++)
            found += streq(environ[j], want_env[i]);
        ok = found == 1;
    }
    CHECK(ok, "envp arrives exactly (the same 3 strings, nothing added)");
    CHECK(streq(getenv("UCRUN_B"), "two words") && streq(getenv("UCRUN_EMPTY"), ""), "getenv sees them");
    CHECK(getenv("UCRUN_TEST") == NULL && getenv("PATH") == NULL, "nothing else was added to the environment");

    CHECK(getpid() == self, "getpid() is the same as before execve");
    CHECK(getppid() == parent, "getppid() is still exec_main");

    CHECK(fcntl(rep, F_GETFD) == 0, "the report pipe fd is open after exec, without FD_CLOEXEC");
    struct stat st;
    CHECK(fstat(rep, &st) == 0 && S_ISFIFO(st.st_mode), "and it is a pipe");
    CHECK_ERR(fcntl(clo, F_GETFD), EBADF, "the O_CLOEXEC fd was closed by exec: fcntl(F_GETFD)");
    CHECK(fcntl(dupfd, F_GETFD) == 0, "a dup() of the O_CLOEXEC fd (dup clears the flag) survived");

    void *h = NULL;
    CHECK(disposition(SIGUSR1, &h) == 0 && h == (void *)SIG_DFL, "SIGUSR1, handled before exec, is SIG_DFL after");
    CHECK(disposition(SIGUSR2, &h) == 0 && h == (void *)SIG_IGN, "SIGUSR2, ignored before exec, is still SIG_IGN");
    CHECK(disposition(SIGHUP, &h) == 0 && h == (void *)SIG_DFL, "SIGHUP, default before exec, is SIG_DFL");
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(sigismember(&cur, SIGTERM) && sigismember(&cur, SIGWINCH), "the signal mask is kept (SIGTERM, SIGWINCH blocked)");
    CHECK(!sigismember(&cur, SIGUSR1), "and holds nothing else we did not block (SIGUSR1 not blocked)");
    sigset_t pend;
    sigemptyset(&pend);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGTERM), "SIGTERM raised while blocked before exec is still pending");
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGTERM);
    struct timespec zero = {0, 0};
    CHECK(sigtimedwait(&w, NULL, &zero) == SIGTERM, "sigtimedwait collects it");

    stack_t ss;
    CHECK(sigaltstack(NULL, &ss) == 0 && ss.ss_flags == SS_DISABLE, "the alternate signal stack was reset by exec");

    unsigned left = alarm(0);
    CHECK(left >= 8 && left <= 10, "the alarm(10) set before exec is still running");

    char cwd[64];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "the cwd (/) set before exec is kept");
}

static void script(int argc, char **argv, const char *mode)
{
    const char *self = getenv("EXEC_CHILD_SELF"), *scr = getenv("EXEC_CHILD_SCRIPT");
    g_rep = atoi(env_or("EXEC_CHILD_REP", "-1"));
    if (!self || !scr) {
        CHECK(0, "%s: EXEC_CHILD_SELF and EXEC_CHILD_SCRIPT are set", mode);
        return;
    }
    if (strcmp(mode, "script1") == 0) {
        const char *want[] = {self, "arg1", scr, "x1", "x2"};
        check_argv(argc, argv, 5, want, "#!<exec_child> arg1");
    } else if (strcmp(mode, "script2") == 0) {
        const char *want[] = {self, "a  b", scr, "x1"};
        check_argv(argc, argv, 4, want, "#!  <exec_child>   a  b  (spaces around)");
    } else {
        const char *want[] = {self, scr, "x1"};
        check_argv(argc, argv, 3, want, "#!<exec_child> with no argument");
    }
    CHECK(streq((const char *)getauxval(AT_EXECFN), scr) || streq((const char *)getauxval(AT_EXECFN), self),
          "%s: AT_EXECFN names the script or the interpreter", mode);
}

int main(int argc, char **argv)
{
    const char *mode = getenv("EXEC_CHILD_MODE");
    if (!mode)
        mode = argc > 1 ? argv[1] : NULL;
    if (!mode) {
        CHECK(1, "exec_child started directly: nothing to check (exec_main runs it)");
        return finish();
    }
    if (strcmp(mode, "basic") == 0) {
        basic(argc, argv);
    } else if (strncmp(mode, "script", 6) == 0) {
        script(argc, argv, mode);
    } else if (strcmp(mode, "fexecve") == 0) {
        g_rep = atoi(env_or("EXEC_CHILD_REP", "-1"));
        const char *want[] = {"via-fexecve", "fexecve-arg"};
        check_argv(argc, argv, 2, want, "fexecve(fd)");
    } else if (strcmp(mode, "status") == 0) {
        return 42;
    } else {
        CHECK(0, "unknown mode");
    }
    if (g_rep >= 0) {
        char line[96];
        snprintf(line, sizeof line, "exec_child %s: %d of %d checks failed\n", mode, g_failures, g_checks);
        write_all(g_rep, line, strlen(line));
    }
    return g_failures ? 1 : 0;
}
