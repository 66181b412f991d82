"""Open311 key administration (API 密钥管理) for admins with ``open311.keys``, in their area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.audit import service as audit
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr, require
from api.errors import Forbidden, error_responses
from api.open311 import keys
from api.open311.models import ApiKey
from api.open311.schemas import ApiKeyCreate, ApiKeyIssued, ApiKeyRead

router = APIRouter(
    prefix="/api/open311/keys",
    tags=["open311"],
    dependencies=[Depends(require("open311.keys"))],
)

KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "",
    response_model=list[ApiKeyRead],
    summary="Open311 keys valid in my area",
    description="Revoked keys are listed too, with their revocation time; never the key itself.",
)
async def list_keys(principal: CurrentUser, session: DbSession) -> list[ApiKey]:
    return await keys.list_api_keys(session, area_prefix=principal.scope_code)


@router.post(
    "",
    response_model=ApiKeyIssued,
    status_code=201,
    summary="Issue an Open311 key",
    description="The key reads its area's requests with every field and posts requests there. "
    "The clear key is in this response only. Audited as open311.key.",
    responses=error_responses(404),
)
async def create_key(
    body: ApiKeyCreate,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> ApiKeyIssued:
    area_code = body.area_code or principal.scope_code
    if not area_code.startswith(principal.scope_code):
        raise Forbidden(f"area {area_code} is outside your area {principal.scope_code}")
    row, key = await keys.create_api_key(
        session,
        name=body.name,
        area_code=area_code,
        secret_key=settings.secret_key.get_secret_value(),
        created_by=principal.user_id,
    )
    await audit.record_by(
        session,
        principal,
        action="open311.key",
        object_type="api_key",
        object_id=str(row.id),
        area_code=area_code,
        client_addr=client_addr(request),
        details={"op": "create", "name": row.name, "area_code": area_code},
    )
    return ApiKeyIssued(**ApiKeyRead.model_validate(row).model_dump(), key=key)


@router.delete(
    "/{key_id}",
    response_model=ApiKeyRead,
    summary="Revoke an Open311 key",
    description="The key stops working at once; it stays listed. Audited as open311.key.",
)
async def revoke_key(
    key_id: KeyId, request: Request, principal: CurrentUser, session: DbSession
) -> ApiKey:
    row = await keys.revoke_api_key(session, key_id=key_id, area_prefix=principal.scope_code)
    await audit.record_by(
        session,
        principal,
        action="open311.key",
        object_type="api_key",
        object_id=str(row.id),
        area_code=row.area_code,
        client_addr=client_addr(request),
        details={"op": "revoke", "name": row.name, "area_code": row.area_code},
    )
    return row
