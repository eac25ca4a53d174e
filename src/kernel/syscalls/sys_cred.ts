// Credentials: get/set uid, gid and groups, capget/capset (kernel/sys.c, kernel/groups.c,
// kernel/capability.c). The rules live in creds.ts; these handlers move the values.
import { CAP, CAP_FULL, NGROUPS_MAX } from '../creds.js';
import { Errno } from '../errno.js';
import type { Task } from '../task.js';
import type { SyscallResult } from '../wait.js';

/** A uid_t/gid_t argument: its low 32 bits, with (uid_t)-1 as -1 ("unchanged"). */
const idArg = (v: number) => { const u = v >>> 0; return u === 0xffffffff ? -1 : u; };

const _LINUX_CAPABILITY_VERSION_1 = 0x19980330, _LINUX_CAPABILITY_VERSION_2 = 0x20071026, _LINUX_CAPABILITY_VERSION_3 = 0x20080522;

/** cap_validate_magic: how many 32-bit words of each set the version carries, or -errno. */
function capWords(t: Task, header: number): number {
  const version = t.mem.u32(header);
  if (version === _LINUX_CAPABILITY_VERSION_1) return 1;
  if (version === _LINUX_CAPABILITY_VERSION_2 || version === _LINUX_CAPABILITY_VERSION_3) return 2;
  t.mem.setU32(header, _LINUX_CAPABILITY_VERSION_3);
  return -Errno.EINVAL;
}

export const credCalls = {
  getuid: (t: Task): SyscallResult => t.proc.creds.uid,
  geteuid: (t: Task): SyscallResult => t.proc.creds.euid,
  getgid: (t: Task): SyscallResult => t.proc.creds.gid,
  getegid: (t: Task): SyscallResult => t.proc.creds.egid,
  /** getresuid(2) */
  getresuid(t: Task, [r, e, s]: number[]): SyscallResult {
    const c = t.proc.creds;
    t.mem.setU32(r, c.uid); t.mem.setU32(e, c.euid); t.mem.setU32(s, c.suid);
    return 0;
  },
  /** getresgid(2) */
  getresgid(t: Task, [r, e, s]: number[]): SyscallResult {
    const c = t.proc.creds;
    t.mem.setU32(r, c.gid); t.mem.setU32(e, c.egid); t.mem.setU32(s, c.sgid);
    return 0;
  },
  setuid: (t: Task, [id]: number[]): SyscallResult => t.proc.creds.setuid(idArg(id)),
  setgid: (t: Task, [id]: number[]): SyscallResult => t.proc.creds.setgid(idArg(id)),
  setreuid: (t: Task, [r, e]: number[]): SyscallResult => t.proc.creds.setreuid(idArg(r), idArg(e)),
  setregid: (t: Task, [r, e]: number[]): SyscallResult => t.proc.creds.setregid(idArg(r), idArg(e)),
  setresuid: (t: Task, [r, e, s]: number[]): SyscallResult => t.proc.creds.setresuid(idArg(r), idArg(e), idArg(s)),
  setresgid: (t: Task, [r, e, s]: number[]): SyscallResult => t.proc.creds.setresgid(idArg(r), idArg(e), idArg(s)),
  setfsuid: (t: Task, [id]: number[]): SyscallResult => t.proc.creds.setfsuid(idArg(id)),
  setfsgid: (t: Task, [id]: number[]): SyscallResult => t.proc.creds.setfsgid(idArg(id)),
  /** getgroups(2): the count when size is 0; EINVAL when the list does not fit */
  getgroups(t: Task, [size, list]: number[]): SyscallResult {
    const g = t.proc.creds.groups;
    const n = size | 0;
    if (n < 0) return -Errno.EINVAL;
    if (n === 0) return g.length;
    if (n < g.length) return -Errno.EINVAL;
    if (g.length) {
      const out = new Uint8Array(g.length * 4);
      const dv = new DataView(out.buffer);
      g.forEach((x, i) => dv.setUint32(i * 4, x, true));
      t.mem.write(list, out);
    }
    return g.length;
  },
  /** setgroups(2): CAP_SETGID; at most NGROUPS_MAX; kept sorted like groups_sort */
  setgroups(t: Task, [size, list]: number[]): SyscallResult {
    const n = size >>> 0;
    if (n > NGROUPS_MAX) return -Errno.EINVAL;
    const c = t.proc.creds;
    if (!c.capable(CAP.CAP_SETGID)) return -Errno.EPERM;
    const b = n ? t.mem.read(list, n * 4) : new Uint8Array(0);
    const dv = new DataView(b.buffer);
    c.groups = Array.from({ length: n }, (_, i) => dv.getUint32(i * 4, true)).sort((x, y) => x - y);
    return 0;
  },
  /** capget(2): the target's sets (pid 0: the caller); a NULL data pointer only checks the version */
  capget(t: Task, [header, data]: number[]): SyscallResult {
    const words = capWords(t, header);
    if (data === 0 || words < 0) return data === 0 && words === -Errno.EINVAL ? 0 : words;
    const pid = t.mem.u32(header + 4) | 0;
    if (pid < 0) return -Errno.EINVAL;
    const who = pid === 0 ? t : t.kernel.liveTask(pid, t);
    if (!who) return -Errno.ESRCH;
    const c = who.proc.creds;
    const out = new Uint8Array(words * 12);
    const dv = new DataView(out.buffer);
    for (let w = 0; w < words; w++) {
      const part = (v: bigint) => Number((v >> BigInt(32 * w)) & 0xffffffffn);
      dv.setUint32(w * 12, part(c.effective), true);
      dv.setUint32(w * 12 + 4, part(c.permitted), true);
      dv.setUint32(w * 12 + 8, part(c.inheritable), true);
    }
    t.mem.write(data, out);
    return 0;
  },
  /** capset(2): only the caller's own sets, never raising permitted (cap_capset) */
  capset(t: Task, [header, data]: number[]): SyscallResult {
    const words = capWords(t, header);
    if (words < 0) return words;
    const pid = t.mem.u32(header + 4) | 0;
    if (pid !== 0 && pid !== t.tid && pid !== t.proc.pid) return -Errno.EPERM;
    const b = t.mem.read(data, words * 12);
    const dv = new DataView(b.buffer);
    let eff = 0n, perm = 0n, inh = 0n;
    for (let w = 0; w < words; w++) {
      const sh = BigInt(32 * w);
      eff |= BigInt(dv.getUint32(w * 12, true)) << sh;
      perm |= BigInt(dv.getUint32(w * 12 + 4, true)) << sh;
      inh |= BigInt(dv.getUint32(w * 12 + 8, true)) << sh;
    }
    eff &= CAP_FULL; perm &= CAP_FULL; inh &= CAP_FULL;
    const c = t.proc.creds;
    const sub = (a: bigint, b: bigint) => (a & ~b) === 0n;
    if (!c.capable(CAP.CAP_SETPCAP) && !sub(inh, c.inheritable | c.permitted)) return -Errno.EPERM;
    if (!sub(perm, c.permitted) || !sub(eff, perm)) return -Errno.EPERM;
    c.effective = eff; c.permitted = perm; c.inheritable = inh;
    return 0;
  },
};
