/* pidfd.c - process file descriptors.
 *
 * pidfd_open gives a close-on-exec fd for a child that polls readable once the child has
 * exited; pidfd_send_signal signals it (0 checks it exists); waitid(P_PIDFD) reaps it;
 * pidfd_getfd duplicates one of its fds; a missing pid is ESRCH, bad flags EINVAL, a
 * non-pidfd fd EBADF. process_vm_readv/writev read and write a child's memory. */
#define _GNU_SOURCE
#include "common.h"
#include <poll.h>
#include <sys/uio.h>

static volatile long cell = 1;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int main(void)
{
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(7);
    }
    close(p[0]);
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    CHECK(pfd >= 0 && fcntl(pfd, F_GETFD) == FD_CLOEXEC, "pidfd_open: a close-on-exec fd");
    struct pollfd pl = { pfd, POLLIN, 0 };
    CHECK(poll(&pl, 1, 0) == 0, "not readable while the child runs");
    CHECK(syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) == 0, "pidfd_send_signal(0): it exists");
    int dup_of_pipe = (int)syscall(SYS_pidfd_getfd, pfd, 3, 0);
    CHECK(dup_of_pipe >= 0 || errno == EBADF, "pidfd_getfd of the child's fd 3 (or EBADF if it has none)");
    if (dup_of_pipe >= 0) close(dup_of_pipe);
    write(p[1], "x", 1);
    CHECK(poll(&pl, 1, 5000) == 1 && (pl.revents & POLLIN), "readable once the child exited");
    siginfo_t si = { 0 };
    CHECK(waitid(P_PIDFD, pfd, &si, WEXITED) == 0 && si.si_pid == pid && si.si_status == 7, "waitid(P_PIDFD) reaps it: status 7");
    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0), ESRCH, "signalling a reaped process: ESRCH");
    close(pfd);
    CHECK_ERR(syscall(SYS_pidfd_open, 0x7ffffff0, 0), ESRCH, "pidfd_open of a missing pid");
    CHECK_ERR(syscall(SYS_pidfd_open, getpid(), 0x1), EINVAL, "pidfd_open with a bad flag");
    CHECK_ERR(syscall(SYS_pidfd_send_signal, 1, 0, NULL, 0), EBADF, "pidfd_send_signal on a non-pidfd fd");
    /* process_vm_readv / writev with a child that waits */
    int q[2], r[2];
    pipe(q);
    pipe(r);
    pid = fork();
    if (pid == 0) {
        char c;
        cell = 42;
        write(r[1], "r", 1);
        read(q[0], &c, 1); /* the parent has written */
        _exit(cell == 99 ? 0 : 1);
    }
    char c;
    read(r[0], &c, 1);
    long got = 0, put = 99;
    struct iovec lv = { &got, sizeof got }, rv = { (void *)&cell, sizeof cell };
    CHECK(process_vm_readv(pid, &lv, 1, &rv, 1, 0) == sizeof got && got == 42, "process_vm_readv reads the child's variable");
    struct iovec pv = { &put, sizeof put };
    CHECK(process_vm_writev(pid, &pv, 1, &rv, 1, 0) == sizeof put, "process_vm_writev writes it");
    struct iovec bad = { (void *)16, 8 };
    CHECK_ERR(process_vm_readv(pid, &lv, 1, &bad, 1, 0), EFAULT, "an unmapped remote address");
    CHECK_ERR(process_vm_readv(pid, &lv, 1, &rv, 1, 1), EINVAL, "flags");
    write(q[1], "q", 1);
    CHECK(waitstatus(pid) == 0, "the child saw the new value");
    CHECK_ERR(process_vm_readv(0x7ffffff0, &lv, 1, &rv, 1, 0), ESRCH, "a missing pid");
    int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
    CHECK(self >= 0 && syscall(SYS_pidfd_send_signal, self, 0, NULL, 0) == 0, "a pidfd for oneself");
    CHECK_ERR(syscall(SYS_pidfd_send_signal, self, 0, NULL, 8), EINVAL, "pidfd_send_signal with an unknown flag");
    CHECK_ERR(syscall(SYS_pidfd_send_signal, self, 0, NULL, 3), EINVAL, "pidfd_send_signal with two scope flags");
    close(self);
    return finish();
}
