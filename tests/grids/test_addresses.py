"""Free-text addresses cut into standard-address parts, written the ways people write them."""

from __future__ import annotations

import pytest

from grids.addresses import normalise, parse_address

FUTIAN, SHATOU, SHANGSHA = "440304", "440304005", "440304005026"


@pytest.mark.parametrize(
    "text",
    [
        "广东省深圳市福田区沙头街道上沙村东一坊12号",
        "深圳市福田区沙头街道上沙村东1坊12号",
        "福田区沙头街道办上沙村东1坊１２号",
        "福田沙头上沙村东一坊12号附近",
        "沙头街道 福田区 上沙村东1坊12号（东门）",
        "福田区,沙头街道,上沙村东1坊12号",
    ],
)
def test_one_village_house_written_six_ways(text):
    parsed = parse_address(text)
    assert (parsed.district, parsed.street) == (FUTIAN, SHATOU)
    assert (parsed.village, parsed.lane, parsed.lane_number) == ("上沙村", "东1坊", 12)
    assert parsed.rest == ""


@pytest.mark.parametrize(
    ("text", "unit", "floor", "door"),
    [
        ("滨江路12号1203", None, 12, 3),
        ("滨江路12号12楼03", None, 12, 3),
        ("滨江路12号12-03", None, 12, 3),
        ("滨江路12号1203室", None, 12, 3),
        ("滨江路12号1203房", None, 12, 3),
        ("滨江路12号12层03号", None, 12, 3),
        ("滨江路12号2单元1203", 2, 12, 3),
        ("滨江路12号B1-05", None, -1, 5),
        ("滨江路12号负一层05", None, -1, 5),
        ("滨江路12号十二楼03", None, 12, 3),
        ("滨江路１２号１２０３", None, 12, 3),
    ],
)
def test_rooms_in_every_spelling(text, unit, floor, door):
    parsed = parse_address(text)
    assert (parsed.road, parsed.house_number) == ("滨江路", 12)
    assert (parsed.unit, parsed.floor, parsed.door) == (unit, floor, door)


BUILDING_3 = ("3栋", "三栋", "3座", "3幢", "第3栋", "3号楼", " ３栋")


@pytest.mark.parametrize("text", [f"星河丹堤{written}" for written in BUILDING_3])
def test_building_numbers_in_every_spelling(text):
    parsed = parse_address(text)
    assert (parsed.estate, parsed.building) == ("星河丹堤", "3")


def test_a_building_name_instead_of_the_road():
    parsed = parse_address("福田区赛格广场A座2501")
    assert (parsed.district, parsed.road, parsed.estate, parsed.building) == (
        FUTIAN,
        None,
        "赛格广场",
        "A",
    )
    assert (parsed.floor, parsed.door) == (25, 1)


def test_community_named_before_the_street_and_by_its_short_name():
    parsed = parse_address("上沙社区沙头街道上沙村东1坊12号")
    assert (parsed.street, parsed.community, parsed.area_code) == (SHATOU, SHANGSHA, SHANGSHA)
    assert parse_address("福田上沙").community == SHANGSHA


def test_a_bare_area_name_that_starts_a_place_name_is_left_to_the_place():
    # 上沙 is a community, but 上沙村 is the village and 上沙一路 a road
    assert parse_address("上沙村东1坊12号").village == "上沙村"
    assert parse_address("上沙一路8号").road == "上沙1路"


def test_areas_that_contradict_each_other_are_reported_not_chosen():
    parsed = parse_address("南山区沙头街道上沙村东1坊12号")  # 沙头 is in 福田, not 南山
    assert (parsed.district, parsed.street, parsed.conflicts) == ("440305", None, (SHATOU,))
    assert parsed.village == "上沙村"


def test_other_cities_and_junk_name_no_area():
    for text in ("广州市天河区体育西路103号", "asdfgh", "", "12345"):
        parsed = parse_address(text)
        assert parsed.area_code is None, text


def test_normalise_is_idempotent():
    for text in ("广东省深圳市 福田区沙头街道办 上沙村东一坊１２号（东门）附近", "8号楼B1-05"):
        once = normalise(text)
        assert normalise(once) == once
