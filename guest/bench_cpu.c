/* bench_cpu.c - CPU-bound benchmark: sieve of Eratosthenes + FNV-1a/xorshift hashing.
 * About 0.1 s natively at -O2. argv[1] = repeat count (default 1).
 * The checksum depends only on the algorithm, so it is the same on every arch. */
#include "common.h"

#define LIMIT 16000000u

static unsigned char composite[LIMIT + 1];

int main(int argc, char **argv)
{
    long reps = argc > 1 ? atol(argv[1]) : 1;
    if (reps < 1)
        reps = 1;
    uint64_t total = 0;
    unsigned primes = 0;
    for (long r = 0; r < reps; r++) {
        memset(composite, 0, sizeof composite);
        for (unsigned i = 2; (uint64_t)i * i <= LIMIT; i++)
            if (!composite[i])
                for (unsigned j = i * i; j <= LIMIT; j += i)
                    composite[j] = 1;
        /* FNV-1a over the primes, mixed with a xorshift64 stream */
        uint64_t h = 1469598103934665603ULL, x = 88172645463325252ULL + (uint64_t)r;
        primes = 0;
        for (unsigned i = 2; i <= LIMIT; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* hash every sieve cell (and, for primes, the prime itself) */
            h ^= composite[i] ^ (x & 0xff);
            h *= 1099511628211ULL;
            if (!composite[i]) {
                primes++;
                uint64_t v = i ^ (x & 0xffff);
                for (int k = 0; k < 4; k++) {
                    h ^= (v >> (8 * k)) & 0xff;
                    h *= 1099511628211ULL;
                }
            }
        }
        total ^= h + (uint64_t)r;
    }
    out("primes up to %u: %u\n", LIMIT, primes);
    out("repeats: %ld\n", reps);
    out("checksum: %016llx\n", (unsigned long long)total);
    return 0;
}
