// Where bound AF_UNIX sockets can be found (net/unix/af_unix.c unix_find_other): abstract
// names live in a table private to this ucrun instance (never the host's); filesystem names
// are keyed by the (device, inode) of the S_IFSOCK node bind() created, so a rename keeps
// the socket reachable and an unlink makes it unreachable, as on Linux.
import type { UnixSocket } from './unix.js';

export class UnixNamespace {
  readonly #abstract = new Map<string, UnixSocket>();
  readonly #byInode = new Map<string, UnixSocket>();
  #autobindNext = 0;

  /** Abstract names are per socket type (unix_abstract_hash mixes in sk_type). */
  static abstractKey(name: Uint8Array, type: number): string { return `${type}:${Buffer.from(name).toString('hex')}`; }

  abstract(name: Uint8Array, type: number): UnixSocket | undefined { return this.#abstract.get(UnixNamespace.abstractKey(name, type)); }

  bindAbstract(name: Uint8Array, s: UnixSocket): boolean {
    const k = UnixNamespace.abstractKey(name, s.type);
    if (this.#abstract.has(k)) return false;
    this.#abstract.set(k, s);
    return true;
  }

  inode(dev: number, ino: number): UnixSocket | undefined { return this.#byInode.get(`${dev}:${ino}`); }

  bindInode(dev: number, ino: number, s: UnixSocket): void { this.#byInode.set(`${dev}:${ino}`, s); }

  /** unix_autobind: "\0" followed by 5 hex digits, the first free one. */
  autobindName(type: number): Uint8Array | undefined {
    for (let i = 0; i < 0x100000; i++) {
      const n = (this.#autobindNext++) & 0xfffff;
      const name = new TextEncoder().encode(n.toString(16).padStart(5, '0'));
      if (!this.#abstract.has(UnixNamespace.abstractKey(name, type))) return name;
    }
    return undefined;
  }

  /** The socket is gone: its name becomes free (the filesystem node itself stays). */
  release(s: UnixSocket): void {
    for (const [k, v] of this.#abstract) if (v === s) this.#abstract.delete(k);
    for (const [k, v] of this.#byInode) if (v === s) this.#byInode.delete(k);
  }
}
