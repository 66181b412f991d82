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
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from grids.codes import PROVINCE_CODES

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_REGISTRATION_AUTHORITIES",
    "CreditCodeInfo",
    "IdNumberInfo",
    "IdentifierError",
    "Sex",
    "credit_code_check_char",
    "id_number_check_char",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "organization_code_check_char",
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

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, ...
_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
#: Region prefixes: GB/T 2260 provinces plus 83, used by the residence permits of
#: Taiwan residents (港澳台居民居住证: 81 Hong Kong, 82 Macao, 83 Taiwan).
_REGION_PREFIXES = PROVINCE_CODES | {"83"}
_EARLIEST_BIRTH = dt.date(1850, 1, 1)


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
    total = sum(int(char) * weight for char, weight in zip(first17, _ID_WEIGHTS, strict=True))
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
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + id_number_check_char(body)


# --- Unified social credit code (GB 32100) and organisation code (GB 11714) ----------

#: The 31 characters of GB 32100 in value order (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

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
    total = 0
    for index, (char, weight) in enumerate(zip(body8, _ORG_WEIGHTS, strict=True)):
        if not (char.isascii() and char.isalnum() and not char.islower()):
            raise IdentifierError(
                f"organisation code: invalid character {char!r} at position {index + 1}"
            )
        total += int(char, 36) * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_char(first17: str) -> str:
    """Compute the GB 32100 check character of the first 17 characters of a credit code.

    Examples
    --------
    >>> credit_code_check_char("91110000600037341")
    'L'
    """
    if len(first17) != 17:
        raise IdentifierError(f"credit code body must be 17 characters, got {len(first17)}")
    total = 0
    for index, (char, weight) in enumerate(zip(first17, _CREDIT_WEIGHTS, strict=True)):
        if char not in _CREDIT_VALUES:
            raise IdentifierError(_bad_credit_char(char, index + 1))
        total += _CREDIT_VALUES[char] * weight
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


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
    organization_code = body + organization_code_check_char(body)
    if len(organization) == 9 and organization[8].upper() != organization_code[8]:
        raise IdentifierError(
            f"organisation code {organization}: bad check character: "
            f"expected {organization_code[8]}, got {organization[8]}"
        )
    first17 = authority + entity_type + division + organization_code
    return first17 + credit_code_check_char(first17)


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
