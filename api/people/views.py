"""People API (人口): masked reads, exact lookup, audited reveal of full values."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api.audit import service as audit
from api.deps import CurrentUser, DbSession, SettingsDep, client_addr, require
from api.errors import error_responses
from api.people import service
from api.people.schemas import PersonRead, RevealRead, RevealRequest
from api.privacy import cipher_for

router = APIRouter(
    prefix="/api/people", tags=["people"], dependencies=[Depends(require("people.read"))]
)


@router.get(
    "",
    response_model=PersonRead,
    summary="Find a person by exact ID number",
    description="people.read; inside your area; masked. At most BLOCKGRID_ID_LOOKUPS_PER_HOUR "
    "lookups an hour per account (429 after); every lookup is audited, found or not.",
    responses=error_responses(429),
)
async def find_person(
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
    id_number: Annotated[
        str,
        Query(
            pattern=r"^[0-9]{17}[0-9Xx]$",
            description="the full 18-character number; a wrong check digit is a 422",
        ),
    ],
) -> PersonRead:
    cipher = cipher_for(settings.data_key_bytes)
    person = await service.find_by_id_number(
        session,
        id_number=id_number,
        cipher=cipher,
        principal=principal,
        client_addr=client_addr(request),
        per_hour=settings.id_lookups_per_hour,
    )
    return service.to_masked(person, cipher, today=date.today())


@router.get(
    "/{person_id}",
    response_model=PersonRead,
    summary="One person, masked",
    description="people.read; a person of your area, ID number, phone and name masked. Audited.",
)
async def read_person(
    person_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> PersonRead:
    person = await service.get_person(session, person_id=person_id)
    await audit.record_by(
        session,
        principal,
        action="person.read",
        object_type="person",
        object_id=str(person.id),
        area_code=person.grid_code,
        client_addr=client_addr(request),
    )
    return service.to_masked(person, cipher_for(settings.data_key_bytes), today=date.today())


@router.post(
    "/{person_id}/reveal",
    response_model=RevealRead,
    summary="Full ID number / phone / name: needs personal.reveal and a reason; audited",
    description="Returns the full values asked for. Without personal.reveal: 403, and the "
    "refused attempt is audited with its reason.",
)
async def reveal_person(
    person_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: RevealRequest,
    request: Request,
    principal: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
) -> RevealRead:
    return await service.reveal(
        session,
        person_id=person_id,
        fields=list(body.fields),
        reason=body.reason,
        principal=principal,
        cipher=cipher_for(settings.data_key_bytes),
        client_addr=client_addr(request),
    )
