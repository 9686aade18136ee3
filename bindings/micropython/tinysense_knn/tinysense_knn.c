/* tinysense_knn: k-nearest-neighbour classifier on int16 features, equal to
 * scikit-learn's KNeighborsClassifier(algorithm='brute', weights='uniform',
 * Euclidean) on integer data, with on-device learning. One source for the
 * native module (.mpy) and the user C module.
 *
 *   Knn(model=None, *, n_features=0, n_classes=0, k=3, capacity=0, max_k=0)
 *       model: a tinysense k-NN .tsm file (python -m tinysense.convert_knn);
 *       an aligned bytes object is used in place, other buffers are copied.
 *       Without a model: an empty classifier of n_features / n_classes / k.
 *       capacity: items add() can store (inside the object, 2 * (n_features
 *       + 1) bytes each); max_k: the largest k set_k() may set (default k).
 *     .predict(x)              class index; x: array('h') of n_features
 *     .predict_proba(x, out)   fraction of the neighbours per class into array('f')
 *     .kneighbors(x, index, dist=None)   nearest first into array('I') index
 *                              (and array('f') Euclidean distances); returns the count
 *     .add(x, label)           learns one item (OSError ENOSPC when full)
 *     .clear_added()           forgets the added items
 *     .set_k(k)                1 <= k <= max_k
 *     .k, .n_features, .n_classes, .size (items searched), .model_items, .capacity
 *
 * Nothing is allocated per call.
 */
#include "tsmp.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_t model;   /* keeps an in-place bytes model alive */
    ts_cell_t mem[];  /* shim instance, then the model copy if any */
} ts_knn_obj_t;

static mp_obj_t knn_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args);
static void knn_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);

#define TS_KNN_MAX 65535

static mp_int_t knn_check_range(mp_int_t v, mp_int_t lo, const char *msg) {
    if (v < lo || v > TS_KNN_MAX) {
        ts_raise2(TS_TYPE_VALUEERROR, msg, "");
    }
    return v;
}

static mp_obj_t knn_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { A_MODEL, A_NF, A_NC, A_K, A_CAP, A_MAXK };
    const mp_arg_t allowed[] = {
        { MP_QSTR_model, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_n_features, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_n_classes, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_k, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 3} },
        { MP_QSTR_capacity, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_max_k, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
    };
    mp_arg_val_t v[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed), allowed, v);
    if (v[A_CAP].u_int < 0 || v[A_CAP].u_int > 1000000) {
        mp_raise_ValueError(MP_ERROR_TEXT("capacity must be in [0, 1000000]"));
    }
    size_t capacity = (size_t)v[A_CAP].u_int;
    mp_int_t max_k = v[A_MAXK].u_int;
    if (max_k != 0) {
        knn_check_range(max_k, 1, "max_k must be in [1, 65535]");
    }
    ts_knn_obj_t *self;
    if (v[A_MODEL].u_obj != MP_OBJ_NULL && v[A_MODEL].u_obj != mp_const_none) {
        ts_model_t m = ts_get_model(v[A_MODEL].u_obj);
        uint32_t nf = 0, k = 0;
        ts_check(ts_knn_model_info(m.buf, m.len, &nf, &k), "Knn: not a tinysense k-NN model");
        size_t mk = (size_t)max_k > k ? (size_t)max_k : k;
        size_t inst = ts_cells_bytes(ts_knn_bytes(nf, mk, capacity));
        self = TS_NEW_OBJ(ts_knn_obj_t, inst + ts_model_copy_bytes(&m), type);
        self->model = m.in_place ? m.obj : MP_OBJ_NULL;
        const uint8_t *model = ts_model_place(&m, (uint8_t *)self->mem + inst);
        ts_check(ts_knn_load(self->mem, model, m.len, nf, mk, capacity), "Knn: model");
    } else {
        mp_int_t nf = knn_check_range(v[A_NF].u_int, 1, "n_features must be in [1, 65535] (or pass a model)");
        mp_int_t nc = knn_check_range(v[A_NC].u_int, 1, "n_classes must be in [1, 65535]");
        mp_int_t k = knn_check_range(v[A_K].u_int, 1, "k must be in [1, 65535]");
        size_t mk = max_k > k ? (size_t)max_k : (size_t)k;
        self = TS_NEW_OBJ(ts_knn_obj_t, ts_knn_bytes((size_t)nf, mk, capacity), type);
        self->model = MP_OBJ_NULL;
        ts_check(ts_knn_init(self->mem, (uint32_t)nf, (uint32_t)nc, (uint32_t)k, mk, capacity), "Knn");
    }
    return MP_OBJ_FROM_PTR(self);
}

static ts_arr_t knn_x(ts_knn_obj_t *self, mp_obj_t x_in) {
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    ts_arr_t x = ts_get_arr(x_in, 'h', false, "x");
    ts_check_len(&x, info.n_features, "x");
    return x;
}

static void knn_check_items(ts_knn_obj_t *self) {
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    if (info.size == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("Knn: no items yet (add() some or load a model)"));
    }
}

static mp_obj_t knn_predict(mp_obj_t self_in, mp_obj_t x_in) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = knn_x(self, x_in);
    knn_check_items(self);
    int32_t cls = 0;
    ts_check(ts_knn_predict(self->mem, x.buf, x.len, &cls), "predict");
    return mp_obj_new_int(cls);
}
static MP_DEFINE_CONST_FUN_OBJ_2(knn_predict_obj, knn_predict);

static mp_obj_t knn_predict_proba(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t out_in) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = knn_x(self, x_in);
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    ts_arr_t out = ts_get_arr(out_in, 'f', true, "out");
    ts_check_len(&out, info.n_classes, "out");
    knn_check_items(self);
    ts_check(ts_knn_proba(self->mem, x.buf, x.len, out.buf, out.len), "predict_proba");
    return out_in;
}
static MP_DEFINE_CONST_FUN_OBJ_3(knn_predict_proba_obj, knn_predict_proba);

static mp_obj_t knn_kneighbors(size_t n_args, const mp_obj_t *args) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    ts_arr_t x = knn_x(self, args[1]);
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    size_t want = info.size < info.k ? info.size : info.k;
    ts_arr_t index = ts_get_arr(args[2], 'I', true, "index");
    if (index.len < want) {
        mp_raise_ValueError(MP_ERROR_TEXT("index: needs at least min(k, size) items"));
    }
    float *dist = NULL;
    if (n_args == 4 && args[3] != mp_const_none) {
        ts_arr_t d = ts_get_arr(args[3], 'f', true, "dist");
        if (d.len < want) {
            mp_raise_ValueError(MP_ERROR_TEXT("dist: needs at least min(k, size) items"));
        }
        ts_check_disjoint(&index, 4, &d, 4, "kneighbors");
        dist = d.buf;
    }
    knn_check_items(self);
    size_t count = 0;
    ts_check(ts_knn_kneighbors(self->mem, x.buf, x.len, index.buf, dist, index.len, &count),
        "kneighbors");
    return mp_obj_new_int((mp_int_t)count);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(knn_kneighbors_obj, 3, 4, knn_kneighbors);

static mp_obj_t knn_add(mp_obj_t self_in, mp_obj_t x_in, mp_obj_t label_in) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_arr_t x = knn_x(self, x_in);
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    mp_int_t label = mp_obj_get_int(label_in);
    if (label < 0 || (mp_uint_t)label >= info.n_classes) {
        mp_raise_ValueError(MP_ERROR_TEXT("label must be in [0, n_classes)"));
    }
    ts_check(ts_knn_add(self->mem, x.buf, x.len, (uint16_t)label), "add (capacity full?)");
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(knn_add_obj, knn_add);

static mp_obj_t knn_clear_added(mp_obj_t self_in) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_knn_clear_added(self->mem);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(knn_clear_added_obj, knn_clear_added);

static mp_obj_t knn_set_k(mp_obj_t self_in, mp_obj_t k_in) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    mp_int_t k = mp_obj_get_int(k_in);
    if (k < 1 || (mp_uint_t)k > info.max_k) {
        mp_raise_ValueError(MP_ERROR_TEXT("k must be in [1, max_k] (max_k is set at construction)"));
    }
    ts_check(ts_knn_set_k(self->mem, (uint32_t)k), "set_k");
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(knn_set_k_obj, knn_set_k);

static void knn_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ts_knn_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        ts_attr_continue(dest);
        return;
    }
    ts_knn_info info;
    ts_knn_info_get(self->mem, &info);
    if (attr == MP_QSTR_k) {
        dest[0] = mp_obj_new_int_from_uint(info.k);
    } else if (attr == MP_QSTR_n_features) {
        dest[0] = mp_obj_new_int_from_uint(info.n_features);
    } else if (attr == MP_QSTR_n_classes) {
        dest[0] = mp_obj_new_int_from_uint(info.n_classes);
    } else if (attr == MP_QSTR_size) {
        dest[0] = mp_obj_new_int_from_uint(info.size);
    } else if (attr == MP_QSTR_model_items) {
        dest[0] = mp_obj_new_int_from_uint(info.model_items);
    } else if (attr == MP_QSTR_capacity) {
        dest[0] = mp_obj_new_int_from_uint(info.capacity);
    } else if (attr == MP_QSTR_max_k) {
        dest[0] = mp_obj_new_int_from_uint(info.max_k);
    } else {
        ts_attr_continue(dest);
    }
}

#define KNN_LOCALS(X) \
    X(MP_QSTR_predict, knn_predict_obj) \
    X(MP_QSTR_predict_proba, knn_predict_proba_obj) \
    X(MP_QSTR_kneighbors, knn_kneighbors_obj) \
    X(MP_QSTR_add, knn_add_obj) \
    X(MP_QSTR_clear_added, knn_clear_added_obj) \
    X(MP_QSTR_set_k, knn_set_k_obj)

#define MOD_TYPES(T) \
    T(ts_knn_type, MP_QSTR_Knn, knn_make_new, knn_attr, KNN_LOCALS)

#define MOD_GLOBALS(X) \
    X(MP_QSTR_Knn, ts_knn_type)

TS_DEFINE_TYPES(MOD_TYPES)
TS_DEFINE_MODULE(tinysense_knn, MP_QSTR_tinysense_knn, MOD_TYPES, MOD_GLOBALS)

#if !MICROPY_ENABLE_DYNRUNTIME
MP_REGISTER_MODULE(MP_QSTR_tinysense_knn, tinysense_knn_user_cmodule);
#endif
