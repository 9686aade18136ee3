// Python: tinysense.RecordLog (the C++ log on an emulated NOR flash in RAM, with
// power-cut injection) and tinysense.record_encode / record_decode (the C++
// record codec), so host tests can compare them with python/tinysense/records.py.
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/node/flash.hpp"
#include "tinysense/node/record.hpp"
#include "tinysense/node/record_log.hpp"

namespace tinysense::py {
namespace {

struct PyLog {
  std::vector<std::uint8_t> mem;
  std::vector<std::uint32_t> erases;
  std::vector<std::uint8_t> buf;
  node::RamFlash flash;
  node::RecordLog log;
  node::LogConfig cfg;
};

std::string bytes_of(const pyb::handle& obj, const char* name) {
  if (pyb::isinstance<pyb::bytes>(obj)) return obj.cast<std::string>();
  if (pyb::isinstance<pyb::bytearray>(obj)) {
    return std::string(PyByteArray_AsString(obj.ptr()),
                       static_cast<std::size_t>(PyByteArray_Size(obj.ptr())));
  }
  throw pyb::type_error(std::string(name) + ": expected bytes or bytearray");
}

Span<const std::uint8_t> span_of(const std::string& s) {
  return Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

node::PowerCut parse_mode(const std::string& mode) {
  if (mode == "clean") return node::PowerCut::kClean;
  if (mode == "prefix") return node::PowerCut::kPrefix;
  if (mode == "scatter") return node::PowerCut::kScatter;
  throw pyb::value_error("mode must be 'clean', 'prefix' or 'scatter'");
}

pyb::list records_of(PyLog& p, bool unsent) {
  node::LogCursor c = p.log.begin();
  if (unsent) check(p.log.unsent(&c), "records");
  std::vector<std::uint8_t> out(p.log.max_payload());
  pyb::list result;
  node::RecordInfo info;
  for (;;) {
    const Status s = p.log.read(&c, Span<std::uint8_t>(out.data(), out.size()), &info);
    if (s == Status::kNoData) break;
    check(s, "records");
    result.append(pyb::make_tuple(
        info.seq, pyb::bytes(reinterpret_cast<const char*>(out.data()), info.size)));
  }
  return result;
}

void mount(PyLog& p) {
  check(p.log.mount(p.flash.flash(), Span<std::uint8_t>(p.buf.data(), p.buf.size()), p.cfg),
        "RecordLog.mount");
}

std::uint32_t u32(long long v, const char* name) {
  if (v < 0 || v > 0xFFFFFFFFll) throw pyb::value_error(std::string(name) + ": out of u32 range");
  return static_cast<std::uint32_t>(v);
}

// The record codec with the field tuples of records.py.
pyb::bytes record_encode(long long kind, long long seq, long long timestamp,
                         const pyb::iterable& fields) {
  if (kind < 0 || kind > 31) throw pyb::value_error("kind must be in 0..31");
  std::vector<std::uint8_t> out(65536);
  node::RecordEncoder e;
  check(e.begin(Span<std::uint8_t>(out.data(), out.size()), static_cast<std::uint8_t>(kind),
                u32(seq, "seq"), u32(timestamp, "timestamp")),
        "record_encode");
  for (const pyb::handle f : fields) {
    const auto t = pyb::reinterpret_borrow<pyb::tuple>(f);
    const std::string name = t[0].cast<std::string>();
    auto i = [&](std::size_t k) { return t[k].cast<long long>(); };
    auto in = [&](std::size_t k, long long lo, long long hi) {
      const long long v = i(k);
      if (v < lo || v > hi) throw pyb::value_error(name + ": value out of range");
      return v;
    };
    Status s = Status::kInvalidArgument;
    if (name == "temperature") {
      s = e.add_temperature(static_cast<std::int16_t>(in(1, -32768, 32767)));
    } else if (name == "humidity") {
      s = e.add_humidity(static_cast<std::uint16_t>(in(1, 0, 65535)));
    } else if (name == "sound_level") {
      s = e.add_sound_level(static_cast<std::uint8_t>(in(1, 0, 255)),
                            static_cast<std::int16_t>(in(2, -32768, 32767)));
    } else if (name == "class") {
      s = e.add_class(static_cast<std::uint8_t>(in(1, 0, 255)),
                      static_cast<std::uint8_t>(in(2, 0, 255)));
    } else if (name == "features") {
      std::vector<std::int16_t> v;
      for (const pyb::handle x : pyb::reinterpret_borrow<pyb::iterable>(t[1])) {
        const long long y = x.cast<long long>();
        if (y < -32768 || y > 32767) throw pyb::value_error("features: value out of int16");
        v.push_back(static_cast<std::int16_t>(y));
      }
      s = e.add_features(Span<const std::int16_t>(v.data(), v.size()));
    } else if (name == "battery") {
      s = e.add_battery(static_cast<std::uint16_t>(in(1, 0, 65535)));
    } else if (name == "value") {
      s = e.add_value(static_cast<std::uint8_t>(in(1, 0, 255)),
                      static_cast<std::int32_t>(in(2, -2147483648ll, 2147483647ll)));
    } else if (name == "ext") {
      const std::string data = bytes_of(t[2], "ext data");
      s = e.add_extension(static_cast<std::uint8_t>(in(1, 0, 255)), span_of(data));
    } else {
      throw pyb::value_error("unknown field '" + name + "'");
    }
    check(s, name.c_str());
  }
  return pyb::bytes(reinterpret_cast<const char*>(e.bytes().data()), e.size());
}

pyb::tuple record_decode(const pyb::handle& data_obj) {
  const std::string data = bytes_of(data_obj, "record_decode");
  node::RecordDecoder d;
  node::RecordHeader h;
  check(d.begin(span_of(data), &h), "record_decode");
  pyb::list fields;
  node::Field f;
  for (;;) {
    const Status s = d.next(&f);
    if (s == Status::kNoData) break;
    check(s, "record_decode");
    switch (f.type) {
      case node::FieldType::kTemperature: fields.append(pyb::make_tuple("temperature", f.value)); break;
      case node::FieldType::kHumidity: fields.append(pyb::make_tuple("humidity", f.value)); break;
      case node::FieldType::kBattery: fields.append(pyb::make_tuple("battery", f.value)); break;
      case node::FieldType::kSoundLevel:
        fields.append(pyb::make_tuple("sound_level", f.id, f.value));
        break;
      case node::FieldType::kClass: fields.append(pyb::make_tuple("class", f.id, f.value)); break;
      case node::FieldType::kValue: fields.append(pyb::make_tuple("value", f.id, f.value)); break;
      case node::FieldType::kFeatures: {
        pyb::tuple v(f.id);
        for (std::size_t k = 0; k < f.id; ++k) v[k] = pyb::int_(node::feature(f, k));
        fields.append(pyb::make_tuple("features", v));
        break;
      }
      case node::FieldType::kExtension:
        fields.append(pyb::make_tuple(
            "ext", f.id,
            pyb::bytes(reinterpret_cast<const char*>(f.data.data()), f.data.size())));
        break;
    }
  }
  return pyb::make_tuple(h.kind, h.seq, h.timestamp, fields);
}

void bind(pyb::module_& m) {
  pyb::class_<PyLog>(m, "RecordLog",
                     "tinysense::node::RecordLog on an emulated NOR flash in RAM (erased = "
                     "0xFF, programs AND bits in), with power-cut injection. image= loads a "
                     "flash dump instead of a blank chip; buffer=0 picks the smallest buffer the write unit allows.")
      .def(pyb::init([](long block_size, long block_count, long prog_size, bool drop_oldest,
                        int ack_reserve, long buffer, const pyb::object& image) {
             if (buffer == 0) {  // default: the minimum for this write unit, at least 64 bytes
               buffer = static_cast<long>(node::RecordLog::min_buffer_bytes(
                   static_cast<std::uint32_t>(prog_size > 0 ? prog_size : 1)));
               buffer = buffer < 64 ? 64 : buffer;
             }
             if (block_size <= 0 || block_count <= 0 || prog_size <= 0 || buffer <= 0 ||
                 ack_reserve < 0 || ack_reserve > 255 || block_size * block_count > (1l << 28)) {
               throw pyb::value_error("RecordLog: sizes must be positive (and the flash <= 256 MiB)");
             }
             auto p = std::make_unique<PyLog>();
             p->mem.resize(static_cast<std::size_t>(block_size * block_count));
             p->erases.resize(static_cast<std::size_t>(block_count));
             p->buf.resize(static_cast<std::size_t>(buffer));
             p->cfg.drop_oldest = drop_oldest;
             p->cfg.ack_reserve = static_cast<std::uint8_t>(ack_reserve);
             check(p->flash.init(Span<std::uint8_t>(p->mem.data(), p->mem.size()),
                                 static_cast<std::uint32_t>(block_size),
                                 static_cast<std::uint32_t>(block_count),
                                 static_cast<std::uint32_t>(prog_size),
                                 Span<std::uint32_t>(p->erases.data(), p->erases.size())),
                   "RecordLog");
             if (!image.is_none()) {
               const std::string img = bytes_of(image, "image");
               if (img.size() != p->mem.size()) {
                 throw pyb::value_error("image: expected block_size * block_count bytes");
               }
               std::copy(img.begin(), img.end(), p->mem.begin());
             }
             mount(*p);
             return p;
           }),
           pyb::arg("block_size") = 4096, pyb::arg("block_count") = 8, pyb::arg("prog_size") = 4,
           pyb::arg("drop_oldest") = false, pyb::arg("ack_reserve") = 2,
           pyb::arg("buffer") = 0, pyb::arg("image") = pyb::none())
      .def(
          "append",
          [](PyLog& p, const pyb::handle& data) {
            const std::string d = bytes_of(data, "append");
            std::uint32_t seq = 0;
            check(p.log.append(span_of(d), &seq), "append");
            return seq;
          },
          "Appends one record (bytes); returns its sequence number. OSError when the log is "
          "full (no space) or the flash fails (power cut).")
      .def(
          "mark_sent",
          [](PyLog& p, long long seq) {
            const Status s = p.log.mark_sent(u32(seq, "mark_sent"));
            if (s == Status::kBusy) return false;
            check(s, "mark_sent");
            return true;
          },
          "Marks every record with seq <= seq sent; True when durable, False when kept in RAM "
          "until the next block header (full log).")
      .def(
          "records", [](PyLog& p, bool unsent) { return records_of(p, unsent); },
          pyb::arg("unsent") = false, "[(seq, bytes)] oldest first, as read() returns them.")
      .def("remount", [](PyLog& p) { mount(p); }, "Mounts again (a reboot).")
      .def(
          "image",
          [](PyLog& p) {
            return pyb::bytes(reinterpret_cast<const char*>(p.mem.data()), p.mem.size());
          },
          "The flash contents.")
      .def(
          "load_image",
          [](PyLog& p, const pyb::handle& image) {
            const std::string img = bytes_of(image, "load_image");
            if (img.size() != p.mem.size()) throw pyb::value_error("load_image: wrong size");
            std::copy(img.begin(), img.end(), p.mem.begin());
            mount(p);
          },
          "Replaces the flash contents and mounts.")
      .def(
          "erase_counts",
          [](PyLog& p) {
            pyb::array_t<std::uint32_t> out(static_cast<pyb::ssize_t>(p.erases.size()));
            std::copy(p.erases.begin(), p.erases.end(), out.mutable_data());
            return out;
          },
          "Erases per block (uint32 array).")
      .def(
          "cut_power",
          [](PyLog& p, long long after_ops, const std::string& mode, long long seed) {
            p.flash.cut_power_at(u32(after_ops, "after_ops"), parse_mode(mode), u32(seed, "seed"));
          },
          pyb::arg("after_ops"), pyb::arg("mode") = "clean", pyb::arg("seed") = 0,
          "Cuts the power at the after_ops-th program/erase from now ('clean', 'prefix' or "
          "'scatter' partial result).")
      .def("power_on", [](PyLog& p) { p.flash.power_on(); }, "Restores power (then remount()).")
      .def_property_readonly("powered", [](const PyLog& p) { return p.flash.powered(); })
      .def_property_readonly("ops", [](const PyLog& p) { return p.flash.ops(); })
      .def_property_readonly("violations", [](const PyLog& p) { return p.flash.violations(); })
      .def_property_readonly("next_seq", [](const PyLog& p) { return p.log.next_seq(); })
      .def_property_readonly("sent_end", [](const PyLog& p) { return p.log.sent_end(); })
      .def_property_readonly("sent_durable", [](const PyLog& p) { return p.log.sent_durable(); })
      .def_property_readonly("max_payload", [](const PyLog& p) { return p.log.max_payload(); })
      .def_property_readonly("head_block", [](const PyLog& p) -> pyb::object {
        if (!p.log.has_blocks()) return pyb::none();
        return pyb::int_(p.log.head_block());
      })
      .def_property_readonly("oldest_block", [](const PyLog& p) { return p.log.oldest_block(); });

  m.def("record_encode", &record_encode, pyb::arg("kind"), pyb::arg("seq"), pyb::arg("timestamp"),
        pyb::arg("fields"),
        "C++ RecordEncoder; fields as in tinysense.records.encode_field. Returns bytes.");
  m.def("record_decode", &record_decode, pyb::arg("data"),
        "C++ RecordDecoder: (kind, seq, timestamp, [field tuples]); ValueError when corrupt.");
}

const Binder registered("node_log", bind);

}  // namespace
}  // namespace tinysense::py
