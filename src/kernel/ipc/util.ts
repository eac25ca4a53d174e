// What the three SysV IPC kinds share (ipc/util.c): the permission record of an object
// (kern_ipc_perm), the id table of one kind (struct ipc_ids: an idr plus a key table), the
// ipcget() lookup-or-create protocol, the ipcperms() access check and the owner check of
// IPC_SET/IPC_RMID. Nothing here knows fds, tasks or how syscalls decode their arguments:
// callers name themselves with an IpcCaller (tgid + credentials).
import { IPC } from '../abi.js';
import { CAP, type Creds } from '../creds.js';
import { Errno } from '../errno.js';

/** Who asks: the process's tgid (pids recorded in the objects) and its credentials. */
export interface IpcCaller { readonly pid: number; readonly creds: Creds }

/** IPCMNI with IPCMNI_SHIFT 15 (no ipcmni_extend): an id is (seq << 15) + index. */
export const IPCMNI_SHIFT = 15;
export const IPCMNI = 1 << IPCMNI_SHIFT;
/** ipcid_seq_max(): INT_MAX >> IPCMNI_SHIFT. */
const SEQ_MAX = 0x7fffffff >> IPCMNI_SHIFT;
/** ipc_min_cycle (RADIX_TREE_MAP_SIZE): indexes cycle through at least this many slots. */
const MIN_CYCLE = 64;
/** S_IRWXUGO: the mode bits a caller chooses and IPC_SET may change. */
export const S_IRWXUGO = 0o777;
const INVALID_ID = 0xffffffff;

/** The wall clock in seconds (ktime_get_real_seconds), for the *_time fields. */
export const realSeconds = (): number => Math.floor((performance.timeOrigin + performance.now()) / 1000);

/** kern_ipc_perm: the key, owner and creator, mode and the id it was given. */
export class IpcPerm {
  uid: number; gid: number;
  readonly cuid: number; readonly cgid: number;
  id = -1;
  seq = 0;
  /** Set by ipc_rmid: the object is gone (a parked caller that wakes sees EIDRM). */
  deleted = false;

  /** current_euid_egid() become owner and creator; mode keeps only S_IRWXUGO (newary, newseg, newque). */
  constructor(public key: number, public mode: number, creds: Creds) {
    this.uid = this.cuid = creds.euid;
    this.gid = this.cgid = creds.egid;
    this.mode &= S_IRWXUGO;
  }
}

export interface IpcObject { readonly perm: IpcPerm }

/**
 * ipcperms(): `flag`'s rwx bits (S_IRUGO, S_IWUGO, or a get call's mode) against the owner,
 * group or other bits of the object, owner/creator and group/creator-group first; any missing
 * bit needs CAP_IPC_OWNER. true when access is granted.
 */
export function ipcPermits(c: IpcCaller, perm: IpcPerm, flag: number): boolean {
  const requested = ((flag >> 6) | (flag >> 3) | flag) & 0o7;
  let granted = perm.mode;
  const cr = c.creds;
  if (cr.euid === perm.cuid || cr.euid === perm.uid) granted >>= 6;
  else if (cr.inGroup(perm.cgid) || cr.inGroup(perm.gid)) granted >>= 3;
  return (requested & ~granted & 0o7) === 0 || cr.capable(CAP.CAP_IPC_OWNER);
}

/** ipcctl_obtain_check's rule: IPC_SET and IPC_RMID need the owner, the creator or CAP_SYS_ADMIN. */
export function ipcOwnerOrAdmin(c: IpcCaller, perm: IpcPerm): boolean {
  const e = c.creds.euid;
  return e === perm.cuid || e === perm.uid || c.creds.capable(CAP.CAP_SYS_ADMIN);
}

/** The part of an IPC_SET buffer that ipc_update_perm takes. */
export interface PermUpdate { uid: number; gid: number; mode: number }

/** ipc_update_perm: new owner and S_IRWXUGO bits; (uid_t)-1 or (gid_t)-1 is EINVAL. 0 or -errno. */
export function ipcUpdatePerm(u: PermUpdate, perm: IpcPerm): number {
  if (u.uid >>> 0 === INVALID_ID || u.gid >>> 0 === INVALID_ID) return -Errno.EINVAL;
  perm.uid = u.uid >>> 0;
  perm.gid = u.gid >>> 0;
  perm.mode = (perm.mode & ~S_IRWXUGO) | (u.mode & S_IRWXUGO);
  return 0;
}

/**
 * struct ipc_ids: the live objects of one kind by index, and the keyed ones by key.
 * Invariants: an object is in `#byIdx` under `id & (IPCMNI-1)` exactly while not deleted;
 * it is in `#byKey` while its key is not IPC_PRIVATE (ipc_set_key_private takes it out).
 */
export class IpcIds<T extends IpcObject> {
  readonly #byIdx = new Map<number, T>();
  readonly #byKey = new Map<number, T>();
  #seq = 0;
  #lastIdx = -1;
  /** Where idr_alloc_cyclic looks first. */
  #next = 0;

  get inUse(): number { return this.#byIdx.size; }
  values(): IterableIterator<T> { return this.#byIdx.values(); }

  /** ipc_get_maxidx: the highest index in use, -1 for none. */
  maxIdx(): number {
    let m = -1;
    for (const i of this.#byIdx.keys()) if (i > m) m = i;
    return m;
  }

  findKey(key: number): T | undefined { return this.#byKey.get(key); }

  /**
   * ipc_addid: ENOSPC at `limit` objects; else the next free index at or after the last one
   * (cyclic, in [0, max(in_use*3/2, 64)) capped at IPCMNI), with the sequence number bumped
   * when the index wraps. Returns the new id.
   */
  add(obj: T, limit: number): number {
    const n = this.#byIdx.size;
    if (n >= Math.min(limit, IPCMNI)) return -Errno.ENOSPC;
    const end = Math.min(Math.max(Math.floor((n * 3) / 2), MIN_CYCLE), IPCMNI);
    // idr_alloc_cyclic: [next, end), then [0, end).
    const from = this.#next < end ? this.#next : 0;
    let idx = -1;
    for (let k = 0; k < end; k++) {
      const i = (from + k) % end;
      if (!this.#byIdx.has(i)) { idx = i; break; }
    }
    if (idx < 0) return -Errno.ENOSPC;
    if (idx <= this.#lastIdx && ++this.#seq >= SEQ_MAX) this.#seq = 0;
    this.#lastIdx = idx;
    this.#next = idx + 1;
    const p = obj.perm;
    p.seq = this.#seq;
    p.id = (p.seq << IPCMNI_SHIFT) + idx;
    this.#byIdx.set(idx, obj);
    if (p.key !== IPC.IPC_PRIVATE) this.#byKey.set(p.key, obj);
    return p.id;
  }

  /** ipc_obtain_object_check: by full id (index and sequence); EINVAL when there is none. */
  obtain(id: number): T | number {
    const o = this.#byIdx.get(id & (IPCMNI - 1));
    if (!o || (id >> IPCMNI_SHIFT) !== o.perm.seq) return -Errno.EINVAL;
    return o;
  }

  /** ipc_obtain_object_idr: by index alone (the *_STAT commands). */
  obtainIdx(idx: number): T | number {
    return this.#byIdx.get(idx & (IPCMNI - 1)) ?? -Errno.EINVAL;
  }

  /** ipc_rmid: the object leaves both tables and is marked deleted. */
  remove(obj: T): void {
    const p = obj.perm;
    this.#byIdx.delete(p.id & (IPCMNI - 1));
    this.setKeyPrivate(obj);
    p.deleted = true;
  }

  /** ipc_set_key_private: no longer found by key (a removed segment still attached). */
  setKeyPrivate(obj: T): void {
    const p = obj.perm;
    if (p.key !== IPC.IPC_PRIVATE && this.#byKey.get(p.key) === obj) this.#byKey.delete(p.key);
    p.key = IPC.IPC_PRIVATE;
  }
}

/**
 * ipcget(): IPC_PRIVATE always creates; a key nobody uses creates with IPC_CREAT, else ENOENT;
 * an existing key with IPC_CREAT|IPC_EXCL is EEXIST, else the kind's size check (more_checks),
 * then ipcperms with the caller's mode bits (EACCES). Returns the id or -errno.
 */
export function ipcGet<T extends IpcObject>(
  ids: IpcIds<T>, c: IpcCaller, key: number, flg: number,
  create: () => number, moreChecks?: (o: T) => number,
): number {
  if (key === IPC.IPC_PRIVATE) return create();
  const o = ids.findKey(key);
  if (!o) return flg & IPC.IPC_CREAT ? create() : -Errno.ENOENT;
  if ((flg & IPC.IPC_CREAT) && (flg & IPC.IPC_EXCL)) return -Errno.EEXIST;
  const e = moreChecks?.(o) ?? 0;
  if (e) return e;
  if (!ipcPermits(c, o.perm, flg)) return -Errno.EACCES;
  return o.perm.id;
}

/** The ipc64_perm a *_STAT copies out (kernel_to_ipc64_perm). */
export interface PermView { key: number; uid: number; gid: number; cuid: number; cgid: number; mode: number; seq: number }
export const permView = (p: IpcPerm): PermView =>
  ({ key: p.key, uid: p.uid, gid: p.gid, cuid: p.cuid, cgid: p.cgid, mode: p.mode, seq: p.seq });
