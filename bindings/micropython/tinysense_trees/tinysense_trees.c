/* tinysense_trees: scikit-learn decision trees / random forests / extra trees
 * run from a tinysense model file (python -m tinysense.convert_trees on the
 * host). Predictions equal sklearn's. One source for the native module (.mpy)
 * and the user C module.
 *
 *   Forest(model)     model: the whole .tsm file. An aligned bytes object is
 *                     used in place (kept alive by the Forest); other buffers
 *                     are copied into the object. Validated completely here.
 *     .predict(x, voting='soft')          class index (position in sklearn's classes_)
 *     .predict_proba(x, out, voting='soft')   out array('f') of n_outputs
 *     .regress(x, out)                    regressors: out array('f') of n_outputs
 *     .n_features, .n_outputs, .n_trees, .is_classifier,
 *     .typecode   'f' or 'h': the array type x must have (the model's input dtype)
 *   voting: 'soft' (sklearn: mean probability) or 'hard' (majority of tree votes).
 *
 * Nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_t model;   /* keeps an in-place bytes model alive */
    ts_forest_info info;
    ts_cell_t mem[];  /* shim instance, then the model copy if any */
} ts_forest_obj_t;

static mp_obj_t forest_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void forest_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

static mp_obj_t forest_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    ts_model_t m = ts_get_model(args[0]);
    size_t inst = ts_forest_bytes(m.buf, m.len);
    if (inst == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("Forest: not a tinysense trees model (.tsm header)"));
    }
    inst = ts_cells_bytes(inst);
    ts_forest_obj_t *self = TS_NEW_OBJ(ts_forest_obj_t, inst + ts_model_copy_bytes(&m), type);
    self->model = m.in_place ? m.obj : MP_OBJ_NULL;
    const uint8_t *model = ts_model_place(&m, (uint8_t *)self->mem + inst);
    ts_check(ts_forest_load(self->mem, model, m.len), "Forest: model");
    ts_forest_info_get(self->mem, &self->info);
    return MP_OBJ_FROM_PTR(self);
}

/* x of the model's input type and length. */
static ts_arr_t forest_x(ts_forest_obj_t *self, mp_obj_t x_in) {
    ts_arr_t x = ts_get_arr(x_in, self->info.input_int16 ? 'h' : 'f', false, "x");
    ts_check_len(&x, self->info.n_features, "x");
    return x;
}

static int forest_voting(mp_obj_t v) {
    if (v == MP_OBJ_NULL || ts_str_eq(v, "soft")) {
        return 0;
    } else if (ts_str_eq(v, "hard")) {
        return 1;
    }
    mp_raise_ValueError(MP_ERROR_TEXT("voting must be 'soft' or 'hard'"));
}

static mp_obj_t forest_predict(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_self, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_voting, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[3];
    mp_arg_parse_all(n_args, pos, kw, 3, allowed, v);
    ts_forest_obj_t *self = MP_OBJ_TO_PTR(v[0].u_obj);
    if (!self->info.classifier) {
        mp_raise_ValueError(MP_ERROR_TEXT("predict: a regressor; use regress(x, out)"));
    }
    ts_arr_t x = forest_x(self, v[1].u_obj);
    int32_t cls = 0;
    ts_check(ts_forest_predict(self->mem, x.buf, x.len, self->info.input_int16,
        forest_voting(v[2].u_obj), &cls), "predict");
    return mp_obj_new_int(cls);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(forest_predict_obj, 2, forest_predict);

static mp_obj_t forest_predict_proba(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_self, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_out, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_voting, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t v[4];
    mp_arg_parse_all(n_args, pos, kw, 4, allowed, v);
    ts_forest_obj_t *self = MP_OBJ_TO_PTR(v[0].u_obj);
    if (!self->info.classifier) {
        mp_raise_ValueError(MP_ERROR_TEXT("predict_proba: a regressor; use regress(x, out)"));
    }
    ts_arr_t x = forest_x(self, v[1].u_obj);
    ts_arr_t out = ts_get_arr(v[2].u_obj, 'f', true, "out");
    ts_check_len(&out, self->info.n_outputs, "out");
    ts_check(ts_forest_proba(self->mem, x.buf, x.len, self->info.input_int16,
        forest_voting(v[3].u_obj), out.buf, out.len), "predict_proba");
    return v[2].u_obj;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(forest_predict_proba_obj, 3, forest_predict_proba);

static mp_obj_t forest_regress(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_forest_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->info.classifier) {
        mp_raise_ValueError(MP_ERROR_TEXT("regress: a classifier; use predict / predict_proba"));
    }
    ts_arr_t x = forest_x(self, x_in);
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&out, self->info.n_outputs, "out");
    ts_check(ts_forest_regress(self->mem, x.buf, x.len, self->info.input_int16, out.buf, out.len),
        "regress");
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(forest_regress_obj, forest_regress);

static void forest_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_forest_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        ts_attr_continue(dest);
    } else if (attr == MP_QSTR_n_features) {
        dest[0] = mp_obj_new_int_from_uint(self->info.n_features);
    } else if (attr == MP_QSTR_n_outputs) {
        dest[0] = mp_obj_new_int_from_uint(self->info.n_outputs);
    } else if (attr == MP_QSTR_n_trees) {
        dest[0] = mp_obj_new_int_from_uint(self->info.n_trees);
    } else if (attr == MP_QSTR_is_classifier) {
        dest[0] = mp_obj_new_bool(self->info.classifier);
    } else if (attr == MP_QSTR_typecode) {
        dest[0] = mp_obj_new_str(self->info.input_int16 ? "h" : "f", 1);
    } else {
        ts_attr_continue(dest);
    }
}

#define FOREST_LOCALS(X) \
    X(MP_QSTR_predict, forest_predict_obj) \
    X(MP_QSTR_predict_proba, forest_predict_proba_obj) \
    X(MP_QSTR_regress, forest_regress_obj)

#define MOD_TYPES(T) \
    T(ts_forest_type, MP_QSTR_Forest, forest_make_new, forest_attr, FOREST_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_Forest, ts_forest_type)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_trees, MP_QSTR_tinysense_trees, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_trees, tinysense_trees_user_cmodule);
#endif
