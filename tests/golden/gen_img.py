"""Image pre-processing (include/tinysense/img/image.hpp): numpy integer
models of the conversions, resizes and the pixel quantiser (bit-exact), and
float64 references (bilinear within 1, quantiser within 1). Pillow itself is
compared in tests/python/test_img.py."""
import numpy as np

from goldenlib import output_path, write_header

rng = np.random.default_rng(4242)
arrays, scalars = {}, {}


# ---- models --------------------------------------------------------------------------
def luma(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)


def pack565(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)


def unpack565(u):
    u = u.astype(np.int64)
    return np.stack([(u >> 11) * 255 // 31, ((u >> 5) & 63) * 255 // 63, (u & 31) * 255 // 31],
                    -1).astype(np.uint8)


def to_bytes565(u, big):
    b = np.stack([u & 0xFF, u >> 8], -1) if not big else np.stack([u >> 8, u & 0xFF], -1)
    return b.astype(np.uint8)


def nearest_idx(s, d):
    return ((2 * np.arange(d) + 1) * s) // (2 * d)


def bilinear_taps(s, d):
    o = np.arange(d)
    num = (2 * o + 1) * s - d
    den = 2 * d
    i0 = np.where(num > 0, num // den, 0)
    f = np.where(num > 0, ((num % den) * 2048 + d) // den, 0)
    i0 = np.where(f == 2048, i0 + 1, i0)
    f = np.where(f == 2048, 0, f)
    edge = i0 >= s - 1
    i0 = np.where(edge, s - 1, i0)
    i1 = np.where(edge, s - 1, i0 + 1)
    f = np.where(edge, 0, f)
    return i0, i1, f


def resize_nearest(img, dh, dw):
    return img[nearest_idx(img.shape[0], dh)][:, nearest_idx(img.shape[1], dw)]


def resize_bilinear(img, dh, dw):
    y0, y1, fy = bilinear_taps(img.shape[0], dh)
    x0, x1, fx = bilinear_taps(img.shape[1], dw)
    p = img.astype(np.int64)
    fx_ = fx[None, :, None]
    top = (2048 - fx_) * p[y0][:, x0] + fx_ * p[y0][:, x1]
    bot = (2048 - fx_) * p[y1][:, x0] + fx_ * p[y1][:, x1]
    fy_ = fy[:, None, None]
    return (((2048 - fy_) * top + fy_ * bot + (1 << 21)) >> 22).astype(np.uint8)


def bilinear_float(img, dh, dw):
    def coords(s, d):
        c = np.clip((np.arange(d) + 0.5) * s / d - 0.5, 0, s - 1)
        i0 = np.floor(c).astype(int)
        i1 = np.minimum(i0 + 1, s - 1)
        return i0, i1, c - i0
    y0, y1, fy = coords(img.shape[0], dh)
    x0, x1, fx = coords(img.shape[1], dw)
    p = img.astype(np.float64)
    fx_ = fx[None, :, None]
    top = (1 - fx_) * p[y0][:, x0] + fx_ * p[y0][:, x1]
    bot = (1 - fx_) * p[y1][:, x0] + fx_ * p[y1][:, x1]
    fy_ = fy[:, None, None]
    return (1 - fy_) * top + fy_ * bot


def area_weights(s, d):
    w = np.zeros((d, s), np.int64)
    for o in range(d):
        lo, hi = o * s, (o + 1) * s
        for i in range(s):
            w[o, i] = max(0, min((i + 1) * d, hi) - max(i * d, lo))
    return w


def resize_area(img, dh, dw):
    sh, sw, ch = img.shape
    wy, wx = area_weights(sh, dh), area_weights(sw, dw)
    acc = np.einsum("ys,sxc,tx->ytc", wy, img.astype(np.int64), wx)
    total = sh * sw
    return ((acc + total // 2) // total).astype(np.uint8)


# ---- conversions -------------------------------------------------------------------------
rgb = rng.integers(0, 256, (7, 13, 3), dtype=np.uint8)
rgb[0, :4] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [1, 2, 3]]
arrays["rgb"] = rgb.ravel()
arrays["rgb_to_gray"] = luma(rgb).ravel()
arrays["rgb_to_565le"] = to_bytes565(pack565(rgb), False).ravel()
arrays["rgb_to_565be"] = to_bytes565(pack565(rgb), True).ravel()
u = np.concatenate([[0, 0xFFFF, 0xF800, 0x07E0, 0x001F], rng.integers(0, 65536, 86)]).astype(np.int64)
u = u.reshape(7, 13)
arrays["c565le"] = to_bytes565(u, False).ravel()
arrays["c565be"] = to_bytes565(u, True).ravel()
arrays["c565_to_rgb"] = unpack565(u).ravel()
arrays["c565_to_gray"] = luma(unpack565(u)).ravel()
gray = rng.integers(0, 256, (7, 13), dtype=np.uint8)
arrays["gray"] = gray.ravel()
arrays["gray_to_565"] = to_bytes565(pack565(np.stack([gray] * 3, -1)), False).ravel()

# ---- resizes ------------------------------------------------------------------------------
src_gray = rng.integers(0, 256, (13, 17, 1), dtype=np.uint8)
src_gray[:, :8, 0] = np.arange(8) * 30  # a ramp: bilinear interpolates it exactly
src_rgb = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
arrays["src_gray"] = src_gray.ravel()
arrays["src_rgb"] = src_rgb.ravel()
SIZES = [(4, 5), (23, 31), (13, 17), (1, 1), (3, 40), (6, 8)]  # (h, w) of the gray outputs
arrays["sizes"] = np.array(SIZES, np.int32).ravel()
scalars["n_sizes"] = len(SIZES)
for method, fn in (("nearest", resize_nearest), ("bilinear", resize_bilinear), ("area", resize_area)):
    arrays[f"{method}_gray"] = np.concatenate([fn(src_gray, h, w).ravel() for h, w in SIZES])
    arrays[f"{method}_rgb"] = fn(src_rgb, 5, 4).ravel()  # 7x9 -> 5x4
arrays["bilinear_gray_float"] = np.concatenate([bilinear_float(src_gray, h, w).ravel() for h, w in SIZES])

# ---- quantiser and normaliser --------------------------------------------------------------
p = np.arange(256)
QUANT = [(0.0, 255.0, np.float32(1 / 255), -128), (127.5, 63.75, np.float32(0.0157), 3),
         (10.0, 1.0, np.float32(0.5), -100), (0.0, 16.0, np.float32(0.00392157), -128)]
for k, (mean, std, scale, zp) in enumerate(QUANT):
    step = np.float64(np.float32(std)) * np.float64(scale)
    inv = 1.0 / step
    off = zp - np.float64(np.float32(mean)) * inv
    m = int(np.floor(inv * 65536 + 0.5))
    a = int(np.floor(off * 65536 + 0.5)) + 32768
    arrays[f"quant{k}_y"] = np.clip((p * m + a) >> 16, -128, 127).astype(np.int8)
    arrays[f"quant{k}_float"] = np.clip(np.floor((p - mean) / std / np.float64(scale) + 0.5) + zp,
                                        -128, 127).astype(np.int8)
    arrays[f"quant{k}_params"] = np.array([mean, std, scale, zp], np.float32)
    scalars[f"quant{k}_mul"] = m
    scalars[f"quant{k}_add"] = a
scalars["n_quant"] = len(QUANT)
arrays["normalize_y"] = ((p - 33.0) / 58.5)

write_header(output_path(), "img", arrays, scalars)
