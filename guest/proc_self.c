/* proc_self.c - /proc/self describes this guest process, never the program running it.
 *
 * status (Name, Pid, PPid, Threads), stat (pid and (comm)), comm and maps (main's code is in an
 * r-x mapping, a stack variable in [stack]) agree with getpid()/getppid() and the program's
 * own addresses; readlink /proc/self/exe ends in the program's name. */
#include "common.h"

static long field(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static int covers(const char *maps, uintptr_t addr, const char *perms_have, const char *tag)
{
    const char *line = maps;
    while (*line) {
        unsigned long lo, hi;
        char perms[5] = { 0 };
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) {
            const char *end = strchr(line, '\n');
            int tag_ok = !tag || (strstr(line, tag) && (!end || strstr(line, tag) < end));
            return strncmp(perms, perms_have, strlen(perms_have)) == 0 && tag_ok;
        }
        const char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    return 0;
}

int main(void)
{
    static char buf[65536];
    CHECK(read_file("/proc/self/status", buf, sizeof buf) > 0, "read /proc/self/status");
    CHECK(strstr(buf, "Name:\tproc_self\n") != NULL, "status: Name is this program");
    CHECK(field(buf, "\nPid:\t") == getpid(), "status: Pid is getpid()");
    CHECK(field(buf, "\nPPid:\t") == getppid(), "status: PPid is getppid()");
    CHECK(field(buf, "\nThreads:\t") == 1, "status: one thread");

    CHECK(read_file("/proc/self/stat", buf, sizeof buf) > 0, "read /proc/self/stat");
    char want[64];
    snprintf(want, sizeof want, "%d (proc_self) ", getpid());
    CHECK(strncmp(buf, want, strlen(want)) == 0, "stat starts with pid (comm)");

    CHECK(read_file("/proc/self/comm", buf, sizeof buf) > 0 && strcmp(buf, "proc_self\n") == 0, "comm");

    int local = 0;
    CHECK(read_file("/proc/self/maps", buf, sizeof buf) > 0, "read /proc/self/maps");
    CHECK(covers(buf, (uintptr_t)main, "r-x", NULL), "maps: main() lies in an r-x mapping");
    CHECK(covers(buf, (uintptr_t)&local, "rw-", "[stack]"), "maps: a local variable lies in [stack]");

    int len = read_file("/proc/self/cmdline", buf, sizeof buf);
    CHECK(len > 0 && strstr(buf, "proc_self") != NULL && buf[len - 1] == 0, "cmdline: argv[0] names this program, NUL-terminated");
    len = read_file("/proc/self/environ", buf, sizeof buf);
    int found = 0;
    for (int i = 0; i < len; i += (int)strlen(buf + i) + 1)
        found |= strcmp(buf + i, "UCRUN_TEST=yes") == 0;
    CHECK(getenv("UCRUN_TEST") == NULL || found, "environ holds the environment the program got");

    char link[256];
    ssize_t n = readlinkat(AT_FDCWD, "/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(n > 0 && strstr(link, "/proc_self") != NULL, "/proc/self/exe names this program");
    return finish();
}
