"""CNN runner (include/tinysense/nn/cnn.hpp): the shipped models with a few
test images and the numpy integer model's outputs; a synthetic graph using
every op (int8 with float softmax output, and float32); damaged payloads
(valid CRC, invalid content) the loader must reject."""
import gzip
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense import convert_cnn as cc  # noqa: E402
from tinysense.model_format import HEADER_SIZE, pack_model, unpack_model  # noqa: E402

rng = np.random.default_rng(31337)
arrays, scalars = {}, {}


def u8(b):
    return np.frombuffer(bytes(b), np.uint8)


def read_idx(path, count):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)[:count]


# ---- shipped models on a few test images -------------------------------------------
def digits_images(n):
    from sklearn.datasets import load_digits
    d = load_digits()
    return (d.images[-450:][:n] / 16.0)[..., None], d.target[-450:][:n]


def fashion_images(n):
    x = read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", n) / 255.0
    y = read_idx("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", n)
    return x[..., None], y


for name, loader, n in (("digits", digits_images, 12), ("fashion", fashion_images, 8)):
    data = open(os.path.join(ROOT, "models", f"{name}_cnn.tsm"), "rb").read()
    model = cc.read_model(data)
    x, labels = loader(n)
    q = cc.quantize_input(model, x)
    y = cc.run(model, q)
    arrays[f"{name}_model"] = u8(data)
    arrays[f"{name}_x"] = q.ravel()
    arrays[f"{name}_y"] = y.ravel()
    arrays[f"{name}_labels"] = labels.astype(np.int32)
    scalars[f"{name}_images"] = n
    scalars[f"{name}_arena"] = model.arena_bytes


# ---- synthetic graph with every op ------------------------------------------------------
def synthetic_ops():
    def conv(op, cin, cout, k, act, dm=1):
        o = cc.Op(op, act, k, k, 1, 1, k // 2, k // 2, k // 2, k // 2, dm)
        if op == cc.OP_CONV2D:
            o.weights = rng.standard_normal((cout, k, k, cin)) * 0.4
        else:
            o.weights = rng.standard_normal((k, k, cout)) * 0.4
        o.bias = rng.standard_normal(cout) * 0.1
        return o
    ops = [conv(cc.OP_CONV2D, 2, 4, 3, cc.ACT_RELU6)]                     # 9x9x2 -> 9x9x4
    dw = conv(cc.OP_DEPTHWISE, 4, 8, 3, cc.ACT_RELU, dm=2)                # -> 5x5x8
    dw.sh = dw.sw = 2
    ops.append(dw)
    ops.append(cc.Op(cc.OP_MAXPOOL, cc.ACT_NONE, 3, 3, 2, 2, 1, 1, 1, 1))  # -> 3x3x8
    ops.append(cc.Op(cc.OP_AVGPOOL, cc.ACT_NONE, 2, 2, 1, 1, 0, 0, 0, 0))  # -> 2x2x8
    ops.append(conv(cc.OP_CONV2D, 8, 6, 1, cc.ACT_NONE))                  # -> 2x2x6
    ops.append(cc.Op(cc.OP_GAP))                                          # -> 1x1x6
    d = cc.Op(cc.OP_DENSE)
    d.weights = rng.standard_normal((5, 6))
    d.bias = rng.standard_normal(5) * 0.1
    ops.append(d)                                                         # -> 1x1x5
    ops.append(cc.Op(cc.OP_SOFTMAX))
    shapes = [(9, 9, 2), (9, 9, 4), (5, 5, 8), (3, 3, 8), (2, 2, 8), (2, 2, 6), (1, 1, 6),
              (1, 1, 5), (1, 1, 5)]
    return ops, shapes


ops, shapes = synthetic_ops()
xs = rng.standard_normal((64,) + shapes[0])
ranges = cc.calibrate(ops, shapes, xs)
q_model = cc.quantize_graph(ops, shapes, ranges, softmax_out="float")
f_model = cc.float_graph(ops, shapes)
x_test = rng.standard_normal((3,) + shapes[0])
xq = cc.quantize_input(q_model, x_test)
q_bytes = cc.write_model(q_model)
f_bytes = cc.write_model(f_model)
assert cc.read_model(q_bytes).arena_bytes == q_model.arena_bytes
arrays["syn_q_model"] = u8(q_bytes)
arrays["syn_q_x"] = xq.ravel()
arrays["syn_q_y"] = cc.run(cc.read_model(q_bytes), xq).ravel().astype(np.float64)
# The int8 graph's logits (before the float softmax) are exact: run without the last op.
trace = []
cc.run(cc.read_model(q_bytes), xq, trace)
arrays["syn_q_logits"] = trace[-2].ravel()
arrays["syn_f_model"] = u8(f_bytes)
arrays["syn_f_x"] = x_test.astype(np.float32).ravel()
arrays["syn_f_y"] = cc.run(cc.read_model(f_bytes), x_test.astype(np.float32)).ravel()
scalars["syn_images"] = 3

# ---- damaged payloads (valid container and CRC, invalid CNN content) ------------------
base = open(os.path.join(ROOT, "models", "digits_cnn.tsm"), "rb").read()
header, payload = unpack_model(base)
m = cc.read_model(base)
n_ops = len(m.ops)
T0 = cc._HEAD.size                      # tensor table
O0 = T0 + (n_ops + 1) * cc._TENSOR.size  # op table


def repack(pl, **over):
    h = dict(header)
    h.update(over)
    return pack_model(h["kind"], pl, input_dtype=h["input_dtype"], output_dtype=h["output_dtype"],
                      n_inputs=h["n_inputs"], n_outputs=h["n_outputs"], arena_bytes=h["arena_bytes"])


def patch(fmt, off, *vals):
    pl = bytearray(payload)
    struct.pack_into(fmt, pl, off, *vals)
    return repack(bytes(pl))


def tensor_field(i, field):  # h, w, c, dtype, offset, scale, zp
    return T0 + i * cc._TENSOR.size + {"h": 0, "w": 2, "c": 4, "dtype": 6, "offset": 8,
                                      "scale": 12, "zp": 16}[field]


def op_field(i, field):
    return O0 + i * cc._OP.size + {"type": 0, "act": 1, "kh": 2, "kw": 3, "sh": 4, "sw": 5,
                                  "pt": 6, "pl": 7, "pb": 8, "pr": 9, "dm": 10, "res": 11,
                                  "amin": 12, "amax": 14, "off": 16, "bytes": 20}[field]


# Op indices in the digits model: 0 conv, 1 avgpool, 2 conv, 3 dense, 4 softmax.
assert [o.op for o in m.ops] == [cc.OP_CONV2D, cc.OP_AVGPOOL, cc.OP_CONV2D, cc.OP_DENSE, cc.OP_SOFTMAX]
conv_data = struct.unpack_from("<I", payload, op_field(0, "off"))[0]
soft_data = struct.unpack_from("<I", payload, op_field(4, "off"))[0]
cout0 = m.tensors[1].c
bad = {
    "zero_ops": patch("<H", 0, 0),
    "too_many_ops": patch("<H", 0, 300),
    "ops_past_payload": patch("<H", 0, 200),
    "unknown_flag": patch("<H", 2, 2),
    "reserved_header": patch("<I", 4, 1),
    "zero_height": patch("<H", tensor_field(1, "h"), 0),
    "shape_not_chained": patch("<H", tensor_field(1, "h"), 7),
    "channels_not_chained": patch("<H", tensor_field(2, "c"), 9),
    "tensor_outside_arena": patch("<I", tensor_field(2, "offset"), m.arena_bytes - 4),
    "tensor_offset_huge": patch("<I", tensor_field(1, "offset"), 0xFFFFFFF0),
    "tensors_overlap": patch("<I", tensor_field(1, "offset"),  # inside the arena, on the input
                             min(m.arena_bytes - m.tensors[1].nbytes,
                                 m.tensors[0].offset + m.tensors[0].nbytes - 1)),
    "float_tensor_mid_chain": patch("<H", tensor_field(2, "dtype"), cc.DTYPE_FLOAT32),
    "unknown_dtype": patch("<H", tensor_field(2, "dtype"), 7),
    "zero_point_range": patch("<i", tensor_field(1, "zp"), 200),
    "scale_negative": patch("<f", tensor_field(1, "scale"), -0.5),
    "scale_nan": patch("<f", tensor_field(1, "scale"), float("nan")),
    "scale_inf": patch("<f", tensor_field(1, "scale"), float("inf")),
    "unknown_op": patch("<B", op_field(1, "type"), 9),
    "op_zero": patch("<B", op_field(1, "type"), 0),
    "unknown_activation": patch("<B", op_field(0, "act"), 3),
    "reserved_op": patch("<B", op_field(0, "res"), 1),
    "stride_zero": patch("<B", op_field(0, "sh"), 0),
    "kernel_zero": patch("<B", op_field(0, "kw"), 0),
    "pad_not_below_kernel": patch("<B", op_field(0, "pt"), 3),
    "kernel_changed": patch("<B", op_field(0, "kh"), 5),
    "act_min_above_max": patch("<hh", op_field(0, "amin"), 50, 40),
    "act_out_of_int8": patch("<hh", op_field(0, "amin"), -129, 127),
    "data_outside_payload": patch("<I", op_field(0, "off"), len(payload) - 4),
    "data_offset_huge": patch("<I", op_field(0, "off"), 0xFFFFFFFC),
    "data_unaligned": patch("<I", op_field(0, "off"), conv_data + 1),
    "data_bytes_wrong": patch("<I", op_field(0, "bytes"), 12 * cout0 + 71),
    "pool_with_data": patch("<I", op_field(1, "bytes"), 4),
    "dense_spatial_output": patch("<HH", tensor_field(4, "h"), 2, 5),
    "depth_multiplier_on_conv": patch("<B", op_field(0, "dm"), 2),
    "pool_requantises": patch("<i", tensor_field(2, "zp"), m.tensors[1].zero_point + 1),
    "multiplier_below_half": patch("<i", conv_data + 4 * cout0, (1 << 30) - 1),
    "multiplier_negative": patch("<i", conv_data + 4 * cout0, -(1 << 30)),
    "shift_too_large": patch("<i", conv_data + 8 * cout0, 8),
    "shift_too_small": patch("<i", conv_data + 8 * cout0, -32),
    "zero_multiplier_with_shift": patch("<i", conv_data + 4 * cout0, 0),  # m == 0 needs shift 0
    "bias_overflows_accumulator": patch("<i", conv_data, 2**31 - 1000),
    "softmax_table_not_one": patch("<H", soft_data, 32767),
    "softmax_table_increasing": patch("<H", soft_data + 20, 40000),
    "softmax_out_scale": patch("<f", tensor_field(5, "scale"), 0.01),
    "softmax_out_zp": patch("<i", tensor_field(5, "zp"), 0),
    "header_arena_too_small": repack(payload, arena_bytes=m.arena_bytes - 1),
    "header_arena_zero": repack(payload, arena_bytes=0),
    "header_n_inputs": repack(payload, n_inputs=header["n_inputs"] + 1),
    "header_n_outputs": repack(payload, n_outputs=5),
    "header_output_dtype": repack(payload, output_dtype=cc.DTYPE_FLOAT32),
    "payload_truncated_tables": repack(payload[:40]),
    "payload_too_short": repack(payload[:6]),
}
assert struct.unpack_from("<i", payload, conv_data + 8 * cout0)[0] != 0
for k, v in bad.items():
    assert v != base, k
arrays["bad_names"] = u8("\n".join(bad).encode() + b"\0")
blob = b"".join(bad.values())
arrays["bad_blob"] = u8(blob)
arrays["bad_sizes"] = np.array([len(v) for v in bad.values()], np.uint32)
scalars["bad_count"] = len(bad)
scalars["header_size"] = HEADER_SIZE

# ---- fuzz seed corpus (fuzz/corpus/fuzz_cnn), replayed by the C++ test on every target ----
cdir = os.path.join(ROOT, "fuzz", "corpus", "fuzz_cnn")
names = sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []
blobs = [open(os.path.join(cdir, n), "rb").read() for n in names]
arrays["corpus_fuzz_cnn"] = u8(b"".join(blobs))
arrays["corpus_fuzz_cnn_offsets"] = np.cumsum([0] + [len(b) for b in blobs]).astype(np.uint32)

write_header(output_path(), "cnn", arrays, scalars)
