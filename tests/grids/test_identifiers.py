"""ID numbers, unified social credit codes, phones and masking."""

from __future__ import annotations

import datetime as dt
import doctest

import numpy as np
import pytest

from grids import identifiers
from grids.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    Sex,
    credit_code_check_char,
    credit_code_check_chars,
    id_number_check_char,
    id_number_check_chars,
    make_credit_code,
    make_credit_codes,
    make_id_number,
    make_id_numbers,
    mask_id_number,
    mask_name,
    mask_phone,
    organization_code_check_char,
    organization_code_check_chars,
    parse_credit_code,
    parse_id_number,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# The worked example of GB 11643-1999 (北京市朝阳区, born 1949-12-31, sequence 002).
GB11643_EXAMPLE = "11010519491231002X"

# Valid codes: 91350100M000100Y43 (GB 32100 example widely reproduced in validators),
# 91110000600037341L (python-stdnum, stdnum/cn/uscc.py doctest), and two Shenzhen (440300)
# codes from public business licences.
VALID_CREDIT_CODES = [
    "91350100M000100Y43",
    "91110000600037341L",
    "914403001922038216",
    "91440300708461136T",
]


def _reference_id_check(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2: sum of digit * 2**(17 - i) mod 11, then the table."""
    total = sum(int(d) * 2 ** (17 - i) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def test_gb11643_worked_example() -> None:
    assert id_number_check_char(GB11643_EXAMPLE[:17]) == "X"
    info = parse_id_number(GB11643_EXAMPLE)
    assert info.region == "110105"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sequence == "002"
    assert info.sex is Sex.FEMALE
    assert info.check_char == "X"


def test_id_number_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x\n") == GB11643_EXAMPLE


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("11010519491231002", "ID number must be 18 characters, got 17"),
        ("110105491231002", "got 15; 15-digit first-generation numbers are not accepted"),
        ("1101051949123A002X", "ID number: non-digit 'A' at position 14"),
        ("11010519491231002Y", "check character must be 0-9 or X, got 'Y'"),
        ("11010519491231002" + "3", "bad check character: expected X, got 3"),
        ("110105194902310025", "invalid birth date 19490231 at positions 7–14"),
        ("990105194912310023", "region code 990105 does not start with a GB/T 2260 province"),
        ("110105184912310023", "invalid birth date 18491231: before 1850"),
    ],
)
def test_bad_id_numbers_are_refused_precisely(number: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_id_number(number)


def test_future_birth_date_is_refused() -> None:
    number = make_id_number("440304", dt.date(2030, 1, 1), 1)
    with pytest.raises(IdentifierError, match="invalid birth date 20300101: in the future"):
        parse_id_number(number, today=dt.date(2029, 12, 31))
    assert parse_id_number(number, today=dt.date(2030, 1, 1)).birth_date == dt.date(2030, 1, 1)


@pytest.mark.parametrize("sequence", [0, 1, 2, 123, 998, 999])
def test_make_id_number_builds_valid_numbers(sequence: int) -> None:
    number = make_id_number("440304", dt.date(1990, 1, 1), sequence)
    assert number[:17] == f"44030419900101{sequence:03d}"
    assert number[17] == _reference_id_check(number[:17])
    info = parse_id_number(number)
    assert info.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
    assert validate_id_number(number) == number


def test_every_check_character_occurs() -> None:
    checks = {make_id_number("440305", dt.date(1985, 6, 15), seq)[17] for seq in range(100)}
    assert checks == set("0123456789X")


def test_make_id_number_refuses_bad_parts() -> None:
    with pytest.raises(IdentifierError, match="region code must be 6 digits, got 4"):
        make_id_number("4403", dt.date(1990, 1, 1), 1)
    with pytest.raises(IdentifierError, match="sequence must be 0–999, got 1000"):
        make_id_number("440304", dt.date(1990, 1, 1), 1000)
    with pytest.raises(IdentifierError, match="region code: non-digit 'x' at position 6"):
        make_id_number("44030x", dt.date(1990, 1, 1), 1)


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_valid_credit_codes(code: str) -> None:
    assert validate_credit_code(code.lower()) == code
    assert credit_code_check_char(code[:17]) == code[17]
    assert organization_code_check_char(code[8:16]) == code[16]


def test_credit_code_segments() -> None:
    info = parse_credit_code("91440300708461136T")
    assert info.authority == "9"  # 工商 / 市场监管
    assert info.entity_type == "1"  # 企业
    assert info.division == "440300"
    assert info.organization_code == "708461136"
    assert info.check_char == "T"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "credit code must be 18 characters, got 17"),
        ("91350100M000100Y44", "bad check character: expected 3, got 4"),
        ("91350100M000100I43", "invalid character 'I' at position 16"),
        ("9135O100M000100Y43", "invalid character 'O' at position 5"),
        ("B1350100M000100Y43", "unknown registration authority 'B' at position 1"),
        ("9135010AM000100Y43", "division code: non-digit 'A' at position 8"),
        ("91350100M000100Y53", r"organisation-code check character at position 17 \(GB 11714\)"),
    ],
)
def test_bad_credit_codes_are_refused_precisely(code: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_credit_code(code)


def test_organisation_check_can_be_skipped() -> None:
    body = "91350100M000100Y5"  # wrong GB 11714 check, right GB 32100 check added below
    code = body + credit_code_check_char(body)
    with pytest.raises(IdentifierError, match="expected 4, got 5"):
        validate_credit_code(code)
    assert validate_credit_code(code, check_organization_code=False) == code


def test_gb11714_check_maps_10_to_x_and_11_to_0() -> None:
    checks = {organization_code_check_char(f"{n:08d}") for n in range(200)}
    assert "X" in checks and "0" in checks
    assert checks <= set("0123456789X")


def test_make_credit_code_round_trips() -> None:
    assert make_credit_code("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    assert make_credit_code("9", "1", "110000", "600037341") == "91110000600037341L"
    for n in range(0, 3000, 7):
        code = make_credit_code("9", "2", "440304", f"MA{n:06d}")
        assert validate_credit_code(code) == code
        assert set(code) <= set(CREDIT_CODE_ALPHABET)


def test_make_credit_code_refuses_bad_parts() -> None:
    with pytest.raises(IdentifierError, match="expected 1, got 2"):
        make_credit_code("9", "1", "110000", "600037342")
    with pytest.raises(IdentifierError, match="unknown registration authority 'B'"):
        make_credit_code("B", "1", "110000", "60003734")
    with pytest.raises(IdentifierError, match="division code must be 6 digits, got 4"):
        make_credit_code("9", "1", "4403", "60003734")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812341234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("0086-199-0000-0000", "19900000000"),
        ("(+86)15012345678", "15012345678"),
    ],
)
def test_valid_phones(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("1381234123", "mobile phone number must be 11 digits, got 10"),
        ("12812341234", "must start with 13–19, got 12"),
        ("23812341234", "must start with 13–19, got 23"),
        ("1381234a234", "non-digit 'a' at position 8"),
        ("075583000000", "must be 11 digits, got 12"),
    ],
)
def test_bad_phones_are_refused(phone: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_phone(phone)


def test_masking() -> None:
    assert mask_id_number("440304199001011234") == "440304***********4"
    assert mask_id_number(GB11643_EXAMPLE) == "110105***********X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("王") == "*"
    assert mask_name("") == ""
    # Too short to keep both ends: nothing leaks.
    assert mask_id_number("4403041") == "*******"
    assert mask_phone("1381") == "****"


def candidates_left(masked: str, *, age: int, male: bool, today: dt.date) -> int:
    """Count the ID numbers consistent with what a person's card shows: mask, age, sex."""
    shown = [(i, c) for i, c in enumerate(masked) if c != "*"]
    region = masked[:6]
    count = 0
    for offset in range(366 * (age + 2)):
        birth = today - dt.timedelta(days=offset)
        shown_age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        if shown_age != age:
            continue
        for sequence in range(1 if male else 0, 1000, 2):
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            count += all(number[i] == c for i, c in shown)
    return count


def test_mask_cannot_be_undone_with_the_age_and_sex_shown() -> None:
    """Finding 1 of issue 14: the old mask left ~33 candidates for a grid worker to try."""
    today = dt.date(2026, 12, 7)
    number = make_id_number("440304", dt.date(1956, 3, 14), 123)
    left = candidates_left(mask_id_number(number), age=70, male=True, today=today)
    assert left > 15_000  # ≈ 365 × 500 ÷ 11; at 20 lookups an hour, weeks of tries
    old_mask = number[:6] + "*" * 8 + number[-4:]
    assert candidates_left(old_mask, age=70, male=True, today=today) < 100


def test_docstring_examples() -> None:
    assert doctest.testmod(identifiers).failed == 0


# --- many identifiers at once -----------------------------------------------------

#: Published numbers: GB 11643-1999's example and the one in its Wikipedia article.
KNOWN_ID_NUMBERS = ("11010519491231002X", "440524188001010014")
KNOWN_CREDIT_CODES = ("91110000600037341L", "91350100M000100Y43")


def mod11_2_holds(number: str) -> bool:
    """ISO 7064 MOD 11-2 from its definition: Σ aᵢ·2ⁱ⁻¹ ≡ 1 (mod 11), i from the right."""
    values = [10 if c == "X" else int(c) for c in reversed(number)]
    return sum(v * pow(2, i, 11) for i, v in enumerate(values)) % 11 == 1


def gb32100_holds(code: str) -> bool:
    """GB 32100's check from its definition: weights 3ⁱ⁻¹ mod 31, total + check ≡ 0 (mod 31)."""
    values = [CREDIT_CODE_ALPHABET.index(c) for c in code]
    total = sum(v * pow(3, i, 31) for i, v in enumerate(values[:17]))
    return (total + values[17]) % 31 == 0


def gb11714_holds(organization: str) -> bool:
    """GB 11714's check from its definition: weights 2⁸…2¹ mod 11, check X = 10, 0 = 11."""
    total = sum(int(c, 36) * pow(2, 8 - i, 11) for i, c in enumerate(organization[:8]))
    check = {"X": 10, "0": 11}.get(organization[8], int(organization[8], 36))
    return (total + check) % 11 == 0


def rows(block: np.ndarray) -> list[str]:
    return [row.tobytes().decode() for row in block]


def test_known_numbers_satisfy_the_definitions() -> None:
    assert all(mod11_2_holds(number) for number in KNOWN_ID_NUMBERS)
    assert all(gb32100_holds(code) for code in KNOWN_CREDIT_CODES)
    assert all(gb11714_holds(code[8:17]) for code in KNOWN_CREDIT_CODES)
    assert not mod11_2_holds("110105194912310021")


def test_make_id_numbers_builds_the_published_numbers() -> None:
    epoch = dt.date(1970, 1, 1)
    births = [(dt.date(1949, 12, 31) - epoch).days, (dt.date(1880, 1, 1) - epoch).days]
    built = make_id_numbers(["110105", "440524"], births, [2, 1])
    assert built.shape == (2, 18) and built.dtype == np.uint8
    assert rows(built) == list(KNOWN_ID_NUMBERS)
    as_dates = np.array(["1949-12-31", "1880-01-01"], dtype="datetime64[D]")
    assert rows(make_id_numbers(["110105", "440524"], as_dates, [2, 1])) == list(KNOWN_ID_NUMBERS)
    assert id_number_check_chars([n[:17] for n in KNOWN_ID_NUMBERS]).tobytes() == b"X4"


def test_many_id_numbers_are_valid_by_definition_and_equal_the_one_value_function() -> None:
    rng = np.random.default_rng(11643)
    n = 2_000
    regions = rng.choice(["440304", "440301", "430524", "452601", "110105", "830000"], n)
    days = rng.integers(-20_000, 20_000, n)
    sequence = rng.integers(0, 1000, n)
    numbers = rows(make_id_numbers(regions, days, sequence))
    assert all(mod11_2_holds(number) for number in numbers)
    assert {number[-1] for number in numbers} == set("0123456789X")
    epoch = dt.date(1970, 1, 1)
    for number, region, day, seq in list(zip(numbers, regions, days, sequence, strict=True))[:50]:
        assert number == make_id_number(str(region), epoch + dt.timedelta(days=int(day)), int(seq))
        assert validate_id_number(number) == number


def test_make_id_numbers_refuses_what_make_id_number_refuses() -> None:
    with pytest.raises(IdentifierError, match="province"):
        make_id_numbers(["990101"], [0], [1])
    with pytest.raises(IdentifierError, match="0–999"):
        make_id_numbers(["440304"], [0], [1000])
    with pytest.raises(IdentifierError, match="1850"):
        make_id_numbers(["440304"], [-45_000], [1])
    with pytest.raises(IdentifierError, match="6 characters"):
        make_id_numbers(["44030"], [0], [1])


def test_make_credit_codes_builds_the_published_codes() -> None:
    built = make_credit_codes(["91", "91"], ["110000", "350100"], ["60003734", "M000100Y"])
    assert rows(built) == list(KNOWN_CREDIT_CODES)
    assert organization_code_check_chars(["60003734", "M000100Y"]).tobytes() == b"14"
    assert credit_code_check_chars([c[:17] for c in KNOWN_CREDIT_CODES]).tobytes() == b"L3"
    with pytest.raises(IdentifierError, match="capital letters"):
        organization_code_check_chars(["6000373a"])
    with pytest.raises(IdentifierError, match="except I, O, S, V, Z"):
        credit_code_check_chars(["9111000060003734I"])


def test_many_credit_codes_are_valid_by_definition() -> None:
    rng = np.random.default_rng(32100)
    n = 2_000
    alphabet = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", np.uint8)
    bodies = alphabet[rng.integers(0, 31, (n, 8))]
    prefixes = np.array(["91", "92", "51", "52", "12", "11"])[rng.integers(0, 6, n)]
    divisions = np.array(["440300", "440304", "110000"])[rng.integers(0, 3, n)]
    codes = rows(make_credit_codes(prefixes, divisions, bodies))
    assert all(gb32100_holds(code) and gb11714_holds(code[8:17]) for code in codes)
    for code in codes[:50]:
        assert validate_credit_code(code) == code
        assert make_credit_code(code[0], code[1], code[2:8], code[8:16]) == code


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((["91"], ["ABCDEF"], ["MA000001"]), "division codes must be 6 digits"),
        ((["X1"], ["110000"], ["MA000001"]), "unknown registration authority"),
        ((["9I"], ["110000"], ["MA000001"]), "entity type"),
        ((["91"], ["110000"], ["MA0000019"]), "expected values of 8 characters"),  # not cut
        ((["91"], ["1100001"], ["MA000001"]), "expected values of 6 characters"),
    ],
)
def test_many_credit_codes_refuse_what_one_refuses(arguments, message):
    with pytest.raises(IdentifierError, match=message):
        make_credit_codes(*arguments)
    with pytest.raises(IdentifierError):
        make_credit_code(arguments[0][0][0], arguments[0][0][1], arguments[1][0], arguments[2][0])


def test_an_id_number_too_long_is_refused_not_cut():
    with pytest.raises(IdentifierError, match="17 characters"):
        id_number_check_chars(["110105194912310021"])
