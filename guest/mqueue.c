/* mqueue.c - POSIX message queues between processes.
 *
 * mq_open creates a queue with the attributes given (or the defaults), O_EXCL makes an
 * existing one EEXIST and a missing one without O_CREAT is ENOENT; messages come out by
 * priority, then in order; a receive buffer smaller than mq_msgsize is EMSGSIZE, a full queue
 * with O_NONBLOCK EAGAIN, an empty one EAGAIN, a timed receive on an empty queue ETIMEDOUT; a
 * child blocked in mq_receive gets the parent's message; mq_notify signals a process when a
 * message arrives on an empty queue (once), and a second registration is EBUSY; mq_getsetattr
 * reports the count and changes only O_NONBLOCK; mq_unlink removes the name. */
#define _GNU_SOURCE
#include "common.h"
#include <mqueue.h>

static volatile sig_atomic_t got, val;
static void on_usr1(int s, siginfo_t *si, void *u) { (void)s; (void)u; got = si->si_code == SI_MESGQ; val = si->si_value.sival_int; }

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/ucrun-mq-%d", getpid());
    mq_unlink(name);
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    CHECK(q >= 0, "mq_open O_CREAT|O_EXCL with maxmsg 4, msgsize 64");
    CHECK_ERR(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), EEXIST, "O_EXCL on an existing queue");
    CHECK_ERR(mq_open("/ucrun-mq-none", O_RDWR), ENOENT, "a missing queue");
    struct mq_attr got_attr;
    CHECK(mq_getattr(q, &got_attr) == 0 && got_attr.mq_maxmsg == 4 && got_attr.mq_msgsize == 64 && got_attr.mq_curmsgs == 0, "mq_getattr");
    CHECK(mq_send(q, "low", 3, 1) == 0 && mq_send(q, "high", 4, 9) == 0 && mq_send(q, "low2", 4, 1) == 0, "three messages");
    char buf[64];
    unsigned prio;
    CHECK(mq_receive(q, buf, sizeof buf, &prio) == 4 && memcmp(buf, "high", 4) == 0 && prio == 9, "the highest priority first");
    CHECK(mq_receive(q, buf, sizeof buf, &prio) == 3 && memcmp(buf, "low", 3) == 0 && prio == 1, "then in order");
    CHECK(mq_receive(q, buf, sizeof buf, NULL) == 4 && memcmp(buf, "low2", 4) == 0, "the third");
    CHECK_ERR(mq_receive(q, buf, 10, NULL), EMSGSIZE, "a buffer smaller than mq_msgsize");
    CHECK_ERR(mq_send(q, buf, 65, 0), EMSGSIZE, "a message over mq_msgsize");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50000000;
    if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    CHECK_ERR(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), ETIMEDOUT, "a timed receive on an empty queue");
    struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
    CHECK(mq_setattr(q, &nb, &old) == 0 && old.mq_flags == 0, "mq_setattr O_NONBLOCK");
    CHECK_ERR(mq_receive(q, buf, sizeof buf, NULL), EAGAIN, "an empty queue, non-blocking");
    for (int i = 0; i < 4; i++) mq_send(q, "x", 1, 0);
    CHECK_ERR(mq_send(q, "x", 1, 0), EAGAIN, "a full queue, non-blocking");
    CHECK(mq_getattr(q, &got_attr) == 0 && got_attr.mq_curmsgs == 4 && got_attr.mq_flags == O_NONBLOCK, "curmsgs 4, O_NONBLOCK");
    for (int i = 0; i < 4; i++) mq_receive(q, buf, sizeof buf, NULL);
    nb.mq_flags = 0;
    mq_setattr(q, &nb, NULL);

    pid_t pid = fork();
    if (pid == 0) {
        mqd_t c = mq_open(name, O_RDONLY);
        char b[64];
        ssize_t n = mq_receive(c, b, sizeof b, NULL); /* waits for the parent */
        _exit(n == 5 && memcmp(b, "hello", 5) == 0 ? 0 : 1);
    }
    sleep_ms(50);
    CHECK(mq_send(q, "hello", 5, 0) == 0, "send to the child that waits");
    CHECK(waitstatus(pid) == 0, "the child received it");

    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    sev.sigev_value.sival_int = 77;
    CHECK(mq_notify(q, &sev) == 0, "mq_notify SIGEV_SIGNAL");
    pid = fork();
    if (pid == 0) {
        struct sigevent s2 = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
        mqd_t c = mq_open(name, O_RDWR);
        _exit(mq_notify(c, &s2) == -1 && errno == EBUSY ? 0 : 1);
    }
    CHECK(waitstatus(pid) == 0, "another process's registration: EBUSY");
    mq_send(q, "n", 1, 0);
    for (int i = 0; i < 100 && !got; i++) sleep_ms(5);
    CHECK(got && val == 77, "the message on an empty queue sent SIGUSR1 with SI_MESGQ and the value");
    got = 0;
    mq_receive(q, buf, sizeof buf, NULL);
    mq_send(q, "m", 1, 0);
    sleep_ms(20);
    CHECK(!got, "only once (the registration is gone)");
    mq_receive(q, buf, sizeof buf, NULL);
    CHECK(mq_close(q) == 0 && mq_unlink(name) == 0, "mq_close and mq_unlink");
    CHECK_ERR(mq_unlink(name), ENOENT, "the name is gone");
    return finish();
}
