"""Shapes of the accounts API."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from api.db import Scope


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: int
    username: str
    display_name: str
    role: str
    scope_code: str
    department_id: int | None
    permissions: frozenset[str]
    session_id: int

    @property
    def scope(self) -> Scope:
        """Department handlers see only their department's events; others their whole area."""
        department = self.department_id if self.role == "dept_handler" else None
        return Scope(area_prefix=self.scope_code, department_id=department)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    idle_timeout: int


class MeRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    scope_code: str
    scope_name: str | None
    department_id: int | None
    permissions: list[str]
    grid_codes: list[str]
