// Specs for the System V IPC calls, printed as strace prints them: keys as IPC_PRIVATE or
// hex, get flags as `IPC_CREAT|IPC_EXCL|0600`, ctl commands by name (`IPC_64|` when set),
// the *id_ds structs of IPC_STAT, the info structs, sembuf arrays and msgbufs.
import {
  IPC, IPC64_PERM_LAYOUT, MSG, MSGINFO_LAYOUT, MSQID64_DS_LAYOUT, SEM, SEMBUF_LAYOUT, SEMINFO_LAYOUT, SHM,
  SHM_INFO_LAYOUT, SHMID64_DS_LAYOUT, SHMINFO64_LAYOUT, type StructLayout,
} from '../abi.js';
import { type ArgDef, type Call, type Spec, array, failed, i64, inp, str, struct, view } from './call.js';
import { type Xlat, addr, flags, hex, oct, udec, xval } from './format.js';
import { timespec } from './structs.js';

const v = (c: Call, i: number) => c.args[i];

const GET_FLAGS: Xlat = [['IPC_CREAT', IPC.IPC_CREAT], ['IPC_EXCL', IPC.IPC_EXCL], ['IPC_NOWAIT', IPC.IPC_NOWAIT]];
const SEM_FLG: Xlat = [['SEM_UNDO', SEM.SEM_UNDO], ['IPC_NOWAIT', IPC.IPC_NOWAIT]];
const SHMAT_FLAGS: Xlat = [['SHM_RDONLY', SHM.SHM_RDONLY], ['SHM_RND', SHM.SHM_RND], ['SHM_REMAP', SHM.SHM_REMAP], ['SHM_EXEC', SHM.SHM_EXEC]];
const MSG_FLG: Xlat = [['MSG_NOERROR', MSG.MSG_NOERROR], ['MSG_EXCEPT', MSG.MSG_EXCEPT], ['MSG_COPY', MSG.MSG_COPY], ['IPC_NOWAIT', IPC.IPC_NOWAIT]];
const CTL: Xlat = [['IPC_RMID', IPC.IPC_RMID], ['IPC_SET', IPC.IPC_SET], ['IPC_STAT', IPC.IPC_STAT], ['IPC_INFO', IPC.IPC_INFO]];
const SEM_CMDS: Xlat = [...CTL, ['GETPID', SEM.GETPID], ['GETVAL', SEM.GETVAL], ['GETALL', SEM.GETALL], ['GETNCNT', SEM.GETNCNT],
  ['GETZCNT', SEM.GETZCNT], ['SETVAL', SEM.SETVAL], ['SETALL', SEM.SETALL], ['SEM_STAT', SEM.SEM_STAT], ['SEM_INFO', SEM.SEM_INFO],
  ['SEM_STAT_ANY', SEM.SEM_STAT_ANY]];
const SHM_CMDS: Xlat = [...CTL, ['SHM_LOCK', SHM.SHM_LOCK], ['SHM_UNLOCK', SHM.SHM_UNLOCK], ['SHM_STAT', SHM.SHM_STAT],
  ['SHM_INFO', SHM.SHM_INFO], ['SHM_STAT_ANY', SHM.SHM_STAT_ANY]];
const MSG_CMDS: Xlat = [...CTL, ['MSG_STAT', MSG.MSG_STAT], ['MSG_INFO', MSG.MSG_INFO], ['MSG_STAT_ANY', MSG.MSG_STAT_ANY]];

const key: ArgDef = inp((c, i) => ((v(c, i) | 0) === IPC.IPC_PRIVATE ? 'IPC_PRIVATE' : hex(v(c, i) >>> 0)));
/** A get call's flags: the IPC_* bits, then the mode in octal. */
const getFlags: ArgDef = inp((c, i) => {
  const f = v(c, i) >>> 0;
  const bits = f & ~0o777;
  return (bits ? `${flags(bits, GET_FLAGS)}|` : '') + oct(f & 0o777);
});
const cmd = (table: Xlat, what: string) => (c: Call, i: number): string => {
  const x = v(c, i) | 0;
  return (x & IPC.IPC_64 ? 'IPC_64|' : '') + xval(x & ~IPC.IPC_64, table, what);
};

/** The ipc64_perm at `at`. */
function perm(c: Call, at: number): string {
  const { get } = struct(c, at, IPC64_PERM_LAYOUT);
  return `{uid=${get('uid')}, gid=${get('gid')}, mode=${oct(get('mode'))}, key=${get('key', true)}, cuid=${get('cuid')}, cgid=${get('cgid')}}`;
}

/** A struct as `{a=1, b=2}` in the order given, the permission member decoded. */
function ds<K extends string>(c: Call, at: number, l: StructLayout<K>, permField: K, order: readonly K[]): string {
  const { get } = struct(c, at, l);
  const parts = [`${permField}=${perm(c, at + l.fields[permField].offset)}`, ...order.map((k) => `${k}=${get(k, true)}`)];
  return `{${parts.join(', ')}}`;
}

const semid = (c: Call, at: number) => ds(c, at, c.data.SEMID64_DS_LAYOUT, 'sem_perm', ['sem_otime', 'sem_ctime', 'sem_nsems']);
const shmid = (c: Call, at: number) => ds(c, at, SHMID64_DS_LAYOUT, 'shm_perm',
  ['shm_segsz', 'shm_cpid', 'shm_lpid', 'shm_nattch', 'shm_atime', 'shm_dtime', 'shm_ctime']);
const msqid = (c: Call, at: number) => ds(c, at, MSQID64_DS_LAYOUT, 'msg_perm',
  ['msg_stime', 'msg_rtime', 'msg_ctime', 'msg_qnum', 'msg_qbytes', 'msg_lspid', 'msg_lrpid']);

/** Every listed member of a plain struct, in layout order. */
function plain<K extends string>(c: Call, at: number, l: StructLayout<K>): string {
  const { get } = struct(c, at, l);
  return `{${(Object.keys(l.fields) as K[]).map((k) => `${k}=${get(k)}`).join(', ')}}`;
}

/** A ctl call's buffer: decoded after a successful STAT or INFO, on entry for IPC_SET, else the address. */
function ctlBuf(cmdArg: number, stat: (c: Call, at: number) => string, info: Record<number, StructLayout>, stats: readonly number[]): ArgDef {
  return {
    out: true,
    fmt: (c, i) => {
      const op = v(c, cmdArg) & ~IPC.IPC_64, at = v(c, i);
      if (at === 0) return 'NULL';
      if (op === IPC.IPC_SET) return stat(c, at);
      if (failed(c)) return addr(at);
      if (stats.includes(op)) return stat(c, at);
      if (info[op]) return plain(c, at, info[op]);
      return addr(at);
    },
  };
}

/** semctl's fourth argument: the union semun by value. */
const semArg = (() => {
  const buf = ctlBuf(2, semid, { [IPC.IPC_INFO]: SEMINFO_LAYOUT, [SEM.SEM_INFO]: SEMINFO_LAYOUT }, [IPC.IPC_STAT, SEM.SEM_STAT, SEM.SEM_STAT_ANY]);
  return { out: true, fmt: (c: Call, i: number) => ((v(c, 2) & ~IPC.IPC_64) === SEM.SETVAL ? hex(v(c, i)) : buf.fmt(c, i)) } as ArgDef;
})();

/** A sembuf array of `nsops` entries. */
const sembufs: ArgDef = inp((c, i) => {
  const at = v(c, i), n = v(c, i + 1) >>> 0;
  if (at === 0) return 'NULL';
  const size = SEMBUF_LAYOUT.size;
  const dv = view(c, at, Math.min(n, 33) * size);
  const f = SEMBUF_LAYOUT.fields;
  return array(Math.min(n, 33), (k) => {
    const o = k * size;
    return `{sem_num=${dv.getUint16(o + f.sem_num.offset, true)}, sem_op=${dv.getInt16(o + f.sem_op.offset, true)}, `
      + `sem_flg=${flags(dv.getUint16(o + f.sem_flg.offset, true), SEM_FLG)}}`;
  });
});

/** msgsnd's {mtype=1, mtext="..."} of msgsz bytes; msgrcv's after it returned. */
const msgbuf = (c: Call, at: number, len: number): string => `{mtype=${i64(c, at)}, mtext=${str(c, at + 8, len)}}`;

export const IPC_SPECS: Record<string, Spec> = {
  semget: { args: [key, 'int', getFlags] },
  semop: { args: ['int', sembufs, 'uint'] },
  semtimedop: { args: ['int', sembufs, 'uint', inp((c, i) => timespec(c, v(c, i)))] },
  semctl: { args: ['int', 'int', inp(cmd(SEM_CMDS, 'SEM_???')), semArg] },
  shmget: { args: [key, inp((c, i) => udec(v(c, i))), getFlags] },
  shmat: { args: ['int', 'ptr', inp((c, i) => flags(v(c, i) >>> 0, SHMAT_FLAGS))], ret: 'hex' },
  shmdt: { args: ['ptr'] },
  shmctl: {
    args: ['int', inp(cmd(SHM_CMDS, 'SHM_???')), ctlBuf(1, shmid, { [IPC.IPC_INFO]: SHMINFO64_LAYOUT, [SHM.SHM_INFO]: SHM_INFO_LAYOUT },
      [IPC.IPC_STAT, SHM.SHM_STAT, SHM.SHM_STAT_ANY])],
  },
  msgget: { args: [key, getFlags] },
  msgsnd: { args: ['int', inp((c, i) => (v(c, i) ? msgbuf(c, v(c, i), v(c, i + 1)) : 'NULL')), 'uint', inp((c, i) => flags(v(c, i) >>> 0, MSG_FLG))] },
  msgrcv: {
    args: [
      'int', { out: true, fmt: (c, i) => (failed(c) ? addr(v(c, i)) : msgbuf(c, v(c, i), v(c, i + 1))) }, 'uint', 'long',
      inp((c, i) => flags(v(c, i) >>> 0, MSG_FLG)),
    ],
  },
  msgctl: {
    args: ['int', inp(cmd(MSG_CMDS, 'MSG_???')), ctlBuf(1, msqid, { [IPC.IPC_INFO]: MSGINFO_LAYOUT, [MSG.MSG_INFO]: MSGINFO_LAYOUT },
      [IPC.IPC_STAT, MSG.MSG_STAT, MSG.MSG_STAT_ANY])],
  },
};
