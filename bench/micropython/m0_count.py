#!/usr/bin/python3
"""tinysense on Cortex-M0: builds bench/micropython/m0 (cortex-m0plus
toolchain, Release = -O3, soft float) and counts every kernel with the
insncount plugin of bench/target, at the sizes of the micro:bit baseline.

The counts come from `qemu-system-arm -M mps2-an385` (a Cortex-M3 board:
ARMv6-M code is a subset of ARMv7-M and runs unchanged, and the board has room
for n = 1024). The n = 256 image also runs on `-M microbit` (a real Cortex-M0
with 16 KiB of RAM); every count must be identical on both boards, else this
script fails. A calibration leaf of 1000 nops must read exactly 1002 (bl, the
nops, bx lr).

Usage: m0_count.py DATA_DIR OUT_JSON [--build-dir DIR]
Prints SKIP and writes nothing when the Arm toolchain or QEMU is missing.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "target"))
import qemu_count  # noqa: E402

RUNNER = os.path.join(HERE, "m0", "qemu-m0")


def build(data_dir, build_dir):
    cmd = ["cmake", "-S", os.path.join(HERE, "m0"), "-B", build_dir, "-G", "Ninja",
           "-DCMAKE_TOOLCHAIN_FILE=%s/cmake/toolchains/cortex-m0plus.cmake" % ROOT,
           "-DCMAKE_BUILD_TYPE=Release", "-DTS_M0_DATA_DIR=%s" % os.path.abspath(data_dir),
           "-DTINYSENSE_PYTHON=/usr/bin/python3"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.exit("m0_count: configure failed:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    out = subprocess.run(["cmake", "--build", build_dir, "-j2"], capture_output=True, text=True)
    if out.returncode:
        sys.exit("m0_count: build failed:\n" + out.stdout[-4000:] + out.stderr[-2000:])
    flags = ""
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_CXX_FLAGS_RELEASE:"):
                flags = line.split("=", 1)[1].strip()
    return flags


def plugin_path(build_dir):
    plugin = os.path.join(build_dir, "libinsncount.so")
    src = os.path.join(ROOT, "bench", "target", "insncount.c")
    if not os.path.exists(plugin) or os.path.getmtime(plugin) < os.path.getmtime(src):
        subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-fPIC", "-shared",
                        "-fvisibility=hidden", "-o", plugin, src], check=True)
    return plugin


def count(elf, plugin, machine):
    env_old = os.environ.get("TS_M0_MACHINE")
    os.environ["TS_M0_MACHINE"] = machine
    try:
        res = qemu_count.run(elf, plugin, runner=RUNNER, timeout=300)
    finally:
        if env_old is None:
            del os.environ["TS_M0_MACHINE"]
        else:
            os.environ["TS_M0_MACHINE"] = env_old
    if "@bench-error" in res["stdout"]:
        sys.exit("m0_count: a kernel failed to initialise on %s:\n%s" % (machine, res["stdout"][-1500:]))
    passed, failed = qemu_count.check_expectations(res["measurements"])
    if failed or not passed:
        sys.exit("m0_count: calibration is not exact on %s; counts not trusted" % machine)
    return {(m["kernel"], m["param"]): m["instructions"] for m in res["measurements"]
            if not m["kernel"].startswith("calib")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    ap.add_argument("out")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "mpy-bench", "m0"))
    args = ap.parse_args()
    for tool in ("arm-none-eabi-g++", "qemu-system-arm", "cmake", "ninja", "gcc"):
        if shutil.which(tool) is None:
            print("SKIP Cortex-M0 counts: %s not found" % tool)
            return 0
    flags = build(args.data_dir, args.build_dir)
    plugin = plugin_path(args.build_dir)
    big = count(os.path.join(args.build_dir, "bench_m0_an385"), plugin, "mps2-an385")
    small = count(os.path.join(args.build_dir, "bench_m0_microbit"), plugin, "microbit")
    for key, n in small.items():
        if big.get(key) != n:
            sys.exit("m0_count: %s %s counts %d on microbit but %s on mps2-an385" % (key + (n, big.get(key))))
    version = subprocess.run(["arm-none-eabi-g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    results = [{"kernel": k[0], "param": k[1], "instructions": n, "same_on_microbit": k in small}
               for k, n in big.items()]
    for r in results:
        print("  %-9s %-7s %10d instructions%s" % (r["kernel"], r["param"], r["instructions"],
                                                  " (same on -M microbit)" if r["same_on_microbit"] else ""))
    with open(args.out, "w") as f:
        json.dump({"schema": "tinysense-bench-mpy-m0/1", "metric": "instructions",
                   "compiler": version, "flags": "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft " + flags,
                   "emulator": qemu + "; -M mps2-an385 (and -M microbit for n=256) -icount shift=0",
                   "calibration": "1000-nop leaf read exactly 1002 on both boards",
                   "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
