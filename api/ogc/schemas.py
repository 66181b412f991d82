"""Documents of OGC API – Features Part 1 (landing page, conformance, collections)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    conforms_to: list[str] = Field(alias="conformsTo")


class SpatialExtent(BaseModel):
    bbox: list[list[float]]
    crs: str = CRS84


class TemporalExtent(BaseModel):
    """When the features happened; ``datetime`` filters on ``property`` (open ends: null)."""

    interval: list[list[str | None]]
    trs: str = GREGORIAN
    property: str
    description: str


class Extent(BaseModel):
    spatial: SpatialExtent | None = None
    temporal: TemporalExtent | None = None


class Collection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    title: str
    description: str
    links: list[Link]
    extent: Extent | None = None
    item_type: str = Field(default="feature", alias="itemType")
    crs: list[str] = [CRS84]


class Collections(BaseModel):
    links: list[Link]
    collections: list[Collection]
