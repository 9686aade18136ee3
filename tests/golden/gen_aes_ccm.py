"""Golden AES-128 / AES-CCM vectors from Python's `cryptography` (OpenSSL).

ECB blocks: random keys and blocks through Cipher(AES(key), ECB()).
CCM: AESCCM(key, tag_length).encrypt(nonce, plaintext, aad) for every nonce
length 7..13, every tag length 4..16 (even), associated data lengths around
the 14-byte first-block boundary, and message lengths around block edges.
Fixed seed; each variable-length field is a byte blob plus start offsets.
"""
import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from goldenlib import output_path, write_header

rng = np.random.default_rng(20240611)


def rbytes(n):
    return rng.integers(0, 256, n, dtype=np.uint8).tobytes()


def u8(b):
    return np.frombuffer(bytes(b), dtype=np.uint8).copy() if b else np.zeros(0, np.uint8)


# ---- ECB ----
ecb_key, ecb_pt, ecb_ct = [], [], []
for _ in range(48):
    k, p = rbytes(16), rbytes(16)
    enc = Cipher(algorithms.AES(k), modes.ECB()).encryptor()
    ecb_key.append(k)
    ecb_pt.append(p)
    ecb_ct.append(enc.update(p) + enc.finalize())

# ---- CCM ----
fields = {name: [] for name in ("key", "nonce", "aad", "pt", "ct", "tag")}
msg_lens = [0, 1, 6, 15, 16, 17, 31, 32, 33, 64, 100]
aad_lens = [0, 1, 13, 14, 15, 16, 30, 31, 40]
cases = []
for nonce_len in range(7, 14):
    for tag_len in range(4, 17, 2):
        cases.append((nonce_len, tag_len, int(rng.choice(aad_lens)), int(rng.choice(msg_lens))))
for m in msg_lens:  # every message length with the BTHome parameters
    cases.append((13, 4, 0, m))
for a in aad_lens:
    cases.append((12, 8, a, 23))
for nonce_len, tag_len, aad_len, msg_len in cases:
    key, nonce, aad, pt = rbytes(16), rbytes(nonce_len), rbytes(aad_len), rbytes(msg_len)
    out = AESCCM(key, tag_length=tag_len).encrypt(nonce, pt, aad if aad_len else None)
    for name, value in (("key", key), ("nonce", nonce), ("aad", aad), ("pt", pt),
                        ("ct", out[:msg_len]), ("tag", out[msg_len:])):
        fields[name].append(value)

arrays = {
    "ecb_key": u8(b"".join(ecb_key)),
    "ecb_pt": u8(b"".join(ecb_pt)),
    "ecb_ct": u8(b"".join(ecb_ct)),
}
for name, values in fields.items():
    arrays[f"ccm_{name}"] = u8(b"".join(values))
    arrays[f"ccm_{name}_off"] = np.cumsum([0] + [len(v) for v in values]).astype(np.uint32)
write_header(output_path(), "aes_ccm", arrays,
             scalars={"ecb_count": len(ecb_key), "ccm_count": len(cases)})
