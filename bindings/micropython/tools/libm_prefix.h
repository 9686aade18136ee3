/* Force-included (-include) when natmod.mk compiles MicroPython's portable
 * libm ($(MPY_DIR)/lib/libm_dbl, lib/libm) for x64 natmods: the host's
 * <math.h> (glibc) declares internal __sin/__cos/__tan with other signatures,
 * so it is included first and the libm kernels are renamed after it. */
#include <math.h>
#define __sin ts_libm_k_sin
#define __cos ts_libm_k_cos
#define __tan ts_libm_k_tan
