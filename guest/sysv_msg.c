/* sysv_msg.c - System V message queues as Linux has them (ipc/msg.c).
 *
 * msgget's keys, msgsnd's checks (type, size, EFAULT), msgrcv's selection (msgtyp 0, > 0,
 * < 0, MSG_EXCEPT), E2BIG and MSG_NOERROR, IPC_NOWAIT (ENOMSG, EAGAIN on a full queue),
 * MSG_COPY, msgctl IPC_STAT/IPC_SET/IPC_INFO/MSG_INFO/MSG_STAT, receivers and senders that
 * block until another process sends or receives, a waiting receiver handed a message it is
 * too small for (E2BIG, the message stays queued), EIDRM for waiters of a removed queue and
 * EINTR for one that catches a signal even with SA_RESTART. Run as root, a child that drops
 * to uid 65534 gets EACCES and EPERM. Every queue is removed; ids and keys are not printed. */
#include "common.h"
#include <grp.h>
#include <linux/capability.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg { long mtype; char mtext[64]; };

/* Is capability `cap` (< 32) in the effective set? (A container's root may lack some.) */
static int has_cap(int cap)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    return syscall(SYS_capget, &h, d) == 0 && (d[0].effective >> cap) & 1;
}

static key_t random_key(void)
{
    unsigned int r;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        fatal("getrandom");
    return (key_t)(0x4d000000 | (r & 0xffffff));
}

static int send(int q, long type, const char *text, int flg)
{
    struct msg m = { type, { 0 } };
    size_t n = strlen(text);
    memcpy(m.mtext, text, n);
    return msgsnd(q, &m, n, flg);
}

/* Receive into a fresh buffer; the text is NUL-terminated, the type stored in *type. */
static ssize_t recv_text(int q, long typ, int flg, size_t size, char *text, long *type)
{
    struct msg m;
    memset(&m, 0, sizeof m);
    ssize_t n = msgrcv(q, &m, size, typ, flg);
    if (n >= 0) {
        memcpy(text, m.mtext, (size_t)n);
        text[n] = 0;
        if (type)
            *type = m.mtype;
    }
    return n;
}

static long qnum(int q)
{
    struct msqid_ds ds;
    return msgctl(q, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : -1;
}

static void keys_and_basics(void)
{
    key_t key = random_key();
    int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(q >= 0, "msgget(key, IPC_CREAT|IPC_EXCL)");
    CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "the same key with IPC_EXCL again");
    CHECK(msgget(key, 0) == q, "the key finds the queue");
    CHECK_ERR(msgget(key ^ 0x800000, 0600), ENOENT, "an unused key without IPC_CREAT");
    struct msqid_ds ds;
    CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 0 && ds.msg_qbytes == 16384 && ds.msg_lspid == 0
              && ds.msg_lrpid == 0 && ds.msg_stime == 0 && ds.msg_rtime == 0 && ds.msg_ctime > 0
              && (ds.msg_perm.mode & 0777) == 0600 && ds.msg_perm.__key == key,
          "IPC_STAT of a new queue: empty, msg_qbytes 16384, mode, key");
    CHECK(msgctl(q & 0x7fff, MSG_STAT, &ds) == q, "MSG_STAT by index returns the full id");

    CHECK(send(q, 3, "three", 0) == 0 && send(q, 1, "one-a", 0) == 0 && send(q, 2, "two", 0) == 0
              && send(q, 1, "one-b", 0) == 0 && send(q, 5, "five", 0) == 0,
          "send types 3, 1, 2, 1, 5");
    CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 5 && ds.__msg_cbytes == 22 && ds.msg_lspid == getpid()
              && ds.msg_stime > 0,
          "IPC_STAT: 5 messages, 22 bytes, lspid");
    char t[80];
    long type = 0;
    CHECK(recv_text(q, 0, 0, 64, t, &type) == 5 && type == 3 && strcmp(t, "three") == 0, "msgtyp 0: the first message");
    CHECK(recv_text(q, 2, 0, 64, t, &type) == 3 && type == 2 && strcmp(t, "two") == 0, "msgtyp 2: the first of type 2");
    CHECK(recv_text(q, 1, MSG_EXCEPT, 64, t, &type) == 4 && type == 5 && strcmp(t, "five") == 0,
          "msgtyp 1 with MSG_EXCEPT: the first of another type");
    CHECK(send(q, 4, "four", 0) == 0, "send type 4");
    CHECK(recv_text(q, -4, 0, 64, t, &type) == 5 && type == 1 && strcmp(t, "one-a") == 0,
          "msgtyp -4: the lowest type, its first message");
    CHECK(recv_text(q, -4, 0, 64, t, &type) == 5 && type == 1 && strcmp(t, "one-b") == 0, "then the next of that type");
    CHECK(recv_text(q, 7, IPC_NOWAIT, 64, t, &type) == -1 && errno == ENOMSG, "msgtyp 7 with IPC_NOWAIT: ENOMSG");
    CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_lrpid == getpid() && ds.msg_rtime > 0, "IPC_STAT: lrpid and rtime");

    CHECK_ERR(recv_text(q, 0, 0, 2, t, &type), E2BIG, "a 4-byte message into a 2-byte buffer");
    CHECK(qnum(q) == 1, "the message stays queued");
    struct msg m;
    CHECK(msgrcv(q, &m, 2, 0, MSG_COPY | IPC_NOWAIT | MSG_NOERROR) == -1 && errno == EINVAL,
          "MSG_COPY with MSG_NOERROR of a longer message: EINVAL");
    CHECK(msgrcv(q, &m, 64, 0, MSG_COPY | IPC_NOWAIT) == 4 && m.mtype == 4 && qnum(q) == 1,
          "MSG_COPY of message 0 copies it and leaves it queued");
    CHECK_ERR(msgrcv(q, &m, 64, 1, MSG_COPY | IPC_NOWAIT), ENOMSG, "MSG_COPY of message 1 (there is none)");
    CHECK_ERR(msgrcv(q, &m, 64, 0, MSG_COPY), EINVAL, "MSG_COPY without IPC_NOWAIT");
    CHECK_ERR(msgrcv(q, &m, 64, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL, "MSG_COPY with MSG_EXCEPT");
    CHECK(recv_text(q, 0, MSG_NOERROR, 2, t, &type) == 2 && strcmp(t, "fo") == 0 && qnum(q) == 0,
          "MSG_NOERROR: truncated to the buffer, and taken");

    CHECK_ERR(send(q, 0, "x", 0), EINVAL, "msgsnd of type 0");
    CHECK_ERR(send(q, -5, "x", 0), EINVAL, "msgsnd of a negative type");
    static struct { long type; char text[8193]; } big = { 1, { 0 } };
    CHECK_ERR(msgsnd(q, &big, 8193, 0), EINVAL, "msgsnd longer than MSGMAX");
    CHECK(msgsnd(q, &big, 8192, 0) == 0 && msgrcv(q, &big, 8192, 0, 0) == 8192, "a message of exactly MSGMAX bytes");
    CHECK_ERR(msgsnd(q, (void *)8, 1, 0), EFAULT, "msgsnd from a bad pointer");
    CHECK_ERR(msgsnd(-1, &m, 1, 0), EINVAL, "msgsnd to id -1");
    CHECK_ERR(msgrcv(q, &m, (size_t)-1, 0, IPC_NOWAIT), EINVAL, "msgrcv with a size_t of -1");
    CHECK(send(q, 9, "lost", 0) == 0, "send one more");
    CHECK_ERR(msgrcv(q, (void *)8, 64, 0, 0), EFAULT, "msgrcv into a bad pointer");
    CHECK(qnum(q) == 0, "the message was taken anyway (Linux copies out after dequeuing)");

    struct msginfo mi;
    CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgmax == 8192 && mi.msgmnb == 16384
              && mi.msgmni == 32000 && mi.msgssz == 16 && mi.msgseg == (unsigned short)65535 && mi.msgpool == 512000,
          "IPC_INFO: msgmax, msgmnb, msgmni, msgssz, msgseg, msgpool");
    CHECK(msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgpool >= 1, "MSG_INFO: queues in use");
    char buf[32];
    CHECK(read_file("/proc/sys/kernel/msgmax", buf, sizeof buf) > 0 && strcmp(buf, "8192\n") == 0, "/proc/sys/kernel/msgmax");
    CHECK(read_file("/proc/sys/kernel/msgmnb", buf, sizeof buf) > 0 && strcmp(buf, "16384\n") == 0, "/proc/sys/kernel/msgmnb");
    CHECK(read_file("/proc/sys/kernel/msgmni", buf, sizeof buf) > 0 && strcmp(buf, "32000\n") == 0, "/proc/sys/kernel/msgmni");
    CHECK_ERR(msgctl(q, 99, &ds), EINVAL, "an unknown msgctl command");
    CHECK(msgctl(q, IPC_RMID, NULL) == 0, "IPC_RMID");
    CHECK_ERR(send(q, 1, "x", 0), EINVAL, "msgsnd to the removed queue");
    CHECK_ERR(msgget(key, 0), ENOENT, "its key is free again");
}

/* Wait (up to 5 s) until process `pid` sleeps (state S in /proc/<pid>/stat): blocked in a call. */
static int wait_sleeping(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        char *p;
        if (read_file(path, buf, sizeof buf) > 0 && (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'S')
            return 1;
        sleep_ms(10);
    }
    return 0;
}

/* Wait (up to 5 s) for the queue to hold `n` messages. */
static int wait_qnum(int q, long n)
{
    for (int i = 0; i < 500; i++) {
        if (qnum(q) == n)
            return 1;
        sleep_ms(10);
    }
    return 0;
}

static void between_processes(void)
{
    int q = msgget(IPC_PRIVATE, 0600);
    CHECK(q >= 0, "a queue for two processes");
    pid_t pid = fork();
    if (pid == 0) {
        /* Echo: every message comes back with its type + 100, until type 99. */
        for (;;) {
            struct msg m;
            ssize_t n = msgrcv(q, &m, sizeof m.mtext, -99, 0);
            if (n < 0)
                _exit(1);
            if (m.mtype == 99)
                _exit(0);
            m.mtype += 100;
            if (msgsnd(q, &m, (size_t)n, 0) != 0)
                _exit(2);
        }
    }
    int ok = 1;
    for (int i = 1; i <= 20 && ok; i++) {
        char text[16], t[80];
        long type;
        snprintf(text, sizeof text, "msg %d", i);
        ok = send(q, i, text, 0) == 0 && recv_text(q, 100 + i, 0, 64, t, &type) == (ssize_t)strlen(text) && strcmp(t, text) == 0;
    }
    CHECK(ok, "20 messages to a child and back (the child blocks in msgrcv each time)");
    CHECK(send(q, 99, "bye", 0) == 0 && waitstatus(pid) == 0, "the child ends on type 99");

    pid = fork();
    if (pid == 0) {
        char t[80];
        long type;
        ssize_t n = recv_text(q, 7, 0, 64, t, &type);
        _exit(n == 5 && type == 7 && strcmp(t, "seven") == 0 ? 0 : 1);
    }
    CHECK(wait_sleeping(pid), "a child waits in msgrcv for type 7");
    CHECK(send(q, 5, "five", 0) == 0 && send(q, 7, "seven", 0) == 0, "send type 5, then 7");
    CHECK(waitstatus(pid) == 0, "the child got the type-7 message");
    char t[80];
    long type;
    CHECK(qnum(q) == 1 && recv_text(q, 0, IPC_NOWAIT, 64, t, &type) == 4 && type == 5, "the type-5 message waited in the queue");

    pid = fork();
    if (pid == 0) {
        errno = 0;
        ssize_t n = recv_text(q, 0, 0, 3, t, &type);
        _exit(n == -1 && errno == E2BIG ? 0 : 1);
    }
    CHECK(wait_sleeping(pid), "a child waits in msgrcv with a 3-byte buffer");
    CHECK(send(q, 1, "too long", 0) == 0, "send it 8 bytes");
    CHECK(waitstatus(pid) == 0, "the waiting child gets E2BIG");
    CHECK(qnum(q) == 1 && recv_text(q, 0, IPC_NOWAIT, 64, t, &type) == 8, "and the message stays queued");

    /* A full queue: msg_qbytes 100, then a sender that waits for room. */
    struct msqid_ds ds;
    CHECK(msgctl(q, IPC_STAT, &ds) == 0, "IPC_STAT");
    ds.msg_qbytes = 100;
    CHECK(msgctl(q, IPC_SET, &ds) == 0 && msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 100, "IPC_SET msg_qbytes 100");
    static const char sixty[] = "012345678901234567890123456789012345678901234567890123456789";
    CHECK(send(q, 1, sixty, 0) == 0, "send 60 bytes");
    CHECK_ERR(send(q, 2, sixty, IPC_NOWAIT), EAGAIN, "60 more with IPC_NOWAIT: the queue is full");
    pid = fork();
    if (pid == 0)
        _exit(send(q, 2, sixty, 0) == 0 ? 0 : 1);
    CHECK(wait_sleeping(pid) && qnum(q) == 1, "a child's msgsnd waits for room");
    CHECK(recv_text(q, 1, 0, 64, t, &type) == 60, "receive the first message");
    CHECK(waitstatus(pid) == 0 && wait_qnum(q, 1), "the child's message went in");
    CHECK(recv_text(q, 2, 0, 64, t, &type) == 60, "receive it");
    CHECK(msgctl(q, IPC_RMID, NULL) == 0, "remove the queue");
}

static void on_usr1(int sig) { (void)sig; }

static void removed_and_interrupted(void)
{
    int q = msgget(IPC_PRIVATE, 0600);
    pid_t r = fork();
    if (r == 0) {
        struct msg m;
        errno = 0;
        ssize_t n = msgrcv(q, &m, sizeof m.mtext, 3, 0);
        _exit(n == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(wait_sleeping(r), "a child waits in msgrcv for type 3");
    struct msqid_ds ds;
    CHECK(msgctl(q, IPC_STAT, &ds) == 0, "IPC_STAT");
    ds.msg_qbytes = 4;
    CHECK(msgctl(q, IPC_SET, &ds) == 0 && send(q, 1, "full", 0) == 0, "IPC_SET to 4 bytes (the receiver starts over), then full");
    pid_t s = fork();
    if (s == 0) {
        errno = 0;
        int n = send(q, 2, "more", 0);
        _exit(n == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(wait_sleeping(s) && wait_sleeping(r), "a child waits in msgsnd for room");
    CHECK(msgctl(q, IPC_RMID, NULL) == 0, "remove the queue under the waiting receiver and sender");
    CHECK(waitstatus(r) == 0, "the receiver fails with EIDRM");
    CHECK(waitstatus(s) == 0, "the sender fails with EIDRM");

    q = msgget(IPC_PRIVATE, 0600);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
        struct msg m;
        errno = 0;
        ssize_t n = msgrcv(q, &m, sizeof m.mtext, 0, 0);
        _exit(n == -1 && errno == EINTR ? 0 : 1);
    }
    CHECK(wait_sleeping(pid), "a child with a SIGUSR1 handler (SA_RESTART) waits in msgrcv");
    kill(pid, SIGUSR1);
    CHECK(waitstatus(pid) == 0, "the signal ends its msgrcv with EINTR");
    CHECK(send(q, 1, "kept", 0) == 0 && qnum(q) == 1, "a later message stays queued");
    CHECK(msgctl(q, IPC_RMID, NULL) == 0, "remove the queue");
}

static void permissions(void)
{
    struct msqid_ds ds;
    if (geteuid() != 0) {
        int q = msgget(IPC_PRIVATE, 0400);
        CHECK(q >= 0, "a queue of one's own with mode 0400");
        CHECK_ERR(send(q, 1, "x", 0), EACCES, "msgsnd without write permission");
        CHECK(msgctl(q, IPC_STAT, &ds) == 0, "IPC_STAT");
        ds.msg_qbytes = 16385;
        CHECK_ERR(msgctl(q, IPC_SET, &ds), EPERM, "IPC_SET raising msg_qbytes past MSGMNB");
        ds.msg_qbytes = 16384;
        ds.msg_perm.mode = 0600;
        CHECK(msgctl(q, IPC_SET, &ds) == 0 && send(q, 1, "x", 0) == 0, "IPC_SET to 0600, then msgsnd works");
        CHECK(msgctl(q, IPC_RMID, NULL) == 0, "the owner removes it");
        return;
    }
    key_t key = random_key();
    int q = msgget(key, IPC_CREAT | 0600);
    CHECK(q >= 0, "root: a 0600 queue");
    CHECK(msgctl(q, IPC_STAT, &ds) == 0, "IPC_STAT");
    ds.msg_qbytes = 20000;
    int raised = msgctl(q, IPC_SET, &ds) == 0 && msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 20000;
    CHECK(has_cap(CAP_SYS_RESOURCE) ? raised : !raised && errno == EPERM,
          "root raises msg_qbytes past MSGMNB if it has CAP_SYS_RESOURCE, else EPERM");
    CHECK(send(q, 1, "secret", 0) == 0, "a message in it");
    int before = g_failures;
    pid_t pid = fork();
    if (pid == 0) {
        CHECK(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
              "child: drop to uid and gid 65534");
        CHECK_ERR(msgget(key, 0600), EACCES, "msgget of the 0600 key asking for rw");
        CHECK(msgget(key, 0) == q, "msgget of it asking for nothing");
        char t[80];
        long type;
        CHECK_ERR(recv_text(q, 0, IPC_NOWAIT, 64, t, &type), EACCES, "msgrcv from the 0600 queue");
        CHECK_ERR(send(q, 1, "x", 0), EACCES, "msgsnd to it");
        CHECK_ERR(msgctl(q, IPC_STAT, &ds), EACCES, "IPC_STAT of it");
        CHECK_ERR(msgctl(q, IPC_RMID, NULL), EPERM, "IPC_RMID of it");
        _exit(g_failures > before ? 1 : 0);
    }
    CHECK(waitstatus(pid) == 0, "the unprivileged child's checks passed");
    CHECK(qnum(q) == 1 && msgctl(q, IPC_RMID, NULL) == 0, "the message is still there; remove the queue");
}

int main(void)
{
    keys_and_basics();
    between_processes();
    removed_and_interrupted();
    permissions();
    return finish();
}
