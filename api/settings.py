"""Typed settings (配置) read from the environment, with one cached getter."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "blockgrid-insecure-development-key-change-me"
# 32 bytes, base64: the development/demo data key. Production must set its own.
DEFAULT_DATA_KEY = base64.b64encode(b"blockgrid-demo-data-key-32bytes!").decode()
DEFAULT_DEMO_PASSWORD = "blockgrid-demo"

Environment = Literal["demo", "test", "production"]


class Settings(BaseSettings):
    """All configuration of blockgrid; environment variables are prefixed ``BLOCKGRID_``.

    ``DATABASE_URL`` (no prefix) selects an external PostgreSQL/PostGIS server; without
    it the embedded cluster under ``var/`` is used.
    """

    model_config = SettingsConfigDict(env_prefix="BLOCKGRID_", env_file=".env", extra="ignore")

    environment: Environment = "production"
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    api_database_url: SecretStr | None = Field(
        default=None,
        description="the server's own login (not the owner, docs/database-roles.md); with "
        "DATABASE_URL set, either this or BLOCKGRID_API_DATABASE_PASSWORD is needed",
    )
    api_database_password: SecretStr | None = Field(
        default=None,
        description="password of the role blockgrid_api on the DATABASE_URL server; the API "
        "connects as blockgrid_api to DATABASE_URL's host and database",
    )
    var_dir: Path = PROJECT_ROOT / "var"
    db_port: int = 55432

    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    data_key: SecretStr = Field(
        default=SecretStr(DEFAULT_DATA_KEY),
        description="base64 of 32 bytes: AES-256-GCM key for ID numbers and phones at rest",
    )
    demo_password: SecretStr = SecretStr(DEFAULT_DEMO_PASSWORD)

    session_idle_minutes: int = 30
    session_max_hours: int = 12
    lockout_failures: int = 5
    lockout_minutes: int = 15

    pool_size: int = 10
    pool_max_overflow: int = 10
    statement_timeout_ms: int = 30_000

    tile_cache_mb: int = Field(default=256, ge=0, description="0 turns the tile cache off")
    public_url: str = Field(
        default="", description="base URL for links (TileJSON, OGC); empty: taken from each request"
    )

    max_request_mb: int = Field(default=20, ge=1, description="largest request body accepted")
    id_lookups_per_hour: int = Field(
        default=20, ge=1, description="lookups by full ID number per account per hour (查询限频)"
    )
    audit_export_max_rows: int = Field(default=100_000, ge=1, le=1_000_000)
    open311_posts_per_hour: int = Field(
        default=1000, ge=1, description="GeoReport posts per API key per hour (提交限频)"
    )
    stream_recheck_seconds: int = Field(
        default=15, ge=1, description="how often a live event stream re-checks its session"
    )
    sweep_interval_seconds: int = Field(
        default=60, ge=0, description="overdue sweep (超期督办) period; 0 turns it off"
    )

    basemap_url: str = Field(
        default="", description="optional XYZ raster {z}/{x}/{y}; none by default"
    )
    basemap_gcj02: bool = Field(default=False, description="the basemap is in GCJ-02 (火星坐标)")
    basemap_attribution: str = ""
    basemap_max_zoom: int = Field(default=18, ge=1, le=22)

    host: str = "127.0.0.1"
    port: int = 8000
    household_target_min: int = 300
    household_target_max: int = 500

    @field_validator("data_key")
    @classmethod
    def _data_key_is_32_bytes(cls, value: SecretStr) -> SecretStr:
        try:
            raw = base64.b64decode(value.get_secret_value(), validate=True)
        except ValueError as exc:
            raise ValueError("BLOCKGRID_DATA_KEY must be base64") from exc
        if len(raw) != 32:
            raise ValueError(f"BLOCKGRID_DATA_KEY must decode to 32 bytes, got {len(raw)}")
        return value

    @property
    def is_demo(self) -> bool:
        """Demo and test runs may use the published default secrets; production may not."""
        return self.environment in ("demo", "test")

    @property
    def data_key_bytes(self) -> bytes:
        return base64.b64decode(self.data_key.get_secret_value())

    def unsafe_defaults(self) -> list[str]:
        """Name every secret that still has its published default value."""
        unsafe = []
        if self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY:
            unsafe.append("BLOCKGRID_SECRET_KEY")
        if self.data_key.get_secret_value() == DEFAULT_DATA_KEY:
            unsafe.append("BLOCKGRID_DATA_KEY")
        return unsafe


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; clear with ``get_settings.cache_clear()``)."""
    return Settings()
