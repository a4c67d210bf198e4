"""Certificate numbers per family: format, the 特种作业 "T + own ID" rule, masking, encryption."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from backend.catalog.models import Catalog, Item
from backend.core.crypto import FieldCipher
from backend.core.errors import Invalid
from backend.people import idnumber


@dataclass(frozen=True)
class Ciphers:
    """The two sensitive columns of this domain: people's ID numbers and certificate numbers."""

    id_number: FieldCipher
    cert_number: FieldCipher


@lru_cache(maxsize=4)
def ciphers_for(secret: bytes) -> Ciphers:
    # The ID cipher's purpose string is the people domain's, so look-ups share its blind index.
    return Ciphers(FieldCipher(secret, "id_number"), FieldCipher(secret, "cert_number"))


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def clean_number(raw: str) -> str:
    """Full-width → half-width, no spaces, upper case."""
    return unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()


def _looks_like_id(value: str) -> bool:
    try:
        idnumber.normalise(value)
    except Invalid:
        return False
    return True


def check_number(catalog: Catalog, item: Item, raw: str, holder_id: str) -> str:
    """The normalised certificate number, or `Invalid` with a code the import report shows.

    * 特种作业 (mem): "T" + the holder's own ID number; a bare ID number is read as that.
      Another person's ID means a borrowed certificate (`mem_number_mismatch`).
    * 住建 (mohurd): the legacy 14-character number carries the work-type code in characters
      3–4; it must be the certificate's item (`mohurd_type_mismatch`).
    * every family: one of the catalogue's patterns (`number_format`; extend them by override).
    """
    number = clean_number(raw)
    if not number:
        raise Invalid("证书编号为空", code="number_missing")
    family = catalog.families[item.family]
    if family.number_embeds_id:
        embedded = number[1:] if number.startswith("T") else number
        if len(embedded) in (15, 18) and _looks_like_id(embedded):
            if idnumber.normalise(embedded) != holder_id:
                raise Invalid(
                    "特种作业操作证编号应为 T+本人身份证号，与持证人不符", code="mem_number_mismatch"
                )
            number = "T" + holder_id
    if not any(_compiled(p).match(number) for p in family.number_patterns):
        raise Invalid(f"证书编号 {number} 不符合{family.name}的编号格式", code="number_format")
    legacy_mohurd = (
        item.family == "mohurd" and len(number) == 14 and item.code.isdigit() and item.code != "99"
    )
    if legacy_mohurd and number[2:4] != item.code:
        raise Invalid(
            f"住建证书编号第3–4位工种代码 {number[2:4]} 与准操项目 {item.code} 不符",
            code="mohurd_type_mismatch",
        )
    return number


def mask_number(number: str) -> str:
    """Numbers that carry an ID number are masked like one; other numbers are not personal data."""
    body = number[1:] if number.startswith("T") else number
    if len(body) == 18 and _looks_like_id(body):
        return number[: len(number) - 18] + idnumber.mask(body)
    return number
