"""Hotline batch import (12345 工单导入) from CSV or XLSX.

Every row is checked first. Rows already imported (same ticket id) are skipped, so a
file can be loaded again. Bad rows go to a rejects report with their row number and
reason; the good rows are filed, unless ``all_or_nothing`` asks to file none then.

A ticket id is unique in its source system (the external id is ``12345:<ticket>``). A
ticket already filed outside the importer's area is refused as "ticket id not accepted",
the same words whatever the reason, so that a file cannot probe other districts.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zipfile import BadZipFile

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import BlockgridError, Unprocessable
from api.events import intake
from api.events.calendar import BEIJING, now
from api.events.models import Event
from api.events.routing import load_calendar
from api.open311.service import category_by_code, masked_contact

COLUMNS = {  # accepted headers → field
    "工单编号": "ticket_id",
    "ticket_id": "ticket_id",
    "受理时间": "received_at",
    "received_at": "received_at",
    "分类编码": "service_code",
    "service_code": "service_code",
    "标题": "title",
    "title": "title",
    "描述": "description",
    "description": "description",
    "地址": "address",
    "address": "address",
    "经度": "lon",
    "lon": "lon",
    "纬度": "lat",
    "lat": "lat",
    "来电电话": "phone",
    "phone": "phone",
}
REQUIRED = ("ticket_id", "received_at", "service_code", "lon", "lat")
MAX_ROWS = 50_000
EARLIEST = datetime(1990, 1, 1, tzinfo=BEIJING)  # before 12345 hotlines kept records
FUTURE_SLACK = timedelta(days=1)  # clocks and time zones, not tickets from the future
SOURCE_PREFIX = "12345:"
MAX_LENGTHS = {"ticket_id": 64 - len(SOURCE_PREFIX), "title": 200, "address": 300, "phone": 40}
NOT_ACCEPTED = "ticket id not accepted"


class ImportFileError(Unprocessable):
    code = "import_file_invalid"


@dataclass
class Rejected:
    row: int
    ticket_id: str | None
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    skipped_existing: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = True

    def counts(self) -> dict[str, int]:
        """What the import did, for its audit record (审计)."""
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped_existing": self.skipped_existing,
            "rejected": len(self.rejected),
        }

    def rejects_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "ticket_id", "reason"])
        writer.writerows([r.row, r.ticket_id or "", r.reason] for r in self.rejected)
        return out.getvalue()


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file, keyed by field name."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{filename}: not UTF-8 text (save the CSV as UTF-8)") from exc
        table = list(csv.reader(io.StringIO(text)))
    else:
        raise ImportFileError(f"{filename}: expected a .csv or .xlsx file")
    if not table:
        raise ImportFileError(f"{filename}: the file is empty")
    header = [COLUMNS.get(str(h).strip()) for h in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            f"{filename}: missing columns {', '.join(missing)} "
            f"(headers found: {', '.join(str(h) for h in table[0])})"
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"{filename}: {len(table) - 1} rows; at most {MAX_ROWS} per file")
    return [
        {
            name: str(value).strip()
            for name, value in zip(header, row, strict=False)
            if name and value is not None and str(value).strip() != ""
        }
        for row in table[1:]
    ]


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX workbook ({exc})") from exc
    return [
        ["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def _parse_moment(value: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"received_at {value!r} is not a date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def _moment(value: str, *, at: datetime) -> datetime:
    """The time a ticket was received: a real moment between 1990 and tomorrow."""
    latest = at + FUTURE_SLACK
    try:
        moment = _parse_moment(value)
        sane = EARLIEST <= moment <= latest
    except OverflowError:  # year 1 or 9999 shifted across time zones
        sane = False
    if not sane:
        raise ValueError(
            f"received_at {value!r} is outside {EARLIEST:%Y-%m-%d} … {latest:%Y-%m-%d}"
        )
    return moment


def _check_row(row: dict[str, str]) -> None:
    """Refuse what the database cannot hold: NUL characters, text past its column."""
    for name, value in row.items():
        if "\x00" in value:
            raise ValueError(f"{name} contains a NUL (0x00) character")
        limit = MAX_LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")


def _coordinates(row: dict[str, str]) -> tuple[float, float]:
    try:
        lon, lat = float(row["lon"]), float(row["lat"])
    except ValueError:
        raise ValueError(f"lon/lat {row['lon']!r}, {row['lat']!r} are not numbers") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("lon/lat must be finite numbers")
    return lon, lat


async def import_hotline(
    session: AsyncSession,
    *,
    rows: list[dict[str, str]],
    all_or_nothing: bool = False,
) -> ImportReport:
    """File the rows as hotline events; see the module docstring for the rules."""
    report = ImportReport(rows=len(rows))
    at = now()
    seen: set[str] = set()
    accepted: list[tuple[dict, datetime, float, float]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        ticket = row.get("ticket_id")
        try:
            missing = [name for name in REQUIRED if not row.get(name)]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            _check_row(row)
            if ticket in seen:
                raise ValueError("ticket id repeated in this file")
            seen.add(ticket)
            received = _moment(row["received_at"], at=at)
            lon, lat = _coordinates(row)
        except ValueError as exc:
            report.rejected.append(Rejected(number, ticket, str(exc)))
            continue
        accepted.append((row | {"_row": str(number)}, received, lon, lat))
    existing = set(
        await session.scalars(
            select(Event.external_id).where(
                Event.external_id.in_([SOURCE_PREFIX + r["ticket_id"] for r, *_ in accepted])
            )
        )
    )
    calendar = await load_calendar(session)
    filed: list[tuple] = []
    for row, received, lon, lat in accepted:
        if SOURCE_PREFIX + row["ticket_id"] in existing:
            report.skipped_existing += 1
            continue
        try:
            category = await category_by_code(session, row["service_code"])
            location = await intake.locate(session, lon=lon, lat=lat)
            contact = masked_contact(row.get("phone"), None)
        except BlockgridError as exc:
            report.rejected.append(Rejected(int(row["_row"]), row["ticket_id"], exc.message))
            continue
        filed.append((row, received, category, location, contact))
    if all_or_nothing and report.rejected:
        report.applied = False
        return report
    if not all_or_nothing:
        await _file_rows(session, filed, report, calendar)
        return report
    whole_file = await session.begin_nested()
    await _file_rows(session, filed, report, calendar)
    if report.rejected:  # a ticket refused while filing: file none
        await whole_file.rollback()
        report.applied, report.imported = False, 0
    else:
        await whole_file.commit()
    return report


async def _file_rows(
    session: AsyncSession, filed: list[tuple], report: ImportReport, calendar
) -> None:
    """File each checked row in a savepoint of its own: a refused ticket costs one row."""
    for row, received, category, location, contact in filed:
        try:
            async with session.begin_nested():
                await intake.file_event(
                    session,
                    principal=None,
                    category=category,
                    location=location,
                    title=row.get("title") or category.name,
                    description=row.get("description"),
                    address=row.get("address"),
                    priority=None,
                    source="hotline",
                    at=received,
                    calendar=calendar,
                    reporter_contact=contact,
                    external_id=SOURCE_PREFIX + row["ticket_id"],
                )
        except IntegrityError:  # the ticket id is taken where the importer cannot see
            report.rejected.append(Rejected(int(row["_row"]), row["ticket_id"], NOT_ACCEPTED))
            continue
        report.imported += 1
