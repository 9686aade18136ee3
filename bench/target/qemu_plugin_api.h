/* Minimal declarations of QEMU's TCG plugin API, version 1 (QEMU 4.2 .. 8.x,
 * tested with Debian 12's qemu-system-arm 7.2).
 *
 * Debian ships the plugin-enabled qemu binary but not <qemu-plugin.h>, so we
 * declare the few entry points insncount.c uses, written from the documented
 * ABI (docs/devel/tcg-plugins.rst and include/qemu/qemu-plugin.h of QEMU 7.2).
 * The functions are exported by the qemu binary itself and resolved when QEMU
 * dlopen()s the plugin, so the plugin is linked without any QEMU library.
 *
 * Only what we use is declared. The layouts of qemu_info_t and the enums must
 * match QEMU 7.2 exactly; everything else is an opaque pointer. API version 2
 * (QEMU 9.0) removed the *_exec_inline functions used here; a newer QEMU
 * refuses to load a version-1 plugin with a clear message instead of
 * misbehaving, because it checks qemu_plugin_version first.
 */
#ifndef TINYSENSE_BENCH_QEMU_PLUGIN_API_H
#define TINYSENSE_BENCH_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

/* The API version this plugin was written against; QEMU reads the exported
 * int `qemu_plugin_version` and rejects values outside [info->version.min,
 * info->version.cur]. */
#define QEMU_PLUGIN_VERSION 1

typedef uint64_t qemu_plugin_id_t;

/* Passed to qemu_plugin_install(); only valid during that call. */
typedef struct qemu_info_t {
  const char *target_name; /* "arm" for qemu-system-arm */
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;

struct qemu_plugin_tb;   /* opaque: a translation block being translated */
struct qemu_plugin_insn; /* opaque: one guest instruction of such a block */

enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS,
};

/* Version 1 has exactly one inline operation: *ptr += imm (uint64_t). */
enum qemu_plugin_op {
  QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

/* Implemented by the plugin; 0 = loaded, non-zero = refuse to load. argv holds
 * the "key=value" options given after the plugin path on the command line. */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv);

/* Implemented by QEMU. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
/* Name of the ELF symbol containing the instruction, or NULL (QEMU looks it up
 * in the symbol table of the -kernel ELF). */
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
/* Runs `cb` before every execution of `insn`. */
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
/* Emits `*(uint64_t *)ptr += imm` as TCG ops before every execution of `insn`
 * (no helper call; not atomic, fine for one vCPU). */
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
/* Writes a string to QEMU's log (stderr, or the -D file); needs -d plugin. */
void qemu_plugin_outs(const char *string);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_BENCH_QEMU_PLUGIN_API_H */
