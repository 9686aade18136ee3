"""pytest setup: import tinysense from the host build (build/host/python)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_PY = os.environ.get("TINYSENSE_PYTHONPATH", os.path.join(ROOT, "build", "host", "python"))
if BUILD_PY not in sys.path:
    sys.path.insert(0, BUILD_PY)
