"""The OpenAPI document is the contract: schemathesis drives every operation of a real server.

The server (uvicorn) serves a database of its own (the mini city, migrated from scratch),
so what the fuzzer writes touches no other test. Every check schemathesis has runs on
every response: no server errors, documented status codes, content types, headers and
bodies, invalid data refused, valid data accepted. Examples are bounded and derandomized
(a fixed seed), so a run takes about two minutes and repeats itself.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core.failures import FailureGroup
from sqlalchemy import create_engine, text

from api.db import sync_url
from api.main import create_app
from api.settings import Settings
from tests.conftest import PASSWORD, mini_city_database
from tests.live import serve

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 20
# Operations whose call ends the caller's session: a fresh token is fetched after them.
SESSION_ENDING = {"logout", "change_password", "reset_password"}
ADMIN = "admin"
# schemathesis's default answers to a valid request, and the few operations that may also
# refuse one by a rule OpenAPI cannot state: a rule between parameters (from ≤ to, a window
# of at most 366 days: 400 invalid_window / invalid_period), or a rule about the database
# or a file's content (the category exists: 422 unknown_category; the bytes decode as an
# image: 422 photo_type_refused; the file is a CSV or XLSX with the ticket columns: 422
# import_file_invalid; If-Match is the event's current ETag: 412). Each is documented on
# its operation.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
RULES_NO_SCHEMA_CAN_STATE = {
    "400": ("hotspots", "read_indicators"),
    # …and passwords: not the demo password nor a common one (422 weak_password); an ID
    # number's check digit (422 invalid_id_number); a note for the steps that need one.
    "422": (
        "report_event",
        "put_rule",
        "upload_photo",
        "import_hotline_file",
        "create_user",
        "reset_password",
        "change_password",
        "find_person",
        "act",  # some steps need a note (note_required)
        "create_request",  # GeoReport: a location outside China or swapped (lat, long)
    ),
    "412": ("act",),
}

FAILURES: collections.Counter[tuple[str, str]] = collections.Counter()
CALLS: collections.Counter[str] = collections.Counter()


@pytest.fixture(scope="module")
def contract_url(cluster) -> Iterator[str]:
    """A database of its own: migrated, holding the mini city."""
    with mini_city_database(cluster, "contract_city") as url:
        yield url


@pytest.fixture(scope="module")
def contract_server(contract_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        environment="test",
        DATABASE_URL=contract_url,
        var_dir=Path(tmp_path_factory.mktemp("contract-var")),
    )
    with serve(settings) as base:
        yield base


class AdminToken:
    """A bearer token of the city admin, renewed when an operation may have ended it."""

    def __init__(self, base: str, url: str) -> None:
        self.base, self.url = base, url
        self._hash = self._stored_hash()
        self.headers = self._login()

    def _stored_hash(self) -> str:
        engine = create_engine(sync_url(self.url))
        with engine.connect() as connection:
            value = connection.scalar(
                text("SELECT password_hash FROM users WHERE username = :u"), {"u": ADMIN}
            )
        engine.dispose()
        return value

    def _login(self) -> dict[str, str]:
        response = httpx.post(
            f"{self.base}/auth/token", data={"username": ADMIN, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def renew(self) -> None:
        """Undo a password reset the fuzzer may have made, then sign in again."""
        engine = create_engine(sync_url(self.url))
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE users SET password_hash = :h, failed_logins = 0, locked_until = NULL"
                    " WHERE username = :u"
                ),
                {"h": self._hash, "u": ADMIN},
            )
        engine.dispose()
        self.headers = self._login()


@pytest.fixture(scope="module")
def admin_token(contract_server: str, contract_url: str) -> AdminToken:
    return AdminToken(contract_server, contract_url)


def _check_overrides() -> dict[str, dict]:
    overrides: dict[str, dict] = {}
    for status, operations in RULES_NO_SCHEMA_CAN_STATE.items():
        for operation in operations:
            check = overrides.setdefault(operation, {}).setdefault(
                "positive_data_acceptance", {"expected-statuses": list(ACCEPTED)}
            )
            check["expected-statuses"].append(status)
    # without If-Match a workflow step is 428 Precondition Required (RFC 6585), not 400
    overrides["act"]["missing_required_header"] = {
        "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
    }
    return overrides


def _schema():
    """The document the app serves (built without a database), loaded for schemathesis."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
            },
            "operations": [
                {"include-operation-id": operation, "checks": checks}
                for operation, checks in _check_overrides().items()
            ],
        }
    )
    document = create_app(Settings(environment="test")).openapi()
    loaded = schemathesis.openapi.from_dict(document, config=config)
    # The live stream never ends; tests/api/events/test_live.py covers it.
    return loaded.exclude(path="/api/events/stream")


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_honours_the_document(case, admin_token: AdminToken) -> None:
    label = case.operation.label
    CALLS[label] += 1
    try:
        case.call_and_validate(base_url=admin_token.base, headers=admin_token.headers, timeout=30)
    except FailureGroup as group:
        for failure in group.exceptions:
            FAILURES[(getattr(failure, "title", type(failure).__name__), label)] += 1
        raise
    finally:
        if case.operation.definition.raw.get("operationId") in SESSION_ENDING:
            admin_token.renew()


def test_contract_summary() -> None:
    """Print what the run above found, per check and operation (runs after it)."""
    lines = [f"{count:4d}  {check}  {label}" for (check, label), count in FAILURES.items()]
    print(f"\nschemathesis: {sum(CALLS.values())} calls on {len(CALLS)} operations")
    print("\n".join(sorted(lines)) or "no failures")
    assert not FAILURES, "\n".join(sorted(lines))


def test_operation_ids_are_unique_and_readable(contract_server: str) -> None:
    document = httpx.get(f"{contract_server}/openapi.json").json()
    assert document == schema.raw_schema  # the fuzzed document is the served one
    ids = [
        op["operationId"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 40 and "__" not in i for i in ids), ids
