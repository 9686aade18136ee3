"""BLE advertisement decoding (host side) and reference encoders.

Decodes what tinysense nodes broadcast (see include/tinysense/node/ble_adv.hpp
and bthome.hpp):
  * AD structures: [length][type][data...], length counting the type byte.
  * BTHome v2 service data (AD type 0x16, UUID 0xFCD2), plain or AES-CCM
    encrypted (https://bthome.io/format/, https://bthome.io/encryption/).
  * the compact tinysense manufacturer layout (AD type 0xFF, company 0xFFFF,
    format 0xAA, version 0x01, seq uint16 BE, temperature int16 BE centi-degC).
Everything received is untrusted: malformed input raises AdvertError (a
ValueError), a wrong MIC raises ForgedError. Replay protection needs state
across adverts and lives in the gateway (daemon.ReplayGuard).
"""
import struct
from dataclasses import dataclass, field

BTHOME_UUID = 0xFCD2
COMPANY_TEST = 0xFFFF
COMPACT_FORMAT = 0xAA
COMPACT_VERSION = 0x01
AD_FLAGS, AD_NAME_SHORT, AD_NAME, AD_SERVICE_DATA16, AD_MANUFACTURER = 0x01, 0x08, 0x09, 0x16, 0xFF

# object id: (name, bytes, signed, factor, unit) -- the BTHome v2 ids tinysense knows.
OBJECTS = {
    0x00: ("packet_id", 1, False, 1, ""),
    0x01: ("battery", 1, False, 1, "%"),
    0x02: ("temperature", 2, True, 0.01, "degC"),
    0x03: ("humidity", 2, False, 0.01, "%"),
    0x04: ("pressure", 3, False, 0.01, "hPa"),
    0x05: ("illuminance", 3, False, 0.01, "lux"),
    0x08: ("dew_point", 2, True, 0.01, "degC"),
    0x09: ("count", 1, False, 1, ""),
    0x0A: ("energy", 3, False, 0.001, "kWh"),
    0x0B: ("power", 3, False, 0.01, "W"),
    0x0C: ("voltage", 2, False, 0.001, "V"),
    0x0D: ("pm2_5", 2, False, 1, "ug/m3"),
    0x0E: ("pm10", 2, False, 1, "ug/m3"),
    0x12: ("co2", 2, False, 1, "ppm"),
    0x14: ("moisture", 2, False, 0.01, "%"),
    0x2E: ("humidity", 1, False, 1, "%"),
    0x2F: ("moisture", 1, False, 1, "%"),
    0x3D: ("count", 2, False, 1, ""),
    0x3E: ("count", 4, False, 1, ""),
    0x3F: ("rotation", 2, True, 0.1, "deg"),
    0x40: ("distance", 2, False, 1, "mm"),
    0x43: ("current", 2, False, 0.001, "A"),
    0x45: ("temperature", 2, True, 0.1, "degC"),
}


class AdvertError(ValueError):
    """Malformed or unsupported advertisement data."""


class ForgedError(AdvertError):
    """An encrypted advert whose MIC does not verify (wrong key or tampered)."""


@dataclass
class Reading:
    object_id: int
    name: str
    raw: int
    value: float
    unit: str


@dataclass
class BthomeFrame:
    encrypted: bool
    trigger_based: bool
    device_info: int
    readings: list = field(default_factory=list)
    counter: int = None  # encrypted frames only
    objects: bytes = b""  # plaintext object bytes

    def values(self):
        """{name: value}; a repeated name keeps its first value."""
        out = {}
        for r in self.readings:
            out.setdefault(r.name, r.value)
        return out


@dataclass
class CompactFrame:
    company: int
    sequence: int
    temperature_c: float
    temperature_centi: int


@dataclass
class Advert:
    structures: list  # [(type, data bytes)]
    bthome: BthomeFrame = None
    compact: CompactFrame = None
    name: str = None


def parse_ad(data):
    """Splits advertising data into [(type, data)]. Zero-length structures end
    the data (padding, as the Core spec allows); a length past the end raises."""
    data = bytes(data)
    out, i = [], 0
    while i < len(data):
        n = data[i]
        if n == 0:
            break
        if i + 1 + n > len(data):
            raise AdvertError(f"AD structure at {i} claims {n} bytes, {len(data) - i - 1} left")
        out.append((data[i + 1], data[i + 2:i + 1 + n]))
        i += 1 + n
    return out


def parse_objects(objects):
    """BTHome v2 object list -> [Reading]. Unknown ids raise (their length is
    unknown, so nothing after them could be read)."""
    readings, i = [], 0
    objects = bytes(objects)
    while i < len(objects):
        oid = objects[i]
        if oid not in OBJECTS:
            raise AdvertError(f"unknown BTHome object id 0x{oid:02x}")
        name, nb, signed, factor, unit = OBJECTS[oid]
        if i + 1 + nb > len(objects):
            raise AdvertError(f"BTHome object 0x{oid:02x} truncated")
        raw = int.from_bytes(objects[i + 1:i + 1 + nb], "little", signed=signed)
        value = raw if factor == 1 else round(raw * factor, 6)
        readings.append(Reading(oid, name, raw, value, unit))
        i += 1 + nb
    return readings


def bthome_nonce(mac, device_info, counter):
    """mac (6 bytes, display order) || D2 FC || device info || counter LE."""
    return bytes(mac) + struct.pack("<HBI", BTHOME_UUID, device_info, counter)


def _aesccm(key):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESCCM
    except ImportError as exc:  # pragma: no cover - Debian python3-cryptography
        raise AdvertError("encrypted BTHome needs python3-cryptography") from exc
    return AESCCM(bytes(key), tag_length=4)


def decode_bthome(service_data, mac=None, key=None):
    """Decodes BTHome v2 service data starting at the UUID (D2 FC ...).

    Encrypted frames need mac (6 bytes, display order) and key (16 bytes);
    without them AdvertError, with a wrong MIC ForgedError."""
    sd = bytes(service_data)
    if len(sd) < 3 or int.from_bytes(sd[:2], "little") != BTHOME_UUID:
        raise AdvertError("not BTHome service data (UUID 0xFCD2)")
    info = sd[2]
    if info >> 5 != 2:
        raise AdvertError(f"BTHome version {info >> 5} not supported")
    encrypted, trigger = bool(info & 0x01), bool(info & 0x04)
    body = sd[3:]
    if not encrypted:
        return BthomeFrame(False, trigger, info, parse_objects(body), None, body)
    if len(body) < 8:
        raise AdvertError("encrypted BTHome frame too short")
    if key is None or mac is None:
        raise AdvertError("encrypted BTHome frame and no key/MAC for it")
    if len(mac) != 6 or len(key) != 16:
        raise AdvertError("MAC must be 6 bytes and key 16 bytes")
    ciphertext, counter_b, mic = body[:-8], body[-8:-4], body[-4:]
    counter = int.from_bytes(counter_b, "little")
    try:
        plain = _aesccm(key).decrypt(bthome_nonce(mac, info, counter), ciphertext + mic, None)
    except Exception as exc:  # cryptography.exceptions.InvalidTag
        raise ForgedError("BTHome MIC does not verify") from exc
    return BthomeFrame(True, trigger, info, parse_objects(plain), counter, plain)


def decode_compact(mfr_data):
    """Manufacturer-specific data (after the AD type byte) of the compact layout."""
    d = bytes(mfr_data)
    if len(d) != 8:
        raise AdvertError(f"compact layout is 8 bytes, got {len(d)}")
    company, fmt, ver, seq, temp = struct.unpack("<HBB", d[:4]) + struct.unpack(">Hh", d[4:])
    if fmt != COMPACT_FORMAT or ver != COMPACT_VERSION:
        raise AdvertError(f"compact format 0x{fmt:02x} version {ver} not supported")
    return CompactFrame(company, seq, temp / 100.0, temp)


def decode_advert(adv, mac=None, key=None):
    """Decodes a whole advert; BTHome and compact parts when present."""
    out = Advert(parse_ad(adv))
    for t, d in out.structures:
        if t == AD_SERVICE_DATA16 and len(d) >= 2 and int.from_bytes(d[:2], "little") == BTHOME_UUID:
            out.bthome = decode_bthome(d, mac, key)
        elif t == AD_MANUFACTURER and len(d) >= 3 and d[2] == COMPACT_FORMAT:
            out.compact = decode_compact(d)
        elif t in (AD_NAME, AD_NAME_SHORT):
            out.name = d.decode("utf-8", "replace")
    return out


# ---- reference encoders (host tools, tests, the fleet simulator's BLE relays) ----

def encode_objects(objects):
    """[(object_id, raw_int)] -> object bytes, sorted by id (stable)."""
    out = bytearray()
    for oid, raw in sorted(objects, key=lambda t: t[0]):
        if oid not in OBJECTS:
            raise ValueError(f"unknown BTHome object id 0x{oid:02x}")
        _, nb, signed, _, _ = OBJECTS[oid]
        out.append(oid)
        out += int(raw).to_bytes(nb, "little", signed=signed)
    return bytes(out)


def encode_bthome(objects, key=None, mac=None, counter=0, trigger_based=False):
    """BTHome v2 service data (from the UUID), encrypted when key is given."""
    info = 0x40 | (0x04 if trigger_based else 0)
    objs = encode_objects(objects)
    if key is None:
        return struct.pack("<HB", BTHOME_UUID, info) + objs
    info |= 0x01
    sealed = _aesccm(key).encrypt(bthome_nonce(mac, info, counter), objs, None)
    return struct.pack("<HB", BTHOME_UUID, info) + sealed[:-4] + struct.pack("<I", counter) + sealed[-4:]


def ad(type_, data):
    data = bytes(data)
    if len(data) > 254:
        raise ValueError("AD data longer than 254 bytes")
    return bytes([len(data) + 1, type_]) + data


def encode_compact(sequence, temperature_centi, company=COMPANY_TEST):
    """The compact layout as an AD structure (10 bytes)."""
    return ad(AD_MANUFACTURER, struct.pack("<HBB", company, COMPACT_FORMAT, COMPACT_VERSION)
              + struct.pack(">Hh", sequence, temperature_centi))
