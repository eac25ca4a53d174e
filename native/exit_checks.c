// Turn off Unicorn's exit checks after guest memory accesses (keeping the one at the start of
// every translation block), so an asynchronous uc_emu_stop lands only between blocks.
//
// Why: Unicorn 2.1.3+ calls helper_check_exit_request after every guest load and store; when a
// stop is pending it restores the pc to the start of the current instruction and exits. The
// aarch64 front end loads straight into the guest register, so `ldr x0, [x0, #8]` stopped
// there resumes by loading again through the loaded value (measured: a pointer chase preempted
// every 0.2 ms ends at the wrong node). x86_64 loads into temporaries and is not hit, but pays
// the same helper call on every access (bench_cpu 143 -> 232 ms inside uc_emu_start).
//
// How: check_exit_request() returns early when uc->no_exit_request is set (Unicorn uses it for
// ARM Thumb IT blocks; nothing else writes it for x86_64 or aarch64). Its offset in the private
// struct uc_struct is read from the machine code of check_exit_request_<arch>, which begins
//     mov  disp_a(%rdi), %reg     ; tcg_ctx->uc
//     cmpb $0, disp_b(%reg)       ; uc->no_exit_request
// The offset is only used if both arches' functions agree on it; otherwise -1 (the caller
// then does not preempt aarch64 asynchronously).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

static int32_t disp32(const unsigned char *p) {
  int32_t d;
  memcpy(&d, p, 4);
  return d;
}

/** The displacement of `cmpb $0, d(%reg)` right after `mov d(%rdi), %reg`, or -1. */
static int scan(const unsigned char *code) {
  for (int i = 0; i < 96; i++) {
    const unsigned char *p = code + i;
    // REX.W 8B /r, ModRM mod=10 rm=111 (rdi): mov disp32(%rdi), %reg (reg without REX.R)
    if (p[0] != 0x48 || p[1] != 0x8b || (p[2] & 0xc7) != 0x87) continue;
    int reg = (p[2] >> 3) & 7;
    const unsigned char *q = p + 7;
    // 80 /7 ib, ModRM mod=10 rm=reg: cmpb $imm8, disp32(%reg); imm8 == 0
    if (q[0] == 0x80 && q[1] == (0xb8 | reg) && reg != 4 && q[6] == 0x00) {
      int32_t d = disp32(q + 2);
      return d > 0 && d < 0x100000 ? d : -1;
    }
  }
  return -1;
}

/** Offset of uc_struct.no_exit_request in the loaded libunicorn at `path`, or -1. */
int ucw_no_exit_request_offset(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (!h) return -1;
  const unsigned char *a = dlsym(h, "check_exit_request_aarch64");
  const unsigned char *x = dlsym(h, "check_exit_request_x86_64");
  if (!a || !x) return -1;
  int oa = scan(a), ox = scan(x);
  return oa >= 0 && oa == ox ? oa : -1;
}

/** Set one byte of an engine's uc_struct (before its first translation). */
void ucw_set_byte(void *uc, int offset, int value) {
  ((unsigned char *)uc)[offset] = (unsigned char)value;
}
