"""PyTorch CNN -> tinysense CNN model (.tsm), and a numpy model of the runner.

Converts a trained ``torch.nn.Sequential`` of Conv2d (groups 1 or depthwise),
BatchNorm2d (folded into the convolution before it), ReLU / ReLU6, MaxPool2d,
AvgPool2d, AdaptiveAvgPool2d(1), Flatten, Linear, Dropout / Identity (skipped)
and an optional final Softmax into the tinysense CNN payload (ModelKind 3,
layout in docs/design/model-cnn.md). Two flavours:

* int8 (post-training quantisation, TFLite's int8 scheme): per-output-channel
  symmetric int8 weights, int32 bias, asymmetric int8 activations whose ranges
  come from calibration data (min/max or a percentile), requantisation by a
  Q31 multiplier and a power-of-two shift.
* float32: the same graph with float weights and activations (the reference).

The C++ runner is include/tinysense/nn/cnn.hpp. This module also holds a numpy
model of the runner (``run``) that reads the .tsm file and reproduces the
int8 arithmetic bit for bit; the tests compare the C++ output with it.

Command line (progress bar on stderr while calibrating):
    python3 -m tinysense.convert_cnn model.pt calib.npy -o model.tsm
torch is imported only by the conversion itself; parsing and the numpy model
need numpy alone.
"""
import argparse
import math
import struct
import sys

import numpy as np

try:  # package import (tinysense.convert_cnn) or a plain path import
    from .model_format import DTYPE_FLOAT32, DTYPE_INT8, KIND_CNN, pack_model, unpack_model
except ImportError:  # pragma: no cover
    from model_format import DTYPE_FLOAT32, DTYPE_INT8, KIND_CNN, pack_model, unpack_model

# Op codes and activations: the values stored in the model (see nn/cnn.hpp).
OP_CONV2D, OP_DEPTHWISE, OP_MAXPOOL, OP_AVGPOOL, OP_GAP, OP_DENSE, OP_SOFTMAX = 1, 2, 3, 4, 5, 6, 7
ACT_NONE, ACT_RELU, ACT_RELU6 = 0, 1, 2
OP_NAMES = {OP_CONV2D: "conv2d", OP_DEPTHWISE: "depthwise", OP_MAXPOOL: "maxpool",
            OP_AVGPOOL: "avgpool", OP_GAP: "global_avgpool", OP_DENSE: "dense",
            OP_SOFTMAX: "softmax"}
FLAG_FLOAT = 1

_HEAD = struct.Struct("<HHI")              # n_ops, flags, reserved
_TENSOR = struct.Struct("<HHHHIfi")        # h, w, c, dtype, arena offset, scale, zero point
_OP = struct.Struct("<BBBBBBBBBBBBhhII")   # see docs/design/model-cnn.md
ARENA_ALIGN = 4
SOFTMAX_OUT_SCALE, SOFTMAX_OUT_ZP = 1.0 / 256.0, -128
EXP_ONE = 32768  # softmax exp table: Q15


# ---------------------------------------------------------------------------
# Fixed-point arithmetic (TFLite / gemmlowp), vectorised over int64 arrays.

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real):
    """real >= 0 -> (multiplier Q31 in [2^30, 2^31), shift) with real = m * 2^(shift - 31).

    TFLite's QuantizeMultiplier: frexp, round half away from zero, a multiplier
    that rounds up to 2^31 is halved; reals below 2^-32 become (0, 0).
    """
    if real < 0 or not math.isfinite(real):
        raise ValueError(f"requantisation multiplier must be finite and >= 0, got {real}")
    if real == 0.0:
        return 0, 0
    frac, shift = math.frexp(real)
    q = int(math.floor(frac * (1 << 31) + 0.5))
    if q == 1 << 31:
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q, shift


def srdhm(a, b):
    """SaturatingRoundingDoublingHighMul on int64 arrays holding int32 values."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    t = ab + nudge
    res = np.where(t >= 0, t >> 31, -((-t) >> 31))  # C division truncates toward zero
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, res)


def rounding_divide_by_pot(x, exponent):
    """gemmlowp RoundingDivideByPOT: x / 2^exponent, round half away from zero."""
    x = np.asarray(x, np.int64)
    exponent = np.asarray(exponent, np.int64)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite MultiplyByQuantizedMultiplier; the left shift saturates to int32 (tinysense)."""
    x = np.asarray(x, np.int64)
    shift = np.asarray(shift, np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    xs = np.clip(x << left, INT32_MIN, INT32_MAX)
    return rounding_divide_by_pot(srdhm(xs, multiplier), right)


def softmax_exp_table(input_scale):
    """Q15 table of exp(-input_scale * d), d = 0..255 (the int8 softmax's only float step)."""
    d = np.arange(256, dtype=np.float64)
    return np.floor(EXP_ONE * np.exp(-float(np.float32(input_scale)) * d) + 0.5).astype(np.uint16)


# ---------------------------------------------------------------------------
# Model file: parse and write.

class Tensor:
    """Activation tensor: shape (h, w, c) in NHWC, dtype code, arena offset, int8 params."""

    def __init__(self, h, w, c, dtype=DTYPE_INT8, offset=0, scale=1.0, zero_point=0):
        self.h, self.w, self.c = int(h), int(w), int(c)
        self.dtype, self.offset = int(dtype), int(offset)
        self.scale, self.zero_point = float(np.float32(scale)), int(zero_point)

    @property
    def shape(self):
        return (self.h, self.w, self.c)

    @property
    def size(self):
        return self.h * self.w * self.c

    @property
    def nbytes(self):
        return self.size * (4 if self.dtype == DTYPE_FLOAT32 else 1)

    def __repr__(self):
        return (f"Tensor({self.h}x{self.w}x{self.c}, dtype={self.dtype}, off={self.offset}, "
                f"scale={self.scale:.6g}, zp={self.zero_point})")


class Op:
    """One layer. Weight layouts: conv OHWI, depthwise HWC(out), dense [out][in] (NHWC order)."""

    def __init__(self, op, act=ACT_NONE, kh=1, kw=1, sh=1, sw=1, pt=0, pl=0, pb=0, pr=0,
                 depth_multiplier=1, act_min=0, act_max=0, weights=None, bias=None,
                 multiplier=None, shift=None, table=None):
        self.op, self.act = op, act
        self.kh, self.kw, self.sh, self.sw = kh, kw, sh, sw
        self.pt, self.pl, self.pb, self.pr = pt, pl, pb, pr
        self.depth_multiplier = depth_multiplier
        self.act_min, self.act_max = act_min, act_max
        self.weights, self.bias = weights, bias
        self.multiplier, self.shift, self.table = multiplier, shift, table

    def __repr__(self):
        return f"Op({OP_NAMES.get(self.op, self.op)}, act={self.act}, k={self.kh}x{self.kw}, s={self.sh}x{self.sw})"


class CnnModel:
    """A parsed (or about to be written) tinysense CNN: tensors[i] -> ops[i] -> tensors[i+1]."""

    def __init__(self, tensors, ops, is_float, arena_bytes):
        self.tensors, self.ops = tensors, ops
        self.is_float, self.arena_bytes = is_float, arena_bytes

    @property
    def input(self):
        return self.tensors[0]

    @property
    def output(self):
        return self.tensors[-1]

    def summary(self):
        lines = [f"{'float32' if self.is_float else 'int8'} CNN, {len(self.ops)} ops, "
                 f"arena {self.arena_bytes} bytes"]
        for i, op in enumerate(self.ops):
            a, b = self.tensors[i], self.tensors[i + 1]
            lines.append(f"  {OP_NAMES[op.op]:<15} {a.shape} -> {b.shape}  act={op.act}")
        return "\n".join(lines)


def _align(n, a=ARENA_ALIGN):
    return (n + a - 1) // a * a


def _blob(model, op, tin, tout):
    """Bytes of one op's data blob (layout in docs/design/model-cnn.md)."""
    if op.op in (OP_CONV2D, OP_DEPTHWISE, OP_DENSE):
        if model.is_float:
            return (np.asarray(op.bias, "<f4").tobytes() + np.asarray(op.weights, "<f4").tobytes())
        return (np.asarray(op.bias, "<i4").tobytes() + np.asarray(op.multiplier, "<i4").tobytes()
                + np.asarray(op.shift, "<i4").tobytes() + np.asarray(op.weights, np.int8).tobytes())
    if op.op == OP_SOFTMAX and not model.is_float and tout.dtype == DTYPE_INT8:
        return np.asarray(op.table, "<u2").tobytes()
    return b""


def write_model(model):
    """CnnModel -> complete .tsm file bytes (container header + CNN payload)."""
    n = len(model.ops)
    head = _HEAD.pack(n, FLAG_FLOAT if model.is_float else 0, 0)
    tens = b"".join(_TENSOR.pack(t.h, t.w, t.c, t.dtype, t.offset, t.scale, t.zero_point)
                    for t in model.tensors)
    data_start = _align(len(head) + len(tens) + n * _OP.size)
    blobs, records, pos = [], [], data_start
    for i, op in enumerate(model.ops):
        blob = _blob(model, op, model.tensors[i], model.tensors[i + 1])
        off = pos if blob else 0
        records.append(_OP.pack(op.op, op.act, op.kh, op.kw, op.sh, op.sw, op.pt, op.pl, op.pb,
                                op.pr, op.depth_multiplier, 0, op.act_min, op.act_max, off, len(blob)))
        blobs.append(blob + b"\0" * (_align(len(blob)) - len(blob)))
        pos += _align(len(blob))
    payload = head + tens + b"".join(records)
    payload += b"\0" * (data_start - len(payload)) + b"".join(blobs)
    return pack_model(KIND_CNN, payload, input_dtype=model.input.dtype,
                      output_dtype=model.output.dtype, n_inputs=model.input.size,
                      n_outputs=model.output.size, arena_bytes=model.arena_bytes)


def read_model(data):
    """.tsm bytes -> CnnModel (checks the container; the C++ loader validates fully)."""
    header, payload = unpack_model(data)
    if header["kind"] != KIND_CNN:
        raise ValueError(f"not a CNN model (kind {header['kind']})")
    n, flags, _ = _HEAD.unpack_from(payload, 0)
    is_float = bool(flags & FLAG_FLOAT)
    pos = _HEAD.size
    tensors = []
    for _ in range(n + 1):
        h, w, c, dt, off, scale, zp = _TENSOR.unpack_from(payload, pos)
        tensors.append(Tensor(h, w, c, dt, off, scale, zp))
        pos += _TENSOR.size
    ops = []
    for i in range(n):
        f = _OP.unpack_from(payload, pos)
        pos += _OP.size
        op = Op(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[12], f[13])
        off, nbytes = f[14], f[15]
        blob = payload[off:off + nbytes]
        tin, tout = tensors[i], tensors[i + 1]
        if op.op in (OP_CONV2D, OP_DEPTHWISE, OP_DENSE):
            cout = tout.c if op.op != OP_DENSE else tout.size
            if is_float:
                op.bias = np.frombuffer(blob, "<f4", cout, 0)
                wts = np.frombuffer(blob, "<f4", offset=4 * cout)
            else:
                op.bias = np.frombuffer(blob, "<i4", cout, 0).astype(np.int64)
                op.multiplier = np.frombuffer(blob, "<i4", cout, 4 * cout).astype(np.int64)
                op.shift = np.frombuffer(blob, "<i4", cout, 8 * cout).astype(np.int64)
                wts = np.frombuffer(blob, np.int8, offset=12 * cout)
            if op.op == OP_CONV2D:
                op.weights = wts.reshape(cout, op.kh, op.kw, tin.c)
            elif op.op == OP_DEPTHWISE:
                op.weights = wts.reshape(op.kh, op.kw, cout)
            else:
                op.weights = wts.reshape(cout, tin.size)
        elif op.op == OP_SOFTMAX and nbytes:
            op.table = np.frombuffer(blob, "<u2", 256).astype(np.int64)
        ops.append(op)
    return CnnModel(tensors, ops, is_float, header["arena_bytes"])


# ---------------------------------------------------------------------------
# numpy model of the runner. x: (N, h, w, c); int8 models take int8, float models float32.

def _windows(x, kh, kw, sh, sw, pads, fill):
    """(N,H,W,C) -> (N,Ho,Wo,kh,kw,C) view of the padded input."""
    pt, pl, pb, pr = pads
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    n, hp, wp, c = xp.shape
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    s = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp, (n, ho, wo, kh, kw, c), (s[0], s[1] * sh, s[2] * sw, s[1], s[2], s[3]), writeable=False)


def _requant(acc, op, zp_out):
    y = multiply_by_quantized_multiplier(acc, op.multiplier, op.shift) + zp_out
    return np.clip(y, op.act_min, op.act_max).astype(np.int8)


def _int_avg(total, count):
    """TFLite's int average: round half away from zero, C-style division."""
    total = np.asarray(total, np.int64)
    half = count // 2
    num = np.where(total > 0, total + half, total - half)
    return np.where(num >= 0, num // count, -((-num) // count))


def _float_act(y, act):
    if act == ACT_RELU:
        return np.maximum(y, 0)
    if act == ACT_RELU6:
        return np.clip(y, 0, 6)
    return y


def _run_op_int8(op, tin, tout, x):
    n = x.shape[0]
    pads = (op.pt, op.pl, op.pb, op.pr)
    if op.op in (OP_CONV2D, OP_DEPTHWISE):
        xi = x.astype(np.int64) - tin.zero_point  # padding = zero point -> contributes 0
        win = _windows(xi, op.kh, op.kw, op.sh, op.sw, pads, 0)
        if op.op == OP_CONV2D:
            cols = win.reshape(n, win.shape[1], win.shape[2], -1)
            acc = cols @ op.weights.reshape(op.weights.shape[0], -1).astype(np.int64).T
        else:
            win = np.repeat(win, op.depth_multiplier, axis=5)
            acc = np.einsum("nyxijc,ijc->nyxc", win, op.weights.astype(np.int64))
        return _requant(acc + op.bias, op, tout.zero_point)
    if op.op == OP_DENSE:
        xi = x.reshape(n, -1).astype(np.int64) - tin.zero_point
        acc = xi @ op.weights.astype(np.int64).T + op.bias
        return _requant(acc, op, tout.zero_point).reshape(n, 1, 1, -1)
    if op.op == OP_MAXPOOL:
        win = _windows(x.astype(np.int64), op.kh, op.kw, op.sh, op.sw, pads, -1000)
        return np.clip(win.max(axis=(3, 4)), op.act_min, op.act_max).astype(np.int8)
    if op.op == OP_AVGPOOL:
        xi = x.astype(np.int64)
        win = _windows(xi, op.kh, op.kw, op.sh, op.sw, pads, 0)
        ones = _windows(np.ones_like(xi[:1]), op.kh, op.kw, op.sh, op.sw, pads, 0)
        count = ones.sum(axis=(3, 4))  # valid taps only (TFLite)
        y = _int_avg(win.sum(axis=(3, 4)), count)
        return np.clip(y, op.act_min, op.act_max).astype(np.int8)
    if op.op == OP_GAP:
        xi = x.astype(np.int64).reshape(n, -1, tin.c)
        y = _int_avg(xi.sum(axis=1), tin.h * tin.w).reshape(n, 1, 1, tin.c)
        return np.clip(y, op.act_min, op.act_max).astype(np.int8)
    if op.op == OP_SOFTMAX:
        xi = x.astype(np.int64)
        d = xi.max(axis=3, keepdims=True) - xi
        if tout.dtype == DTYPE_FLOAT32:
            e = np.exp(-np.float64(np.float32(tin.scale)) * d)
            return (e / e.sum(axis=3, keepdims=True)).astype(np.float32)
        e = np.asarray(op.table, np.int64)[d]
        total = e.sum(axis=3, keepdims=True)
        y = ((e << 8) + total // 2) // total - 128
        return np.clip(y, -128, 127).astype(np.int8)
    raise ValueError(f"unknown op {op.op}")


def _run_op_float(op, tin, tout, x):
    n = x.shape[0]
    pads = (op.pt, op.pl, op.pb, op.pr)
    if op.op == OP_CONV2D:
        win = _windows(x, op.kh, op.kw, op.sh, op.sw, pads, 0.0)
        cols = win.reshape(n, win.shape[1], win.shape[2], -1)
        y = cols @ op.weights.reshape(op.weights.shape[0], -1).T + op.bias
        return _float_act(y, op.act)
    if op.op == OP_DEPTHWISE:
        win = np.repeat(_windows(x, op.kh, op.kw, op.sh, op.sw, pads, 0.0), op.depth_multiplier, axis=5)
        return _float_act(np.einsum("nyxijc,ijc->nyxc", win, op.weights) + op.bias, op.act)
    if op.op == OP_DENSE:
        y = x.reshape(n, -1) @ op.weights.T + op.bias
        return _float_act(y, op.act).reshape(n, 1, 1, -1)
    if op.op == OP_MAXPOOL:
        return _float_act(_windows(x, op.kh, op.kw, op.sh, op.sw, pads, -np.inf).max(axis=(3, 4)), op.act)
    if op.op == OP_AVGPOOL:
        win = _windows(x, op.kh, op.kw, op.sh, op.sw, pads, 0.0)
        ones = _windows(np.ones_like(x[:1]), op.kh, op.kw, op.sh, op.sw, pads, 0.0)
        return _float_act(win.sum(axis=(3, 4)) / ones.sum(axis=(3, 4)), op.act)
    if op.op == OP_GAP:
        return _float_act(x.mean(axis=(1, 2), keepdims=True), op.act)
    if op.op == OP_SOFTMAX:
        e = np.exp(x - x.max(axis=3, keepdims=True))
        return e / e.sum(axis=3, keepdims=True)
    raise ValueError(f"unknown op {op.op}")


def run(model, x, trace=None):
    """Runs a CnnModel on a batch x of shape (N, h, w, c) (or (h, w, c)).

    int8 models: x int8, exact integer arithmetic of the C++ runner (softmax with
    float output is computed in float64 here, in float32 there). float models:
    float64 arithmetic. `trace`, if a list, receives every intermediate tensor.
    """
    x = np.asarray(x)
    single = x.ndim == 3
    if single:
        x = x[None]
    if model.is_float:
        x = x.astype(np.float64)
    elif x.dtype != np.int8:
        raise TypeError("int8 model: input must be int8")
    for i, op in enumerate(model.ops):
        f = _run_op_float if model.is_float else _run_op_int8
        x = f(op, model.tensors[i], model.tensors[i + 1], x)
        if trace is not None:
            trace.append(x)
    return x[0] if single else x


def quantize_input(model, x):
    """Float input (N, h, w, c) -> int8 with the model's input scale and zero point."""
    t = model.input
    q = np.floor(np.asarray(x, np.float64) / t.scale + 0.5) + t.zero_point
    return np.clip(q, -128, 127).astype(np.int8)


# ---------------------------------------------------------------------------
# PyTorch -> float graph.

def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _flatten_modules(model):
    import torch.nn as nn
    out = []
    for m in (model if isinstance(model, nn.Sequential) else [model]):
        if isinstance(m, nn.Sequential):
            out.extend(_flatten_modules(m))
        else:
            out.append(m)
    return out


def torch_to_graph(model, input_shape):
    """Folds BN and activations; returns (list of float Op, list of (h, w, c) shapes)."""
    import torch.nn as nn
    mods = [m for m in _flatten_modules(model) if not isinstance(m, (nn.Dropout, nn.Identity))]
    h, w, c = input_shape
    ops, shapes = [], [(h, w, c)]
    flattened = False
    i = 0
    while i < len(mods):
        m = mods[i]
        i += 1
        if isinstance(m, nn.Conv2d):
            if flattened:
                raise ValueError("Conv2d after Flatten is not supported")
            if _pair(m.dilation) != (1, 1) or m.padding_mode != "zeros":
                raise ValueError("Conv2d: only dilation 1 and zero padding are supported")
            if m.in_channels != c:
                raise ValueError(f"Conv2d expects {m.in_channels} channels, graph has {c}")
            kh, kw = _pair(m.kernel_size)
            sh, sw = _pair(m.stride)
            if isinstance(m.padding, str):
                if m.padding == "valid":
                    ph = pw = (0, 0)
                else:  # 'same' (stride 1): PyTorch puts the extra pixel at the bottom/right
                    ph = ((kh - 1) // 2, kh - 1 - (kh - 1) // 2)
                    pw = ((kw - 1) // 2, kw - 1 - (kw - 1) // 2)
            else:
                p = _pair(m.padding)
                ph, pw = (p[0], p[0]), (p[1], p[1])
            wt = m.weight.detach().double().numpy()
            b = m.bias.detach().double().numpy() if m.bias is not None else np.zeros(m.out_channels)
            if i < len(mods) and isinstance(mods[i], nn.BatchNorm2d):
                bn = mods[i]
                i += 1
                g = bn.weight.detach().double().numpy() if bn.affine else np.ones(m.out_channels)
                beta = bn.bias.detach().double().numpy() if bn.affine else np.zeros(m.out_channels)
                inv = g / np.sqrt(bn.running_var.double().numpy() + bn.eps)
                wt = wt * inv[:, None, None, None]
                b = (b - bn.running_mean.double().numpy()) * inv + beta
            if m.groups == 1:
                op = Op(OP_CONV2D, weights=wt.transpose(0, 2, 3, 1), bias=b)  # OIHW -> OHWI
            elif m.groups == c and m.out_channels % c == 0:
                op = Op(OP_DEPTHWISE, depth_multiplier=m.out_channels // c,
                        weights=wt[:, 0].transpose(1, 2, 0), bias=b)  # (O,1,H,W) -> HWO
            else:
                raise ValueError("Conv2d: groups must be 1 or in_channels (depthwise)")
            op.kh, op.kw, op.sh, op.sw = kh, kw, sh, sw
            # PyTorch pads symmetrically but never reads a bottom/right pad that no
            # window reaches; store the pad the windows actually use.
            ho = (h + ph[0] + ph[1] - kh) // sh + 1
            wo = (w + pw[0] + pw[1] - kw) // sw + 1
            op.pt, op.pl = ph[0], pw[0]
            op.pb = max((ho - 1) * sh + kh - h - ph[0], 0)
            op.pr = max((wo - 1) * sw + kw - w - pw[0], 0)
            ops.append(op)
            h, w, c = ho, wo, m.out_channels
        elif isinstance(m, nn.Linear):
            if m.in_features != h * w * c:
                raise ValueError(f"Linear expects {m.in_features} inputs, graph has {h * w * c}")
            if not flattened and h * w != 1:
                raise ValueError("Linear on a spatial tensor needs a Flatten before it")
            wt = m.weight.detach().double().numpy()
            if h * w > 1:  # PyTorch flattens CHW; tinysense tensors are HWC
                wt = wt.reshape(-1, c, h, w).transpose(0, 2, 3, 1).reshape(wt.shape[0], -1)
            b = m.bias.detach().double().numpy() if m.bias is not None else np.zeros(m.out_features)
            ops.append(Op(OP_DENSE, weights=wt, bias=b))
            h, w, c = 1, 1, m.out_features
        elif isinstance(m, (nn.ReLU, nn.ReLU6)) or (
                isinstance(m, nn.Hardtanh) and m.min_val == 0.0 and m.max_val == 6.0):
            act = ACT_RELU if isinstance(m, nn.ReLU) else ACT_RELU6
            prev = ops[-1] if ops else None
            if prev is not None and prev.op in (OP_CONV2D, OP_DEPTHWISE, OP_DENSE) and prev.act == ACT_NONE:
                prev.act = act
            elif (prev is not None and prev.op == OP_MAXPOOL and len(ops) >= 2
                  and ops[-2].op in (OP_CONV2D, OP_DEPTHWISE) and ops[-2].act == ACT_NONE):
                ops[-2].act = act  # max pooling commutes with a monotonic clamp
            else:
                raise ValueError(f"{type(m).__name__} must follow Conv2d/Linear (or MaxPool after one)")
            continue
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            kh, kw = _pair(m.kernel_size)
            sh, sw = _pair(m.stride if m.stride is not None else m.kernel_size)
            ph, pw = _pair(m.padding)
            if m.ceil_mode:
                raise ValueError("pooling with ceil_mode=True is not supported")
            if isinstance(m, nn.MaxPool2d):
                if _pair(m.dilation) != (1, 1):
                    raise ValueError("MaxPool2d: only dilation 1 is supported")
                op = Op(OP_MAXPOOL)
            else:
                if (ph or pw) and m.count_include_pad:
                    raise ValueError("AvgPool2d with padding needs count_include_pad=False")
                if m.divisor_override:
                    raise ValueError("AvgPool2d divisor_override is not supported")
                op = Op(OP_AVGPOOL)
            ho = (h + 2 * ph - kh) // sh + 1
            wo = (w + 2 * pw - kw) // sw + 1
            op.kh, op.kw, op.sh, op.sw, op.pt, op.pl = kh, kw, sh, sw, ph, pw
            op.pb = max((ho - 1) * sh + kh - h - ph, 0)
            op.pr = max((wo - 1) * sw + kw - w - pw, 0)
            ops.append(op)
            h, w = ho, wo
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            if _pair(m.output_size) != (1, 1):
                raise ValueError("AdaptiveAvgPool2d: only output size 1 is supported")
            ops.append(Op(OP_GAP))
            h, w = 1, 1
        elif isinstance(m, nn.Flatten):
            flattened = True
            continue
        elif isinstance(m, nn.Softmax):
            if i != len(mods):
                raise ValueError("Softmax must be the last layer")
            ops.append(Op(OP_SOFTMAX))
        elif isinstance(m, nn.BatchNorm2d):
            raise ValueError("BatchNorm2d must directly follow a Conv2d (it is folded into it)")
        else:
            raise ValueError(f"unsupported layer {type(m).__name__}")
        shapes.append((h, w, c))
    if not ops:
        raise ValueError("empty model")
    return ops, shapes


# ---------------------------------------------------------------------------
# Calibration and quantisation.

def choose_qparams(lo, hi):
    """Asymmetric int8 (scale, zero point) covering [lo, hi] (widened to contain 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = float(np.float32((hi - lo) / 255.0))
    zp = int(np.clip(math.floor(-128 - lo / scale + 0.5), -128, 127))
    return scale, zp


def _progress(done, total, out=sys.stderr):
    width = 30
    k = int(width * done / max(total, 1))
    out.write(f"\rcalibrating [{'#' * k}{'.' * (width - k)}] {done}/{total} images")
    if done >= total:
        out.write("\n")
    out.flush()


def calibrate(ops, shapes, calib_nhwc, method="minmax", percentile=99.99, batch=200, progress=False):
    """Per-tensor activation ranges [(lo, hi)] of tensors 0..n from float calibration data."""
    n_img = calib_nhwc.shape[0]
    graph = CnnModel([Tensor(*s, DTYPE_FLOAT32) for s in shapes], ops, True, 0)
    stats = [[] for _ in shapes]
    for start in range(0, n_img, batch):
        x = calib_nhwc[start:start + batch].astype(np.float64)
        trace = [x]
        run(graph, x, trace)
        for k, t in enumerate(trace):
            if method == "minmax":
                stats[k].append((float(t.min()), float(t.max())))
            else:  # mean over batches of the per-batch percentiles (TFLite-like smoothing)
                stats[k].append((float(np.percentile(t, 100 - percentile)), float(np.percentile(t, percentile))))
        if progress:
            _progress(min(start + batch, n_img), n_img)
    if method == "minmax":
        return [(min(s[0] for s in st), max(s[1] for s in st)) for st in stats]
    return [(float(np.mean([s[0] for s in st])), float(np.mean([s[1] for s in st]))) for st in stats]


def _lifetimes(n):
    """Op interval during which tensor i of an n-tensor chain must stay intact."""
    life = [(max(i - 1, 0), min(i, n - 2)) for i in range(n)]
    life[-1] = (n - 2, n - 1)  # the output outlives the last op
    return life


def plan_first_fit(sizes):
    """Greedy first-fit, largest tensor first, over tensor lifetimes (general graphs)."""
    n = len(sizes)
    life = _lifetimes(n)
    size = [_align(s) for s in sizes]
    offsets = [None] * n
    for i in sorted(range(n), key=lambda k: (-size[k], k)):
        busy = sorted((offsets[j], offsets[j] + size[j]) for j in range(n)
                      if offsets[j] is not None and life[j][0] <= life[i][1] and life[i][0] <= life[j][1])
        off = 0
        for a, b in busy:
            if off + size[i] <= a:
                break
            off = max(off, b)
        offsets[i] = off
    return offsets, max(o + s for o, s in zip(offsets, size))


def plan_two_ends(sizes):
    """Ping-pong for a chain: even tensors at the bottom, odd ones at the top.

    The arena is max over ops of (input + output bytes), the lower bound for
    any plan of a chain whose ops cannot run in place.
    """
    size = [_align(s) for s in sizes]
    arena = max(a + b for a, b in zip(size, size[1:]))
    return [0 if i % 2 == 0 else arena - s for i, s in enumerate(size)], arena


def plan_arena(sizes):
    """Tensor offsets and arena size: the smaller of two-ends and first-fit.

    Tensors alive during the same op never overlap; offsets are 4-byte aligned.
    """
    return min(plan_two_ends(sizes), plan_first_fit(sizes), key=lambda p: p[1])


def quantize_graph(ops, shapes, ranges, softmax_out="int8"):
    """Float ops + activation ranges -> int8 CnnModel (arena planned)."""
    tensors = [Tensor(*shapes[0], DTYPE_INT8, 0, *choose_qparams(*ranges[0]))]
    qops = []
    for k, op in enumerate(ops):
        tin = tensors[-1]
        lo, hi = ranges[k + 1]
        q = Op(op.op, op.act, op.kh, op.kw, op.sh, op.sw, op.pt, op.pl, op.pb, op.pr, op.depth_multiplier)
        if op.op in (OP_CONV2D, OP_DEPTHWISE, OP_DENSE):
            if op.act != ACT_NONE:
                lo = 0.0
            if op.act == ACT_RELU6:
                hi = min(hi, 6.0)
            s_out, zp_out = choose_qparams(lo, hi)
            wt = np.asarray(op.weights, np.float64)
            cout = op.bias.shape[0]
            axis_w = wt.reshape(-1, cout).T if op.op == OP_DEPTHWISE else wt.reshape(cout, -1)
            s_w = np.abs(axis_w).max(axis=1) / 127.0
            s_w = np.where(s_w > 0, s_w, 1.0).astype(np.float32).astype(np.float64)
            if op.op == OP_DEPTHWISE:
                q.weights = np.clip(np.floor(wt / s_w + 0.5), -127, 127).astype(np.int8)
            else:
                q.weights = np.clip(np.floor(wt / s_w.reshape((-1,) + (1,) * (wt.ndim - 1)) + 0.5),
                                    -127, 127).astype(np.int8)
            s_acc = np.float64(np.float32(tin.scale)) * s_w
            q.bias = np.clip(np.floor(np.asarray(op.bias) / s_acc + 0.5), INT32_MIN, INT32_MAX).astype(np.int64)
            mults = [quantize_multiplier(float(sa / np.float32(s_out))) for sa in s_acc]
            q.multiplier = np.array([m for m, _ in mults], np.int64)
            q.shift = np.array([s for _, s in mults], np.int64)
            if q.shift.max() > 7:
                raise ValueError(f"layer {k}: requantisation multiplier too large (shift {q.shift.max()})")
            q.act_min = max(-128, zp_out) if op.act != ACT_NONE else -128
            q.act_max = min(127, zp_out + int(math.floor(6.0 / s_out + 0.5))) if op.act == ACT_RELU6 else 127
            tout = Tensor(*shapes[k + 1], DTYPE_INT8, 0, s_out, zp_out)
        elif op.op in (OP_MAXPOOL, OP_AVGPOOL, OP_GAP):
            q.act_min, q.act_max = -128, 127
            tout = Tensor(*shapes[k + 1], DTYPE_INT8, 0, tin.scale, tin.zero_point)
        elif op.op == OP_SOFTMAX:
            if softmax_out == "float":
                tout = Tensor(*shapes[k + 1], DTYPE_FLOAT32, 0, 1.0, 0)
            else:
                q.table = softmax_exp_table(tin.scale)
                q.act_min, q.act_max = -128, 127
                tout = Tensor(*shapes[k + 1], DTYPE_INT8, 0, SOFTMAX_OUT_SCALE, SOFTMAX_OUT_ZP)
        else:
            raise ValueError(f"unknown op {op.op}")
        qops.append(q)
        tensors.append(tout)
    model = CnnModel(tensors, qops, False, 0)
    _place(model)
    return model


def float_graph(ops, shapes):
    """Float ops -> float32 CnnModel (arena planned)."""
    fops = []
    for op in ops:
        f = Op(op.op, op.act, op.kh, op.kw, op.sh, op.sw, op.pt, op.pl, op.pb, op.pr, op.depth_multiplier)
        if op.weights is not None:
            f.weights = np.asarray(op.weights, np.float32)
            f.bias = np.asarray(op.bias, np.float32)
        fops.append(f)
    model = CnnModel([Tensor(*s, DTYPE_FLOAT32) for s in shapes], fops, True, 0)
    _place(model)
    return model


def _place(model):
    offsets, arena = plan_arena([t.nbytes for t in model.tensors])
    for t, off in zip(model.tensors, offsets):
        t.offset = off
    model.arena_bytes = arena


def convert(model, calib, *, mode="int8", calibration="minmax", percentile=99.99,
            softmax=None, progress=False):
    """Converts a trained torch.nn.Sequential (eval mode) to .tsm bytes.

    calib: float calibration inputs, NCHW (as fed to the torch model), e.g. a few
    hundred training images. mode: "int8" or "float". calibration: "minmax" or
    "percentile". softmax: None (keep the model's last layer), "int8" or "float"
    (append a softmax with int8 output (scale 1/256, zero point -128) or float
    output; "float" with mode "int8" gives a float32 output tensor).
    Returns (file bytes, CnnModel).
    """
    calib = np.asarray(calib, np.float32)
    if calib.ndim != 4:
        raise ValueError("calibration data must be NCHW")
    model.eval()
    ops, shapes = torch_to_graph(model, (calib.shape[2], calib.shape[3], calib.shape[1]))
    soft_out = "int8"
    if softmax is not None:
        if ops[-1].op != OP_SOFTMAX:
            ops.append(Op(OP_SOFTMAX))
            shapes.append(shapes[-1])
        soft_out = softmax
    if mode == "float":
        m = float_graph(ops, shapes)
    elif mode == "int8":
        ranges = calibrate(ops, shapes, calib.transpose(0, 2, 3, 1), calibration, percentile,
                           progress=progress)
        m = quantize_graph(ops, shapes, ranges, soft_out)
    else:
        raise ValueError("mode must be 'int8' or 'float'")
    return write_model(m), m


def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert a PyTorch nn.Sequential CNN to a tinysense .tsm model")
    ap.add_argument("model", help="torch.save()d nn.Sequential (whole module)")
    ap.add_argument("calib", help=".npy float32 calibration inputs, NCHW as fed to the model")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--mode", choices=["int8", "float"], default="int8")
    ap.add_argument("--calibration", choices=["minmax", "percentile"], default="minmax")
    ap.add_argument("--percentile", type=float, default=99.99)
    ap.add_argument("--softmax", choices=["int8", "float"], default=None,
                    help="append a softmax with this output type")
    args = ap.parse_args(argv)
    import torch
    net = torch.load(args.model, map_location="cpu")
    data, m = convert(net, np.load(args.calib), mode=args.mode,
                      calibration=args.calibration, percentile=args.percentile,
                      softmax=args.softmax, progress=True)
    with open(args.output, "wb") as f:
        f.write(data)
    print(m.summary())
    print(f"wrote {args.output}: {len(data)} bytes, arena {m.arena_bytes} bytes")


if __name__ == "__main__":
    main()
