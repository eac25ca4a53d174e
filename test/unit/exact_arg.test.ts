// Syscall arguments from 64-bit registers (Engine.readRegs -> exactArg): exact below 2^53;
// beyond, a stand-in with the same sign, the same low 32 bits and a magnitude >= 2^51.
import { describe, expect, it } from 'vitest';
import { exactArg } from '../../src/engine/engine.js';

const split = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v >> 32n)), Number(v & 0xffffffffn)];
const arg = (v: bigint) => exactArg(...split(BigInt.asUintN(64, v)));

describe('exactArg', () => {
  it('is the exact signed value when it fits a double', () => {
    for (const v of [0n, 1n, -1n, 0x7ffffffff000n, -(1n << 52n), (1n << 53n) - 1n, -(1n << 53n)]) {
      expect(arg(v)).toBe(Number(v));
    }
  });

  it('keeps the low 32 bits of huge values, so C int and unsigned conversions are exact', () => {
    for (const v of [0x7fffffffffffffffn, 0x8000000000000000n, 0xabcd00000003n << 12n, 0x100000000n | 5n, -(1n << 60n) + 7n]) {
      const a = arg(v);
      expect(a | 0).toBe(Number(BigInt.asIntN(32, v)));
      expect(a >>> 0).toBe(Number(BigInt.asUintN(32, v)));
      expect(Number.isSafeInteger(a)).toBe(true);
    }
  });

  it('keeps the sign and stays beyond every address (>= 2^51 in magnitude)', () => {
    expect(arg(0x7fffffffffffffffn)).toBeGreaterThanOrEqual(2 ** 52);
    expect(arg(0x0100000000000000n)).toBeGreaterThanOrEqual(2 ** 52);
    expect(arg(0x8000000000000000n)).toBeLessThanOrEqual(-(2 ** 51));
    expect(arg(0xfff0000000000000n)).toBeLessThanOrEqual(-(2 ** 51));
  });
});
