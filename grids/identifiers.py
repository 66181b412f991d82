"""Personal and entity identifiers with check characters: validate, generate, mask.

- Resident ID number (居民身份证号码, GB 11643-1999): 6-digit region + birth date
  YYYYMMDD + 3-digit sequence (odd = male) + ISO 7064 MOD 11-2 check character.
- Unified social credit code (统一社会信用代码, GB 32100-2015): registration authority,
  entity type, 6-digit division code, 9-character organisation code (组织机构代码,
  GB 11714, with its own check character) and a MOD 31 check character.
- Mobile phone number (手机号码): 11 digits starting 13–19.

Every validator returns the normalised value or raises :class:`IdentifierError` with a
message saying what is wrong and where (positions are 1-based, as printed on cards).
Masking helpers (脱敏) produce the display forms used everywhere by default.

Check characters are computed in one place, on ``(n, width)`` arrays of ASCII bytes
(:func:`id_number_check_chars`, :func:`credit_code_check_chars`,
:func:`organization_code_check_chars`); the one-value functions validate their input
and call them with one row, and :func:`make_id_numbers` / :func:`make_credit_codes`
build many identifiers at once (the demo city generates millions).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grids.codes import PROVINCE_CODES, digits

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_REGISTRATION_AUTHORITIES",
    "CreditCodeInfo",
    "IdNumberInfo",
    "IdentifierError",
    "Sex",
    "credit_code_check_char",
    "credit_code_check_chars",
    "id_number_check_char",
    "id_number_check_chars",
    "make_credit_code",
    "make_credit_codes",
    "make_id_number",
    "make_id_numbers",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "organization_code_check_char",
    "organization_code_check_chars",
    "parse_credit_code",
    "parse_id_number",
    "validate_credit_code",
    "validate_id_number",
    "validate_phone",
]


class IdentifierError(ValueError):
    """An identifier that is malformed or fails its check character."""


class Sex(StrEnum):
    """Sex encoded in the ID number's sequence (顺序码): odd male (男), even female (女)."""

    MALE = "male"
    FEMALE = "female"


# --- Resident ID number (GB 11643) -------------------------------------------------

_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)])  # 7, 9, 10, 5, 8, 4, 2, 1, ...
_ID_CHECK_CHARS = np.frombuffer(b"10X98765432", np.uint8)  # indexed by (weighted sum mod 11)
#: Region prefixes: GB/T 2260 provinces plus 83, used by the residence permits of
#: Taiwan residents (港澳台居民居住证: 81 Hong Kong, 82 Macao, 83 Taiwan).
_REGION_PREFIXES = PROVINCE_CODES | {"83"}
_EARLIEST_BIRTH = dt.date(1850, 1, 1)
_EPOCH = dt.date(1970, 1, 1)
U8 = NDArray[np.uint8]


def _ascii_rows(values: ArrayLike, width: int) -> U8:
    """``(n, width)`` ASCII bytes from such an array or from strings of that width."""
    array = np.asarray(values)
    if array.dtype == np.uint8 and array.ndim == 2 and array.shape[1] == width:
        return np.ascontiguousarray(array)
    # one byte wider than asked, so that a longer value is seen, not cut to fit
    strings = np.asarray(array, dtype=f"S{width + 1}").reshape(-1)
    if len(strings) and (np.char.str_len(strings) != width).any():
        raise IdentifierError(f"expected values of {width} characters")
    return strings.astype(f"S{width}").view(np.uint8).reshape(-1, width)


def _one(value: str) -> U8:
    return np.frombuffer(value.encode("ascii"), np.uint8)[None, :]


@dataclass(frozen=True)
class IdNumberInfo:
    """The segments of a resident ID number."""

    number: str  #: the normalised 18-character number
    region: str  #: 6-digit 行政区划代码 of the issuing place
    birth_date: dt.date  #: 出生日期
    sequence: str  #: 3-digit 顺序码
    sex: Sex  #: from the parity of the sequence
    check_char: str  #: 校验码


def _require_digits(value: str, what: str, *, offset: int = 0) -> None:
    for index, char in enumerate(value):
        if not ("0" <= char <= "9"):
            raise IdentifierError(f"{what}: non-digit {char!r} at position {offset + index + 1}")


def _check_region(region: str, what: str) -> None:
    if region[:2] not in _REGION_PREFIXES:
        raise IdentifierError(
            f"{what}: region code {region} does not start with a GB/T 2260 province code "
            f"(got {region[:2]!r}, e.g. 44 for Guangdong)"
        )


def id_number_check_char(first17: str) -> str:
    """Compute the ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number.

    Examples
    --------
    >>> id_number_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17:
        raise IdentifierError(f"ID number body must be 17 digits, got {len(first17)}")
    _require_digits(first17, "ID number")
    return chr(id_number_check_chars(_one(first17))[0])


def id_number_check_chars(first17: ArrayLike) -> U8:
    """ISO 7064 MOD 11-2 check characters of many ID number bodies, as ASCII bytes.

    Parameters
    ----------
    first17 : array_like
        ``(n, 17)`` ASCII digits, or strings of 17 digits.

    Examples
    --------
    >>> id_number_check_chars(["11010519491231002", "44052418800101001"]).tobytes()
    b'X4'
    """
    body = _ascii_rows(first17, 17)
    if ((body < ord("0")) | (body > ord("9"))).any():
        raise IdentifierError("ID number bodies must be digits")
    total = (body.astype(np.int64) - ord("0")) @ _ID_WEIGHTS
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth_date(digits: str, what: str) -> dt.date:
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdentifierError(
            f"{what}: invalid birth date {digits} at positions 7–14 (not a calendar date)"
        ) from None
    if birth < _EARLIEST_BIRTH:
        raise IdentifierError(f"{what}: invalid birth date {digits}: before 1850")
    return birth


def parse_id_number(number: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """Validate a resident ID number (身份证号码) and split it into its segments.

    Parameters
    ----------
    number : str
        18 characters; surrounding whitespace is ignored and a final ``x`` accepted.
    today : datetime.date, optional
        Birth dates after this day are refused (default: today).

    Raises
    ------
    IdentifierError
        Wrong length, non-digit at position n, unknown province prefix, invalid or
        future birth date, or bad check character (``expected X, got Y``).

    Examples
    --------
    >>> info = parse_id_number("11010519491231002x")
    >>> info.number, info.birth_date.isoformat(), info.sex.value
    ('11010519491231002X', '1949-12-31', 'female')
    """
    value = number.strip().upper()
    if len(value) != 18:
        hint = "; 15-digit first-generation numbers are not accepted" if len(value) == 15 else ""
        raise IdentifierError(f"ID number must be 18 characters, got {len(value)}{hint}")
    _require_digits(value[:17], "ID number")
    if not (value[17].isdigit() or value[17] == "X"):
        raise IdentifierError(f"ID number: check character must be 0-9 or X, got {value[17]!r}")
    _check_region(value[:6], "ID number")
    birth = _parse_birth_date(value[6:14], "ID number")
    if birth > (today or dt.date.today()):
        raise IdentifierError(f"ID number: invalid birth date {value[6:14]}: in the future")
    expected = id_number_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(
            f"ID number: bad check character: expected {expected}, got {value[17]}"
        )
    sequence = value[14:17]
    sex = Sex.MALE if int(sequence) % 2 else Sex.FEMALE
    return IdNumberInfo(value, value[:6], birth, sequence, sex, value[17])


def validate_id_number(number: str) -> str:
    """Validate a resident ID number and return it normalised (upper-case ``X``).

    Examples
    --------
    >>> validate_id_number(" 11010519491231002x ")
    '11010519491231002X'
    """
    return parse_id_number(number).number


def make_id_number(region: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid ID number from region, birth date and sequence (odd = male).

    Examples
    --------
    >>> make_id_number("110105", dt.date(1949, 12, 31), 2)
    '11010519491231002X'
    """
    if len(region) != 6:
        raise IdentifierError(f"region code must be 6 digits, got {len(region)}")
    _require_digits(region, "region code")
    _check_region(region, "region code")
    if not 0 <= sequence <= 999:
        raise IdentifierError(f"sequence must be 0–999, got {sequence}")
    if birth_date < _EARLIEST_BIRTH:
        raise IdentifierError(f"birth date {birth_date.isoformat()} is before 1850")
    number = make_id_numbers([region], [(birth_date - _EPOCH).days], [sequence])
    return number.tobytes().decode()


def make_id_numbers(region: ArrayLike, birth_day: ArrayLike, sequence: ArrayLike) -> U8:
    """Build many valid ID numbers at once, as an ``(n, 18)`` ASCII array.

    Parameters
    ----------
    region : array_like
        6-digit region codes (strings or ``(n, 6)`` ASCII); the province prefix is checked.
    birth_day : array_like
        Birth dates as days since 1970-01-01 (or numpy ``datetime64``), from 1850 on.
    sequence : array_like of int
        顺序码 0–999 (odd = male).

    Examples
    --------
    >>> make_id_numbers(["110105"], [-7306], [2]).view("S18").ravel().tolist()
    [b'11010519491231002X']
    """
    regions = _ascii_rows(region, 6)
    if ((regions < ord("0")) | (regions > ord("9"))).any():
        raise IdentifierError("region codes must be 6 digits")
    provinces = regions[:, :2].copy().view("S2").ravel()
    unknown = ~np.isin(provinces, np.array(sorted(_REGION_PREFIXES), dtype="S2"))
    if unknown.any():
        bad = regions[np.argmax(unknown)].tobytes().decode()
        raise IdentifierError(f"region code {bad} does not start with a GB/T 2260 province code")
    days = np.asarray(birth_day)
    if not np.issubdtype(days.dtype, np.datetime64):
        days = np.datetime64("1970-01-01", "D") + days.astype("timedelta64[D]")
    dates = days.astype("datetime64[D]").reshape(-1)
    if len(dates) and dates.min() < np.datetime64(_EARLIEST_BIRTH):
        raise IdentifierError(f"birth date {dates.min()} is before 1850")
    sequences = np.asarray(sequence, dtype=np.int64).reshape(-1)
    if len(sequences) and (sequences.min() < 0 or sequences.max() > 999):
        raise IdentifierError("sequence must be 0–999")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    body = np.hstack([regions, digits(year * 10_000 + month * 100 + day, 8), digits(sequences, 3)])
    return np.hstack([body, id_number_check_chars(body)[:, None]])


# --- Unified social credit code (GB 32100) and organisation code (GB 11714) ----------

#: The 31 characters of GB 32100 in value order (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_ALPHABET = np.frombuffer(CREDIT_CODE_ALPHABET.encode(), np.uint8)
#: byte -> value: the credit code alphabet (-1 outside it); organisation codes 0-9, A=10 … Z=35
_CREDIT_VALUE = np.full(256, -1, dtype=np.int64)
_CREDIT_VALUE[_ALPHABET] = np.arange(31)
_ORG_VALUE = np.full(256, -1, dtype=np.int64)
_ORG_VALUE[np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)] = np.arange(36)
#: GB 11714 check characters by ``11 - sum mod 11`` (1..11): 10 is X, 11 is 0
_ORG_CHECK_CHARS = np.frombuffer(b"?123456789X0", np.uint8)

#: 登记管理部门码 (position 1) of GB 32100-2015.
CREDIT_REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商 (市场监管)",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


@dataclass(frozen=True)
class CreditCodeInfo:
    """The segments of a unified social credit code."""

    code: str  #: the normalised 18-character code
    authority: str  #: 登记管理部门码 (position 1)
    entity_type: str  #: 机构类别码 (position 2), e.g. 1 企业, 2 个体工商户 under authority 9
    division: str  #: 登记管理机关行政区划码 (positions 3–8)
    organization_code: str  #: 主体标识码 / 组织机构代码 (positions 9–17)
    check_char: str  #: 校验码 (position 18)


def organization_code_check_char(body8: str) -> str:
    """Compute the GB 11714 check character of an 8-character organisation code body.

    Weights 3, 7, 9, 10, 5, 8, 4, 2; digits count their value, letters A=10 … Z=35;
    ``11 - sum mod 11`` with 10 written ``X`` and 11 written ``0``.

    Examples
    --------
    >>> organization_code_check_char("60003734"), organization_code_check_char("M000100Y")
    ('1', '4')
    """
    if len(body8) != 8:
        raise IdentifierError(f"organisation code body must be 8 characters, got {len(body8)}")
    for index, char in enumerate(body8):
        if not (char.isascii() and char.isalnum() and not char.islower()):
            raise IdentifierError(
                f"organisation code: invalid character {char!r} at position {index + 1}"
            )
    return chr(organization_code_check_chars(_one(body8))[0])


def organization_code_check_chars(body8: ArrayLike) -> U8:
    """GB 11714 check characters of many organisation code bodies, as ASCII bytes.

    Examples
    --------
    >>> organization_code_check_chars(["60003734", "M000100Y"]).tobytes()
    b'14'
    """
    values = _ORG_VALUE[_ascii_rows(body8, 8)]
    if (values < 0).any():
        raise IdentifierError("organisation code bodies must be digits and capital letters")
    return _ORG_CHECK_CHARS[11 - (values @ _ORG_WEIGHTS) % 11]


def credit_code_check_char(first17: str) -> str:
    """Compute the GB 32100 check character of the first 17 characters of a credit code.

    Examples
    --------
    >>> credit_code_check_char("91110000600037341")
    'L'
    """
    if len(first17) != 17:
        raise IdentifierError(f"credit code body must be 17 characters, got {len(first17)}")
    for index, char in enumerate(first17):
        if char not in _CREDIT_VALUES:
            raise IdentifierError(_bad_credit_char(char, index + 1))
    return chr(credit_code_check_chars(_one(first17))[0])


def credit_code_check_chars(first17: ArrayLike) -> U8:
    """GB 32100 check characters of many credit code bodies, as ASCII bytes.

    Examples
    --------
    >>> credit_code_check_chars(["91110000600037341", "91350100M000100Y4"]).tobytes()
    b'L3'
    """
    values = _CREDIT_VALUE[_ascii_rows(first17, 17)]
    if (values < 0).any():
        raise IdentifierError("credit codes: characters outside 0-9 and A-Y except I, O, S, V, Z")
    return _ALPHABET[(31 - (values @ _CREDIT_WEIGHTS) % 31) % 31]


def _bad_credit_char(char: str, position: int) -> str:
    return (
        f"credit code: invalid character {char!r} at position {position} "
        "(allowed: 0-9 and A-Y except I, O, S, V, Z)"
    )


def parse_credit_code(code: str, *, check_organization_code: bool = True) -> CreditCodeInfo:
    """Validate a unified social credit code (统一社会信用代码) and split it.

    Parameters
    ----------
    code : str
        18 characters; whitespace around is ignored, lower case accepted.
    check_organization_code : bool
        Also verify the GB 11714 check character at position 17 of the embedded
        organisation code (组织机构代码). Every code issued under GB 32100 satisfies it.

    Raises
    ------
    IdentifierError
        Wrong length, character outside the alphabet at position n, unknown
        registration authority, non-digit division code, or a bad check character.

    Examples
    --------
    >>> info = parse_credit_code("91350100M000100Y43")
    >>> info.authority, info.entity_type, info.division, info.organization_code
    ('9', '1', '350100', 'M000100Y4')
    """
    value = code.strip().upper()
    if len(value) != 18:
        raise IdentifierError(f"credit code must be 18 characters, got {len(value)}")
    for index, char in enumerate(value):
        if char not in _CREDIT_VALUES:
            raise IdentifierError(_bad_credit_char(char, index + 1))
    if value[0] not in CREDIT_REGISTRATION_AUTHORITIES:
        known = ", ".join(CREDIT_REGISTRATION_AUTHORITIES)
        raise IdentifierError(
            f"credit code: unknown registration authority {value[0]!r} at position 1 "
            f"(known: {known})"
        )
    _require_digits(value[2:8], "credit code: division code", offset=2)
    if check_organization_code:
        expected_org = organization_code_check_char(value[8:16])
        if value[16] != expected_org:
            raise IdentifierError(
                "credit code: bad organisation-code check character at position 17 "
                f"(GB 11714): expected {expected_org}, got {value[16]}"
            )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(
            f"credit code: bad check character: expected {expected}, got {value[17]}"
        )
    return CreditCodeInfo(value, value[0], value[1], value[2:8], value[8:17], value[17])


def validate_credit_code(code: str, *, check_organization_code: bool = True) -> str:
    """Validate a unified social credit code and return it normalised (upper case).

    Examples
    --------
    >>> validate_credit_code("91110000600037341l")
    '91110000600037341L'
    """
    return parse_credit_code(code, check_organization_code=check_organization_code).code


def make_credit_code(authority: str, entity_type: str, division: str, organization: str) -> str:
    """Build a valid credit code; ``organization`` is the 8-character body or 9 with check.

    Examples
    --------
    >>> make_credit_code("9", "1", "110000", "60003734")
    '91110000600037341L'
    """
    if authority not in CREDIT_REGISTRATION_AUTHORITIES:
        raise IdentifierError(f"unknown registration authority {authority!r}")
    if len(entity_type) != 1 or entity_type not in _CREDIT_VALUES:
        raise IdentifierError(
            f"entity type must be one character of the alphabet, got {entity_type!r}"
        )
    if len(division) != 6:
        raise IdentifierError(f"division code must be 6 digits, got {len(division)}")
    _require_digits(division, "division code")
    if len(organization) not in (8, 9):
        raise IdentifierError(
            f"organisation code must be 8 characters (or 9 with check), got {len(organization)}"
        )
    body = organization[:8].upper()
    organization_code_check_char(body)  # refuses invalid characters with their position
    code = make_credit_codes([authority + entity_type], [division], [body]).tobytes().decode()
    if len(organization) == 9 and organization[8].upper() != code[16]:
        raise IdentifierError(
            f"organisation code {organization}: bad check character: "
            f"expected {code[16]}, got {organization[8]}"
        )
    return code


def make_credit_codes(prefix: ArrayLike, division: ArrayLike, organization: ArrayLike) -> U8:
    """Build many valid credit codes at once, as an ``(n, 18)`` ASCII array.

    Parameters
    ----------
    prefix : array_like
        Registration authority and entity type, 2 characters (``"91"`` 企业).
    division : array_like
        6-digit division codes.
    organization : array_like
        8-character organisation code bodies (the GB 11714 check character is added).

    All three as strings or ``(n, width)`` ASCII arrays.

    Examples
    --------
    >>> make_credit_codes(["91"], ["110000"], ["60003734"]).view("S18").ravel().tolist()
    [b'91110000600037341L']
    """
    body = _ascii_rows(organization, 8)
    heads, divisions = _ascii_rows(prefix, 2), _ascii_rows(division, 6)
    authorities = np.frombuffer("".join(CREDIT_REGISTRATION_AUTHORITIES).encode(), np.uint8)
    if not np.isin(heads[:, 0], authorities).all():
        raise IdentifierError("unknown registration authority in prefix")
    if not np.isin(heads[:, 1], np.frombuffer(CREDIT_CODE_ALPHABET.encode(), np.uint8)).all():
        raise IdentifierError("entity type must be one character of the alphabet")
    if ((divisions < ord("0")) | (divisions > ord("9"))).any():
        raise IdentifierError("division codes must be 6 digits")
    org = np.hstack([body, organization_code_check_chars(body)[:, None]])
    first17 = np.hstack([heads, divisions, org])
    return np.hstack([first17, credit_code_check_chars(first17)[:, None]])


# --- Mobile phone --------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def validate_phone(phone: str) -> str:
    """Validate a mainland mobile number and return its 11 digits.

    Spaces, hyphens and parentheses are removed, and a ``+86``/``0086`` prefix dropped.

    Examples
    --------
    >>> validate_phone("+86 138-1234-1234")
    '13812341234'
    """
    value = _PHONE_SEPARATORS.sub("", phone)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    if len(value) != 11:
        raise IdentifierError(f"mobile phone number must be 11 digits, got {len(value)}")
    _require_digits(value, "mobile phone number")
    if not ("3" <= value[1] <= "9") or value[0] != "1":
        raise IdentifierError(f"mobile phone number must start with 13–19, got {value[:2]}")
    return value


# --- Masking (脱敏) ------------------------------------------------------------------


def _mask_middle(value: str, keep_start: int, keep_end: int, stars: int | None = None) -> str:
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_start] + "*" * (hidden if stars is None else stars) + value[-keep_end:]


def mask_id_number(number: str) -> str:
    """Mask an ID number for display: the region (first 6), eleven stars, the check digit.

    The birth date and the sequence stay hidden together: the person's card shows the
    age and sex, which narrow the birth date to a year and the sequence to its parity,
    so a mask that hid only the birth date (``440304********1234``) left about 33
    candidates — a few lookups by full number found the right one. With the sequence
    hidden too, about 16,600 remain (365 days × 500 sequences ÷ 11 check digits), against
    lookups that are rate-limited and audited.

    Values too short to mask safely come back as stars only.

    Examples
    --------
    >>> mask_id_number("440304199001011234")
    '440304***********4'
    """
    return _mask_middle(number.strip(), 6, 1, stars=11)


def mask_phone(phone: str) -> str:
    """Mask a phone number for display: first 3, four stars, last 4.

    Examples
    --------
    >>> mask_phone("13812341234")
    '138****1234'
    """
    return _mask_middle(phone.strip(), 3, 4, stars=4)


def mask_name(name: str) -> str:
    """Mask a person's name: keep the first character (the surname), star the rest.

    Examples
    --------
    >>> mask_name("张三丰"), mask_name("李四"), mask_name("王")
    ('张**', '李*', '*')
    """
    value = name.strip()
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1)
