/* tinysense_iir: IIR filters as cascades of second-order sections, exactly
 * scipy.signal.sosfilt (sos rows [b0 b1 b2 a0 a1 a2], a0 == 1, scipy's signs).
 * One source for the native module (.mpy) and the user C module.
 *
 *   IIR(sos)            float32 cascade; sos: array('f') (or list/tuple) of
 *                       6 * sections floats, copied into the object
 *     .process(buf)           filters array('f') buf in place, returns buf
 *     .process(x, out)        filters x into out (same length; out may be x)
 *     .reset()                zeroes the state (sosfilt with zi = 0)
 *     .sections
 *   IIRQ15(sos, post_shift=None)   Q15 cascade on array('h') samples
 *                       sos array('f') (or list/tuple): converted with
 *                       tinysense's sos_to_q15 (post_shift chosen for you);
 *                       sos array('h'): Q(15 - post_shift) coefficients, post_shift given
 *     .process(buf) / .process(x, out), .reset(), .sections, .post_shift
 *
 * State carries over process() calls: filtering a signal in pieces gives the
 * same samples as one call. Nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    ts_cell_t mem[];
} ts_iir_obj_t;

/* Maximum sections accepted from Python (keeps size arithmetic trivially safe). */
#define TS_IIR_MAX_SECTIONS 255

static mp_obj_t iir_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static mp_obj_t iirq15_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void iir_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
static void iirq15_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

static void iir_check_sos_len(size_t len) {
    if (len == 0 || len % 6 != 0 || len > 6 * TS_IIR_MAX_SECTIONS) {
        mp_raise_ValueError(MP_ERROR_TEXT("sos: length must be a non-zero multiple of 6 ([b0 b1 b2 a0 a1 a2] per section), at most 255 sections"));
    }
}

/* float sos from an array('f') (used in place) or a flat list/tuple of
 * numbers (converted into a temporary the GC reclaims); *len gets its length.
 * The shim copies the coefficients into the filter object. */
static const float *iir_read_sos(mp_obj_t sos_in, size_t *len) {
    if (mp_obj_is_type(sos_in, &mp_type_list) || mp_obj_is_type(sos_in, &mp_type_tuple)) {
        mp_obj_t *items;
        mp_obj_get_array(sos_in, len, &items);
        iir_check_sos_len(*len);
        float *tmp = m_new(float, *len);
        for (size_t i = 0; i < *len; ++i) {
            tmp[i] = ts_get_float(items[i]);
        }
        return tmp;
    }
    ts_arr_t a = ts_get_arr(sos_in, 'f', false, "sos");
    iir_check_sos_len(a.len);
    *len = a.len;
    return a.buf;
}

/* process(buf) or process(x, out) with item type tc; returns the output. */
static mp_obj_t iir_run(size_t n_args, const mp_obj_t *args, char tc) {
    ts_iir_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_obj_t out_obj = n_args == 3 ? args[2] : args[1];
    ts_arr_t x = ts_get_arr(args[1], tc, n_args == 2, "x");
    ts_arr_t out = n_args == 3 ? ts_get_arr(args[2], tc, true, "out") : x;
    ts_check_len(&out, x.len, "out");
    ts_check_same_or_disjoint(&x, &out, ts_itemsize(tc), "process");
    if (tc == 'f') {
        ts_iir_process(self->mem, x.buf, out.buf, x.len);
    } else {
        ts_iir_q15_process(self->mem, x.buf, out.buf, x.len);
    }
    return out_obj;
}

/* ---- IIR ------------------------------------------------------------------ */

static mp_obj_t iir_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    size_t len;
    const float *sos = iir_read_sos(args[0], &len);
    ts_iir_obj_t *self = TS_NEW_OBJ(ts_iir_obj_t, ts_iir_bytes(len / 6), type);
    ts_check(ts_iir_init(self->mem, sos, len), "IIR: sos (a0 must be 1, coefficients finite)");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t iir_process(size_t n_args, const mp_obj_t *args) {
    return iir_run(n_args, args, 'f');
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(iir_process_obj, 2, 3, iir_process);

static mp_obj_t iir_reset(mp_obj_t self_in) {
    ts_iir_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_iir_reset(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(iir_reset_obj, iir_reset);

static void iir_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_iir_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_sections) {
        dest[0] = mp_obj_new_int((mp_int_t)ts_iir_sections(self->mem));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- IIRQ15 ------------------------------------------------------------------- */

static mp_obj_t iirq15_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 2, false);
    mp_obj_t sos_in = args[0];
    bool has_shift = n_args == 2 && args[1] != mp_const_none;
    mp_buffer_info_t bi;
    bool is_int16 = mp_get_buffer(sos_in, &bi, MP_BUFFER_READ) && bi.typecode == 'h';
    ts_iir_obj_t *self;
    if (is_int16) {
        if (!has_shift) {
            mp_raise_ValueError(MP_ERROR_TEXT("IIRQ15: int16 sos needs post_shift"));
        }
        ts_arr_t a = ts_get_arr(sos_in, 'h', false, "sos");
        iir_check_sos_len(a.len);
        mp_int_t shift = mp_obj_get_int(args[1]);
        if (shift < 1 || shift > 7) {
            mp_raise_ValueError(MP_ERROR_TEXT("post_shift must be in [1, 7]"));
        }
        self = TS_NEW_OBJ(ts_iir_obj_t, ts_iir_q15_bytes(a.len / 6), type);
        ts_check(ts_iir_q15_init(self->mem, a.buf, a.len, (int)shift),
            "IIRQ15: sos (a0 must be 1.0 in Q(15 - post_shift))");
    } else {
        if (has_shift) {
            mp_raise_ValueError(MP_ERROR_TEXT("IIRQ15: post_shift is only for int16 sos"));
        }
        size_t len;
        const float *sos = iir_read_sos(sos_in, &len);
        self = TS_NEW_OBJ(ts_iir_obj_t, ts_iir_q15_bytes(len / 6), type);
        ts_check(ts_iir_q15_init_float(self->mem, sos, len),
            "IIRQ15: sos (a0 must be 1, |coefficients| < 128)");
    }
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t iirq15_process(size_t n_args, const mp_obj_t *args) {
    return iir_run(n_args, args, 'h');
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(iirq15_process_obj, 2, 3, iirq15_process);

static mp_obj_t iirq15_reset(mp_obj_t self_in) {
    ts_iir_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_iir_q15_reset(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(iirq15_reset_obj, iirq15_reset);

static void iirq15_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_iir_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_sections) {
        dest[0] = mp_obj_new_int((mp_int_t)ts_iir_q15_sections(self->mem));
    } else if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_post_shift) {
        dest[0] = mp_obj_new_int(ts_iir_q15_post_shift(self->mem));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- tables ----------------------------------------------------------------------- */

#define IIR_LOCALS(X) \
    X(MP_QSTR_process, iir_process_obj) \
    X(MP_QSTR_reset, iir_reset_obj)

#define IIRQ15_LOCALS(X) \
    X(MP_QSTR_process, iirq15_process_obj) \
    X(MP_QSTR_reset, iirq15_reset_obj)

#define MOD_TYPES(T) \
    T(ts_iir_type, MP_QSTR_IIR, iir_make_new, iir_attr, IIR_LOCALS) \
    T(ts_iirq15_type, MP_QSTR_IIRQ15, iirq15_make_new, iirq15_attr, IIRQ15_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_IIR, ts_iir_type) \
    X(MP_QSTR_IIRQ15, ts_iirq15_type)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_iir, MP_QSTR_tinysense_iir, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_iir, tinysense_iir_user_cmodule);
#endif
