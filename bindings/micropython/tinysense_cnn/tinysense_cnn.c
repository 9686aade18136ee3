/* tinysense_cnn: int8 (TFLite scheme) or float32 CNNs from a tinysense model
 * file (python -m tinysense.convert_cnn), run over an arena inside the object.
 * One source for the native module (.mpy) and the user C module.
 *
 *   Cnn(model)        model: the whole .tsm file (an aligned bytes object is
 *                     used in place, other buffers are copied); validated here.
 *     .run(x, out)    x: input tensor, HWC, array('b') (int8 model) or
 *                     array('f') (float model); out: array('b') or array('f')
 *                     as output_typecode; returns out
 *     .predict(x)     index of the largest output (first on ties)
 *     .input_shape    (h, w, c);  .input_typecode, .output_typecode: 'b' or 'f'
 *     .output_size, .arena_bytes (RAM of the activations, inside the object)
 *     .input_scale, .input_zero_point, .output_scale, .output_zero_point
 *                     int8 quantisation: real = scale * (q - zero_point)
 *   Quantise a float input with tinysense_img.PixelQuantizer (pixels) or
 *   q = round(real / input_scale) + input_zero_point.
 *
 * Nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_t model;   /* keeps an in-place bytes model alive */
    ts_cnn_info info;
    ts_cell_t mem[];  /* shim instance + arena, then the model copy if any */
} ts_cnn_obj_t;

static mp_obj_t cnn_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void cnn_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

static mp_obj_t cnn_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    ts_model_t m = ts_get_model(args[0]);
    size_t inst = ts_cnn_bytes(m.buf, m.len);
    if (inst == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("Cnn: not a tinysense CNN model (.tsm header)"));
    }
    inst = ts_cells_bytes(inst);
    ts_cnn_obj_t *self = TS_NEW_OBJ(ts_cnn_obj_t, inst + ts_model_copy_bytes(&m), type);
    self->model = m.in_place ? m.obj : MP_OBJ_NULL;
    const uint8_t *model = ts_model_place(&m, (uint8_t *)self->mem + inst);
    ts_check(ts_cnn_load(self->mem, model, m.len), "Cnn: model");
    ts_cnn_info_get(self->mem, &self->info);
    return MP_OBJ_FROM_PTR(self);
}

static ts_arr_t cnn_x(ts_cnn_obj_t *self, mp_obj_t x_in) {
    ts_arr_t x = ts_get_arr(x_in, self->info.in_float ? 'f' : 'b', false, "x");
    ts_check_len(&x, (size_t)self->info.in_h * (size_t)self->info.in_w * (size_t)self->info.in_c, "x");
    return x;
}

static mp_obj_t cnn_run(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_cnn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = cnn_x(self, x_in);
    char otc = self->info.out_float ? 'f' : 'b';
    ts_arr_t out = ts_get_arr(out_in, otc, true, "out");
    ts_check_len(&out, self->info.out_size, "out");
    ts_check_disjoint(&x, ts_itemsize(self->info.in_float ? 'f' : 'b'), &out, ts_itemsize(otc), "run");
    ts_check(ts_cnn_run(self->mem, x.buf, x.len, self->info.in_float, out.buf, out.len,
        self->info.out_float), "run");
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(cnn_run_obj, cnn_run);

static mp_obj_t cnn_predict(mp_obj_t self_in, mp_obj_t x_in) {
    ts_cnn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = cnn_x(self, x_in);
    int32_t cls = 0;
    ts_check(ts_cnn_predict(self->mem, x.buf, x.len, self->info.in_float, &cls), "predict");
    return mp_obj_new_int(cls);
}
static MP_DEFINE_CONST_FUN_OBJ_2(cnn_predict_obj, cnn_predict);

static void cnn_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_cnn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const ts_cnn_info *i = &self->info;
    if (dest[0] != MP_OBJ_NULL) {
        ts_attr_continue(dest);
    } else if (attr == MP_QSTR_input_shape) {
        mp_obj_t t[3] = { mp_obj_new_int(i->in_h), mp_obj_new_int(i->in_w), mp_obj_new_int(i->in_c) };
        dest[0] = mp_obj_new_tuple(3, t);
    } else if (attr == MP_QSTR_input_typecode) {
        dest[0] = mp_obj_new_str(i->in_float ? "f" : "b", 1);
    } else if (attr == MP_QSTR_output_typecode) {
        dest[0] = mp_obj_new_str(i->out_float ? "f" : "b", 1);
    } else if (attr == MP_QSTR_output_size) {
        dest[0] = mp_obj_new_int((mp_int_t)i->out_size);
    } else if (attr == MP_QSTR_arena_bytes) {
        dest[0] = mp_obj_new_int((mp_int_t)i->arena_bytes);
    } else if (attr == MP_QSTR_input_scale) {
        dest[0] = ts_new_float(i->in_scale);
    } else if (attr == MP_QSTR_input_zero_point) {
        dest[0] = mp_obj_new_int(i->in_zero_point);
    } else if (attr == MP_QSTR_output_scale) {
        dest[0] = ts_new_float(i->out_scale);
    } else if (attr == MP_QSTR_output_zero_point) {
        dest[0] = mp_obj_new_int(i->out_zero_point);
    } else {
        ts_attr_continue(dest);
    }
}

#define CNN_LOCALS(X) \
    X(MP_QSTR_run, cnn_run_obj) \
    X(MP_QSTR_predict, cnn_predict_obj)

#define MOD_TYPES(T) \
    T(ts_cnn_type, MP_QSTR_Cnn, cnn_make_new, cnn_attr, CNN_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_Cnn, ts_cnn_type)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_cnn, MP_QSTR_tinysense_cnn, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_cnn, tinysense_cnn_user_cmodule);
#endif
