"""An in-process LRU cache of gzipped tiles, bounded in bytes.

Keys carry the data versions of the layer's tables and the caller's scope, so a
change to the data (a new event...) makes the next request miss and re-render.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock


@dataclass(frozen=True)
class CachedTile:
    etag: str
    gzipped: bytes
    empty: bool


class TileCache:
    """Least-recently-used tiles up to ``max_bytes`` of gzipped content (0 disables it)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, CachedTile] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> CachedTile | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, tile: CachedTile) -> None:
        size = len(tile.gzipped)
        if self.max_bytes == 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.gzipped)
            self._entries[key] = tile
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.gzipped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes
