"""Embeds the MQTT fuzz seed corpus (fuzz/corpus/fuzz_mqtt) so test_mqtt runs
every seed through the parser and client harness on every target."""
import os

import numpy as np

from goldenlib import output_path, write_header

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
d = os.path.join(ROOT, "fuzz", "corpus", "fuzz_mqtt")
blobs = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
write_header(output_path(), "mqtt", {
    "corpus": np.frombuffer(b"".join(blobs), dtype=np.uint8).copy(),
    "corpus_offsets": np.cumsum([0] + [len(b) for b in blobs]).astype(np.uint32),
})
