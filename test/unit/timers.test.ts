// Pure pieces of the timer families: hrtimer_forward's counting and the CPU-clock id encoding.
import { describe, expect, it } from 'vitest';
import { forward, isClockFd, KTIME_MAX, saturate } from '../../src/kernel/timers/clocks.js';

describe('hrtimer_forward', () => {
  it('moves the expiry past now by whole intervals and counts them', () => {
    expect(forward(100n, 50n, 10n)).toEqual({ expires: 100n, n: 0n }); // not yet expired
    expect(forward(100n, 100n, 10n)).toEqual({ expires: 110n, n: 1n }); // exactly at the expiry
    expect(forward(100n, 105n, 10n)).toEqual({ expires: 110n, n: 1n });
    expect(forward(100n, 120n, 10n)).toEqual({ expires: 130n, n: 3n }); // an exact multiple is passed too
    expect(forward(100n, 125n, 10n)).toEqual({ expires: 130n, n: 3n });
    expect(forward(0n, 5n, 0n)).toEqual({ expires: 6n, n: 6n }); // an interval below 1 ns counts as 1 ns
  });
  it('saturates at KTIME_MAX', () => {
    expect(saturate(KTIME_MAX + 5n)).toBe(KTIME_MAX);
    expect(forward(KTIME_MAX - 1n, KTIME_MAX - 1n, KTIME_MAX).expires).toBe(KTIME_MAX);
  });
});

describe('CPU-time clock ids', () => {
  it('tells CLOCKFD ids from CPU clocks (MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK)', () => {
    expect(isClockFd(-5)).toBe(true); // ~0 << 3 | 3: fd 0
    expect(isClockFd(-6)).toBe(false); // CLOCK_PROCESS_CPUTIME_ID as glibc passes it
    expect(isClockFd(-2)).toBe(false); // CLOCK_THREAD_CPUTIME_ID as glibc passes it
    expect(isClockFd(3)).toBe(false);
  });
});
