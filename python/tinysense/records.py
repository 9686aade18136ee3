"""Decoder of RecordLog flash images and encoder/decoder of the compact record format.

Two host tools in one module, both pure Python (no numpy), equal to the C++:

* ``decode_log(image, ...)`` reads a flash image of ``tinysense::node::RecordLog``
  (include/tinysense/node/record_log.hpp, format in docs/design/storage.md)
  exactly as the firmware's mount() + read() do: same head choice, same damage
  policy, so it returns the same records, sent marker and next sequence number.
* ``encode_record`` / ``decode_record`` implement the record payload format of
  include/tinysense/node/record.hpp byte for byte (golden bytes are checked on
  both sides).

Command line: ``python3 -m tinysense.records IMAGE [--block-size N --block-count N
--prog-size N] [--unsent] [--raw]`` prints the records of a flash dump, decoded
when they are in the record format.
"""
import argparse
import struct
import sys
import zlib
from dataclasses import dataclass, field

# ---- record payload format (record.hpp) ------------------------------------

RECORD_VERSION = 1
KINDS = {"measurement": 0, "classification": 1, "event": 2, "status": 3}
HUMIDITY_MAX = 10000

TAG_TEMPERATURE, TAG_HUMIDITY, TAG_SOUND_LEVEL, TAG_CLASS = 0x01, 0x02, 0x03, 0x04
TAG_FEATURES, TAG_BATTERY, TAG_VALUE = 0x05, 0x06, 0x07

WEIGHTINGS = {"Z": 0, "A": 1, "C": 2}
STATISTICS = {"eq": 0, "max": 1, "min": 2, "10": 3, "50": 4, "90": 5, "F": 6, "S": 7}


def sound_metric(weighting, statistic):
    """Metric byte of a sound level, e.g. sound_metric("A", "90") for LA90."""
    return (WEIGHTINGS[weighting] << 4) | STATISTICS[statistic]


def confidence_u8(p):
    """Probability -> confidence byte round(p * 255), saturating, NaN -> 0 (as the C++)."""
    p = float(p)
    if not p > 0.0:
        return 0
    if p >= 1.0:
        return 255
    return int(p * 255.0 + 0.5)


class RecordError(ValueError):
    """A record that is not valid in format version 1."""


@dataclass
class Record:
    kind: int
    seq: int
    timestamp: int
    fields: list = field(default_factory=list)
    version: int = RECORD_VERSION


def _varint(v):
    if not 0 <= v <= 0xFFFFFFFF:
        raise ValueError(f"varint out of range: {v}")
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _zigzag(v):
    if not -(1 << 31) <= v < (1 << 31):
        raise ValueError(f"value out of int32 range: {v}")
    return ((v << 1) ^ (v >> 31)) & 0xFFFFFFFF


def _check_int(name, v, lo, hi):
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {v!r}")
    return v


def encode_field(f):
    """One field tuple -> bytes. Tuples:
    ("temperature", centi_degC)          int16
    ("humidity", centi_percent)          0..10000
    ("sound_level", metric, centi_dB)    u8, int16
    ("class", class_id, confidence)      u8, u8 (0..255 <-> 0..1)
    ("features", (i16, ...))             1..255 values
    ("battery", millivolts)              u16
    ("value", channel, int32)
    ("ext", tag, bytes)                  tag 0x80..0xFF, <= 255 bytes
    """
    name = f[0]
    if name == "temperature":
        return struct.pack("<Bh", TAG_TEMPERATURE, _check_int("temperature", f[1], -32768, 32767))
    if name == "humidity":
        return struct.pack("<BH", TAG_HUMIDITY, _check_int("humidity", f[1], 0, HUMIDITY_MAX))
    if name == "sound_level":
        return struct.pack("<BBh", TAG_SOUND_LEVEL, _check_int("metric", f[1], 0, 255),
                           _check_int("sound level", f[2], -32768, 32767))
    if name == "class":
        return struct.pack("<BBB", TAG_CLASS, _check_int("class id", f[1], 0, 255),
                           _check_int("confidence", f[2], 0, 255))
    if name == "features":
        vals = [int(v) for v in f[1]]
        if not 1 <= len(vals) <= 255:
            raise ValueError(f"features: 1..255 values, got {len(vals)}")
        for v in vals:
            _check_int("feature", v, -32768, 32767)
        return struct.pack(f"<BB{len(vals)}h", TAG_FEATURES, len(vals), *vals)
    if name == "battery":
        return struct.pack("<BH", TAG_BATTERY, _check_int("battery", f[1], 0, 65535))
    if name == "value":
        return struct.pack("<BB", TAG_VALUE, _check_int("channel", f[1], 0, 255)) + _varint(
            _zigzag(_check_int("value", f[2], -(1 << 31), (1 << 31) - 1)))
    if name == "ext":
        data = bytes(f[2])
        _check_int("extension tag", f[1], 0x80, 0xFF)
        if len(data) > 255:
            raise ValueError("extension data: at most 255 bytes")
        return bytes([f[1], len(data)]) + data
    raise ValueError(f"unknown field {name!r}")


def encode_record(kind, seq, timestamp, fields=()):
    """Encodes one record; kind is an int 0..31 or a name of KINDS."""
    kind = KINDS.get(kind, kind) if isinstance(kind, str) else kind
    _check_int("kind", kind, 0, 31)
    out = bytearray([(RECORD_VERSION << 5) | kind])
    out += _varint(_check_int("seq", seq, 0, 0xFFFFFFFF))
    out += _varint(_check_int("timestamp", timestamp, 0, 0xFFFFFFFF))
    for f in fields:
        out += encode_field(f)
    return bytes(out)


def _get_varint(data, pos):
    v = 0
    for i in range(5):
        if pos >= len(data):
            raise RecordError("corrupt record: truncated varint")
        b = data[pos]
        pos += 1
        if i == 4 and b > 0x0F:
            raise RecordError("corrupt record: varint above 32 bits")
        v |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            if i > 0 and b == 0:
                raise RecordError("corrupt record: non-minimal varint")
            return v, pos
    raise RecordError("corrupt record: varint too long")


def decode_record(data):
    """Decodes one record (untrusted bytes) -> Record; raises RecordError."""
    data = bytes(data)
    if not data:
        raise RecordError("corrupt record: empty")
    if data[0] >> 5 != RECORD_VERSION:
        raise RecordError(f"unsupported record version {data[0] >> 5}")
    kind = data[0] & 0x1F
    seq, pos = _get_varint(data, 1)
    ts, pos = _get_varint(data, pos)
    fields = []
    n = len(data)

    def need(k):
        if n - pos < k:
            raise RecordError(f"corrupt record: field 0x{tag:02x} truncated")

    while pos < n:
        tag = data[pos]
        pos += 1
        if tag in (TAG_TEMPERATURE, TAG_HUMIDITY, TAG_BATTERY):
            need(2)
            (v,) = struct.unpack_from("<h" if tag == TAG_TEMPERATURE else "<H", data, pos)
            if tag == TAG_HUMIDITY and v > HUMIDITY_MAX:
                raise RecordError(f"corrupt record: humidity {v} above {HUMIDITY_MAX}")
            fields.append(({TAG_TEMPERATURE: "temperature", TAG_HUMIDITY: "humidity",
                            TAG_BATTERY: "battery"}[tag], v))
            pos += 2
        elif tag == TAG_SOUND_LEVEL:
            need(3)
            metric, v = struct.unpack_from("<Bh", data, pos)
            fields.append(("sound_level", metric, v))
            pos += 3
        elif tag == TAG_CLASS:
            need(2)
            fields.append(("class", data[pos], data[pos + 1]))
            pos += 2
        elif tag == TAG_FEATURES:
            need(1)
            count = data[pos]
            if count == 0:
                raise RecordError("corrupt record: empty feature vector")
            pos += 1
            need(2 * count)
            fields.append(("features", struct.unpack_from(f"<{count}h", data, pos)))
            pos += 2 * count
        elif tag == TAG_VALUE:
            need(1)
            channel = data[pos]
            z, pos = _get_varint(data, pos + 1)
            fields.append(("value", channel, (z >> 1) ^ -(z & 1)))
        elif tag >= 0x80:
            need(1)
            length = data[pos]
            pos += 1
            need(length)
            fields.append(("ext", tag, data[pos:pos + length]))
            pos += length
        else:
            raise RecordError(f"corrupt record: unknown tag 0x{tag:02x}")
    return Record(kind, seq, ts, fields)


# ---- RecordLog flash image (record_log.hpp, storage.md) --------------------

LOG_MAGIC = 0x474C5354  # "TSLG"
LOG_VERSION = 1
BLOCK_HEADER = 32
FRAME_OVERHEAD = 12
MARKER_FLAG = 0x8000
_BLOCK = struct.Struct("<IHHIIIIII")  # magic, version, prog, bsize, bcount, seq, first, sent, crc


@dataclass
class LogImage:
    """What RecordLog::mount() + read() see in an image."""
    records: list            # [(seq, payload bytes)], oldest first
    sent_end: int            # records with seq < sent_end are marked sent
    next_seq: int            # sequence number of the next append
    head_block: object       # block seq of the newest block (None: empty log)
    oldest_block: int
    sealed: bool             # head unusable for more frames (damaged/torn tail)
    block_size: int
    block_count: int
    prog_size: int
    damaged_frames: int = 0  # frames skipped by read(): bad CRC
    damaged_blocks: int = 0  # live blocks cut short by a damaged frame header or block header

    def unsent(self):
        return [(s, p) for s, p in self.records if s >= self.sent_end]


def _round_up(x, a):
    return (x + a - 1) & ~(a - 1)


def _header_at(image, off):
    """(magic_ok_and_crc_ok, fields) of the 32 bytes at off."""
    h = image[off:off + BLOCK_HEADER]
    if len(h) < BLOCK_HEADER:
        return None
    f = _BLOCK.unpack(h)
    if f[0] != LOG_MAGIC or f[8] != zlib.crc32(h[:28]):
        return None
    return dict(version=f[1], prog_size=f[2], block_size=f[3], block_count=f[4], seq=f[5],
                first_seq=f[6], sent_end=f[7])


def detect_geometry(image):
    """(block_size, block_count, prog_size) from the first valid block header whose
    geometry matches the image size; raises ValueError when there is none."""
    n = len(image)
    bs = 128
    while bs <= n:
        if n % bs == 0:
            for p in range(n // bs):
                h = _header_at(image, p * bs)
                if h and h["block_size"] == bs and h["block_size"] * h["block_count"] == n:
                    return bs, h["block_count"], h["prog_size"]
        bs *= 2
    raise ValueError("no valid RecordLog block header found: give the geometry explicitly")


class _Reader:
    END, BAD, OK = 0, 1, 2

    def __init__(self, image, bs, bc, ps):
        self.img, self.bs, self.bc, self.ps = image, bs, bc, ps
        self.data_start = _round_up(BLOCK_HEADER, ps)
        self.marker_bytes = _round_up(FRAME_OVERHEAD, ps)

    def header(self, p):
        """'invalid' | 'newer' | 'foreign' | dict, like parse_header()."""
        h = _header_at(self.img, p * self.bs)
        if h is None:
            return "invalid"
        if h["version"] != LOG_VERSION:
            return "newer"
        if (h["prog_size"], h["block_size"], h["block_count"]) != (self.ps, self.bs, self.bc):
            return "foreign"
        return h

    def block_header(self, block_seq):
        h = self.header(block_seq % self.bc)
        return h if isinstance(h, dict) and h["seq"] == block_seq else None

    def frame(self, p, off, end):
        """(state, seq, length, marker, size, raw header)."""
        if off > end or end - off < FRAME_OVERHEAD:
            return self.END, 0, 0, False, 0, b""
        base = p * self.bs + off
        raw = self.img[base:base + 8]
        if raw == b"\xff" * 8:
            return self.END, 0, 0, False, 0, raw
        seq, info, check = struct.unpack("<IHH", raw)
        if check != zlib.crc32(raw[:6]) & 0xFFFF:
            return self.BAD, 0, 0, False, 0, raw
        marker, length = bool(info & MARKER_FLAG), info & 0x7FFF
        size = _round_up(FRAME_OVERHEAD + length, self.ps)
        if (marker and length) or size > end - off:
            return self.BAD, 0, 0, False, 0, raw
        return self.OK, seq, length, marker, size, raw

    def crc_ok(self, p, off, length, raw):
        base = p * self.bs + off
        payload = self.img[base + 8:base + 8 + length]
        (stored,) = struct.unpack_from("<I", self.img, base + 8 + length)
        return stored == zlib.crc32(payload, zlib.crc32(raw)), payload


def decode_log(image, block_size=None, block_count=None, prog_size=None):
    """Reads a RecordLog flash image (bytes). Geometry: given, or detected from a
    block header. Raises ValueError for a log of another geometry (as mount()
    returns kInvalidArgument) or a newer format version (kNotSupported)."""
    image = bytes(image)
    if block_size is None or block_count is None or prog_size is None:
        bs, bc, ps = detect_geometry(image)
        block_size, block_count, prog_size = block_size or bs, block_count or bc, prog_size or ps
    if len(image) < block_size * block_count:
        raise ValueError(f"image of {len(image)} bytes is smaller than {block_count} x {block_size}")
    r = _Reader(image, block_size, block_count, prog_size)
    n = block_count
    head = None
    for p in range(n):
        h = r.header(p)
        if h == "invalid":
            continue
        if h == "newer":
            raise ValueError("RecordLog format version newer than this decoder")
        if h == "foreign":
            raise ValueError("the image holds a RecordLog of another geometry")
        if h["seq"] % n != p:
            continue
        if head is None or h["seq"] > head["seq"]:
            head = h
    max_frames = block_size // r.marker_bytes
    out = LogImage([], 0, 0, None, 0, False, block_size, block_count, prog_size)

    def scan_orphan(p, has_head, next_seq):
        off = r.data_start
        while True:
            st, seq, length, marker, size, raw = r.frame(p, off, block_size)
            if st == r.BAD and has_head:
                skip = (block_size - off) // r.marker_bytes
                next_seq = min(next_seq + skip, 0xFFFFFFFE)
            if st != r.OK:
                return next_seq
            if not marker and next_seq <= seq != 0xFFFFFFFF and r.crc_ok(p, off, length, raw)[0]:
                next_seq = seq + 1
            off += size

    if head is None:
        for p in range(n):
            out.next_seq = scan_orphan(p, False, out.next_seq)
        return out

    head_seq = head["seq"]
    out.head_block = head_seq
    out.oldest_block = head_seq - (n - 2) if head_seq >= n - 2 else 0
    next_seq, sent_end = head["first_seq"], head["sent_end"]
    for b in range(out.oldest_block, head_seq):  # numbers continue after every live block's
        h = r.block_header(b)                     # first seq (inconsistent images)
        if h is not None and h["first_seq"] > next_seq:
            next_seq = h["first_seq"]
    # scan_head(): write position, markers, next sequence number
    p = head_seq % n
    off, clean = r.data_start, False
    while True:
        st, seq, length, marker, size, raw = r.frame(p, off, block_size)
        if st == r.END:
            clean = True
            break
        if st == r.BAD:
            skip = (block_size - off) // r.marker_bytes
            next_seq = min(next_seq + skip, 0xFFFFFFFE)
            break
        ok = r.crc_ok(p, off, length, raw)[0]
        if marker:
            if ok and seq > sent_end:
                sent_end = seq
        elif next_seq <= seq != 0xFFFFFFFF and (ok or seq - next_seq < max_frames):
            next_seq = seq + 1
        off += size
    write_off = off
    if clean:
        tail = image[p * block_size + off:(p + 1) * block_size]
        clean = tail == b"\xff" * len(tail)
    out.sealed = not clean
    spare = (head_seq + 1) % n
    if not isinstance(r.header(spare), dict):
        next_seq = scan_orphan(spare, True, next_seq)
    out.sent_end = min(sent_end, next_seq)
    out.next_seq = next_seq

    # read() from begin(): live blocks oldest first, damaged frames skipped.
    min_seq = 0
    for b in range(out.oldest_block, head_seq + 1):
        h = r.block_header(b)
        if h is None:
            out.damaged_blocks += 1
            continue
        # A block's records lie in [its first seq, the next valid block's first seq).
        min_seq = max(min_seq, h["first_seq"])
        end_seq = 0xFFFFFFFF
        for b2 in range(b + 1, head_seq + 1):
            h2 = r.block_header(b2)
            if h2 is not None:
                end_seq = h2["first_seq"]
                break
        p = b % n
        end = write_off if b == head_seq else block_size
        off = r.data_start
        while True:
            st, seq, length, marker, size, raw = r.frame(p, off, end)
            if st != r.OK:
                if st == r.BAD:
                    out.damaged_blocks += 1
                break
            if not marker and min_seq <= seq < min(next_seq, end_seq):
                ok, payload = r.crc_ok(p, off, length, raw)
                if ok:
                    out.records.append((seq, payload))
                    min_seq = seq + 1
                else:
                    out.damaged_frames += 1
            off += size
    return out


def _format_record(payload, raw):
    if not raw:
        try:
            rec = decode_record(payload)
            kind = next((k for k, v in KINDS.items() if v == rec.kind), str(rec.kind))
            return f"{kind} seq={rec.seq} t={rec.timestamp}s " + " ".join(
                f"{f[0]}={','.join(str(x) for x in f[1:])}" for f in rec.fields)
        except RecordError:
            pass
    return payload.hex()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tinysense.records",
                                 description="Print the records of a RecordLog flash image.")
    ap.add_argument("image", help="flash dump (the log's blocks, in order)")
    ap.add_argument("--block-size", type=int)
    ap.add_argument("--block-count", type=int)
    ap.add_argument("--prog-size", type=int)
    ap.add_argument("--unsent", action="store_true", help="only records not marked sent")
    ap.add_argument("--raw", action="store_true", help="hex payloads, no record decoding")
    args = ap.parse_args(argv)
    with open(args.image, "rb") as f:
        image = f.read()
    try:
        log = decode_log(image, args.block_size, args.block_count, args.prog_size)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"# {log.block_count} blocks x {log.block_size} B, prog {log.prog_size}; head block "
          f"{log.head_block}, {len(log.records)} records, sent_end {log.sent_end}, next_seq "
          f"{log.next_seq}, damaged frames {log.damaged_frames}, damaged blocks {log.damaged_blocks}")
    for seq, payload in (log.unsent() if args.unsent else log.records):
        print(f"{seq}\t{'sent' if seq < log.sent_end else 'unsent'}\t{_format_record(payload, args.raw)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
