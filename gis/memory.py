"""Ordinary pages for array memory where huge pages stall (透明大页与内存整理).

NumPy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every
array of 4 MB or more, and Arrow's default allocator (mimalloc) for its arenas. Where
the kernel's THP ``defrag`` mode is ``madvise`` (Debian's default) or ``always``, the
first touch of such memory makes the kernel compact physical memory on the spot to
find a free 2 MB block. On the 2-core machines this project runs on, that costs about
a second of system time per 300 MB of fresh arrays — a fifth of the CPU time of a
300,000-footprint import — against a quarter of that for ordinary 4 KB pages.
:func:`use_ordinary_pages` turns both requests off for the process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

try:  # NumPy 2
    from numpy._core import multiarray
except ImportError:  # NumPy 1.26
    from numpy.core import multiarray  # type: ignore[no-redef]

__all__ = ["huge_pages_stall", "use_ordinary_pages"]

THP_DEFRAG = Path("/sys/kernel/mm/transparent_hugepage/defrag")
#: Defrag modes in which a huge-page request compacts memory before the fault returns.
_STALLING = {"always", "madvise", "defer+madvise"}


def huge_pages_stall(defrag: Path = THP_DEFRAG) -> bool:
    """Whether asking for huge pages makes the kernel compact memory synchronously.

    Parameters
    ----------
    defrag : Path
        The kernel's THP ``defrag`` setting, e.g. ``always defer [madvise] never``
        (the selected mode in brackets).

    Returns
    -------
    bool
        False where the file is missing (no THP, not Linux) or names another mode.
    """
    try:
        text = defrag.read_text()
    except OSError:
        return False
    start, end = text.find("["), text.find("]")
    return 0 <= start < end and text[start + 1 : end] in _STALLING


def use_ordinary_pages(defrag: Path = THP_DEFRAG) -> bool:
    """Stop NumPy and Arrow asking for huge pages where that stalls; True if changed.

    NumPy's ``madvise`` is switched off and Arrow allocates with the C library's
    ``malloc`` (the system memory pool) instead of mimalloc — through Arrow's own
    environment variable when pyarrow is not loaded yet, so that calling this does not
    load it. Call once, early, in a process that works on large arrays (the command
    line does).
    """
    if not huge_pages_stall(defrag):
        return False
    multiarray._set_madvise_hugepage(False)  # type: ignore[attr-defined]  # NumPy's documented switch
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    if "pyarrow" in sys.modules:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    return True
