"""People (人口) reads: masked rows, exact lookup by keyed hash, audited reveals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.schemas import Principal
from api.errors import Forbidden, NotFound, TooManyRequests, Unprocessable
from api.people.models import Person
from api.people.schemas import PersonRead, RevealRead
from api.privacy import ID_NUMBER, PHONE, PersonalDataCipher
from grids.identifiers import (
    IdentifierError,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_id_number,
)

REVEAL_PERMISSION = "personal.reveal"


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def to_masked(person: Person, cipher: PersonalDataCipher, *, today: date) -> PersonRead:
    """The default, masked view of a person: no full identifier leaves the server."""
    phone = cipher.decrypt(person.phone_enc, field=PHONE) if person.phone_enc else None
    return PersonRead(
        id=person.id,
        name=mask_name(person.name),
        sex=person.sex,
        age=age_on(person.birth_date, today),
        id_number=mask_id_number(cipher.decrypt(person.id_number_enc, field=ID_NUMBER)),
        phone=mask_phone(phone) if phone else None,
        hukou_type=person.hukou_type,
        care_tags=list(person.care_tags),
        relation=person.relation,
        grid_code=person.grid_code,
        room_id=person.room_id,
        moved_in=person.moved_in,
        moved_out=person.moved_out,
    )


async def get_person(session: AsyncSession, *, person_id: int) -> Person:
    """One person inside the caller's area (row-level security hides the rest)."""
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in your area")
    return person


LOOKUP_WINDOW = timedelta(hours=1)


async def find_by_id_number(
    session: AsyncSession,
    *,
    id_number: str,
    cipher: PersonalDataCipher,
    principal: Principal,
    client_addr: str | None,
    per_hour: int,
) -> Person:
    """Exact lookup through the keyed hash (the ID number itself is never stored in clear).

    Every lookup is audited, found or not, and an account may make ``per_hour`` of them
    an hour (the audit log counts them): together with the mask this keeps a full number
    from being guessed by trying candidates.

    Raises
    ------
    Unprocessable
        Not a valid ID number (no lookup is made or counted).
    TooManyRequests
        The account made ``per_hour`` lookups in the last hour; the refusal is audited.
    NotFound
        No such person in the caller's area; the audit record is kept.
    """
    try:
        normalised = validate_id_number(id_number)
    except IdentifierError as exc:
        raise Unprocessable(str(exc), code="invalid_id_number") from exc
    masked = mask_id_number(normalised)
    since = datetime.now(UTC) - LOOKUP_WINDOW
    done = await audit.recent_actions(
        session, user_id=principal.user_id, action="person.lookup", since=since
    )
    if done >= per_hour:
        await audit.record_by(
            session,
            principal,
            action="person.lookup",
            result="denied",
            object_type="person",
            client_addr=client_addr,
            details={"by": "id_number", "masked": masked, "reason": "rate_limited"},
        )
        raise TooManyRequests(
            f"at most {per_hour} lookups by ID number an hour; try again later",
            message_zh=f"每小时最多按身份证号查询 {per_hour} 次，请稍后再试",
            headers={"Retry-After": str(int(LOOKUP_WINDOW.total_seconds()))},
            keep_changes=True,
        )
    digest = cipher.lookup_hash(normalised, field=ID_NUMBER)
    person = await session.scalar(select(Person).where(Person.id_number_hash == digest))
    await audit.record_by(
        session,
        principal,
        action="person.lookup",
        result="success" if person else "failure",
        object_type="person",
        object_id=str(person.id) if person else None,
        area_code=person.grid_code if person else None,
        client_addr=client_addr,
        details={"by": "id_number", "masked": masked},
    )
    if person is None:
        raise NotFound("no person with this ID number in your area", keep_changes=True)
    return person


async def reveal(
    session: AsyncSession,
    *,
    person_id: int,
    fields: list[str],
    reason: str,
    principal: Principal,
    cipher: PersonalDataCipher,
    client_addr: str | None,
) -> RevealRead:
    """Return full values of ``fields``; needs ``personal.reveal`` and is always audited."""
    if not principal.can(REVEAL_PERMISSION):
        await audit.record_by(
            session,
            principal,
            action="person.reveal",
            result="denied",
            object_type="person",
            object_id=str(person_id),
            client_addr=client_addr,
            reason=reason,
            details={"fields": fields},
        )
        raise Forbidden(
            f"revealing personal data needs the {REVEAL_PERMISSION} permission",
            code="reveal_not_permitted",
            message_zh="无权查看完整个人信息",
            keep_changes=True,
        )
    person = await get_person(session, person_id=person_id)
    revealed = RevealRead(id=person.id)
    if "id_number" in fields:
        revealed.id_number = cipher.decrypt(person.id_number_enc, field=ID_NUMBER)
    if "phone" in fields and person.phone_enc:
        revealed.phone = cipher.decrypt(person.phone_enc, field=PHONE)
    if "name" in fields:
        revealed.name = person.name
    await audit.record_by(
        session,
        principal,
        action="person.reveal",
        result="success",
        object_type="person",
        object_id=str(person.id),
        area_code=person.grid_code,
        client_addr=client_addr,
        reason=reason,
        details={"fields": sorted(set(fields))},
    )
    return revealed
