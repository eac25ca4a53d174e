/* sysv_sem.c - System V semaphores as Linux has them (ipc/sem.c).
 *
 * semget's keys (IPC_PRIVATE, IPC_CREAT, IPC_EXCL, ENOENT, the nsems limits), semctl's
 * commands (IPC_STAT, IPC_SET, SETVAL/GETVAL, SETALL/GETALL, GETPID, GETNCNT, GETZCNT,
 * IPC_INFO, SEM_INFO, SEM_STAT, IPC_RMID), semop's all-or-nothing arrays, IPC_NOWAIT,
 * ERANGE, semtimedop's timeout, a semop that blocks until another process changes the set,
 * EIDRM for a waiter whose set is removed, EINTR for one that catches a signal, and SEM_UNDO
 * applied when a process exits (clamped at 0; cleared by SETVAL; not inherited by fork).
 * Run as root, a child that drops to uid 65534 gets EACCES and EPERM. Every set is removed.
 * Ids, keys, pids and times are never printed: the native run shares the host's IPC
 * namespace. */
#include "common.h"
#include <grp.h>
#include <sys/ipc.h>
#include <sys/sem.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static key_t random_key(void)
{
    unsigned int r;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        fatal("getrandom");
    return (key_t)(0x5e000000 | (r & 0xffffff));
}

static int getval(int id, int n) { return semctl(id, n, GETVAL); }
static int setval(int id, int n, int v) { union semun u = { .val = v }; return semctl(id, n, SETVAL, u); }

static int op1(int id, int num, int op, int flg)
{
    struct sembuf b = { (unsigned short)num, (short)op, (short)flg };
    return semop(id, &b, 1);
}

/* Wait (up to 5 s) until semctl(cmd) on semaphore n reports `want` sleepers. */
static int wait_count(int id, int n, int cmd, int want)
{
    for (int i = 0; i < 500; i++) {
        if (semctl(id, n, cmd) == want)
            return 1;
        sleep_ms(10);
    }
    return 0;
}

static void keys_and_limits(void)
{
    CHECK_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL, "semget with nsems 0");
    CHECK_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL, "semget with nsems -1");
    CHECK_ERR(semget(IPC_PRIVATE, 32001, 0600), EINVAL, "semget with nsems above SEMMSL");
    key_t key = random_key();
    int id = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0, "semget(key, 2, IPC_CREAT|IPC_EXCL) creates a set");
    CHECK_ERR(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "the same key with IPC_CREAT|IPC_EXCL again");
    CHECK(semget(key, 2, 0) == id && semget(key, 1, IPC_CREAT) == id && semget(key, 0, 0) == id,
          "an existing key gives the same id (fewer or 0 nsems, IPC_CREAT without IPC_EXCL)");
    CHECK_ERR(semget(key, 3, 0), EINVAL, "an existing key asked for more semaphores than it has");
    CHECK_ERR(semget(key ^ 0x800000, 1, 0600), ENOENT, "an unused key without IPC_CREAT");
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    CHECK(semctl(id, 0, IPC_STAT, u) == 0 && ds.sem_nsems == 2 && (ds.sem_perm.mode & 0777) == 0600
              && ds.sem_perm.__key == key && ds.sem_perm.uid == geteuid() && ds.sem_perm.cuid == geteuid()
              && ds.sem_perm.gid == getegid() && ds.sem_otime == 0 && ds.sem_ctime > 0,
          "IPC_STAT: nsems, mode, key, owner and creator, no semop yet, a change time");
    CHECK(semctl(id & 0x7fff, 0, SEM_STAT, u) == id, "SEM_STAT by index returns the full id");
    CHECK_ERR(semctl(id, 0, 99), EINVAL, "an unknown semctl command");
    CHECK_ERR(semctl(-1, 0, GETVAL), EINVAL, "semctl on id -1");
    CHECK_ERR(semctl(id, 0, IPC_STAT | 0x100, u), EINVAL, "IPC_STAT with IPC_64 set (64-bit calls take no version flag)");
    struct seminfo si;
    union semun ui = { .__buf = &si };
    CHECK(semctl(0, 0, IPC_INFO, ui) >= 0 && si.semmsl == 32000 && si.semmni == 32000 && si.semopm == 500
              && si.semvmx == 32767 && si.semmns == 1024000000 && si.semusz == 20,
          "IPC_INFO: SEMMSL, SEMMNI, SEMOPM, SEMVMX, SEMMNS, SEMUSZ");
    CHECK(semctl(0, 0, SEM_INFO, ui) >= 0 && si.semusz >= 1 && si.semaem >= 2, "SEM_INFO: sets and semaphores in use");
    char buf[128];
    CHECK(read_file("/proc/sys/kernel/sem", buf, sizeof buf) > 0 && strcmp(buf, "32000\t1024000000\t500\t32000\n") == 0,
          "/proc/sys/kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI");
    CHECK(semctl(id, 0, IPC_RMID) == 0, "IPC_RMID");
    CHECK_ERR(semctl(id, 0, GETVAL), EINVAL, "GETVAL on a removed set");
    CHECK_ERR(op1(id, 0, 1, 0), EINVAL, "semop on a removed set");
    CHECK_ERR(semget(key, 1, 0), ENOENT, "its key is free again");
}

static void values_and_ops(void)
{
    int id = semget(IPC_PRIVATE, 3, 0600);
    CHECK(id >= 0, "semget(IPC_PRIVATE, 3)");
    CHECK(getval(id, 0) == 0 && getval(id, 2) == 0, "new semaphores are 0");
    CHECK(setval(id, 1, 5) == 0 && getval(id, 1) == 5, "SETVAL then GETVAL");
    CHECK(semctl(id, 1, GETPID) == getpid(), "GETPID: the process that set it");
    CHECK_ERR(setval(id, 0, 32768), ERANGE, "SETVAL above SEMVMX");
    CHECK_ERR(setval(id, 0, -1), ERANGE, "SETVAL -1");
    CHECK_ERR(getval(id, 3), EINVAL, "GETVAL past the last semaphore");
    CHECK_ERR(setval(id, -1, 1), EINVAL, "SETVAL of semaphore -1");
    unsigned short all[3] = { 7, 8, 9 }, got[3] = { 0, 0, 0 };
    union semun ua = { .array = all }, ug = { .array = got };
    CHECK(semctl(id, 0, SETALL, ua) == 0 && semctl(id, 0, GETALL, ug) == 0 && got[0] == 7 && got[1] == 8 && got[2] == 9,
          "SETALL then GETALL");
    unsigned short big[3] = { 1, 40000, 1 };
    union semun ub = { .array = big };
    CHECK_ERR(semctl(id, 0, SETALL, ub), ERANGE, "SETALL with a value above SEMVMX");
    CHECK(getval(id, 0) == 7, "and nothing was changed");
    union semun bad = { .array = (unsigned short *)8 };
    CHECK_ERR(semctl(id, 0, GETALL, bad), EFAULT, "GETALL to a bad pointer");

    CHECK(op1(id, 0, 3, 0) == 0 && getval(id, 0) == 10, "semop +3");
    CHECK(op1(id, 0, -10, 0) == 0 && getval(id, 0) == 0, "semop -10 down to 0");
    CHECK(op1(id, 0, 0, 0) == 0, "waiting for zero on a zero semaphore returns at once");
    CHECK_ERR(op1(id, 0, -1, IPC_NOWAIT), EAGAIN, "a decrement below 0 with IPC_NOWAIT");
    CHECK_ERR(op1(id, 1, 0, IPC_NOWAIT), EAGAIN, "waiting for zero on 8 with IPC_NOWAIT");
    CHECK_ERR(op1(id, 3, 1, 0), EFBIG, "a semaphore number past the set");
    CHECK_ERR(op1(id, 1, 32767, 0), ERANGE, "an increment past SEMVMX");
    struct sembuf two[2] = { { 1, -1, 0 }, { 0, -1, IPC_NOWAIT } };
    CHECK_ERR(semop(id, two, 2), EAGAIN, "two operations, the second cannot run: EAGAIN");
    CHECK(getval(id, 1) == 8, "and the first was not applied (all or nothing)");
    struct sembuf same[3] = { { 2, -9, 0 }, { 2, 4, 0 }, { 2, -4, 0 } };
    CHECK(semop(id, same, 3) == 0 && getval(id, 2) == 0, "operations on one semaphore apply in order");
    struct sembuf none;
    CHECK_ERR(semop(id, &none, 0), EINVAL, "semop with no operations");
    static struct sembuf many[501];
    CHECK_ERR(semop(id, many, 501), E2BIG, "semop with more than SEMOPM operations");
    CHECK_ERR(semop(id, (struct sembuf *)8, 1), EFAULT, "semop with a bad array");
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    CHECK(semctl(id, 0, IPC_STAT, u) == 0 && ds.sem_otime > 0, "sem_otime is set by semop");

    struct timespec t0, t1, ts = { 0, 50 * 1000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sembuf dec = { 0, -1, 0 };
    CHECK_ERR(semtimedop(id, &dec, 1, &ts), EAGAIN, "semtimedop that waits 50 ms in vain");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 40, "it waited for the timeout");
    struct timespec zero = { 0, 0 }, badts = { 0, 1000000000 };
    CHECK_ERR(semtimedop(id, &dec, 1, &zero), EAGAIN, "semtimedop with a zero timeout");
    CHECK_ERR(semtimedop(id, &dec, 1, &badts), EINVAL, "semtimedop with tv_nsec of 1e9");
    struct sembuf inc = { 0, 1, 0 };
    CHECK(semtimedop(id, &inc, 1, &ts) == 0 && getval(id, 0) == 1, "semtimedop that can run at once");
    CHECK(semctl(id, 0, IPC_RMID) == 0, "remove the set");
}

/* A semop that blocks until another process makes it possible. */
static void blocking(void)
{
    int id = semget(IPC_PRIVATE, 2, 0600);
    CHECK(id >= 0, "a set for blocking operations");
    pid_t pid = fork();
    if (pid == 0) {
        int ok = wait_count(id, 0, GETNCNT, 1);
        op1(id, 0, 1, 0);
        _exit(ok ? 0 : 1);
    }
    CHECK(op1(id, 0, -1, 0) == 0, "semop -1 on 0 blocks until the child's +1");
    CHECK(waitstatus(pid) == 0, "the child saw the parent in GETNCNT");
    CHECK(getval(id, 0) == 0 && semctl(id, 0, GETNCNT) == 0, "the value is 0 again and nobody waits");
    CHECK(semctl(id, 0, GETPID) == getpid(), "GETPID: the sleeper's operation was the last");

    CHECK(setval(id, 1, 2) == 0, "semaphore 1 is 2");
    pid = fork();
    if (pid == 0) {
        int ok = wait_count(id, 1, GETZCNT, 1);
        setval(id, 1, 0);
        _exit(ok ? 0 : 1);
    }
    CHECK(op1(id, 1, 0, 0) == 0, "waiting for zero until the child's SETVAL 0");
    CHECK(waitstatus(pid) == 0, "the child saw the parent in GETZCNT");

    /* Two operations: the waiter needs both semaphores; one increment is not enough. */
    pid = fork();
    if (pid == 0) {
        struct sembuf both[2] = { { 0, -1, 0 }, { 1, -1, 0 } };
        _exit(semop(id, both, 2) == 0 ? 0 : 1);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1), "a child waits for both semaphores (counted on the first)");
    CHECK(op1(id, 0, 1, 0) == 0, "increment the first");
    CHECK(wait_count(id, 1, GETNCNT, 1) && semctl(id, 0, GETNCNT) == 0 && getval(id, 0) == 1,
          "it still waits, now counted on the second, and took nothing");
    CHECK(op1(id, 1, 1, 0) == 0, "increment the second");
    CHECK(waitstatus(pid) == 0 && getval(id, 0) == 0 && getval(id, 1) == 0, "the child took both at once");

    /* Ping-pong: two processes hand a token back and forth 50 times. */
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 50; i++) {
            if (op1(id, 0, -1, 0) != 0 || op1(id, 1, 1, 0) != 0)
                _exit(1);
        }
        _exit(0);
    }
    int ok = 1;
    for (int i = 0; i < 50 && ok; i++)
        ok = op1(id, 0, 1, 0) == 0 && op1(id, 1, -1, 0) == 0;
    CHECK(ok && waitstatus(pid) == 0, "50 rounds of ping-pong between two processes");

    pid = fork();
    if (pid == 0) {
        errno = 0;
        int r = op1(id, 0, -1, 0);
        _exit(r == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1), "a child waits on the set");
    CHECK(semctl(id, 0, IPC_RMID) == 0, "remove the set under it");
    CHECK(waitstatus(pid) == 0, "the waiter fails with EIDRM");
}

static void on_usr1(int sig) { (void)sig; }

static void interrupted(void)
{
    int id = semget(IPC_PRIVATE, 1, 0600);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
        errno = 0;
        int r = op1(id, 0, -1, 0);
        _exit(r == -1 && errno == EINTR ? 0 : 1);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1), "a child waits in semop with a SIGUSR1 handler (SA_RESTART)");
    kill(pid, SIGUSR1);
    CHECK(waitstatus(pid) == 0, "the signal ends its semop with EINTR (never restarted)");
    CHECK(semctl(id, 0, GETNCNT) == 0 && getval(id, 0) == 0, "it left the queue and took nothing");
    CHECK(op1(id, 0, 1, 0) == 0 && getval(id, 0) == 1, "a later +1 stays for the next taker");
    semctl(id, 0, IPC_RMID);
}

static void undo(void)
{
    int id = semget(IPC_PRIVATE, 3, 0600);
    CHECK(setval(id, 1, 3) == 0, "a set for SEM_UNDO, semaphore 1 is 3");
    pid_t pid = fork();
    if (pid == 0) {
        int ok = op1(id, 0, 2, SEM_UNDO) == 0 && op1(id, 1, -1, SEM_UNDO) == 0 && getval(id, 0) == 2 && getval(id, 1) == 2;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "a child: +2 and -1 with SEM_UNDO, then exits");
    CHECK(getval(id, 0) == 0 && getval(id, 1) == 3, "its exit undid both");
    CHECK(semctl(id, 0, GETPID) == pid, "GETPID: the exiting process applied the undo");

    pid = fork();
    if (pid == 0) {
        int ok = op1(id, 2, 3, SEM_UNDO) == 0 && op1(id, 2, -3, 0) == 0;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0 && getval(id, 2) == 0, "+3 with SEM_UNDO, -3 without: the undo of -3 stops at 0");

    pid = fork();
    if (pid == 0) {
        int ok = op1(id, 0, 5, SEM_UNDO) == 0 && setval(id, 0, 1) == 0;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0 && getval(id, 0) == 1, "SETVAL clears the pending undo: the value stays");

    pid = fork();
    if (pid == 0) {
        int ok = op1(id, 0, 1, SEM_UNDO) == 0;
        pid_t g = fork();
        if (g == 0)
            _exit(0);
        ok = ok && waitstatus(g) == 0 && getval(id, 0) == 2;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "a fork child does not inherit the undo (the value stays after it exits)");
    CHECK(getval(id, 0) == 1, "its parent's exit undoes it");

    pid = fork();
    if (pid == 0) {
        struct sembuf b = { 1, -1, SEM_UNDO };
        int ok = semop(id, &b, 1) == 0;
        /* Block with an undo pending: exit from a signal still applies it. */
        op1(id, 1, -100, 0);
        _exit(ok ? 0 : 1);
    }
    CHECK(wait_count(id, 1, GETNCNT, 1) && getval(id, 1) == 2, "a child took one with SEM_UNDO and waits");
    kill(pid, SIGKILL);
    CHECK(waitstatus(pid) == 200 + SIGKILL, "it is killed while waiting");
    CHECK(getval(id, 1) == 3 && semctl(id, 1, GETNCNT) == 0, "its undo was applied and it left the queue");
    semctl(id, 0, IPC_RMID);
}

static void permissions(void)
{
    if (geteuid() != 0) {
        int id = semget(IPC_PRIVATE, 1, 0400);
        CHECK(id >= 0, "a set of one's own with mode 0400");
        CHECK(getval(id, 0) == 0, "GETVAL needs read permission only");
        CHECK_ERR(op1(id, 0, 1, 0), EACCES, "semop +1 without write permission");
        CHECK_ERR(setval(id, 0, 1), EACCES, "SETVAL without write permission");
        struct semid_ds ds;
        union semun u = { .buf = &ds };
        CHECK(semctl(id, 0, IPC_STAT, u) == 0, "IPC_STAT");
        ds.sem_perm.mode = 0600;
        CHECK(semctl(id, 0, IPC_SET, u) == 0 && op1(id, 0, 1, 0) == 0, "the owner's IPC_SET to 0600, then semop works");
        CHECK(semctl(id, 0, IPC_RMID) == 0, "the owner removes it");
        return;
    }
    key_t key = random_key();
    int priv = semget(key, 1, IPC_CREAT | 0600);
    int pub = semget(IPC_PRIVATE, 1, 0644);
    CHECK(priv >= 0 && pub >= 0, "root: a 0600 set and a 0644 set");
    int pfd[2];
    if (pipe(pfd) != 0)
        fatal("pipe");
    int before = g_failures;
    pid_t pid = fork();
    if (pid == 0) {
        CHECK(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
              "child: drop to uid and gid 65534");
        CHECK_ERR(semget(key, 1, 0600), EACCES, "semget of the 0600 key asking for rw");
        CHECK(semget(key, 1, 0) == priv, "semget of it asking for nothing");
        CHECK_ERR(getval(priv, 0), EACCES, "GETVAL on the 0600 set");
        CHECK_ERR(op1(priv, 0, 1, 0), EACCES, "semop on the 0600 set");
        struct semid_ds ds;
        union semun u = { .buf = &ds };
        CHECK_ERR(semctl(priv, 0, IPC_STAT, u), EACCES, "IPC_STAT on the 0600 set");
        CHECK(getval(pub, 0) == 0, "GETVAL on the 0644 set");
        CHECK_ERR(op1(pub, 0, 1, 0), EACCES, "semop +1 on the 0644 set");
        CHECK(op1(pub, 0, 0, 0) == 0, "waiting for zero on it needs read only");
        CHECK(semctl(pub, 0, IPC_STAT, u) == 0, "IPC_STAT on the 0644 set");
        ds.sem_perm.mode = 0666;
        CHECK_ERR(semctl(pub, 0, IPC_SET, u), EPERM, "IPC_SET of root's set");
        CHECK_ERR(semctl(pub, 0, IPC_RMID), EPERM, "IPC_RMID of root's set");
        int mine = semget(IPC_PRIVATE, 1, 0600);
        CHECK(mine >= 0, "a set of its own");
        write_all(pfd[1], (const char *)&mine, sizeof mine);
        _exit(g_failures > before ? 1 : 0);
    }
    CHECK(waitstatus(pid) == 0, "the unprivileged child's checks passed");
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    CHECK(semctl(pub, 0, IPC_STAT, u) == 0, "root: IPC_STAT");
    ds.sem_perm.uid = 65534;
    ds.sem_perm.mode = 0640;
    CHECK(semctl(pub, 0, IPC_SET, u) == 0 && semctl(pub, 0, IPC_STAT, u) == 0 && ds.sem_perm.uid == 65534
              && ds.sem_perm.cuid == 0 && (ds.sem_perm.mode & 0777) == 0640,
          "IPC_SET gives the set to 65534 with mode 0640 (the creator stays root)");
    ds.sem_perm.uid = (uid_t)-1;
    CHECK_ERR(semctl(pub, 0, IPC_SET, u), EINVAL, "IPC_SET to uid -1");
    CHECK(semctl(priv, 0, IPC_RMID) == 0 && semctl(pub, 0, IPC_RMID) == 0, "remove both");
    /* The child's own set: root may remove it (CAP_SYS_ADMIN). */
    int mine = -1;
    close(pfd[1]);
    CHECK(read(pfd[0], &mine, sizeof mine) == sizeof mine && semctl(mine, 0, IPC_STAT, u) == 0 && ds.sem_perm.uid == 65534,
          "the child's set belongs to 65534");
    CHECK(semctl(mine, 0, IPC_RMID) == 0, "root removes it (CAP_SYS_ADMIN)");
    close(pfd[0]);
}

int main(void)
{
    keys_and_limits();
    values_and_ops();
    blocking();
    interrupted();
    undo();
    permissions();
    return finish();
}
