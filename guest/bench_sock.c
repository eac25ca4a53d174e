/* bench_sock.c - socketpair throughput: moves argv[1] MiB (default 256) through an AF_UNIX
 * stream socketpair in 64 KiB writes on sv[0], each read back in full from sv[1] before the
 * next write (single process, so nothing blocks). A cheap checksum over the received data
 * (one 64-bit word per 64 bytes) is printed: "MiB: N checksum: X". */
#include "common.h"
#include <sys/socket.h>

#define CHUNK (64 * 1024)

static uint64_t wbuf[CHUNK / 8];
static uint64_t rbuf[CHUNK / 8];

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 256;
    if (mib < 0)
        mib = 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fatal("socketpair");
    for (size_t i = 0; i < CHUNK / 8; i++)
        wbuf[i] = 0x9e3779b97f4a7c15ULL * (i + 1);
    long chunks = mib * (1024 * 1024 / CHUNK);
    uint64_t sum = 0;
    for (long c = 0; c < chunks; c++) {
        wbuf[0] = (uint64_t)c;                 /* make every chunk different */
        wbuf[CHUNK / 16] = (uint64_t)c * 7919u;
        size_t done = 0;
        while (done < CHUNK) {
            ssize_t n = write(sv[0], (char *)wbuf + done, CHUNK - done);
            if (n <= 0)
                fatal("write to the socketpair");
            done += (size_t)n;
        }
        done = 0;
        while (done < CHUNK) {
            ssize_t n = read(sv[1], (char *)rbuf + done, CHUNK - done);
            if (n <= 0)
                fatal("read from the socketpair");
            done += (size_t)n;
        }
        for (size_t i = 0; i < CHUNK / 8; i += 8) {
            sum += rbuf[i];
            sum = (sum << 7) | (sum >> 57);
        }
    }
    out("MiB: %ld checksum: %016llx\n", mib, (unsigned long long)sum);
    return 0;
}
