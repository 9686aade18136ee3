"""CNN kernels (include/tinysense/nn/kernels.hpp): int8 outputs of the numpy
integer model (python/tinysense/convert_cnn.py, TFLite arithmetic) and float64
references of the float32 kernels, on random tensors with fixed seeds."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense import convert_cnn as cc  # noqa: E402

rng = np.random.default_rng(20240611)
arrays, scalars = {}, {}

# ---- fixed-point primitives ----------------------------------------------------
edge = np.array([0, 1, -1, 2, -2, 3, -3, 1 << 30, -(1 << 30), cc.INT32_MAX, cc.INT32_MIN,
                 cc.INT32_MAX - 1, cc.INT32_MIN + 1, 12345, -12345], np.int64)
a = np.concatenate([edge, rng.integers(cc.INT32_MIN, cc.INT32_MAX, 200, endpoint=True)])
b = np.concatenate([edge[::-1], rng.integers(cc.INT32_MIN, cc.INT32_MAX, 200, endpoint=True)])
arrays["srdhm_a"] = a.astype(np.int32)
arrays["srdhm_b"] = b.astype(np.int32)
arrays["srdhm_out"] = cc.srdhm(a, b).astype(np.int32)
e = rng.integers(0, 32, a.shape[0])
arrays["rdpot_exp"] = e.astype(np.int32)
arrays["rdpot_out"] = cc.rounding_divide_by_pot(a, e).astype(np.int32)
m = rng.integers(1 << 30, cc.INT32_MAX, a.shape[0], endpoint=True)
m[:3] = [0, 1 << 30, cc.INT32_MAX]
sh = rng.integers(-31, 8, a.shape[0])
sh[0] = 0
arrays["mbqm_m"] = m.astype(np.int32)
arrays["mbqm_shift"] = sh.astype(np.int32)
arrays["mbqm_out"] = cc.multiply_by_quantized_multiplier(a, m, sh).astype(np.int32)


# ---- int8 / float layers ---------------------------------------------------------
def window(op, h, w, kh, kw, sh_, sw_, pt, pl, ho, wo):
    op.kh, op.kw, op.sh, op.sw, op.pt, op.pl = kh, kw, sh_, sw_, pt, pl
    op.pb = max((ho - 1) * sh_ + kh - h - pt, 0)
    op.pr = max((wo - 1) * sw_ + kw - w - pl, 0)
    assert 0 <= op.pb < kh and 0 <= op.pr < kw, (op.pb, op.pr)


def requant_params(op, cout, shift_range):
    op.multiplier = rng.integers(1 << 30, cc.INT32_MAX, cout, endpoint=True)
    op.shift = rng.integers(shift_range[0], shift_range[1] + 1, cout)
    op.shift[0] = 1                      # saturating channel
    if cout > 2:
        op.multiplier[1], op.shift[1] = 0, 0  # all-zero channel


def int8_tensor(shape):
    return rng.integers(-128, 128, shape).astype(np.int8)


CASES = []  # (name, op code, h, w, cin, cout, kh, kw, sh, sw, pt, pl, ho, wo, dm, act, shift range)
CASES.append(("conv_same", cc.OP_CONV2D, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, 7, 9, 1, "relu", (-11, -9)))
CASES.append(("conv_s2", cc.OP_CONV2D, 10, 9, 4, 6, 3, 2, 2, 2, 1, 0, 5, 4, 1, "none", (-12, -9)))
CASES.append(("conv_1x1", cc.OP_CONV2D, 4, 5, 8, 7, 1, 1, 1, 1, 0, 0, 4, 5, 1, "relu6", (-11, -9)))
CASES.append(("conv_valid5", cc.OP_CONV2D, 11, 8, 2, 3, 5, 5, 2, 1, 0, 0, 4, 4, 1, "none", (-12, -9)))
CASES.append(("conv_long", cc.OP_CONV2D, 5, 4, 64, 3, 3, 3, 1, 1, 1, 1, 5, 4, 1, "none", (-13, -11)))  # > patch
CASES.append(("dw_same", cc.OP_DEPTHWISE, 8, 6, 5, 5, 3, 3, 1, 1, 1, 1, 8, 6, 1, "relu", (-10, -8)))
CASES.append(("dw_mult2_s2", cc.OP_DEPTHWISE, 9, 7, 3, 6, 3, 3, 2, 2, 1, 1, 5, 4, 2, "none", (-10, -8)))
CASES.append(("dw_chunks", cc.OP_DEPTHWISE, 4, 5, 40, 40, 3, 3, 1, 1, 1, 1, 4, 5, 1, "relu6", (-10, -8)))
CASES.append(("dw_mult3_chunks", cc.OP_DEPTHWISE, 5, 5, 12, 36, 3, 3, 2, 2, 1, 1, 3, 3, 3, "none", (-10, -8)))
CASES.append(("maxpool", cc.OP_MAXPOOL, 9, 8, 3, 3, 2, 2, 2, 2, 0, 0, 4, 4, 1, "none", None))
CASES.append(("maxpool_pad", cc.OP_MAXPOOL, 7, 7, 4, 4, 3, 3, 2, 2, 1, 1, 4, 4, 1, "none", None))
CASES.append(("avgpool", cc.OP_AVGPOOL, 8, 8, 3, 3, 2, 2, 2, 2, 0, 0, 4, 4, 1, "none", None))
CASES.append(("avgpool_pad", cc.OP_AVGPOOL, 7, 6, 5, 5, 3, 3, 2, 2, 1, 1, 4, 3, 1, "none", None))

names = []
for (name, code, h, w, cin, cout, kh, kw, s_h, s_w, pt, pl, ho, wo, dm, act, shr) in CASES:
    op = cc.Op(code, depth_multiplier=dm)
    window(op, h, w, kh, kw, s_h, s_w, pt, pl, ho, wo)
    tin = cc.Tensor(h, w, cin, zero_point=int(rng.integers(-128, 128)))
    tout = cc.Tensor(ho, wo, cout, zero_point=int(rng.integers(-30, 30)))
    op.act_min, op.act_max = -128, 127
    if act == "relu":
        op.act_min = max(-128, tout.zero_point)
    elif act == "relu6":
        op.act_min, op.act_max = -20, 90
    x = int8_tensor((h, w, cin))
    if code in (cc.OP_CONV2D, cc.OP_DEPTHWISE):
        shape = (cout, kh, kw, cin) if code == cc.OP_CONV2D else (kh, kw, cout)
        op.weights = rng.integers(-127, 128, shape).astype(np.int8)
        op.bias = rng.integers(-5000, 5000, cout).astype(np.int64)
        requant_params(op, cout, shr)
        arrays[f"{name}_w"] = op.weights.ravel()
        arrays[f"{name}_bias"] = op.bias.astype(np.int32)
        arrays[f"{name}_mult"] = op.multiplier.astype(np.int32)
        arrays[f"{name}_shift"] = op.shift.astype(np.int32)
    else:
        tout.zero_point = tin.zero_point
        if name == "maxpool":
            op.act_min, op.act_max = -50, 100  # a fused clamp after pooling
    y = cc._run_op_int8(op, tin, tout, x[None])[0]
    arrays[f"{name}_x"] = x.ravel()
    arrays[f"{name}_y"] = y.ravel()
    if os.environ.get("GOLDEN_STATS"):
        print(name, "saturated", np.mean((y == op.act_min) | (y == op.act_max)).round(2), file=sys.stderr)
    # float: the same window with float data
    xf = rng.standard_normal((h, w, cin)).astype(np.float32)
    fop = cc.Op(code, cc.ACT_RELU if act == "relu" else (cc.ACT_RELU6 if act == "relu6" else cc.ACT_NONE),
                op.kh, op.kw, op.sh, op.sw, op.pt, op.pl, op.pb, op.pr, dm)
    if code in (cc.OP_CONV2D, cc.OP_DEPTHWISE):
        fop.weights = (rng.standard_normal(op.weights.shape) * 0.5).astype(np.float32)
        fop.bias = rng.standard_normal(cout).astype(np.float32)
        arrays[f"{name}_fw"] = fop.weights.ravel()
        arrays[f"{name}_fbias"] = fop.bias
    yf = cc._run_op_float(fop, None, None, xf[None].astype(np.float64))[0]
    arrays[f"{name}_fx"] = xf.ravel()
    arrays[f"{name}_fy"] = yf.ravel()
    for key, val in dict(in_h=h, in_w=w, cin=cin, cout=cout, kh=kh, kw=kw, sh=s_h, sw=s_w, pt=pt, pl=pl,
                         ho=ho, wo=wo, dm=dm).items():
        scalars[f"{name}_{key}"] = val
    scalars.update({f"{name}_in_zp": tin.zero_point, f"{name}_out_zp": tout.zero_point,
                    f"{name}_act_min": op.act_min, f"{name}_act_max": op.act_max})

# ---- dense, global average pooling, softmax ----------------------------------------
n_in, n_out = 37, 11
op = cc.Op(cc.OP_DENSE, act_min=-128, act_max=127)
op.weights = rng.integers(-127, 128, (n_out, n_in)).astype(np.int8)
op.bias = rng.integers(-20000, 20000, n_out).astype(np.int64)
requant_params(op, n_out, (-12, -10))
tin = cc.Tensor(1, 1, n_in, zero_point=17)
tout = cc.Tensor(1, 1, n_out, zero_point=-5)
x = int8_tensor((1, 1, n_in))
arrays.update(dense_x=x.ravel(), dense_w=op.weights.ravel(), dense_bias=op.bias.astype(np.int32),
              dense_mult=op.multiplier.astype(np.int32), dense_shift=op.shift.astype(np.int32),
              dense_y=cc._run_op_int8(op, tin, tout, x[None]).ravel())
xf = rng.standard_normal(n_in).astype(np.float32)
wf = rng.standard_normal((n_out, n_in)).astype(np.float32)
bf = rng.standard_normal(n_out).astype(np.float32)
arrays.update(dense_fx=xf, dense_fw=wf.ravel(), dense_fbias=bf,
              dense_fy=np.maximum(wf.astype(np.float64) @ xf + bf, 0))  # with ReLU

tin = cc.Tensor(5, 6, 7)
x = int8_tensor((5, 6, 7))
gap = cc.Op(cc.OP_GAP, act_min=-128, act_max=127)
arrays["gap_x"] = x.ravel()
arrays["gap_y"] = cc._run_op_int8(gap, tin, tin, x[None]).ravel()
xf = rng.standard_normal((5, 6, 7)).astype(np.float32)
arrays["gap_fx"] = xf.ravel()
arrays["gap_fy"] = xf.astype(np.float64).mean(axis=(0, 1))

# softmax: 3 rows of 10 classes; int8 out via the Q15 exp table; float out.
s_in = np.float32(0.0625)
table = cc.softmax_exp_table(s_in)
sm = cc.Op(cc.OP_SOFTMAX, table=table)
x = int8_tensor((1, 3, 10))
x[0, 1, :] = 5  # all equal -> uniform probabilities
x[0, 2, 3] = 127
tin = cc.Tensor(1, 3, 10, scale=s_in)
arrays["softmax_table"] = table
arrays["softmax_x"] = x.ravel()
arrays["softmax_y"] = cc._run_op_int8(sm, tin, cc.Tensor(1, 3, 10, cc.DTYPE_INT8, 0, 1 / 256, -128),
                                      x[None]).ravel()
arrays["softmax_fy"] = cc._run_op_int8(sm, tin, cc.Tensor(1, 3, 10, cc.DTYPE_FLOAT32), x[None]).ravel().astype(np.float64)
xf = (rng.standard_normal((3, 10)) * 3).astype(np.float32)
ef = np.exp(xf.astype(np.float64) - xf.max(axis=1, keepdims=True))
arrays["softmax_ffx"] = xf.ravel()
arrays["softmax_ffy"] = (ef / ef.sum(axis=1, keepdims=True)).ravel()
scalars["softmax_in_scale"] = float(s_in)

write_header(output_path(), "nn_kernels", arrays, scalars)
