/* Force-included (-include) by usermod.mk when it compiles MicroPython's
 * portable libm ($(TOP)/lib/libm_dbl and lib/libm) for a bare-metal firmware:
 * a MICROPY_FLOAT_IMPL=float port links only the float libm, a double port
 * only the double one, but the tinysense kernels need both (double in init
 * code: sin, cos, log, exp, pow; float per sample: sqrtf, logf, log10f,
 * expf). Every definition here is weak, so whatever the port already links
 * (its own copy of these files, or newlib) wins and nothing is duplicated.
 * The list covers every global symbol these files define. */
#include "libm_prefix.h"
#pragma weak sin
#pragma weak cos
#pragma weak ts_libm_k_sin
#pragma weak ts_libm_k_cos
#pragma weak __rem_pio2
#pragma weak __rem_pio2_large
#pragma weak scalbn
#pragma weak floor
#pragma weak ceil
#pragma weak exp
#pragma weak expm1
#pragma weak log
#pragma weak log10
#pragma weak pow
#pragma weak sqrt
#pragma weak sqrtf
#pragma weak __expo2f
#pragma weak __fpclassifyf
#pragma weak __signbitf
#pragma weak ceilf
#pragma weak copysignf
#pragma weak coshf
#pragma weak expf
#pragma weak expm1f
#pragma weak floorf
#pragma weak log10f
#pragma weak logf
#pragma weak powf
#pragma weak scalbnf
#pragma weak sinhf
#pragma weak tanhf
#pragma weak truncf
