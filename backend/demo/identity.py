"""Plausible identities for demo people: names, resident ID numbers, phones, credit codes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from importlib import resources

from backend.people.idnumber import check_char

# Real GB/T 2260 county codes: Nanjing and Jiangsu locals plus the provinces that send
# most migrant workers to the Yangtze chemical parks (Anhui, Henan, Sichuan, Shandong, Hubei).
REGIONS = (
    ("320102", 6), ("320104", 4), ("320106", 5), ("320111", 8), ("320113", 5), ("320115", 6),
    ("320116", 10), ("320117", 3), ("321003", 4), ("321023", 3), ("320382", 3), ("320923", 3),
    ("321281", 3), ("341122", 5), ("341181", 4), ("340521", 3), ("341125", 3), ("340121", 2),
    ("341621", 3), ("341222", 3), ("410526", 3), ("411625", 2), ("411323", 2), ("510722", 3),
    ("511321", 2), ("510623", 2), ("371321", 2), ("370724", 2), ("420222", 2), ("421181", 2),
)  # fmt: skip
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "158", "159", "177", "180", "181", "182", "186",
                   "187", "188", "189", "199")  # fmt: skip

# GB 32100-2015 统一社会信用代码: 31 characters (no I, O, S, V, Z) and weights 3^i mod 31.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714-1997 organisation code (characters 9–17 of the credit code).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def load_name_chars() -> dict[str, str]:
    """The `key: characters` lines of data/names.txt."""
    text = resources.files("backend.demo").joinpath("data/names.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, chars = line.partition(":")
            out[key.strip()] = chars.strip()
    return out


class IdentityMaker:
    """Deterministic, never-repeating names, ID numbers and phones from one seeded RNG."""

    def __init__(self, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        self.chars = load_name_chars()
        surnames = self.chars["surnames"]
        self._surname_weights = [1 / (rank + 8) for rank in range(len(surnames))]
        self.used_names: set[str] = set()
        self.used_numbers: set[str] = set()
        self.used_phones: set[str] = set()

    def reserve_name(self, name: str) -> str:
        """Keep a hand-picked name (a demo account's) out of the generated ones."""
        self.used_names.add(name)
        return name

    def name(self, male: bool) -> str:
        first, second = ("male_first", "male_second") if male else ("female_first", "female_second")
        while True:
            surname = self.rng.choices(self.chars["surnames"], self._surname_weights)[0]
            given = self.rng.choice(self.chars[second])
            if self.rng.random() < 0.7:
                given = self.rng.choice(self.chars[first]) + given
            candidate = surname + given
            if candidate not in self.used_names and candidate[0] != candidate[1]:
                self.used_names.add(candidate)
                return candidate

    def id_number(self, male: bool, min_age: int = 20, max_age: int = 58) -> str:
        """GB 11643: region + birth date + sequence (odd for men) + MOD 11-2 check character."""
        codes, weights = zip(*REGIONS, strict=True)
        while True:
            region = self.rng.choices(codes, weights)[0]
            oldest = self.as_of.replace(year=self.as_of.year - max_age - 1) + timedelta(days=1)
            youngest = self.as_of.replace(year=self.as_of.year - min_age)
            born = oldest + timedelta(days=self.rng.randrange((youngest - oldest).days + 1))
            sequence = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8)
            )
            body = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = body + check_char(body)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number


def org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def credit_check(first17: str) -> str:
    """GB 32100 check character: the 18th character of a unified social credit code."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code(rng: random.Random, region: str) -> str:
    """A well-formed 统一社会信用代码 of a company (9 = 市场监管 registration, 1 = enterprise)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + region + body + org_code_check(body)
    return first17 + credit_check(first17)
