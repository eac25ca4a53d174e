// eventfd objects (fs/eventfd.c): a 64-bit counter behind a file (anon_inode:[eventfd]).
//
// - read needs a buffer of at least 8 bytes (else EINVAL) and returns exactly 8: the counter,
//   which is reset to 0, or 1 (decrementing it) with EFD_SEMAPHORE. A zero counter blocks, or
//   is EAGAIN with O_NONBLOCK (F_SETFL can change it later).
// - write needs 8 bytes; it adds a value to the counter. 0xffffffffffffffff is EINVAL; a sum
//   that would pass 0xfffffffffffffffe blocks (EAGAIN with O_NONBLOCK). Writing 0 succeeds
//   and still wakes readers (an epoll edge for EPOLLET watchers).
// - poll: POLLIN when the counter is > 0, POLLOUT while it is below 0xfffffffffffffffe (a
//   write of 1 would not block), POLLERR at 0xffffffffffffffff (unreachable through write).
//   Only these bits: eventfd_poll reports no POLLRDNORM/POLLWRNORM.
// - Wake-ups carry keys as Linux's do: a write notifies with POLLIN, a read with POLLOUT.
import type { Stat } from '../../arch/stat.js';
import { copyFromChunks, copyToChunks, type PhysChunk } from '../../mm/guest_memory.js';
import { FD_FLAGS } from '../abi.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import { O_RDWR, OpenFile, POLLERR, POLLIN, POLLOUT } from '../vfs/file.js';
import { block, SyscallResult } from '../wait.js';
import { anonInodeStat } from './anon_inode.js';

/** ULLONG_MAX: never a valid counter value or write. */
export const EVENTFD_MAX = 0xffffffffffffffffn;
const COUNT_SIZE = 8;

export class EventFd extends OpenFile {
  override get noopSeek(): boolean { return true; }
  constructor(
    /** The counter (u64). */
    public count: bigint,
    readonly semaphore: boolean,
    /** Status flags beyond O_RDWR: EFD_NONBLOCK (= O_NONBLOCK) or 0. */
    flags: number,
  ) {
    super(O_RDWR | flags, 'anon_inode:[eventfd]');
  }

  get nonblock(): boolean { return (this.flags & FD_FLAGS.EFD_NONBLOCK) !== 0; }

  stat(): Stat { return anonInodeStat(); }

  override read(t: Task, dst: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    if (len < COUNT_SIZE) return -Errno.EINVAL;
    if (this.count === 0n) return this.nonblock ? -Errno.EAGAIN : block([this.waitq]);
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    this.waitq.notify(POLLOUT);
    const b = new Uint8Array(COUNT_SIZE);
    new DataView(b.buffer).setBigUint64(0, v, true);
    copyToChunks(t.mem.phys.u8, dst, b);
    return COUNT_SIZE;
  }

  override write(t: Task, src: PhysChunk[], len: number, pos: number | undefined): SyscallResult {
    if (pos !== undefined) return -Errno.ESPIPE;
    if (len < COUNT_SIZE) return -Errno.EINVAL;
    const v = new DataView(copyFromChunks(t.mem.phys.u8, src, new Uint8Array(COUNT_SIZE)).buffer).getBigUint64(0, true);
    if (v === EVENTFD_MAX) return -Errno.EINVAL;
    if (EVENTFD_MAX - this.count <= v) return this.nonblock ? -Errno.EAGAIN : block([this.waitq]);
    this.count += v;
    this.waitq.notify(POLLIN);
    return COUNT_SIZE;
  }

  override poll(): number {
    let m = 0;
    if (this.count > 0n) m |= POLLIN;
    if (this.count === EVENTFD_MAX) m |= POLLERR;
    if (EVENTFD_MAX - 1n > this.count) m |= POLLOUT;
    return m;
  }
}
