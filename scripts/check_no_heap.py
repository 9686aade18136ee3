#!/usr/bin/python3
"""Fails if a tinysense library archive references the heap or exceptions.

Usage: check_no_heap.py --nm NM lib1.a [lib2.a ...]
Reads the undefined symbols of every object with `nm -u` and rejects malloc,
free, operator new/delete, and the C++ exception runtime.
"""
import argparse
import re
import subprocess
import sys

FORBIDDEN = re.compile(
    r"^(malloc|calloc|realloc|free|aligned_alloc|posix_memalign|_Znw\w*|_Zna\w*|_Zdl\w*|_Zda\w*"
    r"|__cxa_allocate_exception|__cxa_throw|__cxa_begin_catch|__cxa_guard_acquire|__cxa_atexit"
    r"|__dynamic_cast|_ZTI\w*)$"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nm", default="nm")
    ap.add_argument("libs", nargs="+")
    args = ap.parse_args()
    bad = []
    for lib in args.libs:
        out = subprocess.run([args.nm, "-u", "-A", lib], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            sym = line.split()[-1]
            if FORBIDDEN.match(sym):
                bad.append(f"{line.split(':')[1] if ':' in line else lib}: {sym}")
    if bad:
        print("heap/exception symbols referenced by the library:")
        print("\n".join("  " + b for b in bad))
        return 1
    print(f"no heap or exception symbols in {len(args.libs)} libraries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
