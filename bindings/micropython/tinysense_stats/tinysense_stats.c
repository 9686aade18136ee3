/* tinysense_stats: statistics and features of a 1-D signal (numpy names and
 * conventions), on array('f') or array('h'), plus int16 <-> float conversion.
 * One source for the native module (.mpy) and the user C module.
 *
 *   mean(x)  var(x, ddof=0)  std(x, ddof=0)  rms(x)      -> float
 *   min(x)  max(x)  ptp(x)              -> float ('f') or int ('h', exact; ptp never wraps)
 *   sum(x)  energy(x)                   -> float ('f') or int ('h', exact); 0 for empty x
 *   zero_crossings(x) -> int            zcr(x) -> float (zero-crossing rate in [0, 1])
 *   percentile(x, q, scratch)           q a number in [0, 100] -> float
 *   percentile(x, q, scratch, out)      q array('f') -> out array('f') (same length)
 *   median(x, scratch)                  numpy.percentile / numpy.median, method='linear'
 *       scratch: array of x's type with at least len(x) items, or x itself
 *       (then x is reordered in place); nothing is allocated.
 *   features(x, out=None)   mean, std, min, max, rms, ptp, zcr, energy in one pass:
 *                           into out (array('f') of 8) or as a tuple
 *   int16_to_float(x, out, scale=1/32768)   out = float(x) * scale
 *   float_to_int16(x, out, scale=32768)     out = clip(rint(x * scale)), NaN -> 0
 *
 * Statistics of empty input (and var/std with len(x) <= ddof) raise ValueError.
 */
#include "tsmp.h"

/* A numeric array: typecode 'f' (float32) or 'h' (int16). */
static ts_arr_t st_get_num(mp_obj_t obj, char *tc, bool write, const char *name) {
    mp_buffer_info_t bi;
    if (!mp_get_buffer(obj, &bi, MP_BUFFER_READ) || (bi.typecode != 'h' && bi.typecode != 'f')) {
        ts_raise2(TS_TYPE_TYPEERROR, name, ": expected an array('f') or array('h')");
    }
    *tc = (char)bi.typecode;
    return ts_get_arr(obj, *tc, write, name);
}

static mp_obj_t st_stat(mp_obj_t x_in, int which, size_t ddof, const char *what) {
    char tc;
    ts_arr_t x = st_get_num(x_in, &tc, false, "x");
    float v = 0.0f;
    int st = tc == 'f' ? ts_stat_f32(which, x.buf, x.len, ddof, &v)
                       : ts_stat_s16(which, x.buf, x.len, ddof, &v);
    if (st != TS_OK) {
        if (x.len == 0) {
            ts_raise2(TS_TYPE_VALUEERROR, what, ": empty input");
        }
        if (which == TS_STAT_VAR || which == TS_STAT_STD) {
            ts_raise2(TS_TYPE_VALUEERROR, what, ": len(x) must be greater than ddof");
        }
        ts_check(st, what);
    }
    if (tc == 'h' && (which == TS_STAT_MIN || which == TS_STAT_MAX || which == TS_STAT_PTP)) {
        return mp_obj_new_int((mp_int_t)v);
    }
    return ts_new_float(v);
}

static mp_obj_t st_mean(mp_obj_t x) {
    return st_stat(x, TS_STAT_MEAN, 0, "mean");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_mean_obj, st_mean);

static mp_obj_t st_rms(mp_obj_t x) {
    return st_stat(x, TS_STAT_RMS, 0, "rms");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_rms_obj, st_rms);

static mp_obj_t st_min(mp_obj_t x) {
    return st_stat(x, TS_STAT_MIN, 0, "min");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_min_obj, st_min);

static mp_obj_t st_max(mp_obj_t x) {
    return st_stat(x, TS_STAT_MAX, 0, "max");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_max_obj, st_max);

static mp_obj_t st_ptp(mp_obj_t x) {
    return st_stat(x, TS_STAT_PTP, 0, "ptp");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_ptp_obj, st_ptp);

static mp_obj_t st_zcr(mp_obj_t x) {
    return st_stat(x, TS_STAT_ZCR, 0, "zcr");
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_zcr_obj, st_zcr);

/* var / std: (x, ddof=0). */
static mp_obj_t st_var_std(size_t n_args, const mp_obj_t *pos, mp_map_t *kw, int which, const char *what) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_ddof, MP_ARG_INT, {.u_int = 0} },
    };
    mp_arg_val_t v[2];
    mp_arg_parse_all(n_args, pos, kw, 2, allowed, v);
    if (v[1].u_int < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("ddof must be >= 0"));
    }
    return st_stat(v[0].u_obj, which, (size_t)v[1].u_int, what);
}

static mp_obj_t st_var(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    return st_var_std(n_args, pos, kw, TS_STAT_VAR, "var");
}
static MP_DEFINE_CONST_FUN_OBJ_KW(st_var_obj, 1, st_var);

static mp_obj_t st_std(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    return st_var_std(n_args, pos, kw, TS_STAT_STD, "std");
}
static MP_DEFINE_CONST_FUN_OBJ_KW(st_std_obj, 1, st_std);

static mp_obj_t st_sum(mp_obj_t x_in) {
    char tc;
    ts_arr_t x = st_get_num(x_in, &tc, false, "x");
    if (tc == 'f') {
        return ts_new_float(ts_sum_f32(x.buf, x.len));
    }
    return ts_new_int64(ts_sum_s16(x.buf, x.len));
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_sum_obj, st_sum);

static mp_obj_t st_energy(mp_obj_t x_in) {
    char tc;
    ts_arr_t x = st_get_num(x_in, &tc, false, "x");
    if (tc == 'f') {
        return ts_new_float(ts_energy_f32(x.buf, x.len));
    }
    return ts_new_uint64(ts_energy_s16(x.buf, x.len));
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_energy_obj, st_energy);

static mp_obj_t st_zero_crossings(mp_obj_t x_in) {
    char tc;
    ts_arr_t x = st_get_num(x_in, &tc, false, "x");
    size_t n = tc == 'f' ? ts_zero_crossings_f32(x.buf, x.len) : ts_zero_crossings_s16(x.buf, x.len);
    return mp_obj_new_int_from_uint((mp_uint_t)n);
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_zero_crossings_obj, st_zero_crossings);

/* Percentiles of x at q (one float or an array('f') into out). */
static mp_obj_t st_percentile_impl(mp_obj_t x_in, mp_obj_t q_in, mp_obj_t scratch_in, mp_obj_t out_in) {
    char tc;
    ts_arr_t x = st_get_num(x_in, &tc, false, "x");
    ts_arr_t scratch = ts_get_arr(scratch_in, tc, true, "scratch");
    if (scratch.len < x.len) {
        mp_raise_ValueError(MP_ERROR_TEXT("scratch: needs at least len(x) items"));
    }
    if (scratch.buf != x.buf) {
        ts_arr_t used = scratch;
        used.len = x.len;
        ts_check_disjoint(&x, ts_itemsize(tc), &used, ts_itemsize(tc), "percentile (scratch may be x itself)");
    }
    if (x.len == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("percentile: empty input"));
    }
    float qv;
    const float *q;
    size_t nq;
    float *out;
    float one = 0.0f;
    if (out_in == MP_OBJ_NULL) {
        qv = ts_get_float(q_in);
        q = &qv;
        nq = 1;
        out = &one;
    } else {
        ts_arr_t qa = ts_get_arr(q_in, 'f', false, "q");
        ts_arr_t oa = ts_get_arr(out_in, 'f', true, "out");
        ts_check_len(&oa, qa.len, "out");
        ts_arr_t used = scratch;
        used.len = x.len;
        ts_check_disjoint(&used, ts_itemsize(tc), &oa, 4, "percentile (out and scratch)");
        q = qa.buf;
        nq = qa.len;
        out = oa.buf;
    }
    for (size_t i = 0; i < nq; ++i) {
        if (!(q[i] >= 0.0f && q[i] <= 100.0f)) {
            mp_raise_ValueError(MP_ERROR_TEXT("q must be in [0, 100]"));
        }
    }
    int st = tc == 'f' ? ts_percentiles_f32(x.buf, x.len, q, nq, scratch.buf, out)
                       : ts_percentiles_s16(x.buf, x.len, q, nq, scratch.buf, out);
    ts_check(st, "percentile");
    return out_in == MP_OBJ_NULL ? ts_new_float(one) : out_in;
}

static mp_obj_t st_percentile(size_t n_args, const mp_obj_t *args) {
    return st_percentile_impl(args[0], args[1], args[2], n_args == 4 ? args[3] : MP_OBJ_NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(st_percentile_obj, 3, 4, st_percentile);

static mp_obj_t st_median(mp_obj_t x_in, mp_obj_t scratch_in) {
    return st_percentile_impl(x_in, MP_OBJ_NEW_SMALL_INT(50), scratch_in, MP_OBJ_NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_2(st_median_obj, st_median);

static mp_obj_t st_features(size_t n_args, const mp_obj_t *args) {
    char tc;
    ts_arr_t x = st_get_num(args[0], &tc, false, "x");
    if (x.len == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("features: empty input"));
    }
    float local[TS_FEATURES_LEN];
    float *f = local;
    bool to_out = n_args == 2 && args[1] != mp_const_none;
    if (to_out) {
        ts_arr_t out = ts_get_arr(args[1], 'f', true, "out");
        ts_check_len(&out, TS_FEATURES_LEN, "out");
        ts_check_disjoint(&x, ts_itemsize(tc), &out, 4, "features");
        f = out.buf;
    }
    int st = tc == 'f' ? ts_features_f32(x.buf, x.len, f) : ts_features_s16(x.buf, x.len, f);
    ts_check(st, "features");
    if (to_out) {
        return args[1];
    }
    mp_obj_t items[TS_FEATURES_LEN];
    for (size_t i = 0; i < TS_FEATURES_LEN; ++i) {
        items[i] = ts_new_float(local[i]);
    }
    return mp_obj_new_tuple(TS_FEATURES_LEN, items);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(st_features_obj, 1, 2, st_features);

static mp_obj_t st_int16_to_float(size_t n_args, const mp_obj_t *args) {
    ts_arr_t x = ts_get_arr(args[0], 'h', false, "x");
    ts_arr_t out = ts_get_arr(args[1], 'f', true, "out");
    ts_check_len(&out, x.len, "out");
    ts_check_disjoint(&x, 2, &out, 4, "int16_to_float");
    float scale = n_args == 3 ? ts_get_float(args[2]) : 1.0f / 32768.0f;
    ts_int16_to_float(x.buf, x.len, scale, out.buf);
    return args[1];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(st_int16_to_float_obj, 2, 3, st_int16_to_float);

static mp_obj_t st_float_to_int16(size_t n_args, const mp_obj_t *args) {
    ts_arr_t x = ts_get_arr(args[0], 'f', false, "x");
    ts_arr_t out = ts_get_arr(args[1], 'h', true, "out");
    ts_check_len(&out, x.len, "out");
    ts_check_disjoint(&x, 4, &out, 2, "float_to_int16");
    float scale = n_args == 3 ? ts_get_float(args[2]) : 32768.0f;
    ts_float_to_int16(x.buf, x.len, scale, out.buf);
    return args[1];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(st_float_to_int16_obj, 2, 3, st_float_to_int16);

/* ---- tables ------------------------------------------------------------------ */

#define MOD_TYPES(T)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_mean, st_mean_obj) \
    X(MP_QSTR_var, st_var_obj) \
    X(MP_QSTR_std, st_std_obj) \
    X(MP_QSTR_rms, st_rms_obj) \
    X(MP_QSTR_min, st_min_obj) \
    X(MP_QSTR_max, st_max_obj) \
    X(MP_QSTR_ptp, st_ptp_obj) \
    X(MP_QSTR_sum, st_sum_obj) \
    X(MP_QSTR_energy, st_energy_obj) \
    X(MP_QSTR_zero_crossings, st_zero_crossings_obj) \
    X(MP_QSTR_zcr, st_zcr_obj) \
    X(MP_QSTR_percentile, st_percentile_obj) \
    X(MP_QSTR_median, st_median_obj) \
    X(MP_QSTR_features, st_features_obj) \
    X(MP_QSTR_int16_to_float, st_int16_to_float_obj) \
    X(MP_QSTR_float_to_int16, st_float_to_int16_obj)

TS_DEFINE_MODULE(tinysense_stats, MP_QSTR_tinysense_stats, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_stats, tinysense_stats_user_cmodule);
#endif
