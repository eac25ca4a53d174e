// Arch-neutral file metadata (what the VFS produces) and the struct statx
// encoder, whose layout is the same on every arch (include/uapi/linux/stat.h).
// struct stat differs per arch: see src/arch/<arch>/abi_data.ts (encodeStat).

import { STATX, defineLayout, writeField, type Field } from '../kernel/abi.js';

/**
 * File metadata as stat(2)/statx(2) report it. All values are integers.
 * `dev`/`rdev` are user-space dev_t values (glibc makedev() encoding, as
 * struct stat carries them; build them with `makedev`). Times are seconds
 * since the epoch (may be negative) + nanoseconds in [0, 1e9). `blocks` counts
 * 512-byte units. `birthSec`/`birthNsec` are only reported by statx (STATX_BTIME).
 */
export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  birthSec?: number;
  birthNsec?: number;
}

const TWO32 = 4294967296;

/**
 * glibc's makedev() (sys/sysmacros.h): major bits 0-11 -> 8-19, 12-31 -> 44-63;
 * minor bits 0-7 -> 0-7, 8-31 -> 20-43. The kernel's new_encode_dev() agrees
 * for its 12-bit major / 20-bit minor. Exact while the result is < 2^53
 * (major < 2^21), which covers every kernel dev_t.
 */
export function makedev(major: number, minor: number): number {
  const lo = ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & 0xfff00) << 12)) >>> 0;
  const hi = (((minor >>> 20) & 0xfff) | ((major >>> 12) << 12)) >>> 0;
  return hi * TWO32 + lo;
}

/** glibc major(): inverse of makedev. */
export function devMajor(dev: number): number {
  const lo = dev % TWO32 >>> 0;
  const hi = Math.floor(dev / TWO32) >>> 0;
  return (((lo >>> 8) & 0xfff) | (hi & 0xfffff000)) >>> 0;
}

/** glibc minor(): inverse of makedev. */
export function devMinor(dev: number): number {
  const lo = dev % TWO32 >>> 0;
  const hi = Math.floor(dev / TWO32) >>> 0;
  return ((lo & 0xff) | ((lo >>> 12) & 0xfff00) | ((hi & 0xfff) << 20)) >>> 0;
}

/** sizeof(struct statx) (include/uapi/linux/stat.h); the same on every arch. */
export const STATX_SIZE = 256;

/** struct statx layout (include/uapi/linux/stat.h, Linux 6.1: through stx_dio_offset_align). */
export const STATX_LAYOUT = defineLayout('struct statx', 'linux/stat.h', STATX_SIZE, {
  stx_mask: [0, 4],
  stx_blksize: [4, 4],
  stx_attributes: [8, 8],
  stx_nlink: [16, 4],
  stx_uid: [20, 4],
  stx_gid: [24, 4],
  stx_mode: [28, 2],
  stx_ino: [32, 8],
  stx_size: [40, 8],
  stx_blocks: [48, 8],
  stx_attributes_mask: [56, 8],
  'stx_atime.tv_sec': [64, 8],
  'stx_atime.tv_nsec': [72, 4],
  'stx_btime.tv_sec': [80, 8],
  'stx_btime.tv_nsec': [88, 4],
  'stx_ctime.tv_sec': [96, 8],
  'stx_ctime.tv_nsec': [104, 4],
  'stx_mtime.tv_sec': [112, 8],
  'stx_mtime.tv_nsec': [120, 4],
  stx_rdev_major: [128, 4],
  stx_rdev_minor: [132, 4],
  stx_dev_major: [136, 4],
  stx_dev_minor: [140, 4],
  stx_mnt_id: [144, 8],
  stx_dio_mem_align: [152, 4],
  stx_dio_offset_align: [156, 4],
});

/** Zero `len` bytes at `off`. */
export function zeroBytes(dv: DataView, off: number, len: number): void {
  new Uint8Array(dv.buffer, dv.byteOffset + off, len).fill(0);
}

const X = STATX_LAYOUT.fields;
const STATX_FIELDS: ReadonlyArray<readonly [Field, (st: Stat) => number]> = [
  [X.stx_blksize, (s) => s.blksize],
  [X.stx_nlink, (s) => s.nlink],
  [X.stx_uid, (s) => s.uid],
  [X.stx_gid, (s) => s.gid],
  [X.stx_mode, (s) => s.mode],
  [X.stx_ino, (s) => s.ino],
  [X.stx_size, (s) => s.size],
  [X.stx_blocks, (s) => s.blocks],
  [X['stx_atime.tv_sec'], (s) => s.atimeSec],
  [X['stx_atime.tv_nsec'], (s) => s.atimeNsec],
  [X['stx_ctime.tv_sec'], (s) => s.ctimeSec],
  [X['stx_ctime.tv_nsec'], (s) => s.ctimeNsec],
  [X['stx_mtime.tv_sec'], (s) => s.mtimeSec],
  [X['stx_mtime.tv_nsec'], (s) => s.mtimeNsec],
  [X.stx_rdev_major, (s) => devMajor(s.rdev)],
  [X.stx_rdev_minor, (s) => devMinor(s.rdev)],
  [X.stx_dev_major, (s) => devMajor(s.dev)],
  [X.stx_dev_minor, (s) => devMinor(s.dev)],
];

/**
 * Write `struct statx` (STATX_SIZE bytes, little-endian) at `off`, as the
 * kernel's cp_statx() does: all 256 bytes are written (reserved ones zero),
 * stx_mask = `mask` -- except STATX_BTIME is dropped when `st.birthSec` is
 * undefined -- and btime is filled only when STATX_BTIME remains set.
 * stx_attributes, stx_attributes_mask, stx_mnt_id and the dio fields are 0.
 */
export function encodeStatx(dv: DataView, off: number, st: Stat, mask: number): void {
  zeroBytes(dv, off, STATX_SIZE);
  let m = mask >>> 0;
  if (st.birthSec === undefined) m = (m & ~STATX.STATX_BTIME) >>> 0;
  writeField(dv, off, X.stx_mask, m);
  for (const [f, get] of STATX_FIELDS) writeField(dv, off, f, get(st));
  if (m & STATX.STATX_BTIME) {
    writeField(dv, off, X['stx_btime.tv_sec'], st.birthSec ?? 0);
    writeField(dv, off, X['stx_btime.tv_nsec'], st.birthNsec ?? 0);
  }
}
