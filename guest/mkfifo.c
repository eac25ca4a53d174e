/* mkfifo.c - FIFOs made by the guest (mknodat S_IFIFO) and the other mknod types.
 *
 * A FIFO is listed and stat'ed as one; a blocking open for reading waits for a writer and one
 * for writing for a reader (two processes meet); bytes written by one process are read by
 * another; O_WRONLY|O_NONBLOCK without a reader is ENXIO; O_RDONLY|O_NONBLOCK opens at once and
 * reads EOF without a writer; O_RDWR never waits. mknod also makes regular files and socket
 * nodes; an existing name is EEXIST and S_IFDIR is EPERM. */
#include "common.h"
#include <sys/sysmacros.h>

int main(void)
{
    char dir[256], f[300], r[300], s[300];
    make_tmpdir(dir, sizeof dir, "mkfifo");
    path_in(f, sizeof f, dir, "fifo");
    path_in(r, sizeof r, dir, "reg");
    path_in(s, sizeof s, dir, "sock");
    CHECK(mkfifo(f, 0600) == 0, "mkfifo");
    struct stat st;
    CHECK(stat(f, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600, "stat: a FIFO, mode 0600");
    CHECK_ERR(mkfifo(f, 0600), EEXIST, "mkfifo of an existing name");
    CHECK_ERR(openat(AT_FDCWD, f, O_WRONLY | O_NONBLOCK), ENXIO, "O_WRONLY|O_NONBLOCK without a reader");
    int nb = openat(AT_FDCWD, f, O_RDONLY | O_NONBLOCK);
    char buf[64];
    CHECK(nb >= 0 && read(nb, buf, sizeof buf) == 0, "O_RDONLY|O_NONBLOCK opens at once, reads EOF without a writer");
    int w = openat(AT_FDCWD, f, O_WRONLY | O_NONBLOCK);
    CHECK(w >= 0, "then O_WRONLY|O_NONBLOCK opens (there is a reader)");
    CHECK(write(w, "abc", 3) == 3 && read(nb, buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0, "bytes go through");
    close(w);
    close(nb);
    int rw = openat(AT_FDCWD, f, O_RDWR);
    CHECK(rw >= 0, "O_RDWR opens without waiting");
    close(rw);

    pid_t pid = fork();
    if (pid == 0) {
        int fd = openat(AT_FDCWD, f, O_WRONLY); /* waits for the parent's reader */
        if (fd < 0) _exit(2);
        write_all(fd, "hello from the child", 20);
        close(fd);
        _exit(0);
    }
    sleep_ms(50);
    int rd = openat(AT_FDCWD, f, O_RDONLY); /* waits for the child's writer if it is not there yet */
    CHECK(rd >= 0, "a blocking O_RDONLY open meets the child's O_WRONLY open");
    size_t got = 0;
    ssize_t n;
    while ((n = read(rd, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    CHECK(got == 20 && memcmp(buf, "hello from the child", 20) == 0, "the child's bytes arrive, then EOF");
    close(rd);
    CHECK(waitstatus(pid) == 0, "the child wrote and exited");
    DIR *d = opendir(dir);
    int listed = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        listed |= strcmp(e->d_name, "fifo") == 0 && e->d_type == DT_FIFO;
    closedir(d);
    CHECK(listed, "readdir lists it as DT_FIFO");

    CHECK(mknodat(AT_FDCWD, r, S_IFREG | 0640, 0) == 0 && stat(r, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
          "mknod S_IFREG makes an empty file");
    CHECK(mknodat(AT_FDCWD, s, S_IFSOCK | 0600, 0) == 0 && stat(s, &st) == 0 && S_ISSOCK(st.st_mode), "mknod S_IFSOCK makes a socket node");
    CHECK_ERR(mknodat(AT_FDCWD, r, S_IFREG | 0600, 0), EEXIST, "mknod of an existing name");
    char dd[300];
    path_in(dd, sizeof dd, dir, "d");
    CHECK_ERR(mknodat(AT_FDCWD, dd, S_IFDIR | 0700, 0), EPERM, "mknod S_IFDIR");
    x_unlink(f);
    x_unlink(r);
    x_unlink(s);
    CHECK(x_rmdir(dir) == 0, "clean up");
    return finish();
}
