/* tinysense_fft: real, complex and Q15 FFTs, spectra and windows (numpy.fft
 * conventions). One source for the native module (.mpy) and the user C module.
 *
 *   FFT(n)          real FFT, n a power of two in [16, 4096]
 *     .rfft(x, out)       out = numpy.fft.rfft(x): x array('f') of n, out array('f') of
 *                         n + 2 interleaved [re0, im0, re1, im1, ...] (bins 0..n/2)
 *     .irfft(spec, out)   out = numpy.fft.irfft(spec, n): spec n + 2, out n
 *     .power(x, out)      out = abs(rfft(x))**2, n/2 + 1 floats
 *     .magnitude(x, out)  out = abs(rfft(x)), n/2 + 1 floats
 *     .n, .bins
 *   CFFT(n)         complex FFT on interleaved array('f') of 2n
 *     .fft(x, out)        numpy.fft.fft (x may be out: in place)
 *     .ifft(x, out)       numpy.fft.ifft (scaled by 1/n)
 *   FFTQ15(n)       Q15 real FFT: x array('h') of n
 *     .rfft(x, out)       out array('h') of n + 2 = rfft(x) / n in Q15
 *     .power(x, out)      out array('i') of n/2 + 1 = re^2 + im^2 of those bins (Q30)
 *   power(spec, out), magnitude(spec, out)   interleaved spectrum -> bins
 *   get_window(name, out, fftbins=True)     'hann', 'hamming', 'boxcar' into out
 *
 * Every call writes into caller buffers and allocates nothing; the twiddle
 * tables and scratch live inside the object (freed by the GC with it).
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    size_t n;
    ts_cell_t mem[];
} ts_fft_obj_t;

static mp_obj_t fft_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static mp_obj_t cfft_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static mp_obj_t fftq15_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void fft_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

/* ---- shared ------------------------------------------------------------------ */

static size_t fft_get_n(mp_obj_t arg) {
    mp_int_t n = mp_obj_get_int(arg);
    if (n < 0 || !ts_fft_size_ok((size_t)n)) {
        mp_raise_ValueError(MP_ERROR_TEXT("n must be a power of two in [16, 4096]"));
    }
    return (size_t)n;
}

static void fft_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_n) {
        dest[0] = mp_obj_new_int((mp_int_t)self->n);
    } else if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_bins) {
        dest[0] = mp_obj_new_int((mp_int_t)(self->n / 2 + 1));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- FFT (real, float32) --------------------------------------------------------- */

static mp_obj_t fft_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    size_t n = fft_get_n(args[0]);
    size_t bytes = ts_rfft_bytes(n);
    ts_fft_obj_t *self = TS_NEW_OBJ(ts_fft_obj_t, bytes, type);
    self->n = n;
    ts_check(ts_rfft_init(self->mem, n), "FFT");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t fft_rfft(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = ts_get_arr(x_in, 'f', false, "x");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&x, self->n, "x");
    ts_check_len(&out, self->n + 2, "out");
    ts_check_disjoint(&x, 4, &out, 4, "rfft");
    ts_rfft_forward(self->mem, x.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(fft_rfft_obj, fft_rfft);

static mp_obj_t fft_irfft(mp_obj_t self_in, mp_obj_t spec_in, mp_obj_t out_in) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t spec = ts_get_arr(spec_in, 'f', false, "spec");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&spec, self->n + 2, "spec");
    ts_check_len(&out, self->n, "out");
    ts_check_disjoint(&spec, 4, &out, 4, "irfft");
    ts_rfft_inverse(self->mem, spec.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(fft_irfft_obj, fft_irfft);

static mp_obj_t fft_spectrum(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in, int power) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = ts_get_arr(x_in, 'f', false, "x");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&x, self->n, "x");
    ts_check_len(&out, self->n / 2 + 1, "out");
    /* x is read completely (into the internal spectrum) before out is written. */
    ts_rfft_spectrum(self->mem, x.buf, out.buf, power);
    return out_in;
}

static mp_obj_t fft_power(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    return fft_spectrum(self_in, x_in, out_in, 1);
}
static MP_DEFINE_CONST_FUN_OBJ_3(fft_power_obj, fft_power);

static mp_obj_t fft_magnitude(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    return fft_spectrum(self_in, x_in, out_in, 0);
}
static MP_DEFINE_CONST_FUN_OBJ_3(fft_magnitude_obj, fft_magnitude);

/* ---- CFFT (complex, float32) --------------------------------------------------------- */

static mp_obj_t cfft_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    size_t n = fft_get_n(args[0]);
    size_t bytes = ts_cfft_bytes(n);
    ts_fft_obj_t *self = TS_NEW_OBJ(ts_fft_obj_t, bytes, type);
    self->n = n;
    ts_check(ts_cfft_init(self->mem, n), "CFFT");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t cfft_run(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in, bool inverse) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = ts_get_arr(x_in, 'f', false, "x");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&x, 2 * self->n, "x");
    ts_check_len(&out, 2 * self->n, "out");
    ts_check_same_or_disjoint(&x, &out, 4, inverse ? "ifft" : "fft");
    if (inverse) {
        ts_cfft_inverse(self->mem, x.buf, out.buf);
    } else {
        ts_cfft_forward(self->mem, x.buf, out.buf);
    }
    return out_in;
}

static mp_obj_t cfft_fft(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    return cfft_run(self_in, x_in, out_in, false);
}
static MP_DEFINE_CONST_FUN_OBJ_3(cfft_fft_obj, cfft_fft);

static mp_obj_t cfft_ifft(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    return cfft_run(self_in, x_in, out_in, true);
}
static MP_DEFINE_CONST_FUN_OBJ_3(cfft_ifft_obj, cfft_ifft);

/* ---- FFTQ15 -------------------------------------------------------------------------- */

static mp_obj_t fftq15_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    size_t n = fft_get_n(args[0]);
    size_t bytes = ts_rfft_q15_bytes(n);
    ts_fft_obj_t *self = TS_NEW_OBJ(ts_fft_obj_t, bytes, type);
    self->n = n;
    ts_check(ts_rfft_q15_init(self->mem, n), "FFTQ15");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t fftq15_rfft(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = ts_get_arr(x_in, 'h', false, "x");
    ts_arr_t out = ts_get_arr(out_in, 'h', true, "out");
    ts_check_len(&x, self->n, "x");
    ts_check_len(&out, self->n + 2, "out");
    ts_check_disjoint(&x, 2, &out, 2, "rfft");
    ts_rfft_q15_forward(self->mem, x.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(fftq15_rfft_obj, fftq15_rfft);

static mp_obj_t fftq15_power(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_fft_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = ts_get_arr(x_in, 'h', false, "x");
    ts_arr_t out = ts_get_arr(out_in, 'i', true, "out");
    ts_check_len(&x, self->n, "x");
    ts_check_len(&out, self->n / 2 + 1, "out");
    ts_rfft_q15_power(self->mem, x.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(fftq15_power_obj, fftq15_power);

/* ---- module functions ------------------------------------------------------------------ */

static mp_obj_t spec_convert(mp_obj_t spec_in, mp_obj_t out_in, bool power) {
    ts_arr_t spec = ts_get_arr(spec_in, 'f', false, "spec");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    if (spec.len % 2 != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("spec: expected an even length (interleaved re, im)"));
    }
    ts_check_len(&out, spec.len / 2, "out");
    ts_check_disjoint(&spec, 4, &out, 4, power ? "power" : "magnitude");
    if (power) {
        ts_power_spectrum(spec.buf, out.len, out.buf);
    } else {
        ts_magnitude(spec.buf, out.len, out.buf);
    }
    return out_in;
}

static mp_obj_t mod_power(mp_obj_t spec_in, mp_obj_t out_in) {
    return spec_convert(spec_in, out_in, true);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_power_obj, mod_power);

static mp_obj_t mod_magnitude(mp_obj_t spec_in, mp_obj_t out_in) {
    return spec_convert(spec_in, out_in, false);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_magnitude_obj, mod_magnitude);

static mp_obj_t mod_get_window(size_t n_args, const mp_obj_t *args) {
    int type;
    if (ts_str_eq(args[0], "hann")) {
        type = TS_WIN_HANN;
    } else if (ts_str_eq(args[0], "hamming")) {
        type = TS_WIN_HAMMING;
    } else if (ts_str_eq(args[0], "boxcar")) {
        type = TS_WIN_BOXCAR;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("window must be 'hann', 'hamming' or 'boxcar'"));
    }
    ts_arr_t out = ts_get_arr(args[1], 'f', true, "out");
    if (out.len == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("out: empty"));
    }
    bool fftbins = n_args < 3 || mp_obj_is_true(args[2]);
    ts_check(ts_get_window(type, fftbins ? 0 : 1, out.buf, out.len), "get_window");
    return args[1];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_get_window_obj, 2, 3, mod_get_window);

/* ---- tables ------------------------------------------------------------------------------ */

#define FFT_LOCALS(X) \
    X(MP_QSTR_rfft, fft_rfft_obj) \
    X(MP_QSTR_irfft, fft_irfft_obj) \
    X(MP_QSTR_power, fft_power_obj) \
    X(MP_QSTR_magnitude, fft_magnitude_obj)

#define CFFT_LOCALS(X) \
    X(MP_QSTR_fft, cfft_fft_obj) \
    X(MP_QSTR_ifft, cfft_ifft_obj)

#define FFTQ15_LOCALS(X) \
    X(MP_QSTR_rfft, fftq15_rfft_obj) \
    X(MP_QSTR_power, fftq15_power_obj)

#define MOD_TYPES(T) \
    T(ts_fft_type, MP_QSTR_FFT, fft_make_new, fft_attr, FFT_LOCALS) \
    T(ts_cfft_type, MP_QSTR_CFFT, cfft_make_new, fft_attr, CFFT_LOCALS) \
    T(ts_fftq15_type, MP_QSTR_FFTQ15, fftq15_make_new, fft_attr, FFTQ15_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_FFT, ts_fft_type) \
    X(MP_QSTR_CFFT, ts_cfft_type) \
    X(MP_QSTR_FFTQ15, ts_fftq15_type) \
    X(MP_QSTR_power, mod_power_obj) \
    X(MP_QSTR_magnitude, mod_magnitude_obj) \
    X(MP_QSTR_get_window, mod_get_window_obj)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_fft, MP_QSTR_tinysense_fft, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_fft, tinysense_fft_user_cmodule);
#endif
