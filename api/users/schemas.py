"""Shapes of the user-management API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.validation import NUL_FREE, AreaCode, GridCode


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(
        pattern=r"^[a-z0-9][a-z0-9._-]{2,39}$",
        description="3–40 lower-case letters, digits, '.', '_' or '-'",
    )
    display_name: str = Field(min_length=1, max_length=50, pattern=NUL_FREE)
    password: str = Field(
        min_length=10,
        max_length=200,
        pattern=NUL_FREE,
        description="not the demo password nor a common one (zxcvbn score ≥ 3): else 422",
    )
    role: str
    scope_code: AreaCode = Field(description="area code (4–14 digits) whose data the user sees")
    department_id: int | None = None
    grid_codes: list[GridCode] = Field(
        default_factory=list, description="basic grids a grid worker walks"
    )


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    scope_code: str
    department_id: int | None
    is_active: bool


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(
        min_length=10,
        max_length=200,
        pattern=NUL_FREE,
        description="the new password: not the demo password nor a common one, else 422",
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=200, pattern=NUL_FREE)
    new_password: str = Field(
        min_length=10,
        max_length=200,
        pattern=NUL_FREE,
        description="not the demo password nor a common one (zxcvbn score ≥ 3): else 422",
    )
