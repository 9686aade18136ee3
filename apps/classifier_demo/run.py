#!/usr/bin/python3
"""Image classifier demo: Fashion-MNIST test images through the int8 CNN on Cortex-M4F.

Runs apps/classifier_demo firmware in QEMU on the first N images of
Fashion-MNIST's test split (Debian's dataset-fashion-mnist), checks that every
prediction equals the numpy model of the same int8 arithmetic, scores them
against the labels, and prints accuracy and cost (instructions per image,
model flash, arena RAM).

Usage: run.py --elf ELF --plugin libinsncount.so [--count N] [--out DIR]
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "bench", "target"))
import qemu_count  # noqa: E402
from tinysense import convert_cnn  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
CLOCK_HZ = 80e6


def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        h, w = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    return np.frombuffer(data, np.uint8, offset=8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "demo"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(ROOT, "models", "fashion_cnn.tsm")
    info = json.load(open(os.path.join(ROOT, "models", "models.json")))["fashion"]
    images = load_idx(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))[:args.count]
    labels = load_idx(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz"))[:args.count]
    n, h, w = images.shape
    with open(os.path.join(args.out, "cls_model.tsm"), "wb") as f:
        f.write(open(model_path, "rb").read())
    with open(os.path.join(args.out, "cls_images.u8"), "wb") as f:
        f.write(b"TSIM" + struct.pack("<III", n, h, w) + images.tobytes())

    cwd = os.getcwd()
    os.chdir(args.out)
    try:
        run = qemu_count.run(os.path.abspath(os.path.join(cwd, args.elf)),
                             os.path.abspath(os.path.join(cwd, args.plugin)))
    finally:
        os.chdir(cwd)
    pred = np.fromfile(os.path.join(args.out, "cls_pred.u8"), np.uint8)
    m = run["measurements"][0]

    # The same int8 arithmetic in numpy (bit-exact model of the C++ runner).
    graph = convert_cnn.read_model(open(model_path, "rb").read())
    xq = convert_cnn.quantize_input(graph, images[..., None].astype(np.float64) / 255.0)
    ref = np.argmax(convert_cnn.run(graph, xq).reshape(n, -1), axis=1)
    same = int(np.sum(pred == ref))
    acc = float(np.mean(pred == labels))
    model_bytes = os.path.getsize(model_path)
    print(f"Fashion-MNIST int8 CNN on Cortex-M4F (QEMU), first {n} test images")
    print(f"  predictions equal to the numpy int8 model: {same}/{n}")
    print(f"  accuracy on these {n}: {100 * acc:.1f} %   (whole test split, 10,000 images: "
          f"int8 {100 * info['int8_accuracy']:.2f} %, float32 {100 * info['float_accuracy']:.2f} %)")
    per = m["instructions"]
    print(f"  cost per image (quantise + CNN + argmax): {per:,} instructions "
          f"({info['macs']:,} MACs, {per / info['macs']:.1f} instructions/MAC)")
    print(f"  one image per second = {100 * per / CLOCK_HZ:.1f} % of an 80 MHz Cortex-M4F "
          "(QEMU instruction count, not cycles)")
    print(f"  model {model_bytes:,} bytes of flash, arena {m['ram']:,} bytes of RAM, "
          f"stack {m['stack']:,} bytes")
    for i in range(min(6, n)):
        print(f"    image {i}: {CLASSES[pred[i]]:9} (label {CLASSES[labels[i]]})")
    return 0 if same == n else 1


if __name__ == "__main__":
    sys.exit(main())
