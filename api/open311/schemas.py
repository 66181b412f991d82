"""Shapes of the Open311 key administration API (``/api/open311/keys``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["12345热线"])
    area_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}([0-9]{2}([0-9]{3}([0-9]{3}([0-9]{2})?)?)?)?$",
        description="The key's area (default: the administrator's own)",
        examples=["440304"],
    )


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    area_code: str
    created_by: int | None
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    key: str = Field(description="The clear key: shown once, only its hash is kept")


# GeoReport v2 bodies as documented in OpenAPI (the views write them as dicts; XML mirrors them).


class _GeoReport(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GeoService(_GeoReport):
    service_code: str = Field(examples=["06001"])
    service_name: str = Field(examples=["暴露垃圾"])
    description: str
    metadata: bool
    type: str = Field(examples=["realtime"])
    keywords: str
    group: str = Field(examples=["市容环境"])


class GeoAttributeValue(_GeoReport):
    key: str
    name: str


class GeoAttribute(_GeoReport):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[GeoAttributeValue]


class GeoServiceDefinition(_GeoReport):
    service_code: str
    attributes: list[GeoAttribute]


class GeoRequest(_GeoReport):
    service_request_id: str = Field(examples=["E202612070000001"])
    status: str = Field(examples=["open"])
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float
    long: float
    media_url: str | None
    blockgrid_status: str = Field(description="blockgrid's workflow status (extension)")


class GeoReceipt(_GeoReport):
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class GeoEndpoint(_GeoReport):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class GeoDiscovery(_GeoReport):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[GeoEndpoint]


class GeoReportError(_GeoReport):
    """One GeoReport error (the body is a list of them, or ``<errors>`` in XML)."""

    code: int = Field(examples=[404])
    description: str = Field(examples=["no service request E202612070000001"])
