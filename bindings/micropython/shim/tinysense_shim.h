/* extern "C" face of the tinysense kernels for the MicroPython glue.
 *
 * The glue (bindings/micropython/<module>/<module>.c) is C, because
 * py/dynruntime.h is not valid C++; the kernels are C++. This header is the
 * only contact between the two: plain C types, no MicroPython types, no
 * allocation. Each object kind is "ask the size, then hand me the memory":
 * ts_<kind>_bytes() gives the bytes of one instance (the C++ object plus every
 * table and buffer it uses, in one block), ts_<kind>_init() builds it inside
 * caller memory (aligned to TS_SHIM_ALIGN), and the other calls use it. The
 * glue allocates that block as the variable-size tail of the Python object, so
 * the GC frees everything together. Instances are trivially destructible.
 *
 * Validation: ts_<kind>_bytes() returns 0 and ts_<kind>_init() a negative
 * status for a bad configuration; per-call functions trust their arguments
 * (lengths and alignment are checked by the glue).
 * Status values are tinysense::Status (errno-style, 0 = ok).
 */
#ifndef TINYSENSE_MP_SHIM_H
#define TINYSENSE_MP_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only the shim's entry points stay visible after the natmod pre-link. */
#define TS_API __attribute__((visibility("default")))

/* Alignment the glue guarantees for instance memory (the largest alignment
 * of any member: double / uint64_t in the sound level meter). */
#define TS_SHIM_ALIGN 8

enum {
    TS_OK = 0,
    TS_EIO = -5,
    TS_ENOMEM = -12,
    TS_EBUSY = -16,
    TS_EINVAL = -22,
    TS_ENOSPC = -28,
    TS_ERANGE = -34,
    TS_ENODATA = -61,
    TS_ENOTINIT = -77,
    TS_ECORRUPT = -84,
    TS_ESIZE = -90,
    TS_ENOTSUP = -95,
    TS_ETIMEDOUT = -110,
};

/* tinysense::to_string(status): short, stable, NUL-terminated. */
TS_API const char *ts_status_str(int status);

/* ---- tinysense_fft ------------------------------------------------------ */

/* True when n is a valid FFT size (power of two in [16, 4096]). */
TS_API int ts_fft_size_ok(size_t n);

/* Real FFT of size n with an (n/2 + 1)-bin spectrum scratch inside. */
TS_API size_t ts_rfft_bytes(size_t n);
TS_API int ts_rfft_init(void *mem, size_t n);
/* out = numpy.fft.rfft(x) as n + 2 floats [re0, im0, re1, im1, ...]. */
TS_API void ts_rfft_forward(void *mem, const float *x, float *out);
/* out = numpy.fft.irfft(spec, n): spec n + 2 floats, out n floats. */
TS_API void ts_rfft_inverse(void *mem, const float *spec, float *out);
/* out = abs(rfft(x))**2 (power != 0) or abs(rfft(x)) (power == 0), n/2 + 1 floats. */
TS_API void ts_rfft_spectrum(void *mem, const float *x, float *out, int power);

/* Complex FFT of size n (interleaved re/im, 2n floats; in may equal out). */
TS_API size_t ts_cfft_bytes(size_t n);
TS_API int ts_cfft_init(void *mem, size_t n);
TS_API void ts_cfft_forward(const void *mem, const float *in, float *out);
TS_API void ts_cfft_inverse(const void *mem, const float *in, float *out);

/* Q15 real FFT: out = rfft(x) / n in Q15, n + 2 int16 interleaved. */
TS_API size_t ts_rfft_q15_bytes(size_t n);
TS_API int ts_rfft_q15_init(void *mem, size_t n);
TS_API void ts_rfft_q15_forward(void *mem, const int16_t *x, int16_t *out);
/* out = re^2 + im^2 of the Q15 bins (Q30 in int32), n/2 + 1 values. */
TS_API void ts_rfft_q15_power(void *mem, const int16_t *x, int32_t *out);

/* Interleaved spectrum (bins complex values) -> power or magnitude. */
TS_API void ts_power_spectrum(const float *spec, size_t bins, float *out);
TS_API void ts_magnitude(const float *spec, size_t bins, float *out);

/* Window types (tinysense::dsp::WindowType order). */
enum { TS_WIN_BOXCAR = 0, TS_WIN_HANN = 1, TS_WIN_HAMMING = 2 };
TS_API int ts_get_window(int type, int symmetric, float *out, size_t n);

/* ---- tinysense_iir -------------------------------------------------------- */

/* float32 sos cascade; the coefficients are copied into the instance. */
TS_API size_t ts_iir_bytes(size_t sections);
TS_API int ts_iir_init(void *mem, const float *sos, size_t sos_len);
TS_API void ts_iir_process(void *mem, const float *in, float *out, size_t n);
TS_API void ts_iir_reset(void *mem);
TS_API size_t ts_iir_sections(const void *mem);

/* Q15 cascade. ts_iir_q15_init: int16 coefficients in Q(15 - post_shift);
 * ts_iir_q15_init_float: float sos converted with tinysense's sos_to_q15. */
TS_API size_t ts_iir_q15_bytes(size_t sections);
TS_API int ts_iir_q15_init(void *mem, const int16_t *sos, size_t sos_len, int post_shift);
TS_API int ts_iir_q15_init_float(void *mem, const float *sos, size_t sos_len);
TS_API void ts_iir_q15_process(void *mem, const int16_t *in, int16_t *out, size_t n);
TS_API void ts_iir_q15_reset(void *mem);
TS_API size_t ts_iir_q15_sections(const void *mem);
TS_API int ts_iir_q15_post_shift(const void *mem);

/* ---- tinysense_stats ------------------------------------------------------ */

enum {
    TS_STAT_MEAN = 0,
    TS_STAT_VAR,
    TS_STAT_STD,
    TS_STAT_RMS,
    TS_STAT_MIN,
    TS_STAT_MAX,
    TS_STAT_PTP,
    TS_STAT_ZCR,
};
/* One statistic (float result); TS_EINVAL on empty input or n <= ddof.
 * For int16 input min/max/ptp are exact integers returned as float. */
TS_API int ts_stat_f32(int which, const float *x, size_t n, size_t ddof, float *out);
TS_API int ts_stat_s16(int which, const int16_t *x, size_t n, size_t ddof, float *out);
/* Totals, defined on empty input. */
TS_API float ts_sum_f32(const float *x, size_t n);
TS_API int64_t ts_sum_s16(const int16_t *x, size_t n);
TS_API float ts_energy_f32(const float *x, size_t n);
TS_API uint64_t ts_energy_s16(const int16_t *x, size_t n);
TS_API size_t ts_zero_crossings_f32(const float *x, size_t n);
TS_API size_t ts_zero_crossings_s16(const int16_t *x, size_t n);
/* numpy.percentile(x, q[i]) for i < nq into out; scratch holds n values and
 * may be x itself (x is then reordered). */
TS_API int ts_percentiles_f32(const float *x, size_t n, const float *q, size_t nq, float *scratch,
                              float *out);
TS_API int ts_percentiles_s16(const int16_t *x, size_t n, const float *q, size_t nq,
                              int16_t *scratch, float *out);
/* features(): out[8] = mean, std, min, max, rms, ptp, zcr, energy. */
#define TS_FEATURES_LEN 8
TS_API int ts_features_f32(const float *x, size_t n, float *out);
TS_API int ts_features_s16(const int16_t *x, size_t n, float *out);
TS_API void ts_int16_to_float(const int16_t *in, size_t n, float scale, float *out);
TS_API void ts_float_to_int16(const float *in, size_t n, float scale, int16_t *out);

/* ---- tinysense_mel -------------------------------------------------------- */

enum { TS_LOG_DB = 0, TS_LOG_LN = 1 };
typedef struct {
    float sample_rate;
    size_t n_fft;
    size_t n_mels;
    float fmin;
    float fmax;      /* 0: sample_rate / 2 */
    int htk;         /* 0: Slaney mel scale (librosa default), 1: HTK */
    int slaney_norm; /* 1: norm='slaney' (librosa default), 0: norm=None */
    int window;      /* TS_WIN_* (periodic) */
    int log_type;    /* TS_LOG_DB or TS_LOG_LN */
    float floor;     /* librosa amin / log epsilon, > 0 */
    float ref;       /* dB reference, > 0 */
} ts_mel_config;

/* Log-mel frontend (FFT, window, sparse filterbank, scratch) in one block.
 * ts_mel_bytes: 0 and *status < 0 for a bad configuration. */
TS_API size_t ts_mel_bytes(const ts_mel_config *cfg, int *status);
TS_API int ts_mel_init(void *mem, const ts_mel_config *cfg);
TS_API size_t ts_mel_n_fft(const void *mem);
TS_API size_t ts_mel_n_mels(const void *mem);
TS_API size_t ts_mel_num_weights(const void *mem);
/* One frame of n_fft samples -> n_mels log-mel values. */
TS_API void ts_mel_process(void *mem, const float *frame, float *out);
/* mel = W @ power: n_fft/2 + 1 power values -> n_mels energies (no log). */
TS_API void ts_mel_apply(const void *mem, const float *power, float *mel);
/* Frames every hop samples of x into out (frames * n_mels), frame-major. */
TS_API int ts_mel_frames(void *mem, const float *x, size_t n, size_t hop, float *out,
                         size_t out_len);
/* librosa.power_to_db(top_db=None) elementwise; in may equal out. */
TS_API void ts_power_to_db(const float *in, float *out, size_t n, float amin, float ref);

/* ---- tinysense_soundlevel ------------------------------------------------- */

enum { TS_WEIGHT_A = 0, TS_WEIGHT_C = 1, TS_WEIGHT_Z = 2 };

/* A/C/Z weighting filter; custom sos (sos_len > 0) is copied inside. */
TS_API size_t ts_weighting_bytes(size_t sos_len);
TS_API int ts_weighting_init(void *mem, int type, float sample_rate, const float *sos,
                             size_t sos_len);
TS_API void ts_weighting_process(void *mem, const float *in, float *out, size_t n);
TS_API void ts_weighting_reset(void *mem);
/* Coefficients in use (6 floats per section; NULL and 0 for Z). */
TS_API const float *ts_weighting_sos(const void *mem, size_t *len);
/* Built-in coefficients for (type, rate), NULL when not built in. */
TS_API const float *ts_weighting_builtin(int type, float sample_rate, size_t *len);

typedef struct {
    float sample_rate;
    int weighting;        /* TS_WEIGHT_* (ignored when sos_len > 0) */
    const float *sos;     /* custom coefficients (copied), or NULL */
    size_t sos_len;
    float tau;            /* time constant, s */
    float calibration_db;
    float hist_min_db;
    float hist_bin_db;
    size_t hist_bins;
    float hist_interval_s;
} ts_meter_config;

TS_API size_t ts_meter_bytes(const ts_meter_config *cfg);
TS_API int ts_meter_init(void *mem, const ts_meter_config *cfg);
TS_API void ts_meter_process(void *mem, const float *x, size_t n);
/* int16 input, converted to float (x / 32768) in small stack chunks. */
TS_API void ts_meter_process_s16(void *mem, const int16_t *x, size_t n);
TS_API void ts_meter_reset(void *mem);
TS_API void ts_meter_reset_interval(void *mem);
enum { TS_METER_LEVEL = 0, TS_METER_LEQ, TS_METER_LMAX, TS_METER_LMIN };
TS_API float ts_meter_read(const void *mem, int which);
TS_API float ts_meter_percentile(const void *mem, float percent);
TS_API uint64_t ts_meter_interval_samples(const void *mem);
TS_API uint64_t ts_meter_histogram_samples(const void *mem);
TS_API float ts_meter_alpha(const void *mem);

/* ---- Models (tinysense_trees, tinysense_knn, tinysense_cnn) -------------------
 * `model` is a whole model file (container + payload), 4-byte aligned, kept by
 * reference (the glue either keeps an immutable bytes object alive or copies
 * the file into the instance block). The *_bytes() functions read only the
 * container header (no alignment needed, no validation beyond plausibility);
 * the load functions validate everything. */

/* Decision-tree ensembles. Input dtype: 0 float32, 1 int16. */
TS_API size_t ts_forest_bytes(const uint8_t *model, size_t len);
TS_API int ts_forest_load(void *mem, const uint8_t *model, size_t len);
typedef struct {
    uint32_t n_features;
    uint32_t n_outputs;
    uint32_t n_trees;
    int classifier;
    int input_int16;
} ts_forest_info;
TS_API void ts_forest_info_get(const void *mem, ts_forest_info *info);
TS_API int ts_forest_predict(void *mem, const void *x, size_t n, int x_int16, int hard, int32_t *cls);
TS_API int ts_forest_proba(void *mem, const void *x, size_t n, int x_int16, int hard, float *out,
                           size_t out_len);
TS_API int ts_forest_regress(void *mem, const void *x, size_t n, int x_int16, float *out,
                             size_t out_len);

/* k-nearest neighbours on int16 features. */
TS_API size_t ts_knn_bytes(size_t n_features, size_t max_k, size_t capacity);
/* n_features and k of a k-NN model file header (TS_ECORRUPT when implausible). */
TS_API int ts_knn_model_info(const uint8_t *model, size_t len, uint32_t *n_features, uint32_t *k);
TS_API int ts_knn_init(void *mem, uint32_t n_features, uint32_t n_classes, uint32_t k, size_t max_k,
                       size_t capacity);
TS_API int ts_knn_load(void *mem, const uint8_t *model, size_t len, size_t n_features, size_t max_k,
                       size_t capacity);
TS_API int ts_knn_add(void *mem, const int16_t *x, size_t n, uint16_t label);
TS_API void ts_knn_clear_added(void *mem);
TS_API int ts_knn_set_k(void *mem, uint32_t k);
TS_API int ts_knn_predict(void *mem, const int16_t *x, size_t n, int32_t *cls);
TS_API int ts_knn_proba(void *mem, const int16_t *x, size_t n, float *out, size_t out_len);
/* Nearest first: indices and Euclidean distances (sqrt of the exact squared
 * distance, as float) of min(k, size) neighbours; *count gets their number.
 * dist may be NULL. */
TS_API int ts_knn_kneighbors(void *mem, const int16_t *x, size_t n, uint32_t *index, float *dist,
                             size_t len, size_t *count);
typedef struct {
    uint32_t n_features;
    uint32_t n_classes;
    uint32_t k;
    size_t size;
    size_t model_items;
    size_t capacity;
    size_t max_k;
} ts_knn_info;
TS_API void ts_knn_info_get(const void *mem, ts_knn_info *info);

/* CNN runner; the arena (RAM planned by the converter) is inside the instance. */
TS_API size_t ts_cnn_bytes(const uint8_t *model, size_t len);
TS_API int ts_cnn_load(void *mem, const uint8_t *model, size_t len);
typedef struct {
    int in_h, in_w, in_c;
    int in_float;       /* 0: int8 input, 1: float32 */
    float in_scale;     /* int8: real = scale * (q - zero_point) */
    int32_t in_zero_point;
    size_t out_size;
    int out_float;
    float out_scale;
    int32_t out_zero_point;
    size_t arena_bytes;
    size_t num_ops;
} ts_cnn_info;
TS_API void ts_cnn_info_get(const void *mem, ts_cnn_info *info);
/* Copies in (int8 or float32 per the model), runs, copies out (int8 or
 * float32: an int8 model with a float softmax output gives float32). */
TS_API int ts_cnn_run(void *mem, const void *in, size_t in_len, int in_float, void *out,
                      size_t out_len, int out_float);
/* Runs and returns the argmax of the output (first on ties). */
TS_API int ts_cnn_predict(void *mem, const void *in, size_t in_len, int in_float, int32_t *cls);

/* ---- tinysense_img ------------------------------------------------------------ */

enum { TS_PIX_GRAY8 = 0, TS_PIX_RGB888 = 1, TS_PIX_RGB565LE = 2, TS_PIX_RGB565BE = 3 };
enum { TS_INTERP_NEAREST = 0, TS_INTERP_BILINEAR = 1, TS_INTERP_AREA = 2 };
/* Tightly packed images; roi (x, y, w, h) selects a rectangle of src
 * (rw == 0: the whole image). */
TS_API int ts_img_convert(const uint8_t *src, size_t src_len, int width, int height, int src_fmt,
                          uint8_t *dst, size_t dst_len, int dst_fmt);
TS_API int ts_img_resize(const uint8_t *src, size_t src_len, int sw, int sh, int fmt, int rx,
                         int ry, int rw, int rh, uint8_t *dst, size_t dst_len, int dw, int dh,
                         int method);
TS_API size_t ts_quantizer_bytes(void);
TS_API int ts_quantizer_init(void *mem, float mean, float std, float scale, int32_t zero_point);
TS_API void ts_quantizer_process(const void *mem, const uint8_t *in, int8_t *out, size_t n);
TS_API int ts_img_normalize(const uint8_t *in, size_t n, float mean, float std, float *out);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_MP_SHIM_H */
