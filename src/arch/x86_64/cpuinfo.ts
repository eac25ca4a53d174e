// /proc/cpuinfo for x86_64 (arch/x86/kernel/cpu/proc.c show_cpuinfo), made from what the
// emulated CPU's own CPUID answers: vendor, family/model/stepping, brand string and flags.
import type { Engine } from '../../engine/engine.js';
import { probeCpuid } from './cpuid.js';

/** Flag names of CPUID bits (arch/x86/include/asm/cpufeatures.h), by leaf register. */
const EDX1 = ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', '', 'sep', 'mtrr', 'pge', 'mca', 'cmov',
  'pat', 'pse36', 'pn', 'clflush', '', 'dts', 'acpi', 'mmx', 'fxsr', 'sse', 'sse2', 'ss', 'ht', 'tm', 'ia64', 'pbe'];
const ECX1 = ['pni', 'pclmulqdq', 'dtes64', 'monitor', 'ds_cpl', 'vmx', 'smx', 'est', 'tm2', 'ssse3', 'cid', 'sdbg', 'fma', 'cx16',
  'xtpr', 'pdcm', '', 'pcid', 'dca', 'sse4_1', 'sse4_2', 'x2apic', 'movbe', 'popcnt', 'tsc_deadline_timer', 'aes', 'xsave',
  '', 'avx', 'f16c', 'rdrand', 'hypervisor'];
const EBX7 = ['fsgsbase', 'tsc_adjust', 'sgx', 'bmi1', 'hle', 'avx2', '', 'smep', 'bmi2', 'erms', 'invpcid', 'rtm', 'cqm', '',
  'mpx', 'rdt_a', 'avx512f', 'avx512dq', 'rdseed', 'adx', 'smap', 'avx512ifma', '', 'clflushopt', 'clwb', '', 'avx512pf',
  'avx512er', 'avx512cd', 'sha_ni', 'avx512bw', 'avx512vl'];
const EDX81 = ['', '', '', '', '', '', '', '', '', '', '', 'syscall', '', '', '', '', '', '', '', 'mp', 'nx', '', 'mmxext', '',
  '', 'fxsr_opt', 'pdpe1gb', 'rdtscp', '', 'lm', '3dnowext', '3dnow'];
const ECX81 = ['lahf_lm', 'cmp_legacy', 'svm', 'extapic', 'cr8_legacy', 'abm', 'sse4a', 'misalignsse', '3dnowprefetch', 'osvw',
  'ibs', 'xop', 'skinit', 'wdt', '', 'lwp', 'fma4', 'tce', '', 'nodeid_msr', '', 'tbm', 'topoext'];

const names = (bits: number, table: string[]) => table.filter((n, i) => n && (bits >>> i) & 1);
const ascii = (...regs: number[]) => regs.map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, r >>> 24)).join('');

let cache: string | undefined;

/** The block of one processor, with `processor` and the core ids left as `%N%`. */
function template(engine: Engine): string {
  if (cache) return cache;
  const l0 = probeCpuid(engine, 0, 0), l1 = probeCpuid(engine, 1, 0), l7 = probeCpuid(engine, 7, 0);
  const e1 = probeCpuid(engine, 0x80000001, 0);
  const brand = [2, 3, 4].map((i) => probeCpuid(engine, 0x80000000 + i, 0)).map((r) => ascii(r.eax, r.ebx, r.ecx, r.edx)).join('');
  const fam = ((l1.eax >>> 8) & 0xf) + (((l1.eax >>> 8) & 0xf) === 0xf ? (l1.eax >>> 20) & 0xff : 0);
  const model = ((l1.eax >>> 4) & 0xf) | (((l1.eax >>> 16) & 0xf) << 4);
  const flags = [...names(l1.edx, EDX1), ...names(e1.edx, EDX81), ...names(l1.ecx, ECX1), ...names(e1.ecx, ECX81), ...names(l7.ebx, EBX7)];
  const rows: [string, string][] = [
    ['processor', '%N%'], ['vendor_id', ascii(l0.ebx, l0.edx, l0.ecx)], ['cpu family', String(fam)], ['model', String(model)],
    ['model name', brand.replace(/\0+$/, '').trim()], ['stepping', String(l1.eax & 0xf)], ['cpu MHz', '1000.000'],
    ['physical id', '0'], ['siblings', '%C%'], ['core id', '%N%'], ['cpu cores', '%C%'], ['fpu', 'yes'], ['cpuid level', String(l0.eax)],
    ['wp', 'yes'], ['flags', flags.join(' ')], ['bogomips', '2000.00'], ['clflush size', '64'], ['cache_alignment', '64'],
    ['address sizes', '40 bits physical, 48 bits virtual'],
  ];
  return (cache = rows.map(([k, v]) => `${k}${k.length < 8 ? '\t\t' : '\t'}: ${v}\n`).join(''));
}

export function x86Cpuinfo(engine: Engine, ncpus: number): string {
  const t = template(engine);
  return Array.from({ length: ncpus }, (_, i) => t.replaceAll('%N%', String(i)).replaceAll('%C%', String(ncpus)) + '\n').join('');
}
