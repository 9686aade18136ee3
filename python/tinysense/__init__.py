"""tinysense: efficient sensor data processing on microcontrollers.

This package holds the host side: the compiled kernels (tinysense._ext, the
same C++ that runs on the microcontroller, re-exported here) and the pure-Python
host tools (model_format, design, convert, bench_report), which work without
the compiled module.
"""
__version__ = "0.1.0"

try:
    from ._ext import *  # noqa: F401,F403  (the C++ kernels)
    _EXT_ERROR = None
except ImportError as exc:  # the host tools still work without the kernels
    _EXT_ERROR = exc


def __getattr__(name):
    if _EXT_ERROR is not None and not name.startswith("__"):
        raise AttributeError(
            f"tinysense.{name} needs the compiled module tinysense._ext, which is not built "
            f"({_EXT_ERROR}): run `cmake --preset host && cmake --build --preset host` and put "
            "build/host/python on PYTHONPATH"
        )
    raise AttributeError(f"module 'tinysense' has no attribute {name!r}")
