"""Fixtures of the building tests: a database of their own with the mini city."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import mini_city_database


@pytest.fixture(scope="module")
def import_db(cluster) -> Iterator[str]:
    """A database of this module's own with the mini city loaded."""
    with mini_city_database(cluster, "import_test") as url:
        yield url
