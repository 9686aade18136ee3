/* tinysense_img: image pre-processing in front of a CNN (pixel formats,
 * crop + resize, quantisation to the model's int8 input), Pillow / OpenCV
 * conventions. One source for the native module (.mpy) and the user C module.
 *
 * Images are tightly packed buffers of bytes (bytes, bytearray, array('B'),
 * memoryview; a camera frame buffer works as is): height rows of width pixels.
 * Formats: 'gray' (1 byte), 'rgb888' (R, G, B), 'rgb565le' (uint16 RRRRRGGGGGGBBBBB
 * little-endian, PIL "BGR;16"), 'rgb565be' (the same, big-endian: OV7670/OV2640).
 *
 *   convert(src, width, height, src_format, dst, dst_format) -> dst
 *   resize(src, width, height, dst, dst_width, dst_height, format='gray',
 *          method='bilinear', roi=None) -> dst
 *       'gray' or 'rgb888'; method 'nearest', 'bilinear' (half-pixel centres,
 *       OpenCV INTER_LINEAR) or 'area' (OpenCV INTER_AREA); roi = (x, y, w, h)
 *       crops src first (no copy)
 *   PixelQuantizer(mean, std, scale, zero_point)
 *       .process(src, out)   out array('b'): q = clamp(round((p - mean) / std
 *                            / scale) + zero_point) in fixed point
 *   normalize(src, out, mean=0.0, std=1.0) -> out   out array('f') = (p - mean) / std
 *
 * Wrong sizes raise ValueError; nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    ts_cell_t mem[];
} ts_quantizer_obj_t;

static mp_obj_t quantizer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void quantizer_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

static int img_format(mp_obj_t o) {
    if (ts_str_eq(o, "gray")) {
        return TS_PIX_GRAY8;
    } else if (ts_str_eq(o, "rgb888")) {
        return TS_PIX_RGB888;
    } else if (ts_str_eq(o, "rgb565le")) {
        return TS_PIX_RGB565LE;
    } else if (ts_str_eq(o, "rgb565be")) {
        return TS_PIX_RGB565BE;
    }
    mp_raise_ValueError(MP_ERROR_TEXT("format must be 'gray', 'rgb888', 'rgb565le' or 'rgb565be'"));
}

static size_t img_bpp(int fmt) {
    return fmt == TS_PIX_GRAY8 ? 1 : fmt == TS_PIX_RGB888 ? 3 : 2;
}

/* Raw bytes of any buffer. */
static ts_arr_t img_bytes(mp_obj_t o, bool write, const char *name) {
    mp_buffer_info_t bi;
    if (!mp_get_buffer(o, &bi, write ? MP_BUFFER_RW : MP_BUFFER_READ)) {
        ts_raise2(TS_TYPE_TYPEERROR, name, write ? ": expected a writable buffer" : ": expected a buffer");
    }
    ts_arr_t a;
    a.buf = bi.buf;
    a.len = bi.len;
    return a;
}

static int img_dim(mp_obj_t o, const char *name) {
    mp_int_t v = mp_obj_get_int(o);
    if (v < 1 || v > 4096) {
        ts_raise2(TS_TYPE_VALUEERROR, name, ": must be in [1, 4096]");
    }
    return (int)v;
}

static void img_check_size(const ts_arr_t *a, int w, int h, int fmt, const char *name) {
    size_t want = (size_t)w * (size_t)h * img_bpp(fmt);
    if (a->len != want) {
        ts_msg_t m;
        m.len = 0;
        ts_msg_add(&m, name);
        ts_msg_add(&m, ": expected width * height * bytes per pixel = ");
        ts_msg_int(&m, (long long)want);
        ts_msg_add(&m, " bytes, got ");
        ts_msg_int(&m, (long long)a->len);
        ts_msg_raise(TS_TYPE_VALUEERROR, &m);
    }
}

static mp_obj_t img_convert(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    ts_arr_t src = img_bytes(args[0], false, "src");
    int w = img_dim(args[1], "width");
    int h = img_dim(args[2], "height");
    int sf = img_format(args[3]);
    ts_arr_t dst = img_bytes(args[4], true, "dst");
    int df = img_format(args[5]);
    img_check_size(&src, w, h, sf, "src");
    img_check_size(&dst, w, h, df, "dst");
    ts_check_disjoint(&src, 1, &dst, 1, "convert");
    ts_check(ts_img_convert(src.buf, src.len, w, h, sf, dst.buf, dst.len, df), "convert");
    return args[4];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(img_convert_obj, 6, 6, img_convert);

static mp_obj_t img_resize(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    enum { A_SRC, A_W, A_H, A_DST, A_DW, A_DH, A_FMT, A_METHOD, A_ROI };
    const mp_arg_t allowed[] = {
        { MP_QSTR_src, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_width, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_height, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_dst, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_dst_width, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_dst_height, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_format, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_method, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_roi, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, v);
    ts_arr_t src = img_bytes(v[A_SRC].u_obj, false, "src");
    int w = img_dim(v[A_W].u_obj, "width");
    int h = img_dim(v[A_H].u_obj, "height");
    ts_arr_t dst = img_bytes(v[A_DST].u_obj, true, "dst");
    int dw = img_dim(v[A_DW].u_obj, "dst_width");
    int dh = img_dim(v[A_DH].u_obj, "dst_height");
    int fmt = v[A_FMT].u_obj == MP_OBJ_NULL ? TS_PIX_GRAY8 : img_format(v[A_FMT].u_obj);
    if (fmt != TS_PIX_GRAY8 && fmt != TS_PIX_RGB888) {
        mp_raise_ValueError(MP_ERROR_TEXT("resize: format must be 'gray' or 'rgb888' (convert() first)"));
    }
    int method = TS_INTERP_BILINEAR;
    mp_obj_t mo = v[A_METHOD].u_obj;
    if (mo == MP_OBJ_NULL || ts_str_eq(mo, "bilinear")) {
        method = TS_INTERP_BILINEAR;
    } else if (ts_str_eq(mo, "nearest")) {
        method = TS_INTERP_NEAREST;
    } else if (ts_str_eq(mo, "area")) {
        method = TS_INTERP_AREA;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("method must be 'nearest', 'bilinear' or 'area'"));
    }
    int rx = 0, ry = 0, rw = 0, rh = 0;
    if (v[A_ROI].u_obj != MP_OBJ_NULL && v[A_ROI].u_obj != mp_const_none) {
        size_t n;
        mp_obj_t *items;
        mp_obj_get_array(v[A_ROI].u_obj, &n, &items);
        if (n != 4) {
            mp_raise_ValueError(MP_ERROR_TEXT("roi must be (x, y, w, h)"));
        }
        mp_int_t r[4];
        for (size_t i = 0; i < 4; ++i) {
            r[i] = mp_obj_get_int(items[i]);
        }
        if (r[0] < 0 || r[1] < 0 || r[2] < 1 || r[3] < 1 || r[0] + r[2] > w || r[1] + r[3] > h) {
            mp_raise_ValueError(MP_ERROR_TEXT("roi must lie inside the image and not be empty"));
        }
        rx = (int)r[0];
        ry = (int)r[1];
        rw = (int)r[2];
        rh = (int)r[3];
    }
    img_check_size(&src, w, h, fmt, "src");
    img_check_size(&dst, dw, dh, fmt, "dst");
    ts_check_disjoint(&src, 1, &dst, 1, "resize");
    ts_check(ts_img_resize(src.buf, src.len, w, h, fmt, rx, ry, rw, rh, dst.buf, dst.len, dw, dh,
        method), "resize");
    return v[A_DST].u_obj;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(img_resize_obj, 6, img_resize);

static mp_obj_t img_normalize(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_src, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_out, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_mean, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_std, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[4];
    mp_arg_parse_all(n_args, pos, kw, 4, allowed, v);
    ts_arr_t src = img_bytes(v[0].u_obj, false, "src");
    ts_arr_t out = ts_get_arr(v[1].u_obj, 'f', true, "out");
    ts_check_len(&out, src.len, "out");
    ts_check_disjoint(&src, 1, &out, 4, "normalize");
    float mean = v[2].u_obj == MP_OBJ_NULL ? 0.0f : ts_get_float(v[2].u_obj);
    float std = v[3].u_obj == MP_OBJ_NULL ? 1.0f : ts_get_float(v[3].u_obj);
    ts_check(ts_img_normalize(src.buf, src.len, mean, std, out.buf), "normalize: std must be finite and non-zero");
    return v[1].u_obj;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(img_normalize_obj, 2, img_normalize);

/* ---- PixelQuantizer ------------------------------------------------------------------ */

static mp_obj_t quantizer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 4, 4, false);
    float mean = ts_get_float(args[0]);
    float std = ts_get_float(args[1]);
    float scale = ts_get_float(args[2]);
    mp_int_t zp = mp_obj_get_int(args[3]);
    if (zp < -128 || zp > 127) {
        mp_raise_ValueError(MP_ERROR_TEXT("zero_point must be in [-128, 127]"));
    }
    ts_quantizer_obj_t *self = TS_NEW_OBJ(ts_quantizer_obj_t, ts_quantizer_bytes(), type);
    ts_check(ts_quantizer_init(self->mem, mean, std, scale, (int32_t)zp),
        "PixelQuantizer: need finite std * scale > 0 and at most 64 steps per pixel level");
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t quantizer_process(mp_obj_t self_in, mp_obj_t src_in, mp_obj_t out_in) {
    ts_quantizer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t src = img_bytes(src_in, false, "src");
    ts_arr_t out = ts_get_arr(out_in, 'b', true, "out");
    ts_check_len(&out, src.len, "out");
    ts_check_same_or_disjoint(&src, &out, 1, "process");
    ts_quantizer_process(self->mem, src.buf, out.buf, src.len);
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(quantizer_process_obj, quantizer_process);

static void quantizer_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    (void)self_in;
    (void)attr;
    ts_attr_continue(dest);
}

#define QUANTIZER_LOCALS(X) \
    X(MP_QSTR_process, quantizer_process_obj)

#define MOD_TYPES(T) \
    T(ts_quantizer_type, MP_QSTR_PixelQuantizer, quantizer_make_new, quantizer_attr, QUANTIZER_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_PixelQuantizer, ts_quantizer_type) \
    X(MP_QSTR_convert, img_convert_obj) \
    X(MP_QSTR_resize, img_resize_obj) \
    X(MP_QSTR_normalize, img_normalize_obj)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_img, MP_QSTR_tinysense_img, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_img, tinysense_img_user_cmodule);
#endif
