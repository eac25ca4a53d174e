// One IPC namespace (struct ipc_namespace): the semaphore sets, shared memory segments and
// message queues of one Kernel instance, each with the limits /proc/sys/kernel shows.
import type { VmaBacking } from '../../mm/address_space.js';
import type { PhysMem } from '../../mm/physmem.js';
import { MsgIds } from './msg.js';
import { SemIds } from './sem.js';
import { ShmIds, type ShmSegment } from './shm.js';

export class IpcNamespace {
  readonly sem = new SemIds();
  readonly shm: ShmIds;
  readonly msg = new MsgIds();

  constructor(phys: PhysMem) { this.shm = new ShmIds(phys); }

  /** The segment a VMA maps, if it is a SysV one (vm_ops == &shm_vm_ops). */
  segmentOf(b: VmaBacking | undefined): ShmSegment | undefined { return b ? this.shm.segmentOf(b) : undefined; }

  /**
   * do_exit's exit_sem for the process `owner` (tgid `pid`): its SEM_UNDO adjustments are
   * applied. exit_shm has nothing to do (shm_rmid_forced is 0: segments outlive creators).
   */
  exitProcess(owner: object, pid: number): void { this.sem.exitUndo(owner, pid); }
}
