/* Common part of the tinysense MicroPython glue (C).
 *
 * Every bindings/micropython/<module>/<module>.c is built twice from the same
 * source: as a dynamic native module (.mpy, MICROPY_ENABLE_DYNRUNTIME set by
 * py/dynruntime.mk) and as a user C module linked into the firmware. The two
 * differ only in how types and the module are declared: the firmware takes
 * const tables in flash, while a natmod must fill its type objects and
 * dictionaries at import time (its qstrs are only known after loading). The
 * TS_* macros below hide that difference; the glue lists methods, types and
 * module attributes once as X-macros.
 *
 * No MP_ERROR_TEXT() in this header: the firmware build's message compression
 * only finds it in .c files (messages built here go through ts_raise2()).
 *
 * Natmod constraints the glue respects: no static or initialised writable
 * data, no function-local statics, qstrs written out literally (mpy_ld.py
 * finds them with a regex over the glue source, so no token pasting), and the
 * only qstrs used in this header are static ones (exception names).
 *
 * Errors: wrong buffer type -> TypeError; wrong length, alignment, overlap or
 * value -> ValueError; a failing tinysense Status -> ValueError, or OSError
 * for device-type errors (EIO, EBUSY, ETIMEDOUT, ENOSPC), as the CPython module.
 */
#ifndef TINYSENSE_MP_TSMP_H
#define TINYSENSE_MP_TSMP_H

#if MICROPY_ENABLE_DYNRUNTIME
#include "py/dynruntime.h"
#else
#include "py/obj.h"
#include "py/runtime.h"
#endif

#include "tinysense_shim.h"

/* ---- Instance storage ----------------------------------------------------- */

/* Storage unit of the variable-size tail that holds a shim instance; its
 * alignment is TS_SHIM_ALIGN (GC blocks are at least 16-byte aligned). */
typedef union {
    double d;
    uint64_t u;
    void *p;
} ts_cell_t;

/* Allocates a Python object `struct_type` (whose last member is
 * `ts_cell_t mem[]`) with room for `bytes` bytes of shim instance. */
#define TS_NEW_OBJ(struct_type, bytes, obj_type) \
    mp_obj_malloc_var(struct_type, mem, ts_cell_t, ((bytes) + sizeof(ts_cell_t) - 1) / sizeof(ts_cell_t), (obj_type))

/* ---- Exceptions ------------------------------------------------------------ */

#if MICROPY_ENABLE_DYNRUNTIME
#define TS_TYPE_OSERROR ((const mp_obj_type_t *)mp_load_global(MP_QSTR_OSError))
#else
#define TS_TYPE_OSERROR (&mp_type_OSError)
#endif
#define TS_TYPE_VALUEERROR (&mp_type_ValueError)
#define TS_TYPE_TYPEERROR (&mp_type_TypeError)

/* Small string builder for messages (no allocation until the raise). */
typedef struct {
    char buf[200];
    size_t len;
} ts_msg_t;

static inline void ts_msg_add(ts_msg_t *m, const char *s) {
    while (s != NULL && *s != '\0' && m->len < sizeof(m->buf)) {
        m->buf[m->len++] = *s++;
    }
}

static inline void ts_msg_int(ts_msg_t *m, long long v) {
    char tmp[24];
    size_t i = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[i++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0 && i < sizeof(tmp));
    if (v < 0) {
        ts_msg_add(m, "-");
    }
    while (i > 0 && m->len < sizeof(m->buf)) {
        m->buf[m->len++] = tmp[--i];
    }
}

static inline void ts_msg_char(ts_msg_t *m, char c) {
    if (m->len < sizeof(m->buf)) {
        m->buf[m->len++] = c;
    }
}

MP_NORETURN static inline void ts_msg_raise(const mp_obj_type_t *type, ts_msg_t *m) {
    nlr_raise(mp_obj_new_exception_arg1(type, mp_obj_new_str(m->buf, m->len)));
    for (;;) {
    }
}

/* Raises type("<a><b>"). */
MP_NORETURN static inline void ts_raise2(const mp_obj_type_t *type, const char *a, const char *b) {
    ts_msg_t m;
    m.len = 0;
    ts_msg_add(&m, a);
    ts_msg_add(&m, b);
    ts_msg_raise(type, &m);
}

/* Raises for a failing tinysense status: "<what>: <status text>". */
static inline void ts_check(int status, const char *what) {
    if (status == TS_OK) {
        return;
    }
    const mp_obj_type_t *type = TS_TYPE_VALUEERROR;
    if (status == TS_EIO || status == TS_EBUSY || status == TS_ETIMEDOUT || status == TS_ENOSPC) {
        type = TS_TYPE_OSERROR;
    }
    ts_msg_t m;
    m.len = 0;
    ts_msg_add(&m, what);
    ts_msg_add(&m, ": ");
    ts_msg_add(&m, ts_status_str(status));
    ts_msg_raise(type, &m);
}

/* ---- Buffers ----------------------------------------------------------------- */

/* A typed 1-D buffer: data pointer and length in elements. */
typedef struct {
    void *buf;
    size_t len;
} ts_arr_t;

static inline size_t ts_itemsize(char tc) {
    return tc == 'f' || tc == 'i' || tc == 'I' ? 4 : tc == 'h' || tc == 'H' ? 2 : 1;
}

/* Gets the buffer of `obj` (array.array, memoryview; for tc 'B' also
 * bytearray / bytes), which must have typecode `tc` and be aligned to its
 * item size; `write` requests a writable buffer. `name` is used in errors. */
static inline ts_arr_t ts_get_arr(mp_obj_t obj, char tc, bool write, const char *name) {
    mp_buffer_info_t bi;
    if (!mp_get_buffer(obj, &bi, write ? MP_BUFFER_RW : MP_BUFFER_READ)) {
        ts_msg_t m;
        m.len = 0;
        ts_msg_add(&m, name);
        ts_msg_add(&m, write ? ": expected a writable array('" : ": expected an array('");
        ts_msg_char(&m, tc);
        ts_msg_add(&m, "')");
        ts_msg_raise(TS_TYPE_TYPEERROR, &m);
    }
    /* bytearray reports typecode 1 (BYTEARRAY_TYPECODE). */
    char got = bi.typecode == 1 ? 'B' : (char)bi.typecode;
    if (got != tc && !(tc == 'i' && got == 'l' && sizeof(long) == 4)) {
        ts_msg_t m;
        m.len = 0;
        ts_msg_add(&m, name);
        ts_msg_add(&m, ": expected array('");
        ts_msg_char(&m, tc);
        ts_msg_add(&m, "'), got typecode '");
        ts_msg_char(&m, got);
        ts_msg_add(&m, "'");
        ts_msg_raise(TS_TYPE_TYPEERROR, &m);
    }
    size_t item = ts_itemsize(tc);
    if (((uintptr_t)bi.buf & (item - 1)) != 0) {
        ts_raise2(TS_TYPE_VALUEERROR, name, ": buffer is not aligned to its item size");
    }
    ts_arr_t a;
    a.buf = bi.buf;
    a.len = bi.len / item;
    return a;
}

/* Raises ValueError unless a.len == want. */
static inline void ts_check_len(const ts_arr_t *a, size_t want, const char *name) {
    if (a->len != want) {
        ts_msg_t m;
        m.len = 0;
        ts_msg_add(&m, name);
        ts_msg_add(&m, ": expected length ");
        ts_msg_int(&m, (long long)want);
        ts_msg_add(&m, ", got ");
        ts_msg_int(&m, (long long)a->len);
        ts_msg_raise(TS_TYPE_VALUEERROR, &m);
    }
}

/* Raises ValueError when the byte ranges of a and b overlap (not allowed
 * where the kernel reads its input after writing its output). */
static inline void ts_check_disjoint(const ts_arr_t *a, size_t asize, const ts_arr_t *b,
    size_t bsize, const char *what) {
    uintptr_t a0 = (uintptr_t)a->buf, a1 = a0 + a->len * asize;
    uintptr_t b0 = (uintptr_t)b->buf, b1 = b0 + b->len * bsize;
    if (a0 < b1 && b0 < a1) {
        ts_raise2(TS_TYPE_VALUEERROR, what, ": input and output buffers must not overlap");
    }
}

/* Raises ValueError when a and b overlap without being the same buffer
 * (kernels that allow exact in-place operation). */
static inline void ts_check_same_or_disjoint(const ts_arr_t *a, const ts_arr_t *b,
    size_t size, const char *what) {
    if (a->buf != b->buf) {
        ts_check_disjoint(a, size, b, size, what);
    }
}

/* ---- Scalars --------------------------------------------------------------------- */

static inline float ts_get_float(mp_obj_t o) {
    return mp_obj_get_float_to_f(o);
}

static inline mp_obj_t ts_new_float(float f) {
    return mp_obj_new_float_from_f(f);
}

/* int >= 0 (ValueError otherwise). */
static inline size_t ts_get_size(mp_obj_t o, const char *name) {
    mp_int_t v = mp_obj_get_int(o);
    if (v < 0) {
        ts_raise2(TS_TYPE_VALUEERROR, name, ": must be >= 0");
    }
    return (size_t)v;
}

/* Python int from a 64-bit value, exact on every port with long ints
 * (composed from 32-bit halves when it does not fit a machine word). */
static inline mp_obj_t ts_new_int64(int64_t v) {
    if (v >= (int64_t)MP_INT_MIN && v <= (int64_t)MP_INT_MAX) {
        return mp_obj_new_int((mp_int_t)v);
    }
    bool neg = v < 0;
    uint64_t u = neg ? 0ULL - (uint64_t)v : (uint64_t)v;
    mp_obj_t hi = mp_obj_new_int_from_uint((mp_uint_t)(uint32_t)(u >> 32));
    mp_obj_t lo = mp_obj_new_int_from_uint((mp_uint_t)(uint32_t)u);
    mp_obj_t r = mp_binary_op(MP_BINARY_OP_OR,
        mp_binary_op(MP_BINARY_OP_LSHIFT, hi, MP_OBJ_NEW_SMALL_INT(32)), lo);
    return neg ? mp_unary_op(MP_UNARY_OP_NEGATIVE, r) : r;
}

static inline mp_obj_t ts_new_uint64(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) {
        return ts_new_int64((int64_t)v);
    }
    mp_obj_t hi = mp_obj_new_int_from_uint((mp_uint_t)(uint32_t)(v >> 32));
    mp_obj_t lo = mp_obj_new_int_from_uint((mp_uint_t)(uint32_t)v);
    return mp_binary_op(MP_BINARY_OP_OR,
        mp_binary_op(MP_BINARY_OP_LSHIFT, hi, MP_OBJ_NEW_SMALL_INT(32)), lo);
}

/* Compares a str argument with a literal. */
static inline bool ts_str_eq(mp_obj_t o, const char *lit) {
    size_t len;
    const char *s = mp_obj_str_get_data(o, &len);
    size_t i = 0;
    for (; i < len; ++i) {
        if (lit[i] == '\0' || lit[i] != s[i]) {
            return false;
        }
    }
    return lit[i] == '\0';
}

/* Attribute handler tail: not a property, continue with the methods. */
static inline void ts_attr_continue(mp_obj_t *dest) {
    dest[1] = MP_OBJ_SENTINEL;
}

/* ---- Model files ---------------------------------------------------------------- */

/* A model file argument. The kernels use the file in place and trust it after
 * validating it once, so it must not change afterwards: an immutable bytes
 * object whose data is 4-byte aligned is used directly (the Python object
 * keeps a reference to it); anything else (bytearray, array, memoryview,
 * unaligned data) is copied into the Python object, which costs its size in
 * RAM once. */
typedef struct {
    mp_obj_t obj;
    const uint8_t *buf;
    size_t len;
    bool in_place;
} ts_model_t;

static inline ts_model_t ts_get_model(mp_obj_t obj) {
    mp_buffer_info_t bi;
    if (!mp_get_buffer(obj, &bi, MP_BUFFER_READ)) {
        ts_raise2(TS_TYPE_TYPEERROR, "model: expected bytes (a whole .tsm file) or another buffer", "");
    }
    ts_model_t m;
    m.obj = obj;
    m.buf = (const uint8_t *)bi.buf;
    m.len = bi.len;
    m.in_place = mp_obj_is_type(obj, &mp_type_bytes) && ((uintptr_t)bi.buf & 3) == 0;
    return m;
}

/* Bytes the Python object needs beyond the shim instance for `m`. */
static inline size_t ts_model_copy_bytes(const ts_model_t *m) {
    return m->in_place ? 0 : (m->len + sizeof(ts_cell_t) - 1) / sizeof(ts_cell_t) * sizeof(ts_cell_t);
}

/* Where the model lives once the object exists: in place, or copied to `dst`
 * (TS_SHIM_ALIGN-aligned storage of ts_model_copy_bytes(m) bytes). */
static inline const uint8_t *ts_model_place(const ts_model_t *m, void *dst) {
    if (m->in_place) {
        return m->buf;
    }
    uint8_t *d = (uint8_t *)dst;
    for (size_t i = 0; i < m->len; ++i) {
        d[i] = m->buf[i];
    }
    return d;
}

/* Rounds a shim instance size up to whole ts_cell_t. */
static inline size_t ts_cells_bytes(size_t bytes) {
    return (bytes + sizeof(ts_cell_t) - 1) / sizeof(ts_cell_t) * sizeof(ts_cell_t);
}

/* ---- Types and module ---------------------------------------------------------------- */
/*
 * Usage in a glue file:
 *   #define FOO_LOCALS(X) X(MP_QSTR_process, foo_process_obj) X(MP_QSTR_reset, foo_reset_obj)
 *   #define MOD_TYPES(T)  T(foo_type, MP_QSTR_Foo, foo_make_new, foo_attr, FOO_LOCALS)
 *   TS_DECLARE_TYPES(MOD_TYPES)               (before the functions that use the types)
 *   ... functions ...
 *   TS_DEFINE_TYPES(MOD_TYPES)
 *   #define MOD_GLOBALS(X) X(MP_QSTR_Foo, foo_type) X(MP_QSTR_bar, bar_obj)
 *   TS_DEFINE_MODULE(mymod, MP_QSTR_mymod, MOD_TYPES, MOD_GLOBALS)
 * TS_TYPE(foo_type) is the `const mp_obj_type_t *` of a type.
 */
#define TS_COUNT1(q, o) +1
#define TS_COUNT_TYPE(ct, q, mk, at, LIST) +1

#if MICROPY_ENABLE_DYNRUNTIME

#define TS_TYPE(ct) ((const mp_obj_type_t *)&ct)
#define TS_DECL_TYPE_DYN(ct, q, mk, at, LIST) extern mp_obj_full_type_t ct;
#define TS_DECLARE_TYPES(TYPES) TYPES(TS_DECL_TYPE_DYN)
#define TS_DEF_TYPE_DYN(ct, q, mk, at, LIST) \
    mp_obj_full_type_t ct; \
    mp_map_elem_t ct##_locals_table[0 LIST(TS_COUNT1)]; \
    static MP_DEFINE_CONST_DICT(ct##_locals, ct##_locals_table);
#define TS_DEFINE_TYPES(TYPES) TYPES(TS_DEF_TYPE_DYN)

#define TS_FILL_ELEM(q, o) t_[i_++] = (mp_map_elem_t) {MP_OBJ_NEW_QSTR(q), MP_OBJ_FROM_PTR(&o)};
#define TS_INIT_TYPE_DYN(ct, q, mk, at, LIST) \
    { \
        mp_map_elem_t *t_ = ct##_locals_table; \
        size_t i_ = 0; \
        LIST(TS_FILL_ELEM) \
        (void)i_; \
        ct.base.type = (void *)&mp_type_type; \
        ct.flags = MP_TYPE_FLAG_NONE; \
        ct.name = q; \
        MP_OBJ_TYPE_SET_SLOT(&ct, make_new, mk, 0); \
        MP_OBJ_TYPE_SET_SLOT(&ct, attr, at, 1); \
        MP_OBJ_TYPE_SET_SLOT(&ct, locals_dict, (void *)&ct##_locals, 2); \
    }
#define TS_STORE_GLOBAL(q, o) mp_store_global(q, MP_OBJ_FROM_PTR(&o));

#define TS_DEFINE_MODULE(cname, qname, TYPES, GLOBALS) \
    mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) { \
        MP_DYNRUNTIME_INIT_ENTRY \
        TYPES(TS_INIT_TYPE_DYN) \
        GLOBALS(TS_STORE_GLOBAL) \
        MP_DYNRUNTIME_INIT_EXIT \
    }

#else /* user C module */

#define TS_TYPE(ct) (&ct)
#define TS_DECL_TYPE_STATIC(ct, q, mk, at, LIST) extern const mp_obj_type_t ct;
#define TS_DECLARE_TYPES(TYPES) TYPES(TS_DECL_TYPE_STATIC)
#define TS_ROM_ELEM(q, o) {MP_ROM_QSTR(q), MP_ROM_PTR(&o)},
#define TS_DEF_TYPE_STATIC(ct, q, mk, at, LIST) \
    static const mp_rom_map_elem_t ct##_locals_table[] = { LIST(TS_ROM_ELEM) }; \
    static MP_DEFINE_CONST_DICT(ct##_locals, ct##_locals_table); \
    MP_DEFINE_CONST_OBJ_TYPE(ct, q, MP_TYPE_FLAG_NONE, make_new, mk, attr, at, locals_dict, &ct##_locals);
#define TS_DEFINE_TYPES(TYPES) TYPES(TS_DEF_TYPE_STATIC)

#define TS_DEFINE_MODULE(cname, qname, TYPES, GLOBALS) \
    static const mp_rom_map_elem_t cname##_globals_table[] = { \
        {MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(qname)}, \
        GLOBALS(TS_ROM_ELEM) \
    }; \
    static MP_DEFINE_CONST_DICT(cname##_globals, cname##_globals_table); \
    const mp_obj_module_t cname##_user_cmodule = { \
        .base = {&mp_type_module}, \
        .globals = (mp_obj_dict_t *)&cname##_globals, \
    };

#endif

#endif /* TINYSENSE_MP_TSMP_H */
