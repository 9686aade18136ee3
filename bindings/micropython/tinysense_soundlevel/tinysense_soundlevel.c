/* tinysense_soundlevel: IEC 61672-1 A/C/Z frequency weighting and a sound
 * level meter (time weighting, Leq, Lmax, Lmin, L10/L50/L90). One source for
 * the native module (.mpy) and the user C module.
 *
 *   Meter(rate, weighting='A', tau=0.125, *, calibration=0.0, sos=None,
 *         hist_bins=1200, hist_bin_db=0.1, hist_min_db=calibration - 120,
 *         hist_interval=0.01)
 *       rate in Hz; weighting 'A', 'C' or 'Z' (built-in coefficients for
 *       16000, 22050, 32000, 44100, 48000, 96000 Hz; other rates: pass
 *       sos designed with `python3 -m tinysense.design weighting A <rate>`);
 *       tau: time constant in s (0.125 = F, 1.0 = S); calibration in dB
 *       (added to every reading: 0 gives dBFS, where a mean square of 1.0
 *       reads 0 dB and a full-scale sine -3.01 dB).
 *     .process(buf)       array('f') (full scale +-1.0) or array('h') (/32768)
 *     .level()            time-weighted level now (e.g. LAF), dB
 *     .leq() .lmax() .lmin()   over the interval; NaN when it is empty
 *     .percentile(p) .l10() .l50() .l90()   level exceeded p % of the time
 *     .reset()            everything as after construction
 *     .reset_interval()   new Leq/Lmax/Lmin/Ln interval (filters keep running)
 *     .samples            samples in the interval; .alpha: time-weighting coefficient
 *   Weighting(rate, weighting='A', sos=None)     the weighting filter alone
 *     .process(buf) / .process(x, out), .reset(), .sections,
 *     .sos(out)           coefficients in use (6 * sections floats) into out
 *
 * Memory: the meter holds its histogram (4 bytes per bin) and filter state;
 * nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    ts_cell_t mem[];
} ts_sl_obj_t;

static mp_obj_t meter_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static mp_obj_t weighting_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void meter_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
static void weighting_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

#define TS_SL_MAX_SOS (6 * 8) /* kWeightingMaxSections */

static int sl_weighting_type(mp_obj_t o) {
    if (o == MP_OBJ_NULL || ts_str_eq(o, "A")) {
        return TS_WEIGHT_A;
    } else if (ts_str_eq(o, "C")) {
        return TS_WEIGHT_C;
    } else if (ts_str_eq(o, "Z")) {
        return TS_WEIGHT_Z;
    }
    mp_raise_ValueError(MP_ERROR_TEXT("weighting must be 'A', 'C' or 'Z'"));
}

/* Custom sos (array('f') or None) -> pointer and length (0 for None). */
static const float *sl_get_sos(mp_obj_t o, size_t *len) {
    *len = 0;
    if (o == MP_OBJ_NULL || o == mp_const_none) {
        return NULL;
    }
    ts_arr_t a = ts_get_arr(o, 'f', false, "sos");
    if (a.len == 0 || a.len % 6 != 0 || a.len > TS_SL_MAX_SOS) {
        mp_raise_ValueError(MP_ERROR_TEXT("sos: 1 to 8 sections of 6 floats [b0 b1 b2 a0 a1 a2]"));
    }
    *len = a.len;
    return a.buf;
}

static float sl_opt_float(mp_obj_t o, float dflt) {
    return o == MP_OBJ_NULL ? dflt : ts_get_float(o);
}

/* ---- Meter ------------------------------------------------------------------ */

static mp_obj_t meter_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { A_RATE, A_WEIGHTING, A_TAU, A_CAL, A_SOS, A_BINS, A_BIN_DB, A_MIN_DB, A_INTERVAL };
    const mp_arg_t allowed[] = {
        { MP_QSTR_rate, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_weighting, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_tau, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_calibration, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_sos, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_hist_bins, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 1200} },
        { MP_QSTR_hist_bin_db, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_hist_min_db, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_hist_interval, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed), allowed, v);

    ts_meter_config cfg;
    cfg.sample_rate = ts_get_float(v[A_RATE].u_obj);
    cfg.weighting = sl_weighting_type(v[A_WEIGHTING].u_obj);
    cfg.sos = sl_get_sos(v[A_SOS].u_obj, &cfg.sos_len);
    cfg.tau = sl_opt_float(v[A_TAU].u_obj, 0.125f);
    cfg.calibration_db = sl_opt_float(v[A_CAL].u_obj, 0.0f);
    if (v[A_BINS].u_int < 2 || v[A_BINS].u_int > 100000) {
        mp_raise_ValueError(MP_ERROR_TEXT("hist_bins must be in [2, 100000]"));
    }
    cfg.hist_bins = (size_t)v[A_BINS].u_int;
    cfg.hist_bin_db = sl_opt_float(v[A_BIN_DB].u_obj, 0.1f);
    cfg.hist_min_db = sl_opt_float(v[A_MIN_DB].u_obj, cfg.calibration_db - 120.0f);
    cfg.hist_interval_s = sl_opt_float(v[A_INTERVAL].u_obj, 0.01f);

    ts_sl_obj_t *self = TS_NEW_OBJ(ts_sl_obj_t, ts_meter_bytes(&cfg), type);
    int st = ts_meter_init(self->mem, &cfg);
    if (st == TS_ENOTSUP) {
        mp_raise_ValueError(MP_ERROR_TEXT("Meter: no built-in A/C coefficients at this rate: "
            "pass sos= from `python3 -m tinysense.design weighting A <rate>`"));
    }
    ts_check(st, "Meter: need rate > 0, 0 < tau <= 100 (rate * tau >= 1), "
        "0 < hist_bin_db <= 10, hist_interval between 1 sample and 10 s");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t meter_process(mp_obj_t self_in, mp_obj_t buf_in) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_buffer_info_t bi;
    if (mp_get_buffer(buf_in, &bi, MP_BUFFER_READ) && bi.typecode == 'h') {
        ts_arr_t x = ts_get_arr(buf_in, 'h', false, "buf");
        ts_meter_process_s16(self->mem, x.buf, x.len);
    } else {
        ts_arr_t x = ts_get_arr(buf_in, 'f', false, "buf");
        ts_meter_process(self->mem, x.buf, x.len);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(meter_process_obj, meter_process);

static mp_obj_t meter_read(mp_obj_t self_in, int which) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return ts_new_float(ts_meter_read(self->mem, which));
}

static mp_obj_t meter_level(mp_obj_t self_in) {
    return meter_read(self_in, TS_METER_LEVEL);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_level_obj, meter_level);

static mp_obj_t meter_leq(mp_obj_t self_in) {
    return meter_read(self_in, TS_METER_LEQ);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_leq_obj, meter_leq);

static mp_obj_t meter_lmax(mp_obj_t self_in) {
    return meter_read(self_in, TS_METER_LMAX);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_lmax_obj, meter_lmax);

static mp_obj_t meter_lmin(mp_obj_t self_in) {
    return meter_read(self_in, TS_METER_LMIN);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_lmin_obj, meter_lmin);

static mp_obj_t meter_pct(mp_obj_t self_in, float p) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return ts_new_float(ts_meter_percentile(self->mem, p));
}

static mp_obj_t meter_percentile(mp_obj_t self_in, mp_obj_t p_in) {
    float p = ts_get_float(p_in);
    if (!(p >= 0.0f && p <= 100.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("percentile must be in [0, 100]"));
    }
    return meter_pct(self_in, p);
}
static MP_DEFINE_CONST_FUN_OBJ_2(meter_percentile_obj, meter_percentile);

static mp_obj_t meter_l10(mp_obj_t self_in) {
    return meter_pct(self_in, 10.0f);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_l10_obj, meter_l10);

static mp_obj_t meter_l50(mp_obj_t self_in) {
    return meter_pct(self_in, 50.0f);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_l50_obj, meter_l50);

static mp_obj_t meter_l90(mp_obj_t self_in) {
    return meter_pct(self_in, 90.0f);
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_l90_obj, meter_l90);

static mp_obj_t meter_reset(mp_obj_t self_in) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_meter_reset(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_reset_obj, meter_reset);

static mp_obj_t meter_reset_interval(mp_obj_t self_in) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_meter_reset_interval(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(meter_reset_interval_obj, meter_reset_interval);

static void meter_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        ts_attr_continue(dest);
    } else if (attr == MP_QSTR_samples) {
        dest[0] = ts_new_uint64(ts_meter_interval_samples(self->mem));
    } else if (attr == MP_QSTR_histogram_samples) {
        dest[0] = ts_new_uint64(ts_meter_histogram_samples(self->mem));
    } else if (attr == MP_QSTR_alpha) {
        dest[0] = ts_new_float(ts_meter_alpha(self->mem));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- Weighting ------------------------------------------------------------------- */

static mp_obj_t weighting_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_rate, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_weighting, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_sos, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[3];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, 3, allowed, v);
    float rate = ts_get_float(v[0].u_obj);
    int wt = sl_weighting_type(v[1].u_obj);
    size_t sos_len;
    const float *sos = sl_get_sos(v[2].u_obj, &sos_len);
    ts_sl_obj_t *self = TS_NEW_OBJ(ts_sl_obj_t, ts_weighting_bytes(sos_len), type);
    int st = ts_weighting_init(self->mem, wt, rate, sos, sos_len);
    if (st == TS_ENOTSUP) {
        mp_raise_ValueError(MP_ERROR_TEXT("Weighting: no built-in A/C coefficients at this rate: "
            "pass sos= from `python3 -m tinysense.design weighting A <rate>`"));
    }
    ts_check(st, "Weighting: need rate > 0; sos with a0 = 1 and finite coefficients");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t weighting_process(size_t n_args, const mp_obj_t *args) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    ts_arr_t x = ts_get_arr(args[1], 'f', n_args == 2, "x");
    ts_arr_t out = n_args == 3 ? ts_get_arr(args[2], 'f', true, "out") : x;
    ts_check_len(&out, x.len, "out");
    ts_check_same_or_disjoint(&x, &out, 4, "process");
    ts_weighting_process(self->mem, x.buf, out.buf, x.len);
    return n_args == 3 ? args[2] : args[1];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(weighting_process_obj, 2, 3, weighting_process);

static mp_obj_t weighting_reset(mp_obj_t self_in) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_weighting_reset(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(weighting_reset_obj, weighting_reset);

static mp_obj_t weighting_get_sos(mp_obj_t self_in, mp_obj_t out_in) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    size_t len;
    const float *sos = ts_weighting_sos(self->mem, &len);
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&out, len, "out");
    for (size_t i = 0; i < len; ++i) {
        ((float *)out.buf)[i] = sos[i];
    }
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_2(weighting_get_sos_obj, weighting_get_sos);

static void weighting_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_sl_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_sections) {
        size_t len;
        ts_weighting_sos(self->mem, &len);
        dest[0] = mp_obj_new_int((mp_int_t)(len / 6));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- tables ------------------------------------------------------------------------ */

#define METER_LOCALS(X) \
    X(MP_QSTR_process, meter_process_obj) \
    X(MP_QSTR_level, meter_level_obj) \
    X(MP_QSTR_leq, meter_leq_obj) \
    X(MP_QSTR_lmax, meter_lmax_obj) \
    X(MP_QSTR_lmin, meter_lmin_obj) \
    X(MP_QSTR_percentile, meter_percentile_obj) \
    X(MP_QSTR_l10, meter_l10_obj) \
    X(MP_QSTR_l50, meter_l50_obj) \
    X(MP_QSTR_l90, meter_l90_obj) \
    X(MP_QSTR_reset, meter_reset_obj) \
    X(MP_QSTR_reset_interval, meter_reset_interval_obj)

#define WEIGHTING_LOCALS(X) \
    X(MP_QSTR_process, weighting_process_obj) \
    X(MP_QSTR_reset, weighting_reset_obj) \
    X(MP_QSTR_sos, weighting_get_sos_obj)

#define MOD_TYPES(T) \
    T(ts_meter_type, MP_QSTR_Meter, meter_make_new, meter_attr, METER_LOCALS) \
    T(ts_weighting_type, MP_QSTR_Weighting, weighting_make_new, weighting_attr, WEIGHTING_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_Meter, ts_meter_type) \
    X(MP_QSTR_Weighting, ts_weighting_type)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_soundlevel, MP_QSTR_tinysense_soundlevel, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_soundlevel, tinysense_soundlevel_user_cmodule);
#endif
