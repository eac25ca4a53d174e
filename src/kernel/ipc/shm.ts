// System V shared memory segments (ipc/shm.c). A segment is a shmem object (SharedPages):
// shmat maps it with a backed VMA, so every attaching process, and every fork child of one,
// maps the same frames; shm_nattch is the number of VMAs mapping it (split pieces included,
// as Linux's shm_open/shm_close count them). IPC_RMID of an attached segment only marks it
// SHM_DEST and makes its key private; it is destroyed when its last mapping goes.
//
// Invariants: `shmTot` is the sum of every live segment's pages; a segment is in `ids` until
// destroyed; a destroyed segment's pages live on only in page tables that still map them.
import type { VmaBacking } from '../../mm/address_space.js';
import { PAGE_SIZE } from '../../mm/physmem.js';
import { SharedPages } from '../../mm/shared_pages.js';
import type { PhysMem } from '../../mm/physmem.js';
import { SHM, SHMALL, SHMMAX } from '../abi.js';
import { CAP } from '../creds.js';
import { Errno } from '../errno.js';
import {
  type IpcCaller, IpcIds, IpcPerm, ipcGet, ipcOwnerOrAdmin, ipcPermits, ipcUpdatePerm, type PermUpdate,
  type PermView, permView, realSeconds,
} from './util.js';

const S_IRUGO = 0o444, S_IWUGO = 0o222, S_IXUGO = 0o111;

export class ShmSegment {
  readonly pages: SharedPages;
  atime = 0;
  dtime = 0;
  ctime = realSeconds();
  /** shm_lprid: the last process to attach or detach. */
  lpid = 0;
  /** What /proc/<pid>/maps shows for an attach: "/SYSV%08x (deleted)" with the key it was made with. */
  readonly name: string;
  constructor(readonly perm: IpcPerm, readonly size: number, readonly cpid: number, phys: PhysMem) {
    this.pages = new SharedPages(phys);
    this.pages.mergeable = false;
    this.name = `/SYSV${(perm.key >>> 0).toString(16).padStart(8, '0')} (deleted)`;
  }
  get nattch(): number { return this.pages.maps; }
  /** Pages the segment spans (what shm_tot counts). */
  get npages(): number { return Math.ceil(this.size / PAGE_SIZE); }
}

export interface ShmStat {
  perm: PermView; segsz: number; atime: number; dtime: number; ctime: number; cpid: number; lpid: number; nattch: number; ret: number;
}

/** The shared-memory side of an IPC namespace (shm_ids, shm_ctlmax/ctlall/ctlmni, shm_tot). */
export class ShmIds {
  readonly ids = new IpcIds<ShmSegment>();
  shmmax: bigint = SHMMAX;
  shmall: bigint = SHMALL;
  shmmni: number = SHM.SHMMNI;
  /** Pages of all segments (ns->shm_tot). */
  shmTot = 0;
  /** Every segment by its pages, destroyed ones included while still mapped (for shmdt). */
  readonly #byPages = new WeakMap<VmaBacking, ShmSegment>();

  constructor(readonly phys: PhysMem) {}

  /**
   * shmget(2). `size` is the size_t argument: a negative number stands for 2^63 or more.
   * newseg: EINVAL below SHMMIN or above shmmax, ENOSPC past shmall pages or shmmni
   * segments, ENOMEM for more than guest memory could ever hold (the overcommit heuristic
   * refuses a segment larger than RAM); an existing key's smaller segment is EINVAL.
   */
  shmget(c: IpcCaller, key: number, size: number, flg: number): number {
    return ipcGet(this.ids, c, key, flg, () => {
      if (size < SHM.SHMMIN || BigInt(size) > this.shmmax) return -Errno.EINVAL;
      const npages = Math.ceil(size / PAGE_SIZE);
      if (BigInt(this.shmTot + npages) > this.shmall) return -Errno.ENOSPC;
      if (size > this.phys.limitBytes) return -Errno.ENOMEM;
      const seg = new ShmSegment(new IpcPerm(key, flg, c.creds), size, c.pid, this.phys);
      const id = this.ids.add(seg, this.shmmni);
      if (id < 0) return id;
      this.shmTot += npages;
      this.#byPages.set(seg.pages, seg);
      seg.pages.onOpen = (pid) => { seg.atime = realSeconds(); seg.lpid = pid; };
      seg.pages.onClose = (pid) => {
        seg.dtime = realSeconds();
        seg.lpid = pid;
        if (seg.nattch === 0 && seg.perm.mode & SHM.SHM_DEST) this.#destroy(seg);
      };
      return id;
    }, (o) => (size < 0 || o.size < size ? -Errno.EINVAL : 0));
  }

  segmentOf(b: VmaBacking): ShmSegment | undefined { return this.#byPages.get(b); }

  /**
   * The checks of do_shmat once the address is settled: EINVAL for no such id, EACCES without
   * read (and write unless SHM_RDONLY, exec with SHM_EXEC) permission. A segment marked for
   * removal may still be attached (Linux allows it while it exists).
   */
  attachable(c: IpcCaller, id: number, flg: number): ShmSegment | number {
    const seg = this.ids.obtain(id);
    if (typeof seg === 'number') return seg;
    let acc = flg & SHM.SHM_RDONLY ? S_IRUGO : S_IRUGO | S_IWUGO;
    if (flg & SHM.SHM_EXEC) acc |= S_IXUGO;
    if (!ipcPermits(c, seg.perm, acc)) return -Errno.EACCES;
    return seg;
  }

  /**
   * do_shmat's shm_nattch++ around its mmap: while held, replacing an attach of the same
   * segment (SHM_REMAP) cannot destroy a removed segment. The returned function lets go (and
   * destroys a removed segment nobody maps any more, as shm_may_destroy).
   */
  hold(seg: ShmSegment): () => void {
    seg.pages.maps++;
    return () => {
      seg.pages.maps--;
      if (seg.nattch === 0 && seg.perm.mode & SHM.SHM_DEST) this.#destroy(seg);
    };
  }

  /** shmctl IPC_STAT / SHM_STAT / SHM_STAT_ANY (shmctl_stat). */
  stat(c: IpcCaller, id: number, cmd: number): ShmStat | number {
    const byIdx = cmd === SHM.SHM_STAT || cmd === SHM.SHM_STAT_ANY;
    const seg = byIdx ? this.ids.obtainIdx(id) : this.ids.obtain(id);
    if (typeof seg === 'number') return seg;
    if (cmd !== SHM.SHM_STAT_ANY && !ipcPermits(c, seg.perm, S_IRUGO)) return -Errno.EACCES;
    return {
      perm: permView(seg.perm), segsz: seg.size, atime: seg.atime, dtime: seg.dtime, ctime: seg.ctime,
      cpid: seg.cpid, lpid: seg.lpid, nattch: seg.nattch, ret: byIdx ? seg.perm.id : 0,
    };
  }

  /** shmctl IPC_INFO (shmctl_ipc_info: struct shminfo64) and SHM_INFO (struct shm_info); returns the highest index. */
  info(): { shmmax: bigint; shmmin: number; shmmni: number; shmseg: number; shmall: bigint; ret: number } {
    return { shmmax: this.shmmax, shmmin: SHM.SHMMIN, shmmni: this.shmmni, shmseg: this.shmmni, shmall: this.shmall, ret: Math.max(0, this.ids.maxIdx()) };
  }
  usage(): { usedIds: number; tot: number; rss: number; ret: number } {
    let rss = 0;
    for (const s of this.ids.values()) rss += s.pages.resident;
    return { usedIds: this.ids.inUse, tot: this.shmTot, rss, ret: Math.max(0, this.ids.maxIdx()) };
  }

  /**
   * shmctl IPC_SET / IPC_RMID (shmctl_down): owner, creator or CAP_SYS_ADMIN. IPC_RMID
   * destroys an unattached segment; an attached one becomes SHM_DEST with a private key.
   */
  down(c: IpcCaller, id: number, upd: PermUpdate | undefined): number {
    const seg = this.ids.obtain(id);
    if (typeof seg === 'number') return seg;
    if (!ipcOwnerOrAdmin(c, seg.perm)) return -Errno.EPERM;
    if (upd) {
      const e = ipcUpdatePerm(upd, seg.perm);
      if (e) return e;
      seg.ctime = realSeconds();
      return 0;
    }
    if (seg.nattch > 0) {
      seg.perm.mode |= SHM.SHM_DEST;
      this.ids.setKeyPrivate(seg);
    } else this.#destroy(seg);
    return 0;
  }

  /**
   * shmctl SHM_LOCK / SHM_UNLOCK (shmctl_do_lock): without CAP_IPC_LOCK only the owner or
   * creator, and SHM_LOCK needs a non-zero RLIMIT_MEMLOCK (`memlock`, bytes). Pages are
   * never swapped here, so locking only sets and clears SHM_LOCKED.
   */
  lock(c: IpcCaller, id: number, lock: boolean, memlock: number): number {
    const seg = this.ids.obtain(id);
    if (typeof seg === 'number') return seg;
    if (!c.creds.capable(CAP.CAP_IPC_LOCK)) {
      const e = c.creds.euid;
      if (e !== seg.perm.uid && e !== seg.perm.cuid) return -Errno.EPERM;
      if (lock && memlock === 0) return -Errno.EPERM;
    }
    if (lock) seg.perm.mode |= SHM.SHM_LOCKED;
    else seg.perm.mode &= ~SHM.SHM_LOCKED;
    return 0;
  }

  /** shm_destroy: the id is free and the pages go once no page table holds them. */
  #destroy(seg: ShmSegment): void {
    if (seg.perm.deleted) return;
    this.ids.remove(seg);
    this.shmTot -= seg.npages;
    seg.pages.release();
  }
}
