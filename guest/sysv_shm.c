/* sysv_shm.c - System V shared memory as Linux has it (ipc/shm.c).
 *
 * shmget's keys and sizes, shmat at a chosen, rounded (SHM_RND), replaced (SHM_REMAP) or
 * kernel-picked address, read-only attaches (a write is SIGSEGV, mprotect to writable is
 * EACCES), shm_nattch counting every mapping (fork's copies and mprotect's pieces too),
 * shmdt of a split attach, fork children and their parent exchanging data (pages first
 * touched after the fork included), IPC_RMID while attached (SHM_DEST, the key becomes
 * private, the memory stays until the last detach), execve and exit detaching, SHM_LOCK,
 * IPC_INFO/SHM_INFO and /proc/sys/kernel/shm*. Run as root, a child that drops to uid 65534
 * gets EACCES and EPERM. Every segment is removed; ids, keys and addresses are not printed.
 *
 *   sysv_shm exec-check ID   (run by execve from the test) reports the segment's nattch. */
#include "common.h"
#include <grp.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define PG 4096

static key_t random_key(void)
{
    unsigned int r;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        fatal("getrandom");
    return (key_t)(0x5f000000 | (r & 0xffffff));
}

static long nattch(int id)
{
    struct shmid_ds ds;
    return shmctl(id, IPC_STAT, &ds) == 0 ? (long)ds.shm_nattch : -1;
}

/* Does /proc/self/maps have a line for `addr` with these permissions and this name? */
static int mapped_as(void *addr, const char *perms, const char *name)
{
    char buf[65536], head[64];
    if (read_file("/proc/self/maps", buf, sizeof buf) <= 0)
        return 0;
    snprintf(head, sizeof head, "%lx-", (unsigned long)addr);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, head, strlen(head)) == 0)
            return strstr(line, perms) != NULL && strstr(line, name) != NULL;
    return 0;
}

static void keys_and_stat(void)
{
    CHECK_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL, "shmget of size 0");
    CHECK_ERR(shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL, "shmget of size (size_t)-1");
    key_t key = random_key();
    int id = shmget(key, 2 * PG, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0, "shmget(key, 8192, IPC_CREAT|IPC_EXCL)");
    CHECK_ERR(shmget(key, 2 * PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "the same key with IPC_EXCL again");
    CHECK(shmget(key, 100, 0) == id && shmget(key, 0, 0) == id, "an existing key with a smaller or 0 size");
    CHECK_ERR(shmget(key, 2 * PG + 1, 0), EINVAL, "an existing key with a larger size");
    CHECK_ERR(shmget(key ^ 0x800000, PG, 0600), ENOENT, "an unused key without IPC_CREAT");
    struct shmid_ds ds;
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == 2 * PG && ds.shm_nattch == 0 && ds.shm_cpid == getpid()
              && ds.shm_lpid == 0 && ds.shm_atime == 0 && ds.shm_dtime == 0 && ds.shm_ctime > 0
              && ds.shm_perm.__key == key && (ds.shm_perm.mode & 0777) == 0600 && ds.shm_perm.uid == geteuid(),
          "IPC_STAT: size, no attach yet, creator pid, key, mode, owner");
    CHECK(shmctl(id & 0x7fff, SHM_STAT, &ds) == id, "SHM_STAT by index returns the full id");
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1, "shmat(id, NULL, 0)");
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == getpid() && ds.shm_atime > 0,
          "attached once: nattch 1, lpid and atime set");
    char name[32];
    snprintf(name, sizeof name, "/SYSV%08x (deleted)", (unsigned)key);
    CHECK(mapped_as(p, "rw-s", name), "/proc/self/maps: rw-s /SYSV<key> (deleted)");
    CHECK(p[0] == 0 && p[2 * PG - 1] == 0, "a new segment reads zeroes");
    strcpy(p, "hello shm");
    char *q = shmat(id, NULL, 0);
    CHECK(q != (void *)-1 && q != p && strcmp(q, "hello shm") == 0, "a second attach elsewhere sees the same bytes");
    q[PG] = 'x';
    CHECK(p[PG] == 'x' && nattch(id) == 2, "and writes through it show at the first; nattch 2");
    CHECK(shmdt(q) == 0 && nattch(id) == 1 && shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_dtime > 0, "shmdt: nattch 1, dtime set");
    CHECK_ERR(shmdt(q), EINVAL, "shmdt of an address no longer attached");
    CHECK_ERR(shmdt(p + 1), EINVAL, "shmdt of an unaligned address");
    CHECK_ERR(shmat(-1, NULL, 0), EINVAL, "shmat of id -1");
    CHECK_ERR(shmat(id + 0x8000, NULL, 0), EINVAL, "shmat of an id with the wrong sequence number");
    CHECK_ERR(shmctl(id, 99, &ds), EINVAL, "an unknown shmctl command");
    CHECK_ERR(shmctl(id, IPC_STAT, (struct shmid_ds *)8), EFAULT, "IPC_STAT to a bad pointer");
    CHECK(shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "detach and remove");
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL, "IPC_STAT of the removed segment");
    CHECK_ERR(shmget(key, PG, 0), ENOENT, "its key is free again");

    struct shminfo si;
    CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0 && si.shmmax == 18446744073692774399UL && si.shmmin == 1
              && si.shmmni == 4096 && si.shmseg == 4096 && si.shmall == 18446744073692774399UL,
          "IPC_INFO: shmmax, shmmin, shmmni, shmseg, shmall");
    char buf[64];
    CHECK(read_file("/proc/sys/kernel/shmmax", buf, sizeof buf) > 0 && strcmp(buf, "18446744073692774399\n") == 0,
          "/proc/sys/kernel/shmmax");
    CHECK(read_file("/proc/sys/kernel/shmall", buf, sizeof buf) > 0 && strcmp(buf, "18446744073692774399\n") == 0,
          "/proc/sys/kernel/shmall");
    CHECK(read_file("/proc/sys/kernel/shmmni", buf, sizeof buf) > 0 && strcmp(buf, "4096\n") == 0, "/proc/sys/kernel/shmmni");
}

static void addresses(void)
{
    int id = shmget(IPC_PRIVATE, 3 * PG, 0600);
    char *a = shmat(id, NULL, 0);
    CHECK(a != (void *)-1 && shmdt(a) == 0, "attach and detach to find a free range");
    CHECK_ERR(shmat(id, a + 123, 0), EINVAL, "an unaligned address without SHM_RND");
    CHECK(shmat(id, a + 123, SHM_RND) == a, "with SHM_RND it is rounded down to SHMLBA");
    CHECK_ERR(shmat(id, a, 0), EINVAL, "the same address again overlaps the attach");
    CHECK(shmat(id, a, SHM_REMAP) == a && nattch(id) == 1, "SHM_REMAP replaces it (nattch stays 1)");
    CHECK_ERR(shmat(id, NULL, SHM_REMAP), EINVAL, "SHM_REMAP without an address");
    CHECK(mprotect(a + PG, PG, PROT_READ) == 0 && nattch(id) == 3, "mprotect of the middle page: three mappings, nattch 3");
    CHECK(mprotect(a + PG, PG, PROT_READ | PROT_WRITE) == 0 && nattch(id) == 3, "protecting it back does not merge them");
    CHECK(munmap(a + PG, PG) == 0 && nattch(id) == 2, "munmap of the middle page: nattch 2");
    CHECK(shmdt(a) == 0 && nattch(id) == 0, "shmdt of the start detaches every piece");

    char *w = shmat(id, NULL, 0);
    strcpy(w, "read me");
    char *r = shmat(id, NULL, SHM_RDONLY);
    CHECK(r != (void *)-1 && strcmp(r, "read me") == 0, "SHM_RDONLY attach reads the data");
    CHECK(mapped_as(r, "r--s", "/SYSV00000000 (deleted)"), "/proc/self/maps: r--s for it");
    CHECK_ERR(mprotect(r, PG, PROT_READ | PROT_WRITE), EACCES, "mprotect of a read-only attach to writable");
    pid_t pid = fork();
    if (pid == 0) {
        r[0] = 'X';
        _exit(0);
    }
    CHECK(waitstatus(pid) == 200 + SIGSEGV, "writing to it is SIGSEGV");
    CHECK(shmctl(id, IPC_RMID, NULL) == 0 && nattch(id) == 2, "IPC_RMID while attached twice");
    CHECK(shmdt(w) == 0 && nattch(id) == 1 && shmdt(r) == 0 && nattch(id) == -1, "the second shmdt destroys it");
}

static void fork_exchange(void)
{
    key_t key = random_key();
    int id = shmget(key, 4 * PG, IPC_CREAT | 0600);
    volatile char *p = shmat(id, NULL, 0);
    CHECK(id >= 0 && p != (void *)-1, "a segment of four pages, attached");
    p[0] = 'P';
    pid_t pid = fork();
    if (pid == 0) {
        int ok = p[0] == 'P' && nattch(id) == 2;
        p[0] = 'C';
        /* Page 2 was never touched before the fork: the parent must see it too. */
        strcpy((char *)p + 2 * PG, "from the child");
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "the fork child inherits the attach (nattch 2 in it)");
    CHECK(p[0] == 'C' && strcmp((char *)p + 2 * PG, "from the child") == 0,
          "the parent sees the child's writes, on a page first touched after fork too");
    CHECK(nattch(id) == 1, "the child's exit detached it");

    /* A counter two processes increment 1000 times each, in turns kept by a flag word. */
    volatile int *w = (volatile int *)(p + PG);
    w[0] = 0;
    w[1] = 0;
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 1000; i++) {
            while (w[0] != 1)
                sched_yield();
            w[1]++;
            w[0] = 0;
        }
        _exit(0);
    }
    for (int i = 0; i < 1000; i++) {
        while (w[0] != 0)
            sched_yield();
        w[1]++;
        w[0] = 1;
    }
    while (w[0] != 0)
        sched_yield();
    CHECK(waitstatus(pid) == 0 && w[1] == 2000, "two processes take turns 1000 times through a shared flag");

    pid = fork();
    if (pid == 0) {
        char *c = shmat(id, NULL, 0);
        int ok = c != (void *)-1 && c[0] == 'C';
        strcpy(c + 3 * PG, "attached in the child");
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0 && strcmp((char *)p + 3 * PG, "attached in the child") == 0,
          "a child's own shmat maps the same memory");

    CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID while attached");
    struct shmid_ds ds;
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_perm.__key == IPC_PRIVATE && (ds.shm_perm.mode & SHM_DEST)
              && ds.shm_nattch == 1,
          "it still exists: key now IPC_PRIVATE, mode has SHM_DEST");
    CHECK_ERR(shmget(key, PG, 0), ENOENT, "its key finds nothing");
    CHECK(p[0] == 'C', "the memory is still there");
    char *again = shmat(id, NULL, 0);
    CHECK(again != (void *)-1 && again[0] == 'C' && nattch(id) == 2, "a removed segment can still be attached by id");
    pid = fork();
    if (pid == 0)
        _exit(((volatile char *)again)[0] == 'C' ? 0 : 1);
    CHECK(waitstatus(pid) == 0, "and a fork child still reads it");
    CHECK(shmdt(again) == 0 && nattch(id) == 1, "detach the second attach");
    CHECK(shmat(id, (void *)p, SHM_REMAP) == (void *)p && p[0] == 'C' && nattch(id) == 1,
          "SHM_REMAP over its only attach keeps the removed segment and its data");
    CHECK(shmdt((char *)p) == 0, "detach the last attach");
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL, "the last detach destroyed it");
}

static void exec_detaches(const char *self)
{
    int id = shmget(IPC_PRIVATE, PG, 0600);
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1, "a segment attached before fork and exec");
    pid_t pid = fork();
    if (pid == 0) {
        char arg[16];
        snprintf(arg, sizeof arg, "%d", id);
        execl(self, self, "exec-check", arg, (char *)NULL);
        _exit(99);
    }
    CHECK(waitstatus(pid) == 1, "after execve the child's attach is gone (the new program sees nattch 1)");
    CHECK(shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "detach and remove");
}

static void locking(void)
{
    int id = shmget(IPC_PRIVATE, PG, 0600);
    struct shmid_ds ds;
    CHECK(shmctl(id, SHM_LOCK, NULL) == 0 && shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_LOCKED),
          "SHM_LOCK sets SHM_LOCKED in the mode");
    CHECK(shmctl(id, SHM_UNLOCK, NULL) == 0 && shmctl(id, IPC_STAT, &ds) == 0 && !(ds.shm_perm.mode & SHM_LOCKED),
          "SHM_UNLOCK clears it");
    struct shm_info info;
    CHECK(shmctl(0, SHM_INFO, (struct shmid_ds *)&info) >= 0 && info.used_ids >= 1, "SHM_INFO counts the segment");
    CHECK(shmctl(id, IPC_RMID, NULL) == 0, "remove it");
}

static void permissions(void)
{
    if (geteuid() != 0) {
        int id = shmget(IPC_PRIVATE, PG, 0400);
        CHECK(id >= 0, "a segment of one's own with mode 0400");
        CHECK_ERR(shmat(id, NULL, 0), EACCES, "a read-write attach without write permission");
        char *r = shmat(id, NULL, SHM_RDONLY);
        CHECK(r != (void *)-1 && shmdt(r) == 0, "a read-only attach");
        struct shmid_ds ds;
        CHECK(shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT");
        ds.shm_perm.mode = 0600;
        CHECK(shmctl(id, IPC_SET, &ds) == 0 && (r = shmat(id, NULL, 0)) != (void *)-1 && shmdt(r) == 0,
              "the owner's IPC_SET to 0600, then a read-write attach");
        CHECK(shmctl(id, IPC_RMID, NULL) == 0, "the owner removes it");
        return;
    }
    int priv = shmget(IPC_PRIVATE, PG, 0600);
    int pub = shmget(IPC_PRIVATE, PG, 0644);
    CHECK(priv >= 0 && pub >= 0, "root: a 0600 and a 0644 segment");
    int before = g_failures;
    pid_t pid = fork();
    if (pid == 0) {
        CHECK(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
              "child: drop to uid and gid 65534");
        struct shmid_ds ds;
        CHECK_ERR(shmat(priv, NULL, SHM_RDONLY), EACCES, "attach the 0600 segment");
        CHECK_ERR(shmctl(priv, IPC_STAT, &ds), EACCES, "IPC_STAT of the 0600 segment");
        CHECK_ERR(shmat(pub, NULL, 0), EACCES, "attach the 0644 segment read-write");
        char *r = shmat(pub, NULL, SHM_RDONLY);
        CHECK(r != (void *)-1 && shmdt(r) == 0, "attach the 0644 segment read-only");
        CHECK(shmctl(pub, IPC_STAT, &ds) == 0, "IPC_STAT of the 0644 segment");
        CHECK_ERR(shmctl(pub, IPC_SET, &ds), EPERM, "IPC_SET of root's segment");
        CHECK_ERR(shmctl(pub, IPC_RMID, NULL), EPERM, "IPC_RMID of root's segment");
        CHECK_ERR(shmctl(pub, SHM_LOCK, NULL), EPERM, "SHM_LOCK of root's segment");
        _exit(g_failures > before ? 1 : 0);
    }
    CHECK(waitstatus(pid) == 0, "the unprivileged child's checks passed");
    CHECK(shmctl(priv, IPC_RMID, NULL) == 0 && shmctl(pub, IPC_RMID, NULL) == 0, "remove both");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-check") == 0)
        return (int)nattch(atoi(argv[2]));
    keys_and_stat();
    addresses();
    fork_exchange();
    exec_detaches("/proc/self/exe");
    locking();
    permissions();
    return finish();
}
