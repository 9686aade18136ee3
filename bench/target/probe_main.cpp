// Size probe: links one kernel's TS_BENCH_PROBE (init + process) and nothing
// else, so its flash size minus the baseline probe's (no TS_PROBE_NAME) is
// what that kernel costs in flash, library and libm callees included.
#ifdef TS_PROBE_NAME
#define TS_PROBE_SYM2(name) ts_probe_##name
#define TS_PROBE_SYM(name) TS_PROBE_SYM2(name)
extern "C" void TS_PROBE_SYM(TS_PROBE_NAME)() noexcept;
#endif

int main() {
#ifdef TS_PROBE_NAME
  TS_PROBE_SYM(TS_PROBE_NAME)();
#endif
  return 0;
}
