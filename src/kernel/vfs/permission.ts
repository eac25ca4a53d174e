// The guest's permission checks (fs/namei.c generic_permission, may_delete, fs/attr.c): ucrun
// does them itself with the guest's credentials, because the host file system is accessed as
// the user running ucrun (often root). Ownership is the host's, or what a guest chown recorded
// where the host could not change it (owners.ts).
import type { Stats } from 'node:fs';
import { CAP, type Creds, hostGroups } from '../creds.js';
import { noOwners, ownerOf } from './owners.js';

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_ISVTX = 0o1000;

export interface Node { mode: number; uid: number; gid: number; dev: number; ino: number }

/** The node with its guest-visible owner. */
export function guestNode(st: Stats | Node): Node {
  const o = ownerOf(st.dev, st.ino);
  return { mode: st.mode, uid: o?.uid ?? st.uid, gid: o?.gid ?? st.gid, dev: st.dev, ino: st.ino };
}

/**
 * generic_permission(): may `c` access `node` for `mask` (MAY_*)? `real`: with the real ids,
 * as access(2) checks (the capabilities are then those of a real uid 0).
 */
export function permitted(c: Creds, st: Stats | Node, mask: number, real = false): boolean {
  // The host checks what the host does (opens, lookups); executing is ucrun's own act (the file
  // is only read), so MAY_EXEC on a file is always checked here.
  if (hostDecides(c, real) && (!(mask & MAY_EXEC) || (st.mode & S_IFMT) === S_IFDIR)) return true;
  const n = guestNode(st);
  const uid = real ? c.uid : c.fsuid;
  const inGroup = real ? n.gid === c.gid || c.groups.includes(n.gid) : c.inGroup(n.gid);
  const bits = uid === n.uid ? (n.mode >> 6) & 7 : inGroup ? (n.mode >> 3) & 7 : n.mode & 7;
  if ((bits & mask) === mask) return true;
  const cap = (k: number) => (real ? c.uid === 0 && ((c.permitted >> BigInt(k)) & 1n) === 1n : c.capable(k));
  const isDir = (n.mode & S_IFMT) === S_IFDIR;
  // CAP_DAC_OVERRIDE: anything, except executing a file with no execute bit at all.
  if (cap(CAP.CAP_DAC_OVERRIDE) && (isDir || !(mask & MAY_EXEC) || (n.mode & 0o111) !== 0)) return true;
  // CAP_DAC_READ_SEARCH: reading files, reading and searching directories.
  if (cap(CAP.CAP_DAC_READ_SEARCH) && !(mask & MAY_WRITE) && (isDir || !(mask & MAY_EXEC))) return true;
  return false;
}

/** The owner (or CAP_FOWNER): chmod, explicit utimes, the sticky-bit rule (inode_owner_or_capable). */
export function ownerOrCapable(c: Creds, st: Stats | Node): boolean {
  return guestNode(st).uid === c.fsuid || c.capable(CAP.CAP_FOWNER);
}

/** may_delete's sticky-directory rule: in a sticky directory only the file's or the directory's owner may remove it. */
export function stickyOk(c: Creds, dir: Stats, victim: Stats): boolean {
  if (!(dir.mode & S_ISVTX)) return true;
  return guestNode(victim).uid === c.fsuid || guestNode(dir).uid === c.fsuid || c.capable(CAP.CAP_FOWNER);
}

/** Permission checks can be skipped: the guest overrides every mode bit, or the host decides. */
export const overridesAll = (c: Creds) => c.capable(CAP.CAP_DAC_OVERRIDE) || hostDecides(c, false);

const HOST_UID = process.getuid?.() ?? 0, HOST_GID = process.getgid?.() ?? 0;
/**
 * The host's own check is the guest's: the guest has exactly ucrun's ids (and, as root, its
 * capabilities) and no owner was recorded. Then the host file system decides, ACLs included,
 * and ucrun checks nothing itself.
 */
function hostDecides(c: Creds, real: boolean): boolean {
  const uid = real ? c.uid : c.fsuid, gid = real ? c.gid : c.fsgid;
  if (uid !== HOST_UID || gid !== HOST_GID || !noOwners()) return false;
  if (HOST_UID === 0) return c.capable(CAP.CAP_DAC_OVERRIDE) && c.capable(CAP.CAP_DAC_READ_SEARCH);
  return c.effective === 0n && sameGroups(c.groups);
}

/** The guest's groups are ucrun's own. */
function sameGroups(g: number[]): boolean {
  const h = hostGroups();
  return h.length === g.length && h.every((x, i) => x === g[i]);
}
