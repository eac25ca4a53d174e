// Ownership the guest set where the host could not (chown as an unprivileged host user), and
// the owner of files a guest with other ids created: kept per host inode (dev, ino) for this
// ucrun run, and shown by stat and used by the permission checks. The host file keeps the
// host user's ownership.
const owners = new Map<string, { uid: number; gid: number }>();

const key = (dev: number | bigint, ino: number | bigint) => `${dev}:${ino}`;

export function ownerOf(dev: number | bigint, ino: number | bigint): { uid: number; gid: number } | undefined {
  return owners.size ? owners.get(key(dev, ino)) : undefined;
}

/** Record the guest-visible owner; equal to the host's owner means nothing to record. */
export function setOwner(dev: number | bigint, ino: number | bigint, uid: number, gid: number, hostUid: number, hostGid: number): void {
  if (uid === hostUid && gid === hostGid) owners.delete(key(dev, ino));
  else owners.set(key(dev, ino), { uid, gid });
}

/** Nothing recorded: every owner is the host's. */
export const noOwners = () => owners.size === 0;
