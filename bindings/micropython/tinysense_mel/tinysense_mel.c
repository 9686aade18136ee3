/* tinysense_mel: mel filterbank and log-mel frontend, librosa conventions.
 * One source for the native module (.mpy) and the user C module.
 *
 *   Mel(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False, norm='slaney',
 *       window='hann', log='db', amin=1e-10, ref=1.0)
 *       librosa.filters.mel(sr=, n_fft=, n_mels=, fmin=, fmax=, htk=, norm=)
 *       (fmax None: sr / 2; norm 'slaney' or None) behind a periodic window
 *       ('hann', 'hamming', 'boxcar') and an rfft of n_fft (power of two in
 *       [16, 4096]); log 'db' = librosa.power_to_db(S, ref=ref, amin=amin,
 *       top_db=None), 'ln' = numpy.log(numpy.maximum(S, amin)).
 *     .process(frame, out)    one frame of n_fft floats -> n_mels log-mel values
 *     .frames(x, hop, out)    frames [t*hop, t*hop + n_fft) of x (librosa
 *                             center=False) -> out (frames * n_mels, frame-major);
 *                             returns the number of frames
 *     .apply(power, out)      mel energies W @ power (n_fft/2 + 1 -> n_mels, no log)
 *     .n_fft, .n_mels, .n_bins, .num_weights
 *   num_frames(n, n_fft, hop)   frames of a signal of n samples
 *   power_to_db(x, out=None, amin=1e-10, ref=1.0)   elementwise, in place without out
 *
 * All buffers are array('f'). The filterbank is sparse (only the non-zero
 * weights are stored) and computed once in the constructor; process()
 * allocates nothing.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    size_t n_fft;
    size_t n_mels;
    ts_cell_t mem[];
} ts_mel_obj_t;

static mp_obj_t mel_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void mel_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

static float mel_opt_float(mp_obj_t o, float dflt) {
    return (o == MP_OBJ_NULL || o == mp_const_none) ? dflt : ts_get_float(o);
}

static mp_obj_t mel_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { A_SR, A_NFFT, A_NMELS, A_FMIN, A_FMAX, A_HTK, A_NORM, A_WINDOW, A_LOG, A_AMIN, A_REF };
    const mp_arg_t allowed[] = {
        { MP_QSTR_sr, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_n_fft, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_n_mels, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_fmin, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_fmax, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_htk, MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_norm, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_window, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_log, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_amin, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_ref, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed), allowed, v);

    ts_mel_config cfg;
    cfg.sample_rate = ts_get_float(v[A_SR].u_obj);
    if (v[A_NFFT].u_int < 0 || !ts_fft_size_ok((size_t)v[A_NFFT].u_int)) {
        mp_raise_ValueError(MP_ERROR_TEXT("n_fft must be a power of two in [16, 4096]"));
    }
    if (v[A_NMELS].u_int < 1 || v[A_NMELS].u_int > 65535) {
        mp_raise_ValueError(MP_ERROR_TEXT("n_mels must be in [1, 65535]"));
    }
    cfg.n_fft = (size_t)v[A_NFFT].u_int;
    cfg.n_mels = (size_t)v[A_NMELS].u_int;
    cfg.fmin = mel_opt_float(v[A_FMIN].u_obj, 0.0f);
    cfg.fmax = mel_opt_float(v[A_FMAX].u_obj, 0.0f);
    if (v[A_FMAX].u_obj != MP_OBJ_NULL && v[A_FMAX].u_obj != mp_const_none && !(cfg.fmax > 0.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("fmax must be > fmin (or None for sr / 2)"));
    }
    cfg.htk = v[A_HTK].u_bool ? 1 : 0;
    mp_obj_t norm = v[A_NORM].u_obj;
    if (norm == MP_OBJ_NULL || (norm != mp_const_none && ts_str_eq(norm, "slaney"))) {
        cfg.slaney_norm = 1;
    } else if (norm == mp_const_none) {
        cfg.slaney_norm = 0;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("norm must be 'slaney' or None"));
    }
    mp_obj_t win = v[A_WINDOW].u_obj;
    if (win == MP_OBJ_NULL || ts_str_eq(win, "hann")) {
        cfg.window = TS_WIN_HANN;
    } else if (ts_str_eq(win, "hamming")) {
        cfg.window = TS_WIN_HAMMING;
    } else if (ts_str_eq(win, "boxcar")) {
        cfg.window = TS_WIN_BOXCAR;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("window must be 'hann', 'hamming' or 'boxcar'"));
    }
    mp_obj_t log = v[A_LOG].u_obj;
    if (log == MP_OBJ_NULL || ts_str_eq(log, "db")) {
        cfg.log_type = TS_LOG_DB;
    } else if (ts_str_eq(log, "ln")) {
        cfg.log_type = TS_LOG_LN;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("log must be 'db' or 'ln'"));
    }
    cfg.floor = mel_opt_float(v[A_AMIN].u_obj, 1e-10f);
    cfg.ref = mel_opt_float(v[A_REF].u_obj, 1.0f);
    if (!(cfg.floor > 0.0f) || !(cfg.ref > 0.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("amin and ref must be > 0"));
    }

    int st = TS_OK;
    size_t bytes = ts_mel_bytes(&cfg, &st);
    ts_check(st, "Mel: need sr > 0, 0 <= fmin < fmax <= sr / 2");
    ts_mel_obj_t *self = TS_NEW_OBJ(ts_mel_obj_t, bytes, type);
    self->n_fft = cfg.n_fft;
    self->n_mels = cfg.n_mels;
    ts_check(ts_mel_init(self->mem, &cfg), "Mel");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t mel_process(mp_obj_t self_in, mp_obj_t frame_in, mp_obj_t out_in) {
    ts_mel_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t frame = ts_get_arr(frame_in, 'f', false, "frame");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&frame, self->n_fft, "frame");
    ts_check_len(&out, self->n_mels, "out");
    ts_check_disjoint(&frame, 4, &out, 4, "process");
    ts_mel_process(self->mem, frame.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mel_process_obj, mel_process);

static size_t mel_num_frames(size_t n, size_t n_fft, size_t hop) {
    return (hop == 0 || n < n_fft) ? 0 : 1 + (n - n_fft) / hop;
}

static mp_obj_t mel_frames(size_t n_args, const mp_obj_t *args) {
    ts_mel_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    ts_arr_t x = ts_get_arr(args[1], 'f', false, "x");
    mp_int_t hop = mp_obj_get_int(args[2]);
    if (hop < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("hop must be >= 1"));
    }
    ts_arr_t out = ts_get_arr(args[3], 'f', true, "out");
    size_t frames = mel_num_frames(x.len, self->n_fft, (size_t)hop);
    if (out.len < frames * self->n_mels) {
        ts_msg_t m;
        m.len = 0;
        ts_msg_add(&m, "out: needs num_frames * n_mels = ");
        ts_msg_int(&m, (long long)(frames * self->n_mels));
        ts_msg_add(&m, " floats, got ");
        ts_msg_int(&m, (long long)out.len);
        ts_msg_raise(TS_TYPE_VALUEERROR, &m);
    }
    ts_check_disjoint(&x, 4, &out, 4, "frames");
    ts_check(ts_mel_frames(self->mem, x.buf, x.len, (size_t)hop, out.buf, out.len), "frames");
    return mp_obj_new_int((mp_int_t)frames);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mel_frames_obj, 4, 4, mel_frames);

static mp_obj_t mel_apply(mp_obj_t self_in, mp_obj_t power_in, mp_obj_t out_in) {
    ts_mel_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t power = ts_get_arr(power_in, 'f', false, "power");
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&power, self->n_fft / 2 + 1, "power");
    ts_check_len(&out, self->n_mels, "out");
    ts_check_disjoint(&power, 4, &out, 4, "apply");
    ts_mel_apply(self->mem, power.buf, out.buf);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mel_apply_obj, mel_apply);

static void mel_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_mel_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        ts_attr_continue(dest);
    } else if (attr == MP_QSTR_n_fft) {
        dest[0] = mp_obj_new_int((mp_int_t)self->n_fft);
    } else if (attr == MP_QSTR_n_mels) {
        dest[0] = mp_obj_new_int((mp_int_t)self->n_mels);
    } else if (attr == MP_QSTR_n_bins) {
        dest[0] = mp_obj_new_int((mp_int_t)(self->n_fft / 2 + 1));
    } else if (attr == MP_QSTR_num_weights) {
        dest[0] = mp_obj_new_int((mp_int_t)ts_mel_num_weights(self->mem));
    } else {
        ts_attr_continue(dest);
    }
}

/* ---- module functions ------------------------------------------------------------ */

static mp_obj_t mod_num_frames(mp_obj_t n_in, mp_obj_t n_fft_in, mp_obj_t hop_in) {
    size_t n = ts_get_size(n_in, "n");
    size_t n_fft = ts_get_size(n_fft_in, "n_fft");
    size_t hop = ts_get_size(hop_in, "hop");
    if (hop == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("hop must be >= 1"));
    }
    return mp_obj_new_int((mp_int_t)mel_num_frames(n, n_fft, hop));
}
static MP_DEFINE_CONST_FUN_OBJ_3(mod_num_frames_obj, mod_num_frames);

static mp_obj_t mod_power_to_db(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_out, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_amin, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_ref, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[4];
    mp_arg_parse_all(n_args, pos, kw, 4, allowed, v);
    bool has_out = v[1].u_obj != MP_OBJ_NULL && v[1].u_obj != mp_const_none;
    ts_arr_t x = ts_get_arr(v[0].u_obj, 'f', !has_out, "x");
    ts_arr_t out = has_out ? ts_get_arr(v[1].u_obj, 'f', true, "out") : x;
    ts_check_len(&out, x.len, "out");
    ts_check_same_or_disjoint(&x, &out, 4, "power_to_db");
    float amin = mel_opt_float(v[2].u_obj, 1e-10f);
    float ref = mel_opt_float(v[3].u_obj, 1.0f);
    if (!(amin > 0.0f) || !(ref > 0.0f)) {
        mp_raise_ValueError(MP_ERROR_TEXT("amin and ref must be > 0"));
    }
    ts_power_to_db(x.buf, out.buf, x.len, amin, ref);
    return has_out ? v[1].u_obj : v[0].u_obj;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(mod_power_to_db_obj, 1, mod_power_to_db);

/* ---- tables ----------------------------------------------------------------------- */

#define MEL_LOCALS(X) \
    X(MP_QSTR_process, mel_process_obj) \
    X(MP_QSTR_frames, mel_frames_obj) \
    X(MP_QSTR_apply, mel_apply_obj)

#define MOD_TYPES(T) \
    T(ts_mel_type, MP_QSTR_Mel, mel_make_new, mel_attr, MEL_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_Mel, ts_mel_type) \
    X(MP_QSTR_num_frames, mod_num_frames_obj) \
    X(MP_QSTR_power_to_db, mod_power_to_db_obj)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_mel, MP_QSTR_tinysense_mel, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_mel, tinysense_mel_user_cmodule);
#endif
