"""Hotline batch import: CSV and XLSX, rejects with reasons, idempotent re-import."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from api.audit.models import AuditRecord

HEADER = "工单编号,受理时间,分类编码,标题,描述,地址,经度,纬度,来电电话\n"
GOOD = [
    "T001,2026-11-20 09:15,06001,垃圾堆放,楼下垃圾,滨江路1号,114.0032,22.5332,13812345678",
    "T002,2026-11-20 10:00,09002,乱停车,车辆堵门,滨江路2号,114.0033,22.5333,",
]
BAD = [
    "T003,2026-11-20 10:30,99999,未知分类,,,114.0032,22.5332,",
    "T004,yesterday,06001,时间错误,,,114.0032,22.5332,",
    "T005,2026-11-20 11:00,06001,经纬度颠倒,,,22.5332,114.0032,",
    ",2026-11-20 11:00,06001,缺工单号,,,114.0032,22.5332,",
]


def csv_file(*lines: str) -> dict:
    return {"file": ("hotline.csv", (HEADER + "\n".join(lines)).encode(), "text/csv")}


async def test_good_rows_are_filed_and_bad_rows_reported(client, as_user):
    headers = await as_user("futian")
    body = (
        await client.post("/api/events/import", headers=headers, files=csv_file(*GOOD, *BAD))
    ).json()
    assert (body["rows"], body["imported"], body["applied"]) == (6, 2, True)
    reasons = {r["row"]: r["reason"] for r in body["rejected"]}
    assert set(reasons) == {4, 5, 6, 7}
    assert reasons[4] == "unknown service_code 99999"
    assert "yesterday" in reasons[5]
    assert "swapped" in reasons[6]
    assert reasons[7] == "missing ticket_id"
    listed = (await client.get("/api/events", params={"source": "hotline"}, headers=headers)).json()
    assert sorted(e["title"] for e in listed["items"]) == ["乱停车", "垃圾堆放"]


async def test_reimport_is_idempotent(client, as_user):
    headers = await as_user("futian")
    await client.post("/api/events/import", headers=headers, files=csv_file(*GOOD))
    again = (await client.post("/api/events/import", headers=headers, files=csv_file(*GOOD))).json()
    assert (again["imported"], again["skipped_existing"]) == (0, 2)


async def test_all_or_nothing_files_nothing_when_a_row_is_bad(client, as_user):
    headers = await as_user("futian")
    body = (
        await client.post(
            "/api/events/import",
            headers=headers,
            params={"all_or_nothing": "true"},
            files=csv_file(*GOOD, BAD[0]),
        )
    ).json()
    assert (body["imported"], body["applied"], len(body["rejected"])) == (0, False, 1)
    listed = (await client.get("/api/events", params={"source": "hotline"}, headers=headers)).json()
    assert listed["items"] == []


async def test_xlsx_files_work_too(client, as_user):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["X1", "2026-11-21 08:00", "06001", "表格导入", "", "", 114.0032, 22.5332, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    body = (
        await client.post(
            "/api/events/import",
            headers=await as_user("futian"),
            files={"file": ("hotline.xlsx", buffer.getvalue(), "application/vnd.openxmlformats")},
        )
    ).json()
    assert body["imported"] == 1


async def test_malformed_files_say_what_is_wrong(client, as_user):
    headers = await as_user("futian")
    wrong_columns = await client.post(
        "/api/events/import", headers=headers, files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")}
    )
    assert wrong_columns.status_code == 422
    assert "missing columns ticket_id, received_at" in wrong_columns.json()["message"]
    not_excel = await client.post(
        "/api/events/import",
        headers=headers,
        files={"file": ("x.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert not_excel.status_code == 422 and "XLSX" in not_excel.json()["message"]
    other = await client.post(
        "/api/events/import", headers=headers, files={"file": ("x.pdf", b"%PDF", "application/pdf")}
    )
    assert other.status_code == 422 and ".csv or .xlsx" in other.json()["message"]


async def test_only_the_command_centre_imports(client, as_user):
    response = await client.post(
        "/api/events/import", headers=await as_user("worker-a"), files=csv_file(*GOOD)
    )
    assert response.status_code == 403


async def test_rows_dated_9999_or_0001_are_rejected_and_the_good_rows_kept(client, as_user):
    headers = await as_user("futian")
    rows = [
        *GOOD,
        "T010,9999-12-31 23:59,06001,遥远未来,,,114.0032,22.5332,",
        "T011,0001-01-01 00:00,06001,公元元年,,,114.0032,22.5332,",
        "T012,1989-12-31 23:00,06001,太早,,,114.0032,22.5332,",
        "T013,2099-01-01 08:00,06001,明天之后,,,114.0032,22.5332,",
    ]
    response = await client.post("/api/events/import", headers=headers, files=csv_file(*rows))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows"], body["imported"], body["applied"]) == (6, 2, True)
    reasons = {r["ticket_id"]: r["reason"] for r in body["rejected"]}
    assert set(reasons) == {"T010", "T011", "T012", "T013"}
    assert reasons["T010"].startswith("received_at '9999-12-31 23:59' is outside 1990-01-01")
    assert "0001-01-01" in reasons["T011"]


async def test_a_ticket_filed_in_another_district_is_refused_without_saying_so(client, as_user):
    nanshan = "T900,2026-11-20 09:00,06001,南山工单,,,113.9832,22.5032,"
    first = await client.post(
        "/api/events/import", headers=await as_user("nanshan"), files=csv_file(nanshan)
    )
    assert first.json()["imported"] == 1, first.text
    futian = await as_user("futian")
    reused = "T900,2026-11-20 09:30,06001,同号工单,,,114.0032,22.5332,"
    response = await client.post(
        "/api/events/import", headers=futian, files=csv_file(GOOD[0], reused, GOOD[1])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["imported"], body["skipped_existing"], body["applied"]) == (2, 0, True)
    assert body["rejected"] == [{"row": 3, "ticket_id": "T900", "reason": "ticket id not accepted"}]
    listed = (await client.get("/api/events", params={"source": "hotline"}, headers=futian)).json()
    assert sorted(e["title"] for e in listed["items"]) == ["乱停车", "垃圾堆放"]
    # all_or_nothing: the refused ticket files none of the file
    again = await client.post(
        "/api/events/import",
        headers=futian,
        params={"all_or_nothing": "true"},
        files=csv_file("T020,2026-11-20 12:00,06001,新工单,,,114.0032,22.5332,", reused),
    )
    assert (again.json()["imported"], again.json()["applied"]) == (0, False)
    listed = (await client.get("/api/events", params={"source": "hotline"}, headers=futian)).json()
    assert "新工单" not in [e["title"] for e in listed["items"]]


async def test_nul_bytes_and_overlong_cells_reject_their_row_only(client, as_user):
    rows = [
        GOOD[0],
        "T030,2026-11-20 09:00,06001,标题\x00,,,114.0032,22.5332,",
        f"{'T' * 70},2026-11-20 09:00,06001,长号,,,114.0032,22.5332,",
    ]
    body = (
        await client.post(
            "/api/events/import", headers=await as_user("futian"), files=csv_file(*rows)
        )
    ).json()
    assert body["imported"] == 1
    assert [r["reason"] for r in body["rejected"]] == [
        "title contains a NUL (0x00) character",
        "ticket_id is longer than 58 characters",
    ]


async def test_each_import_through_the_api_is_audited(client, session, as_user):
    headers = await as_user("futian")
    await client.post("/api/events/import", headers=headers, files=csv_file(*GOOD, BAD[0]))
    await client.post(
        "/api/events/import",
        headers=headers,
        params={"all_or_nothing": "true"},
        files=csv_file(*GOOD, BAD[0]),
    )
    records = list(
        await session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == "import.events")
            .order_by(AuditRecord.id)
        )
    )
    assert [(r.username, r.result, r.object_id, r.details) for r in records] == [
        (
            "futian",
            "success",
            "hotline.csv",
            {"file": "hotline.csv", "rows": 3, "imported": 2, "skipped_existing": 0, "rejected": 1},
        ),
        (
            "futian",
            "failure",
            "hotline.csv",  # the two good rows were filed by the first import
            {"file": "hotline.csv", "rows": 3, "imported": 0, "skipped_existing": 2, "rejected": 1},
        ),
    ]
    assert records[1].reason == "all_or_nothing: rows rejected, nothing filed"
