#!/usr/bin/python3
"""Pure MicroPython on a real Cortex-M0 MicroPython: the BBC micro:bit
firmware (Debian's firmware-microbit-micropython, MicroPython 1.9.2, nRF51822,
about 10 KB of heap, no native/viper emitters) booted in
`qemu-system-arm -M microbit -icount shift=0`, driven over its raw REPL.

Each case runs in a fresh QEMU (clean heap): the kernel's source is taken from
kernels.py (the same code the unix port runs), the output of the first call is
printed and compared with numpy/scipy, then the call is measured twice:
  * exact instruction counts with the insncount plugin of bench/target: the
    plugin counts guest instructions between two marker C functions, here the
    firmware's own utime.ticks_add and gc.isenabled (found through
    machine.mem32[id(f) + 4], the C pointer in MicroPython's builtin-function
    object), called from Python around the kernel call; an empty marker pair
    gives the overhead, subtracted as in bench/target/qemu_count.py;
  * utime.ticks_us() differences (with -icount shift=0 one guest microsecond
    is 1000 instructions, so this is a second, coarser instruction count).
Both include the firmware's timer interrupts (display refresh) that happen
during the call, as on the device.

Usage: microbit.py DATA_JSON OUT_JSON [--build-dir DIR] [--hex FILE]
Prints SKIP and writes nothing when QEMU, the firmware or a tool is missing.
"""
import argparse
import json
import math
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_HEX = "/usr/share/firmware-microbit-micropython/firmware.hex"
FLASH_BYTES = 256 * 1024  # nRF51822: code flash at 0; the hex's UICR record is dropped
REPS = 5                  # measured calls per case (counts are deterministic; 5 shows it)
# Raw REPL feed: small chunks with pauses, as the firmware's UART receive
# buffer drops characters when it overflows (a corrupted program shows up as a
# SyntaxError/NameError, and the case is retried).
CHUNK, CHUNK_DELAY = 16, 0.008
RETRIES = 2

# Sizes that fit the micro:bit heap (~8.6 KB free after boot); the Cortex-M0
# firmware (m0/) measures tinysense at the same sizes.
FFT_N = 256
VEC_N = 1000
CASES = [
    # name, kernel, dtype, param, kernels.py functions, setup code, call, result
    ("rfft_f32_256", "rfft", "f32", "n=%d" % FFT_N, ["bitrev", "rfft_plan", "rfft_f32"],
     ["out = array.array('f', range({n} + 2))", "x = sigf({n})", "P = rfft_plan({n})"],
     "rfft_f32(x, out, P[0], P[1], P[2], P[3], P[4], P[5])", "out"),
    ("rfft_q15_256", "rfft", "q15", "n=%d" % FFT_N, ["bitrev", "rfft_q15_plan", "rfft_q15"],
     ["out = array.array('h', range({n} + 2))", "x = sig({n})", "P = rfft_q15_plan({n})"],
     "rfft_q15(x, out, P[0], P[1], P[2], P[3], P[4], P[5])", "out"),
    ("rfft_f32_1024", "rfft", "f32", "n=1024", ["bitrev", "rfft_plan", "rfft_f32"],
     ["out = array.array('f', range(1026))", "x = sigf(1024)", "P = rfft_plan(1024)"],
     "rfft_f32(x, out, P[0], P[1], P[2], P[3], P[4], P[5])", "out"),
    ("rfft_q15_1024", "rfft", "q15", "n=1024", ["bitrev", "rfft_q15_plan", "rfft_q15"],
     ["out = array.array('h', range(1026))", "x = sig(1024)", "P = rfft_q15_plan(1024)"],
     "rfft_q15(x, out, P[0], P[1], P[2], P[3], P[4], P[5])", "out"),
    ("rms_f32", "rms", "f32", "n=%d" % VEC_N, ["rms_f32"], ["x = sigf({v})"], "r = rms_f32(x)", "r"),
    ("rms_i16", "rms", "i16", "n=%d" % VEC_N, ["rms_i16"], ["x = sig({v})"], "r = rms_i16(x)", "r"),
    ("rms_i16f", "rms", "i16", "n=%d" % VEC_N, ["rms_i16f"], ["x = sig({v})"], "r = rms_i16f(x)", "r"),
    ("iir_f32", "iir", "f32", "4x%d" % VEC_N, ["biquad_f32"],
     ["x = sigf({v})", "S = array.array('f', {sos})",
      "Z = array.array('f', range(8))\nfor i in range(8):\n    Z[i] = 0.0"], "biquad_f32(S, Z, x, x)", "x"),
    ("iir_q15", "iir", "q15", "4x%d" % VEC_N, ["biquad_q15"],
     ["x = sig({v})", "S = array.array('h', {sosq})",
      "Z = array.array('h', range(16))\nfor i in range(16):\n    Z[i] = 0"], "biquad_q15(S, {shift}, Z, x, x)", "x"),
]

# Test signal: the 16-bit LCG of make_data.py; arrays are created from range()
# so that no temporary list is needed (the heap is ~10 KB).
PRELUDE = """import array, math, gc, utime, machine
def sig(n):
    s = 1
    a = array.array('h', range(n))
    for i in range(n):
        s = (s * 25173 + 13849) & 0xFFFF
        a[i] = (s >> 1) - 16384
    return a
def sigf(n):
    s = 1
    a = array.array('f', range(n))
    for i in range(n):
        s = (s * 25173 + 13849) & 0xFFFF
        a[i] = ((s >> 1) - 16384) / 32768.0
    return a
"""


class Skip(Exception):
    pass


def kernel_source(names):
    """Top-level functions `names` of kernels.py, comments and blank lines removed."""
    lines = open(os.path.join(HERE, "kernels.py")).read().splitlines()
    out = []
    for name in names:
        start = next(i for i, l in enumerate(lines) if l.startswith("def %s(" % name))
        body = [lines[start]]
        for l in lines[start + 1:]:
            if l and not l[0].isspace() and not l.startswith("#"):
                break
            body.append(l)
        for l in body:
            l = re.sub(r"\s+#\s.*$", "", l)
            if l.strip() and not l.strip().startswith("#"):
                depth = (len(l) - len(l.lstrip(" "))) // 4
                out.append(" " * depth + l.lstrip(" "))  # 1-space indents: fewer bytes to feed
    return "\n".join(out) + "\n"


class Board:
    """One QEMU micro:bit on stdio, driven through the raw REPL."""

    def __init__(self, fw_bin, extra=()):
        self.p = subprocess.Popen(
            ["qemu-system-arm", "-M", "microbit", "-device", "loader,file=%s,addr=0" % fw_bin,
             "-display", "none", "-monitor", "none", "-serial", "stdio", "-icount", "shift=0"] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
        self.read_until(b">>> ", 20)
        self.p.stdin.write(b"\r\x03\x03")
        time.sleep(0.1)
        self.p.stdin.write(b"\x01")
        self.read_until(b"raw REPL; CTRL-B to exit\r\n>", 10)

    def read_until(self, token, timeout):
        buf = b""
        t0 = time.time()
        while token not in buf:
            if self.p.poll() is not None:
                raise RuntimeError("QEMU exited (%s): %r" % (self.p.returncode, buf[-500:]))
            if time.time() - t0 > timeout:
                raise RuntimeError("timeout waiting for %r; got %r" % (token, buf[-500:]))
            r, _, _ = select.select([self.p.stdout], [], [], 0.05)
            if r:
                buf += os.read(self.p.stdout.fileno(), 65536)
        return buf

    def exec(self, code, timeout=120):
        """Runs code in the raw REPL; returns stdout, raises on a Python error."""
        data = code.encode()
        for i in range(0, len(data), CHUNK):
            self.p.stdin.write(data[i:i + CHUNK])
            time.sleep(CHUNK_DELAY)
        self.p.stdin.write(b"\x04")
        buf = self.read_until(b"\x04>", timeout)
        while buf.count(b"\x04") < 2:
            buf += self.read_until(b"\x04>", timeout)
        m = re.search(rb"OK(.*?)\x04(.*?)\x04>", buf, re.S)
        if not m:
            raise RuntimeError("raw REPL protocol error: %r" % buf[-500:])
        out, err = m.group(1).decode(errors="replace"), m.group(2).decode(errors="replace")
        if err.strip():
            raise RuntimeError(err.strip())
        return out

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.terminate()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def prepare(build_dir, hex_path):
    for tool in ("qemu-system-arm", "arm-none-eabi-objcopy", "gcc"):
        if shutil.which(tool) is None:
            raise Skip("%s not found" % tool)
    if not os.path.exists(hex_path):
        raise Skip("%s not found (apt-get install firmware-microbit-micropython)" % hex_path)
    if "microbit" not in subprocess.run(["qemu-system-arm", "-M", "help"], capture_output=True,
                                        text=True).stdout:
        raise Skip("this qemu-system-arm has no microbit machine")
    os.makedirs(build_dir, exist_ok=True)
    fw = os.path.join(build_dir, "microbit-firmware.bin")
    subprocess.run(["arm-none-eabi-objcopy", "-I", "ihex", "-O", "binary", "--gap-fill", "0xff",
                    hex_path, fw], check=True)
    with open(fw, "r+b") as f:  # drop the UICR record at 0x10001000 (the image is 256 MB otherwise)
        f.truncate(FLASH_BYTES)
    plugin = os.path.join(build_dir, "libinsncount.so")
    src = os.path.join(ROOT, "bench", "target", "insncount.c")
    if not os.path.exists(plugin) or os.path.getmtime(plugin) < os.path.getmtime(src):
        subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-fPIC", "-shared",
                        "-fvisibility=hidden", "-o", plugin, src], check=True)
    return fw, plugin


def marker_addresses(fw):
    b = Board(fw)
    try:
        out = b.exec("import utime, gc, machine\n"
                     "print(machine.mem32[id(utime.ticks_add) + 4], machine.mem32[id(gc.isenabled) + 4])\n"
                     "import os\nprint(os.uname().version)\n")
    finally:
        b.close()
    start, stop, version = out.split("\n")[0].split()[0], out.split("\n")[0].split()[1], out.split("\n")[1]
    return int(start) & ~1, int(stop) & ~1, version.strip()


def run_case(fw, plugin, markers, case, data):
    name, kernel, dtype, param, funcs, setup, call, result = case
    sos = "[%s]" % ", ".join(repr(v) for v in data["sos"])
    setup = [st.format(n=FFT_N, v=VEC_N, sos=sos, sosq=repr(data["sos_q15"])) for st in setup]
    call = call.format(shift=data["sos_q15_shift"])
    rec = {"case": name, "kernel": kernel, "dtype": dtype, "param": param, "reps": REPS}
    with tempfile.TemporaryDirectory(prefix="ts-mb-") as tmp:
        log = os.path.join(tmp, "plugin.log")
        b = Board(fw, ["-plugin", "%s,start=%#x,stop=%#x" % (plugin, markers[0], markers[1]),
                       "-d", "plugin", "-D", log])
        stage = "loading the kernels"
        try:
            # One function per exec, the kernel first: the compiler's parse tree
            # of the largest function must fit in the heap too.
            for fn in funcs[-1:] + funcs[:-1]:
                b.exec(kernel_source([fn]) + "import gc\ngc.collect()\n")
            b.exec(PRELUDE)
            # Setup one statement per exec, freeing the table builders as soon
            # as they are done, so the tables and buffers have the heap.
            try:
                for st in setup:
                    b.exec(st + "\ngc.collect()\n")
                    if st.startswith("x = "):
                        b.exec("del sig, sigf\ngc.collect()\n")
            except RuntimeError as e:
                if "MemoryError" in str(e):
                    rec["error"] = "MemoryError in setup step %r (heap ~10 KB)" % st.split("\n")[-1]
                    return rec
                raise
            stage = "setup"
            rec["mem_free"] = int(b.exec("gc.collect()\nprint(gc.mem_free())\n").split()[0])
            if os.environ.get("MICROBIT_DEBUG"):
                print("    free after setup: %d B" % rec["mem_free"])
            # First call: the output to check.
            stage = "first call"
            b.exec(call + "\n")
            stage = "printing the output"
            if result in ("out", "x"):
                out = b.exec("for v in %s:\n print(v)\n" % result)
            else:
                out = b.exec("print(repr(r))\n")
            rec["output"] = [float(v) for v in out.split()]
            # Measured calls: marker pairs around the call, then around nothing;
            # then ticks_us around the call and around nothing. Small execs:
            # compiling them needs heap too.
            stage = "counted calls"
            b.exec("for _ in range(%d):\n utime.ticks_add(0, 0)\n %s\n gc.isenabled()\n"
                   "for _ in range(3):\n utime.ticks_add(0, 0)\n gc.isenabled()\n" % (REPS, call),
                   timeout=600)
            stage = "timed calls"
            try:  # a cross-check only: skipped when even this small exec does not fit
                t = b.exec("for _ in range(%d):\n t = utime.ticks_us()\n %s\n"
                           " print(utime.ticks_diff(utime.ticks_us(), t))\n" % (REPS, call), timeout=600)
                t += b.exec("for _ in range(3):\n t = utime.ticks_us()\n"
                            " print(utime.ticks_diff(utime.ticks_us(), t))\n")
                ticks = [int(v) for v in re.findall(r"-?\d+", t)]
            except RuntimeError as e:
                ticks = None
                rec["ticks_error"] = str(e).splitlines()[-1]
        except RuntimeError as e:
            rec["error"] = "%s: %s" % (stage, str(e)[-300:])
            if os.environ.get("MICROBIT_DEBUG"):
                print("    error in exec: %s" % e)
            return rec
        finally:
            b.close()
        lines = open(log).read().splitlines() if os.path.exists(log) else []
    pairs = [int(m.group(1)) for m in (re.match(r"insncount: pair \d+ (\d+)$", l) for l in lines) if m]
    errors = [l for l in lines if l.startswith("insncount: error")]
    if errors or len(pairs) != REPS + 3:
        rec["error"] = "plugin: %d pairs (want %d), %s" % (len(pairs), REPS + 3, errors[:2])
        return rec
    empty = pairs[REPS:]
    rec["overhead_instructions"] = empty
    counts = [p - min(empty) for p in pairs[:REPS]]
    rec["instructions_all"] = counts
    rec["instructions"] = sorted(counts)[len(counts) // 2]
    if ticks is not None:
        t_empty = min(ticks[REPS:])
        rec["ticks_us_all"] = [v - t_empty for v in ticks[:REPS]]
        rec["ticks_instructions"] = 1000 * sorted(rec["ticks_us_all"])[REPS // 2]
    else:
        rec["ticks_instructions"] = None
    return rec


def check(rec, data):
    """Compares the first call's printed output with the numpy/scipy reference."""
    import numpy as np
    got = np.array(rec["output"])
    x16 = np.array(data["x16"], dtype=np.float64)
    case = rec["case"]
    if case.startswith("rfft_f32"):
        n = int(rec["param"].split("=")[1])
        ref = np.fft.rfft(x16[:n] / 32768.0)
        ref = np.column_stack([ref.real, ref.imag]).ravel()
        err = np.abs(got - ref).max() / np.abs(ref).max()
        return err < 1e-4, "vs numpy.fft.rfft: max |err| / max |ref| = %.1e (limit 1e-4)" % err
    if case.startswith("rfft_q15"):
        want = np.array(data["rfft_q15_%d" % FFT_N])
        bad = int((got != want).sum())
        return bad == 0, "bit-exact vs the integer model: %d of %d differ" % (bad, len(want))
    if case == "rms_f32":
        ref = math.sqrt(np.mean((x16[:VEC_N] / 32768.0) ** 2))
        err = abs(got[0] - ref) / ref
        return err < 1e-4, "vs numpy: rel err %.1e (limit 1e-4: 30-bit floats)" % err
    if case in ("rms_i16", "rms_i16f"):
        ref = math.sqrt(np.mean(x16[:VEC_N] ** 2))
        err = abs(got[0] - ref) / ref
        return err < 1e-4, "vs numpy: rel err %.1e (limit 1e-4: 30-bit floats)" % err
    import scipy.signal
    sos = np.array(data["sos"]).reshape(-1, 6)
    if case == "iir_f32":
        ref = scipy.signal.sosfilt(sos, x16[:VEC_N] / 32768.0)
        err = np.abs(got - ref).max() / np.abs(ref).max()
        return err < 1e-4, "vs scipy.signal.sosfilt: max |err| / max |ref| = %.1e (limit 1e-4)" % err
    if case == "iir_q15":
        want = np.array(data["biquad_q15"][:VEC_N])
        # data["biquad_q15"] filtered 2000 samples; the first VEC_N are the same
        bad = int((got != want).sum())
        return bad == 0, "bit-exact vs the BiquadQ15 model: %d of %d differ" % (bad, len(want))
    return False, "no check for %s" % case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "mpy-bench"))
    ap.add_argument("--hex", default=os.environ.get("MICROBIT_HEX", DEFAULT_HEX))
    ap.add_argument("--only", help="comma-separated case names")
    args = ap.parse_args()
    try:
        fw, plugin = prepare(args.build_dir, args.hex)
    except Skip as e:
        print("SKIP micro:bit baseline: %s" % e)
        return 0
    data = json.load(open(args.data))
    start, stop, version = marker_addresses(fw)
    print("micro:bit: %s; markers ticks_add=%#x isenabled=%#x" % (version, start, stop))
    recs = []
    for case in CASES:
        if args.only and case[0] not in args.only.split(","):
            continue
        t0 = time.time()
        for attempt in range(RETRIES + 1):
            rec = run_case(fw, plugin, (start, stop), case, data)
            err = rec.get("error", "")
            if not re.search(r"SyntaxError|NameError|ImportError|IndentationError|protocol error", err):
                break
            print("  %-14s retry after a garbled transfer: %s" % (case[0], err.splitlines()[-1]))
        if "output" in rec:
            ok, rec["check"] = check(rec, data)
            rec["ok"] = bool(ok) and "error" not in rec
            del rec["output"]
        else:
            rec["ok"] = False
        if "instructions" in rec and rec["ok"]:
            print("  %-14s %-7s %12d instructions (ticks_us: %s)  all %s  free %d B  %s  [%.1f s]" % (
                rec["case"], rec["param"], rec["instructions"], rec["ticks_instructions"],
                rec["instructions_all"], rec["mem_free"], rec["check"], time.time() - t0))
        else:
            what = rec.get("error") or rec.get("check")
            print("  %-14s %-7s %s: %s" % (rec["case"], rec["param"],
                                           "DOES NOT FIT" if "MemoryError" in str(what) else "FAILED", what))
        recs.append(rec)
    with open(args.out, "w") as f:
        json.dump({"schema": "tinysense-bench-mpy-microbit/1", "firmware": os.path.basename(args.hex),
                   "firmware_version": version, "machine": "qemu-system-arm -M microbit -icount shift=0",
                   "metric": "instructions", "reps": REPS, "results": recs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
