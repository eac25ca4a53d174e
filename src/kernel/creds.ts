// Process credentials (include/linux/cred.h, kernel/sys.c, security/commoncap.c): real,
// effective, saved and filesystem ids, supplementary groups and the capability sets, with
// Linux's rules for changing them. The guest's ids are its own: the host file system is still
// accessed as the user running ucrun, and ucrun checks the guest's permissions itself
// (vfs/permission.ts).
import { readFileSync } from 'node:fs';
import { Errno } from './errno.js';

/** CAP_LAST_CAP of Linux 6.x: CAP_CHECKPOINT_RESTORE (40). */
export const CAP_LAST_CAP = 40;
export const CAP_FULL = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;
export const CAP = { CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5,
  CAP_SETGID: 6, CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_IPC_LOCK: 14, CAP_IPC_OWNER: 15, CAP_SYS_RAWIO: 17, CAP_SYS_PTRACE: 19, CAP_SYS_ADMIN: 21, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24, CAP_MKNOD: 27, CAP_WAKE_ALARM: 35 } as const;
/** NGROUPS_MAX. */
export const NGROUPS_MAX = 65536;

export class Creds {
  uid: number; euid: number; suid: number; fsuid: number;
  gid: number; egid: number; sgid: number; fsgid: number;
  groups: number[] = [];
  /** Capability sets (bit N = capability N). */
  permitted: bigint; effective: bigint; inheritable = 0n;
  /** The bounding set (PR_CAPBSET_READ/DROP). */
  bounding = CAP_FULL;
  /** PR_SET_KEEPCAPS: losing uid 0 keeps the permitted set (cleared by execve). */
  keepCaps = false;

  constructor(uid: number, gid: number) {
    this.uid = this.euid = this.suid = this.fsuid = uid;
    this.gid = this.egid = this.sgid = this.fsgid = gid;
    this.permitted = this.effective = uid === 0 ? CAP_FULL : 0n;
  }

  clone(): Creds {
    const c = new Creds(this.uid, this.gid);
    Object.assign(c, this);
    c.groups = [...this.groups];
    return c;
  }

  capable(cap: number): boolean { return (this.effective >> BigInt(cap)) & 1n ? true : false; }

  inGroup(gid: number): boolean { return gid === this.fsgid || this.groups.includes(gid); }

  /**
   * `o`'s real, effective and saved uids and gids are all this caller's real ones: the same-ids
   * rule of ptrace_may_access (pidfd_getfd, process_vm_*) and check_prlimit_permission.
   */
  holdsIdsOf(o: Creds): boolean {
    return o.uid === this.uid && o.euid === this.uid && o.suid === this.uid && o.gid === this.gid && o.egid === this.gid && o.sgid === this.gid;
  }

  /**
   * cap_emulate_setxuid: after a uid change, losing uid 0 everywhere drops every capability;
   * the effective uid leaving 0 clears the effective set, coming back to 0 restores it.
   */
  #afterUidChange(old: { uid: number; euid: number; suid: number }): void {
    const wasRoot = old.uid === 0 || old.euid === 0 || old.suid === 0;
    if (wasRoot && this.uid !== 0 && this.euid !== 0 && this.suid !== 0) {
      if (!this.keepCaps) this.permitted = 0n;
      this.effective = 0n;
    }
    if (old.euid === 0 && this.euid !== 0) this.effective = 0n;
    if (old.euid !== 0 && this.euid === 0) this.effective = this.permitted;
    // cap_emulate_setxuid's fsuid rule: the file-system capabilities follow fsuid to and from 0.
  }

  #ids(): { uid: number; euid: number; suid: number } { return { uid: this.uid, euid: this.euid, suid: this.suid }; }

  /** setuid(2): 0, or -errno. */
  setuid(id: number): number {
    if (!validId(id)) return -Errno.EINVAL;
    const old = this.#ids();
    if (this.capable(CAP.CAP_SETUID)) { this.uid = this.euid = this.suid = this.fsuid = id; }
    else if (id === this.uid || id === this.suid) { this.euid = this.fsuid = id; }
    else return -Errno.EPERM;
    this.#afterUidChange(old);
    return 0;
  }

  /** setreuid(2): -1 keeps a value. */
  setreuid(r: number, e: number): number {
    if ((r !== -1 && !validId(r)) || (e !== -1 && !validId(e))) return -Errno.EINVAL;
    const priv = this.capable(CAP.CAP_SETUID);
    if (r !== -1 && !priv && r !== this.uid && r !== this.euid) return -Errno.EPERM;
    if (e !== -1 && !priv && e !== this.uid && e !== this.euid && e !== this.suid) return -Errno.EPERM;
    const old = this.#ids();
    const oldRuid = this.uid;
    if (r !== -1) this.uid = r;
    if (e !== -1) this.euid = e;
    if (r !== -1 || (e !== -1 && e !== oldRuid)) this.suid = this.euid;
    this.fsuid = this.euid;
    this.#afterUidChange(old);
    return 0;
  }

  /** setresuid(2). */
  setresuid(r: number, e: number, s: number): number {
    for (const v of [r, e, s]) if (v !== -1 && !validId(v)) return -Errno.EINVAL;
    if (!this.capable(CAP.CAP_SETUID)) {
      const ok = (v: number) => v === -1 || v === this.uid || v === this.euid || v === this.suid;
      if (!ok(r) || !ok(e) || !ok(s)) return -Errno.EPERM;
    }
    const old = this.#ids();
    if (r !== -1) this.uid = r;
    if (e !== -1) this.euid = e;
    if (s !== -1) this.suid = s;
    this.fsuid = this.euid;
    this.#afterUidChange(old);
    return 0;
  }

  /** setfsuid(2): always the old fsuid; changed only when allowed. */
  setfsuid(id: number): number {
    const old = this.fsuid;
    if (validId(id) && (this.capable(CAP.CAP_SETUID) || [this.uid, this.euid, this.suid, this.fsuid].includes(id))) this.fsuid = id;
    return old;
  }

  setgid(id: number): number {
    if (!validId(id)) return -Errno.EINVAL;
    if (this.capable(CAP.CAP_SETGID)) { this.gid = this.egid = this.sgid = this.fsgid = id; }
    else if (id === this.gid || id === this.sgid) { this.egid = this.fsgid = id; }
    else return -Errno.EPERM;
    return 0;
  }

  setregid(r: number, e: number): number {
    if ((r !== -1 && !validId(r)) || (e !== -1 && !validId(e))) return -Errno.EINVAL;
    const priv = this.capable(CAP.CAP_SETGID);
    if (r !== -1 && !priv && r !== this.gid && r !== this.egid) return -Errno.EPERM;
    if (e !== -1 && !priv && e !== this.gid && e !== this.egid && e !== this.sgid) return -Errno.EPERM;
    const oldRgid = this.gid;
    if (r !== -1) this.gid = r;
    if (e !== -1) this.egid = e;
    if (r !== -1 || (e !== -1 && e !== oldRgid)) this.sgid = this.egid;
    this.fsgid = this.egid;
    return 0;
  }

  setresgid(r: number, e: number, s: number): number {
    for (const v of [r, e, s]) if (v !== -1 && !validId(v)) return -Errno.EINVAL;
    if (!this.capable(CAP.CAP_SETGID)) {
      const ok = (v: number) => v === -1 || v === this.gid || v === this.egid || v === this.sgid;
      if (!ok(r) || !ok(e) || !ok(s)) return -Errno.EPERM;
    }
    if (r !== -1) this.gid = r;
    if (e !== -1) this.egid = e;
    if (s !== -1) this.sgid = s;
    this.fsgid = this.egid;
    return 0;
  }

  setfsgid(id: number): number {
    const old = this.fsgid;
    if (validId(id) && (this.capable(CAP.CAP_SETGID) || [this.gid, this.egid, this.sgid, this.fsgid].includes(id))) this.fsgid = id;
    return old;
  }
}

/** A uid/gid a process may take: anything but (uid_t)-1. */
const validId = (id: number) => id >= 0 && id <= 0xfffffffe;

let hostGroupList: number[] | undefined;
/**
 * ucrun's own supplementary groups as getgroups(2) lists them (from /proc/self/status: node's
 * process.getgroups adds the egid), read once.
 */
export function hostGroups(): readonly number[] {
  if (!hostGroupList) {
    try {
      const m = /^Groups:\t?(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      hostGroupList = m ? m[1].trim().split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b) : [];
    } catch { hostGroupList = []; }
  }
  return hostGroupList;
}
