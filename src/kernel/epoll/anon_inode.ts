// The one inode every anonymous file shares (fs/anon_inodes.c): epoll and eventfd
// descriptions are files of anon_inodefs. fstat shows st_mode 0600 with no file-type bits,
// size 0, one link, owner root, and the same st_dev/st_ino for every such file (measured on
// Linux 6.18: mode=0600 nlink=1 uid=0 blksize=4096 for both [eventpoll] and [eventfd]).
import type { Stat } from '../../arch/stat.js';

/** st_dev of anon_inodefs and the shared inode's number (host-specific on Linux; fixed here). */
export const ANON_INODE_DEV = 0x10;
export const ANON_INODE_INO = 1;

const created = Date.now();

export function anonInodeStat(): Stat {
  const sec = Math.floor(created / 1000), nsec = (created % 1000) * 1e6;
  return {
    dev: ANON_INODE_DEV, ino: ANON_INODE_INO, mode: 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0,
    size: 0, blksize: 4096, blocks: 0,
    atimeSec: sec, atimeNsec: nsec, mtimeSec: sec, mtimeNsec: nsec, ctimeSec: sec, ctimeNsec: nsec,
  };
}
