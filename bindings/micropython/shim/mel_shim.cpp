// Shim for tinysense_mel: log-mel frontend (window -> rfft -> power -> mel -> log)
// with every table it needs in one instance block.
#include "shim_util.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/mel.hpp"
#include "tinysense/dsp/window.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace dsp = tinysense::dsp;

namespace {

struct MelInstance {
  dsp::Rfft fft;
  dsp::MelFilterbank fb;
  dsp::LogMelFrontend frontend;
};

struct MelParts {
  MelInstance* inst;
  Span<dsp::Complex32> twiddles;
  Span<float> window;
  Span<dsp::MelBand> bands;
  Span<float> weights;
  Span<float> scratch;
  Span<dsp::Complex32> spectrum;
};

// Validates the plain fields that have no tinysense Status of their own.
Status to_config(const ts_mel_config* c, dsp::MelConfig* mel, dsp::LogConfig* log,
                 dsp::WindowType* window) noexcept {
  mel->sample_rate = c->sample_rate;
  mel->n_fft = c->n_fft;
  mel->n_mels = c->n_mels;
  mel->fmin = c->fmin;
  mel->fmax = c->fmax;
  mel->scale = c->htk != 0 ? dsp::MelScale::kHtk : dsp::MelScale::kSlaney;
  mel->norm = c->slaney_norm != 0 ? dsp::MelNorm::kSlaney : dsp::MelNorm::kNone;
  switch (c->window) {
    case TS_WIN_BOXCAR: *window = dsp::WindowType::kRectangular; break;
    case TS_WIN_HANN: *window = dsp::WindowType::kHann; break;
    case TS_WIN_HAMMING: *window = dsp::WindowType::kHamming; break;
    default: return Status::kInvalidArgument;
  }
  switch (c->log_type) {
    case TS_LOG_DB: log->type = dsp::LogType::kDecibel; break;
    case TS_LOG_LN: log->type = dsp::LogType::kNatural; break;
    default: return Status::kInvalidArgument;
  }
  log->floor = c->floor;
  log->ref = c->ref;
  return Status::kOk;
}

std::size_t layout(void* base, std::size_t n_fft, std::size_t n_mels, std::size_t n_weights,
                   MelParts* p) noexcept {
  Carver c(base);
  p->inst = c.make<MelInstance>();
  const std::size_t tw = dsp::Rfft::twiddle_len(n_fft);
  p->twiddles = Span<dsp::Complex32>(c.take<dsp::Complex32>(tw), tw);
  p->window = Span<float>(c.take<float>(n_fft), n_fft);
  p->bands = Span<dsp::MelBand>(c.take<dsp::MelBand>(n_mels), n_mels);
  p->weights = Span<float>(c.take<float>(n_weights), n_weights);
  const std::size_t sf = dsp::LogMelFrontend::scratch_floats(n_fft);
  p->scratch = Span<float>(c.take<float>(sf), sf);
  const std::size_t sb = dsp::LogMelFrontend::scratch_bins(n_fft);
  p->spectrum = Span<dsp::Complex32>(c.take<dsp::Complex32>(sb), sb);
  return c.size();
}

MelInstance* get(void* mem) noexcept { return static_cast<MelInstance*>(mem); }
const MelInstance* get(const void* mem) noexcept { return static_cast<const MelInstance*>(mem); }

}  // namespace

extern "C" {

size_t ts_mel_bytes(const ts_mel_config* cfg, int* status) {
  dsp::MelConfig mel{};
  dsp::LogConfig log{};
  dsp::WindowType window{};
  std::size_t n_weights = 0;
  Status s = to_config(cfg, &mel, &log, &window);
  if (tinysense::ok(s)) s = dsp::MelFilterbank::weights_len(mel, &n_weights);
  *status = to_int(s);
  if (!tinysense::ok(s)) return 0;
  MelParts p{};
  return layout(nullptr, mel.n_fft, mel.n_mels, n_weights, &p);
}

int ts_mel_init(void* mem, const ts_mel_config* cfg) {
  dsp::MelConfig mel{};
  dsp::LogConfig log{};
  dsp::WindowType window{};
  std::size_t n_weights = 0;
  TS_TRY(to_config(cfg, &mel, &log, &window));
  TS_TRY(dsp::MelFilterbank::weights_len(mel, &n_weights));
  MelParts p{};
  layout(mem, mel.n_fft, mel.n_mels, n_weights, &p);
  TS_TRY(p.inst->fft.init(mel.n_fft, p.twiddles));
  TS_TRY(dsp::make_window(window, dsp::WindowSymmetry::kPeriodic, p.window));
  TS_TRY(p.inst->fb.init(mel, p.bands, p.weights));
  return to_int(p.inst->frontend.init(p.inst->fft, p.window, p.inst->fb, log, p.scratch,
                                      p.spectrum));
}

size_t ts_mel_n_fft(const void* mem) { return get(mem)->frontend.n_fft(); }
size_t ts_mel_n_mels(const void* mem) { return get(mem)->frontend.n_mels(); }
size_t ts_mel_num_weights(const void* mem) { return get(mem)->fb.num_weights(); }

void ts_mel_process(void* mem, const float* frame, float* out) {
  MelInstance* inst = get(mem);
  inst->frontend.process(Span<const float>(frame, inst->frontend.n_fft()),
                         Span<float>(out, inst->frontend.n_mels()));
}

void ts_mel_apply(const void* mem, const float* power, float* mel) {
  const MelInstance* inst = get(mem);
  inst->fb.apply(Span<const float>(power, inst->fb.n_bins()), Span<float>(mel, inst->fb.n_mels()));
}

int ts_mel_frames(void* mem, const float* x, size_t n, size_t hop, float* out, size_t out_len) {
  return to_int(get(mem)->frontend.process_frames(Span<const float>(x, n), hop,
                                                  Span<float>(out, out_len)));
}

void ts_power_to_db(const float* in, float* out, size_t n, float amin, float ref) {
  dsp::power_to_db(Span<const float>(in, n), Span<float>(out, n), amin, ref);
}

}  // extern "C"
