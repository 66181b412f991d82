"""Huge-page requests turned off where the kernel would compact memory for them."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from gis.memory import huge_pages_stall, multiarray, use_ordinary_pages


@pytest.mark.parametrize(
    ("setting", "stalls"),
    [
        ("always defer defer+madvise [madvise] never\n", True),
        ("[always] defer defer+madvise madvise never\n", True),
        ("always defer [defer+madvise] madvise never\n", True),
        ("always [defer] defer+madvise madvise never\n", False),
        ("always defer defer+madvise madvise [never]\n", False),
        ("garbled\n", False),
    ],
)
def test_huge_pages_stall_reads_the_selected_defrag_mode(
    tmp_path: Path, setting: str, stalls: bool
) -> None:
    defrag = tmp_path / "defrag"
    defrag.write_text(setting)
    assert huge_pages_stall(defrag) is stalls


def test_no_thp_file_means_no_stall(tmp_path: Path) -> None:
    assert huge_pages_stall(tmp_path / "missing") is False


def test_use_ordinary_pages_switches_numpy_and_arrow_off_huge_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # restored afterwards
    defrag = tmp_path / "defrag"
    pool, madvise = pa.default_memory_pool(), multiarray._set_madvise_hugepage(True)
    try:
        defrag.write_text("always [defer] madvise never\n")
        assert use_ordinary_pages(defrag) is False
        assert pa.default_memory_pool().backend_name == pool.backend_name
        defrag.write_text("always defer [madvise] never\n")
        assert use_ordinary_pages(defrag) is True
        assert pa.default_memory_pool().backend_name == "system"
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"  # for a later import
        assert multiarray._set_madvise_hugepage(True) is False  # returns the previous value
    finally:
        pa.set_memory_pool(pool)
        multiarray._set_madvise_hugepage(madvise)
