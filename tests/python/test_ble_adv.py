"""BLE adverts: the C++ node encoders (tinysense._ext) vs the host decoders
(tinysense.gateway.bthome), the published BTHome examples, and Python's
cryptography (AESCCM, AES-ECB) as the AES/CCM oracle."""
import random

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

import tinysense as ts
from tinysense.gateway import bthome as bt

KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
MAC = bytes.fromhex("5448E68F80A5")
# bthome.io/encryption example as decoded by bthome-ble (test_parser_v2: test_bindkey_correct).
PUBLISHED_ENCRYPTED = bytes.fromhex("d2fc41a47266c95f730011223378237214")


def test_published_encrypted_example_decodes_and_is_reproduced():
    f = bt.decode_bthome(PUBLISHED_ENCRYPTED, MAC, KEY)
    assert f.encrypted and not f.trigger_based and f.counter == 0x33221100
    assert f.values() == {"temperature": 25.06, "humidity": 50.55}
    assert f.objects == bytes.fromhex("02ca0903bf13")
    objs = [(0x02, 2506), (0x03, 5055)]
    assert ts.bthome_service_data(objs, key=KEY, mac=MAC, counter=0x33221100) == PUBLISHED_ENCRYPTED
    assert bt.encode_bthome(objs, KEY, MAC, 0x33221100) == PUBLISHED_ENCRYPTED


def test_published_plain_examples():
    # bthome-ble issue #118 and test_parser_v2 (pressure 1008.83 hPa).
    f = bt.decode_bthome(bytes.fromhex("d2fc40003f015e02820803ac170c830b"))
    assert f.values() == {"packet_id": 63, "battery": 94, "temperature": 21.78,
                          "humidity": 60.6, "voltage": 2.947}
    assert bt.decode_bthome(bytes.fromhex("d2fc4004138a01")).values() == {"pressure": 1008.83}
    assert bt.decode_bthome(bytes.fromhex("d2fc4404138a01")).trigger_based
    objs = [(0x0C, 2947), (0x03, 6060), (0x02, 2178), (0x01, 94), (0x00, 63)]
    assert ts.bthome_service_data(objs) == bytes.fromhex("d2fc40003f015e02820803ac170c830b")


def random_objects(rng):
    objs = []
    for _ in range(rng.randint(1, 6)):
        oid = rng.choice(sorted(bt.OBJECTS))
        _, nb, signed, _, _ = bt.OBJECTS[oid]
        lo, hi = (-(1 << (8 * nb - 1)), (1 << (8 * nb - 1)) - 1) if signed else (0, (1 << (8 * nb)) - 1)
        objs.append((oid, rng.choice([lo, hi, rng.randint(lo, hi)])))
    return objs


def test_cpp_encoder_equals_python_reference_and_round_trips():
    rng = random.Random(3)
    for _ in range(300):
        objs = random_objects(rng)
        trig = rng.random() < 0.3
        plain = ts.bthome_service_data(objs, trigger_based=trig)
        assert plain == bt.encode_bthome(objs, trigger_based=trig)
        key, mac, ctr = rng.randbytes(16), rng.randbytes(6), rng.getrandbits(32)
        enc = ts.bthome_service_data(objs, key=key, mac=mac, counter=ctr, trigger_based=trig)
        assert enc == bt.encode_bthome(objs, key, mac, ctr, trig)
        f = bt.decode_bthome(enc, mac, key)
        assert f.counter == ctr and f.trigger_based == trig
        # Sorted by object id, stable for equal ids.
        assert [(r.object_id, r.raw) for r in f.readings] == sorted(objs, key=lambda t: t[0])
        assert bt.decode_bthome(plain).objects == f.objects


def test_aes_against_fips197_and_openssl():
    k = bytes(range(16))
    assert ts.aes128_encrypt_block(k, bytes.fromhex("00112233445566778899aabbccddeeff")).hex() == \
        "69c4e0d86a7b0430d8cdb78070b4c55a"
    rng = random.Random(5)
    for _ in range(100):
        key, block = rng.randbytes(16), rng.randbytes(16)
        enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        assert ts.aes128_encrypt_block(key, block) == enc.update(block) + enc.finalize()


def test_ccm_against_cryptography():
    rng = random.Random(11)
    for _ in range(300):
        key = rng.randbytes(16)
        nonce = rng.randbytes(rng.randint(7, 13))
        tag = rng.choice([4, 6, 8, 10, 12, 14, 16])
        pt = rng.randbytes(rng.choice([0, 1, 15, 16, 17, rng.randint(0, 200)]))
        aad = rng.randbytes(rng.choice([0, 0, 1, 14, 15, rng.randint(0, 64)]))
        want = AESCCM(key, tag_length=tag).encrypt(nonce, pt, aad or None)
        got = ts.aes_ccm_encrypt(key, nonce, pt, aad, tag)
        assert got == want
        assert ts.aes_ccm_decrypt(key, nonce, got, aad, tag) == pt
        bad = bytearray(got)
        bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
        with pytest.raises(ValueError, match="corrupt"):
            ts.aes_ccm_decrypt(key, nonce, bytes(bad), aad, tag)


def test_forged_wrong_key_and_downgrade_inputs_rejected():
    bad = bytearray(PUBLISHED_ENCRYPTED)
    for i in range(3, len(bad)):  # every byte after the device info
        for bit in (0, 7):
            bad[i] ^= 1 << bit
            with pytest.raises(bt.ForgedError):
                bt.decode_bthome(bytes(bad), MAC, KEY)
            bad[i] ^= 1 << bit
    with pytest.raises(bt.ForgedError):
        bt.decode_bthome(PUBLISHED_ENCRYPTED, MAC, bytes(16))
    with pytest.raises(bt.ForgedError):  # the MAC is part of the nonce
        bt.decode_bthome(PUBLISHED_ENCRYPTED, bytes(6), KEY)
    with pytest.raises(bt.AdvertError):
        bt.decode_bthome(PUBLISHED_ENCRYPTED)  # no key


def test_full_advert_compact_bthome_and_name():
    adv = ts.ble_advert(compact=(0x1234, -1234), bthome=[(0x01, 88)], name="n1")
    assert len(adv) <= 31
    assert adv[:3] == bytes.fromhex("020106")
    assert adv[3:13] == bytes.fromhex("09ffffffaa011234fb2e") == bt.encode_compact(0x1234, -1234)
    a = bt.decode_advert(adv)
    assert a.compact.sequence == 0x1234 and a.compact.temperature_c == -12.34
    assert a.compact.company == 0xFFFF
    assert a.bthome.values() == {"battery": 88}
    assert a.name == "n1"
    enc = ts.ble_advert(bthome=[(0x02, 2506), (0x03, 5055)], key=KEY, mac=MAC, counter=0x33221100)
    assert enc == bytes.fromhex("020106") + bytes([len(PUBLISHED_ENCRYPTED) + 1, 0x16]) + PUBLISHED_ENCRYPTED
    assert bt.decode_advert(enc, MAC, KEY).bthome.counter == 0x33221100
    with pytest.raises(OSError):  # 31-byte legacy limit
        ts.ble_advert(compact=(1, 1), bthome=[(0x3E, 1)] * 4, name="too-long-a-name")


def test_decoders_reject_malformed_input_only_with_advert_error():
    with pytest.raises(bt.AdvertError):
        bt.parse_ad(bytes.fromhex("0501"))  # length past the end
    assert bt.parse_ad(bytes.fromhex("020106000000")) == [(1, b"\x06")]  # zero padding ends it
    with pytest.raises(bt.AdvertError):
        bt.decode_bthome(bytes.fromhex("d2fc4006"))  # unknown object 0x06
    with pytest.raises(bt.AdvertError):
        bt.decode_bthome(bytes.fromhex("d2fc4002ca"))  # truncated value
    with pytest.raises(bt.AdvertError):
        bt.decode_bthome(bytes.fromhex("d2fc6002ca09"))  # BTHome version 3
    with pytest.raises(bt.AdvertError):
        bt.decode_compact(bytes.fromhex("ffffab011234fb2e"))
    rng = random.Random(9)
    base = ts.ble_advert(compact=(7, 2100), bthome=[(0x02, 2100), (0x01, 50)])
    for _ in range(3000):
        b = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        b = bytes(b[:rng.randint(0, len(b))])
        try:
            bt.decode_advert(b, MAC, KEY)
        except bt.AdvertError:
            pass
