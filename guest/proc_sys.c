/* proc_sys.c - the system-wide /proc and /sys files programs read, and /proc/<pid>'s
 * directories, auxv and mem, agree with what the system calls say.
 *
 * cpuinfo lists as many processors as sysconf(_SC_NPROCESSORS_ONLN) (which glibc takes from
 * /sys/devices/system/cpu/online); meminfo, uptime, loadavg and stat parse and agree with
 * sysinfo(2); /proc/sys/kernel names agree with uname(2); /proc lists self and this pid;
 * /proc/self is a link to the pid, thread-self to pid/task/tid; fd/ and fdinfo/ describe this
 * process's descriptors; auxv holds what getauxval() returns; mem reads and writes this
 * process's memory (even read-only pages) and says EIO where nothing is mapped; a forked
 * child's /proc/<pid> shows the child. */
#include "common.h"
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static char buf[1 << 16];

static int has_entry(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        found |= strcmp(e->d_name, name) == 0;
    closedir(d);
    return found;
}

static long meminfo_kb(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    long v = -1;
    if (p && sscanf(p + strlen(name), ":%ld kB", &v) != 1)
        v = -1;
    return v;
}

static int count_lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        n += strncmp(l, prefix, strlen(prefix)) == 0;
    return n;
}

static void system_files(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK(read_file("/proc/cpuinfo", buf, sizeof buf) > 0, "read /proc/cpuinfo");
    CHECK(count_lines_starting(buf, "processor\t: ") == ncpu, "cpuinfo: one 'processor' block per online CPU");

    CHECK(read_file("/sys/devices/system/cpu/online", buf, sizeof buf) > 0, "read /sys/devices/system/cpu/online");
    int lo = -1, hi = -1, n = sscanf(buf, "%d-%d", &lo, &hi);
    CHECK(lo == 0 && (n == 1 ? 1 : hi + 1) == ncpu, "cpu/online: 0-(N-1) for N online CPUs");
    CHECK(sysconf(_SC_NPROCESSORS_CONF) >= ncpu, "configured CPUs >= online CPUs");

    struct sysinfo si;
    CHECK(sysinfo(&si) == 0, "sysinfo");
    CHECK(read_file("/proc/meminfo", buf, sizeof buf) > 0, "read /proc/meminfo");
    long total = meminfo_kb(buf, "MemTotal"), mfree = meminfo_kb(buf, "MemFree");
    CHECK(total > 0 && mfree >= 0 && mfree <= total, "meminfo: MemFree <= MemTotal");
    CHECK(meminfo_kb(buf, "MemAvailable") >= 0 && meminfo_kb(buf, "SwapTotal") >= 0, "meminfo: MemAvailable and SwapTotal");
    CHECK(total == (long)(si.totalram * si.mem_unit / 1024), "meminfo: MemTotal is sysinfo's totalram");

    double up = -1, idle = -1;
    CHECK(read_file("/proc/uptime", buf, sizeof buf) > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2, "uptime: two numbers");
    CHECK(up >= 0 && idle >= 0 && up + 2 >= (double)si.uptime && up <= (double)si.uptime + 2, "uptime agrees with sysinfo");

    double l1, l5, l15;
    int run, threads, last;
    CHECK(read_file("/proc/loadavg", buf, sizeof buf) > 0, "read /proc/loadavg");
    CHECK(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &threads, &last) == 6 && run >= 1 && threads >= run,
          "loadavg: three loads, running/threads, last pid");

    CHECK(read_file("/proc/stat", buf, sizeof buf) > 0, "read /proc/stat");
    CHECK(strncmp(buf, "cpu ", 4) == 0, "stat: starts with the cpu line");
    CHECK(count_lines_starting(buf, "cpu") == ncpu + 1, "stat: one cpuN line per CPU");
    const char *bt = strstr(buf, "\nbtime ");
    long btime = bt ? strtol(bt + 7, NULL, 10) : 0;
    long boot = (long)time(NULL) - si.uptime;
    CHECK(btime >= boot - 3 && btime <= boot + 3, "stat: btime is now minus uptime");

    struct utsname u;
    char want[128];
    CHECK(uname(&u) == 0, "uname");
    CHECK(read_file("/proc/sys/kernel/ostype", buf, sizeof buf) > 0 && strcmp(buf, "Linux\n") == 0, "sys/kernel/ostype");
    snprintf(want, sizeof want, "%s\n", u.release);
    CHECK(read_file("/proc/sys/kernel/osrelease", buf, sizeof buf) > 0 && strcmp(buf, want) == 0, "sys/kernel/osrelease is uname's release");
    snprintf(want, sizeof want, "%s\n", u.nodename);
    CHECK(read_file("/proc/sys/kernel/hostname", buf, sizeof buf) > 0 && strcmp(buf, want) == 0, "sys/kernel/hostname is uname's nodename");
    CHECK(read_file("/proc/sys/kernel/pid_max", buf, sizeof buf) > 0 && atol(buf) > getpid(), "sys/kernel/pid_max above our pid");
    CHECK(read_file("/proc/sys/kernel/random/boot_id", buf, sizeof buf) == 37, "boot_id: a UUID line");
    char again[64];
    read_file("/proc/sys/kernel/random/boot_id", again, sizeof again);
    CHECK(strcmp(buf, again) == 0, "boot_id: the same on every read");
    CHECK(read_file("/proc/sys/fs/nr_open", buf, sizeof buf) > 0 && atol(buf) >= 1024, "sys/fs/nr_open");
    CHECK(read_file("/proc/version", buf, sizeof buf) > 0 && strncmp(buf, "Linux version ", 14) == 0, "/proc/version");
    CHECK(openat(AT_FDCWD, "/proc/no-such-file", O_RDONLY) < 0 && errno == ENOENT, "a name /proc does not have: ENOENT");
}

static void pid_dirs(void)
{
    char me[32], link[256];
    snprintf(me, sizeof me, "%d", getpid());
    CHECK(has_entry("/proc", "self") && has_entry("/proc", me), "/proc lists self and our pid");
    ssize_t n = x_readlink("/proc/self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(strcmp(link, me) == 0, "/proc/self -> our pid");
    char want[64];
    snprintf(want, sizeof want, "%d/task/%d", getpid(), gettid());
    n = x_readlink("/proc/thread-self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(strcmp(link, want) == 0, "/proc/thread-self -> pid/task/tid");
    char tid[32];
    snprintf(tid, sizeof tid, "%d", gettid());
    CHECK(has_entry("/proc/self/task", tid), "/proc/self/task lists our tid");
    snprintf(want, sizeof want, "/proc/self/task/%d/stat", gettid());
    CHECK(read_file(want, buf, sizeof buf) > 0 && atoi(buf) == gettid(), "task/<tid>/stat starts with the tid");

    int fd = openat(AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    char name[32];
    snprintf(name, sizeof name, "%d", fd);
    CHECK(fd >= 0 && has_entry("/proc/self/fd", name) && has_entry("/proc/self/fdinfo", name), "fd/ and fdinfo/ list an open fd");
    snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
    n = x_readlink(want, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "/proc/%d/cmdline", getpid());
    CHECK(strcmp(link, want) == 0, "fd/N -> the file it has open");
    snprintf(want, sizeof want, "/proc/self/fdinfo/%d", fd);
    CHECK(read_file(want, buf, sizeof buf) > 0, "read fdinfo/N");
    const char *fl = strstr(buf, "flags:\t");
    long flags = fl ? strtol(fl + 7, NULL, 8) : 0;
    CHECK(strncmp(buf, "pos:\t0\n", 7) == 0 && (flags & O_CLOEXEC) && (flags & O_ACCMODE) == O_RDONLY, "fdinfo: pos, flags with O_CLOEXEC");
    int dfd = openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0 && faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0, "an *at() call relative to /proc/self/fd");
    close(dfd);
    close(fd);
}

static const char rodata[] = "read-only data";

static void auxv_and_mem(void)
{
    unsigned long v[512];
    int fd = openat(AT_FDCWD, "/proc/self/auxv", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, v, sizeof v) : -1;
    close(fd);
    int pagesz = 0, entry = 0, random = 0, ended = 0;
    for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
        if (v[i] == AT_PAGESZ) pagesz = v[i + 1] == getauxval(AT_PAGESZ);
        if (v[i] == AT_ENTRY) entry = v[i + 1] == getauxval(AT_ENTRY);
        if (v[i] == AT_RANDOM) random = v[i + 1] == getauxval(AT_RANDOM);
        if (v[i] == AT_NULL) { ended = i + 2 == n / 8; break; }
    }
    CHECK(pagesz && entry && random, "auxv: AT_PAGESZ, AT_ENTRY, AT_RANDOM as getauxval says");
    CHECK(ended, "auxv: ends with AT_NULL");

    static volatile long cell = 0x1122334455667788;
    int mem = openat(AT_FDCWD, "/proc/self/mem", O_RDWR);
    CHECK(mem >= 0, "open /proc/self/mem read-write");
    long got = 0;
    CHECK(pread(mem, &got, sizeof got, (off_t)(uintptr_t)&cell) == sizeof got && got == cell, "mem: pread of a variable");
    long put = 0x0102030405060708;
    CHECK(pwrite(mem, &put, sizeof put, (off_t)(uintptr_t)&cell) == sizeof put && cell == put, "mem: pwrite changes it");
    char r[16];
    CHECK(pwrite(mem, "READ", 4, (off_t)(uintptr_t)rodata) == 4, "mem: pwrite into a read-only page (FOLL_FORCE)");
    for (size_t i = 0; i < sizeof rodata; i++)
        r[i] = ((const volatile char *)rodata)[i]; /* not folded to the constant */
    CHECK(memcmp(r, "READ-only data", sizeof rodata) == 0, "mem: the read-only page changed");
    char *hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole + 4096, 4096);
    memset(hole, 'x', 4096);
    char big[8192];
    CHECK(pread(mem, big, sizeof big, (off_t)(uintptr_t)hole) == 4096 && big[4095] == 'x', "mem: a read stops at an unmapped page");
    errno = 0;
    CHECK(pread(mem, big, 16, (off_t)(uintptr_t)(hole + 4096)) < 0 && errno == EIO, "mem: unmapped address: EIO");
    munmap(hole, 4096);
    close(mem);

    int p[2], q[2];
    CHECK(pipe(p) == 0 && pipe(q) == 0, "pipes");
    pid_t pid = fork();
    if (pid == 0) {
        cell = 42;
        char c = 1;
        close(p[1]);
        write(q[1], &c, 1); /* the value is in place */
        read(p[0], &c, 1); /* wait until the parent has looked */
        _exit(0);
    }
    char c;
    CHECK(read(q[0], &c, 1) == 1, "child ready");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    char want[64];
    snprintf(want, sizeof want, "\nPPid:\t%d\n", getpid());
    CHECK(read_file(path, buf, sizeof buf) > 0 && strstr(buf, want), "/proc/<child>/status: PPid is us");
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int cm = openat(AT_FDCWD, path, O_RDONLY);
    got = 0;
    CHECK(cm >= 0 && pread(cm, &got, sizeof got, (off_t)(uintptr_t)&cell) == sizeof got && got == 42, "/proc/<child>/mem: the child's value");
    close(cm);
    close(p[1]);
    close(p[0]);
    close(q[0]);
    close(q[1]);
    CHECK(reap(pid) == 0, "child exits 0");
}

int main(void)
{
    system_files();
    pid_dirs();
    auxv_and_mem();
    return finish();
}
