"""Building card and standard-address API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.buildings import service
from api.buildings.schemas import AddressRead, BuildingCard
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr, require
from api.privacy import cipher_for
from api.validation import AddressCode, BuildingCode, SafeText

router = APIRouter(tags=["buildings"], dependencies=[Depends(require("areas.read"))])


@router.get(
    "/api/buildings/{code}",
    response_model=BuildingCard,
    summary="The building card: rooms, residents (masked), entities, components, events",
    description="Anyone with areas.read, for a building in their area (19-digit code). Its "
    "rooms, residents (masked; only with people.read), entities, components nearby and "
    "open events; reading residents is audited.",
)
async def building_card(
    code: BuildingCode,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> BuildingCard:
    return await service.building_card(
        session,
        code=code,
        cipher=cipher_for(settings.data_key_bytes),
        principal=principal,
        client_addr=client_addr(request),
    )


@router.get(
    "/api/addresses/{code}",
    response_model=AddressRead,
    summary="Standard address of a 19-digit building or 25-digit room code",
    description="Anyone with areas.read, for an address in their area: the standard address "
    "(标准地址) of the building or room, with its grid, community, street and district.",
)
async def address(code: AddressCode, _: CurrentUser, session: DbSession) -> AddressRead:
    return await service.address_of(session, code=code)


@router.get(
    "/api/addresses",
    response_model=list[AddressRead],
    summary="Find addresses by code prefix or by text in name and address",
    description="Anyone with areas.read. Up to `limit` standard addresses in your area whose "
    "code starts with `q` (digits) or whose name or address contains it.",
)
async def search(
    _: CurrentUser,
    session: DbSession,
    q: Annotated[SafeText, Query(min_length=2, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[AddressRead]:
    return await service.search_addresses(session, query=q, limit=limit)
