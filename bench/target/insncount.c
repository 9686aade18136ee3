/* insncount: a QEMU TCG plugin that counts the guest instructions executed
 * between two marker functions, exactly.
 *
 * Usage (see scripts/bench-target, which does all of this):
 *   qemu-system-arm ... -icount shift=0 \
 *     -plugin libinsncount.so,start=0x<addr>,stop=0x<addr> -d plugin -D log.txt
 * where <addr> are the (even) entry addresses of the guest's noinline
 * functions ts_bench_start() and ts_bench_stop() (from `nm`).
 *
 * Every translated instruction gets an inline `total += 1` (TCG ops, no helper
 * call), so `total` is the exact number of instructions executed so far,
 * including conditional instructions whose condition failed (they are issued,
 * as on the hardware). The first instruction of each marker function also gets
 * a callback that snapshots `total`. For every start/stop pair the plugin logs
 *   insncount: pair <seq> <stop_snapshot - start_snapshot>
 * The raw difference includes the marker call overhead (the rest of
 * ts_bench_start, the call of ts_bench_stop); the host runner subtracts the
 * difference measured for an empty pair. These are instructions, not cycles:
 * QEMU models no pipeline, wait states or FPU latencies.
 *
 * One vCPU only (mps2-an386 has one), so plain non-atomic counters suffice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t total;       /* instructions executed so far (inline counter) */
static uint64_t start_snap;  /* total at the last start marker */
static uint64_t pairs;       /* completed start/stop pairs */
static uint64_t errors;      /* stop without start, start while started */
static int started;
static uint64_t start_addr = UINT64_MAX;
static uint64_t stop_addr = UINT64_MAX;

static void log_line(const char *text) { qemu_plugin_outs(text); }

static void on_start(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  if (started) {
    ++errors;
    log_line("insncount: error start marker while a measurement is open\n");
  }
  started = 1;
  start_snap = total;
}

static void on_stop(unsigned int vcpu, void *udata) {
  char buf[96];
  (void)vcpu;
  (void)udata;
  if (!started) {
    ++errors;
    log_line("insncount: error stop marker without start\n");
    return;
  }
  started = 0;
  snprintf(buf, sizeof buf, "insncount: pair %" PRIu64 " %" PRIu64 "\n", pairs, total - start_snap);
  ++pairs;
  log_line(buf);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  const size_t n = qemu_plugin_tb_n_insns(tb);
  (void)id;
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    const uint64_t va = qemu_plugin_insn_vaddr(insn);
    /* The snapshot callback and the inline add both run before the
     * instruction; whichever QEMU emits first, the order is the same for
     * every pair, so it cancels in the empty-pair subtraction. */
    if (va == start_addr) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
    } else if (va == stop_addr) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
  }
}

static void on_atexit(qemu_plugin_id_t id, void *udata) {
  char buf[128];
  (void)id;
  (void)udata;
  snprintf(buf, sizeof buf, "insncount: done pairs=%" PRIu64 " errors=%" PRIu64 " total=%" PRIu64 "%s\n",
           pairs, errors, total, started ? " open=1" : "");
  log_line(buf);
}

/* Parses "0x..." or decimal; returns 0 on success. Thumb addresses from nm
 * have bit 0 clear for the function symbol value; an odd value is a user
 * mistake (a function pointer), so we clear bit 0 like the CPU does. */
static int parse_addr(const char *s, uint64_t *out) {
  char *end = NULL;
  unsigned long long v = strtoull(s, &end, 0);
  if (end == s || *end != '\0') return -1;
  *out = (uint64_t)v & ~(uint64_t)1;
  return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    int bad = 0;
    if (strncmp(a, "start=", 6) == 0) {
      bad = parse_addr(a + 6, &start_addr);
    } else if (strncmp(a, "stop=", 5) == 0) {
      bad = parse_addr(a + 5, &stop_addr);
    } else {
      bad = 1;
    }
    if (bad) {
      fprintf(stderr, "insncount: bad option '%s' (want start=ADDR,stop=ADDR)\n", a);
      return -1;
    }
  }
  if (start_addr == UINT64_MAX || stop_addr == UINT64_MAX || start_addr == stop_addr) {
    fprintf(stderr, "insncount: need distinct start=ADDR and stop=ADDR options\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
  qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
  return 0;
}
