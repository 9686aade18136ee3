"""tinysense: efficient sensor data processing on microcontrollers.

This package holds the host side: the compiled kernels (tinysense._ext, the
same C++ that runs on the microcontroller) and the host tools (design,
convert, decode, bench report).
"""
try:
    from ._ext import *  # noqa: F401,F403  (the C++ kernels)
except ImportError as exc:  # pragma: no cover - only when the module was not built
    raise ImportError(
        "tinysense._ext is not built: run scripts/test or "
        "`cmake --preset host && cmake --build --preset host`, then put build/host/python on PYTHONPATH"
    ) from exc

__version__ = "0.1.0"
