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
(through threadpoolctl, which knows every BLAS numpy wheels ship).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy
from thinc.api import Model, NumpyOps


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


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """The BLAS numpy is linked to on one thread inside the block, as many as before after it
    (threadpoolctl finds the library, whichever build the numpy wheel carries)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
