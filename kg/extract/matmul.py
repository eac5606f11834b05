"""The tagger's matrix products through numpy's BLAS, one thread per process.

thinc's ``NumpyOps.gemm`` multiplies with the BLIS library bundled in the ``blis`` wheel. On
the 2-core AMD EPYC (Zen 3, under KVM) kg is measured on, that build runs at about 29 GFLOPS
for the tagger's shapes (2,000 x 288 by 288 x 288, float32) whatever the size, while numpy's
OpenBLAS reaches about 90 on one thread (``benchmarks/bench_build.py``; the tagger's CNN is
~90% of its time in these products). :func:`use_numpy_matmul` gives a loaded model ops whose
``gemm`` is ``numpy.matmul``; everything else stays thinc's. The two libraries sum in
different orders, so scores can differ in the last bits: the mentions of the default corpus
and of 1,320 paperlists/ICLR records were checked identical, and the build's N-Triples export
byte-identical, before this was adopted.

OpenBLAS starts one thread per core by default; a build already runs one extracting process
per free core, and on a busy 2-core machine the extra threads spun for 11 s of CPU where one
thread needed 6. :func:`one_blas_thread` holds OpenBLAS to one thread while extraction runs
(Linux, the OpenBLAS numpy wheels ship; elsewhere it changes nothing).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy
from thinc.api import Model, NumpyOps

# The thread-count functions of the OpenBLAS builds numpy wheels carry (numpy 2: scipy-openblas).
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads")


class MatmulOps(NumpyOps):
    """thinc's numpy ops with ``gemm`` as ``numpy.matmul`` (same shapes, dtypes and ``out``)."""

    def gemm(
        self,
        x: numpy.ndarray,
        y: numpy.ndarray,
        out: numpy.ndarray | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> numpy.ndarray:
        left = x.T if trans1 else x
        right = y.T if trans2 else y
        if out is None:
            return numpy.matmul(left, right)
        numpy.matmul(left, right, out=out)
        return out


def use_numpy_matmul(model: Model) -> None:
    """Give every layer of ``model`` (a loaded, not a training, model) :class:`MatmulOps`."""
    ops = MatmulOps()
    for layer in model.walk():
        layer.ops = ops


@cache
def _openblas() -> tuple[Any, Any] | None:
    """The set/get thread-count functions of the OpenBLAS numpy is linked to, or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line and line.rstrip().endswith(".so")}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(library, n) for n in _SETTERS if hasattr(library, n)), None)
        getter = next((getattr(library, n) for n in _GETTERS if hasattr(library, n)), None)
        if setter is not None and getter is not None:
            return setter, getter
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """OpenBLAS on one thread inside the block, as many as before after it."""
    functions = _openblas()
    if functions is None:
        yield
        return
    setter, getter = functions
    before = int(getter())
    setter(1)
    try:
        yield
    finally:
        setter(before)
