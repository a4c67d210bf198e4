"""Synthetic ledgers for the benchmark and the demo: plausible people, items, numbers and dates.

Deterministic for a seed and a reference day; dates spread so that every status occurs
(valid, review due, expiring within 90/30 days, expired, lapsed > 90 days).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from backend.catalog.models import Catalog, Item
from backend.catalog.service import rule_at
from backend.demo.identity import IdentityMaker
from backend.ledger.xlsx import XlsxWriter
from backend.workers.deadlines_part import add_years

HEADER = (
    "姓名", "身份证号", "手机", "单位", "班组编码", "证书类型", "作业类别", "准操项目", "证书编号",
    "发证机关", "初领日期", "发证日期", "有效期至", "复审日期",
)  # fmt: skip
AUTHORITIES = {
    "mem": ("江苏省应急管理厅", "南京市应急管理局", "安徽省应急管理厅", "河南省应急管理厅"),
    "mohurd": ("江苏省住房和城乡建设厅", "安徽省住房和城乡建设厅"),
    "samr": ("南京市市场监督管理局", "苏州市市场监督管理局", "合肥市市场监督管理局"),
}
FAMILY_LABELS = {"mem": "特种作业操作证", "mohurd": "建筑施工特种作业", "samr": "特种设备作业"}
# Items a chemical plant's ledger is made of, with weights.
COMMON = (
    ("mem:02-01", 20), ("mem:01-02", 14), ("mem:01-01", 3), ("mem:01-03", 3), ("mem:03-01", 6),
    ("mem:03-02", 8), ("mem:09-14", 5), ("mem:09-08", 3), ("mem:09-16", 5), ("mem:09-10", 2),
    ("mem:04-01", 2), ("mem:08-01", 1), ("samr:N1", 9), ("samr:Q2", 6), ("samr:Q1", 3), ("samr:G1", 3),
    ("samr:R1", 2), ("samr:R2", 2), ("samr:A", 2), ("mohurd:01", 3), ("mohurd:02", 4), ("mohurd:04", 2),
    ("mohurd:05", 1),
)  # fmt: skip
PROVINCES = "苏皖豫鲁川鄂浙"


@dataclass(frozen=True)
class LedgerRow:
    name: str
    id_number: str
    phone: str
    company: str
    unit: str
    item: Item
    number: str
    authority: str
    first_issued_on: date
    issued_on: date
    valid_until: date
    reviewed_on: date | None

    def cells(self) -> tuple[object, ...]:
        return (
            self.name, self.id_number, self.phone, self.company, self.unit, FAMILY_LABELS[self.item.family],
            self.item.category_name, self.item.name, self.number, self.authority, self.first_issued_on,
            self.issued_on, self.valid_until, self.reviewed_on,
        )  # fmt: skip


def certificate_number(rng: random.Random, item: Item, id_number: str, issued: date) -> str:
    if item.family == "mem":
        return "T" + id_number
    if item.family == "mohurd":
        serial = rng.randrange(1, 10**6)
        return f"{rng.choice(PROVINCES)}{rng.choice('ABCDEFGH')}{item.code}{issued.year}{serial:06d}"
    return f"TS{rng.randrange(10**9, 10**10)}"


def dates(
    rng: random.Random, catalog: Catalog, item: Item, today: date
) -> tuple[date, date, date, date | None]:
    """(first issued, issued, valid until, last review) with deadlines spread over the validity."""
    years = rule_at(catalog, item.family, today).validity_years
    roll = rng.random()
    if roll < 0.03:  # lapsed long ago: shadow operators
        until = today - timedelta(days=rng.randint(91, 700))
    elif roll < 0.08:  # lapsed recently
        until = today - timedelta(days=rng.randint(1, 90))
    elif roll < 0.13:  # expiring within 30 days
        until = today + timedelta(days=rng.randint(0, 30))
    elif roll < 0.20:  # within 90 days
        until = today + timedelta(days=rng.randint(31, 90))
    else:
        until = today + timedelta(days=rng.randint(91, years * 365))
    issued = add_years(until, -years)
    first = add_years(issued, -years * rng.choice((0, 0, 0, 1, 1, 2)))
    reviewed = None
    interval = rule_at(catalog, item.family, issued).review_interval_years
    if interval and add_years(issued, interval) < today and rng.random() < 0.9:
        reviewed = add_years(issued, interval) - timedelta(days=rng.randint(5, 50))
    return first, issued, until, reviewed


def ledger_rows(
    catalog: Catalog,
    workers: int,
    certificates: int,
    units: Sequence[str],
    contractors: Sequence[str],
    own_company: str,
    today: date,
    seed: int = 20260601,
) -> Iterator[LedgerRow]:
    """`certificates` rows over `workers` people (each holds one to four distinct items)."""
    rng = random.Random(seed)
    ids = IdentityMaker(rng, today)
    keys, weights = zip(*COMMON, strict=True)
    counts = [1] * workers
    for _ in range(max(0, min(certificates, 4 * workers) - workers)):
        while counts[(i := rng.randrange(workers))] >= 4:
            pass
        counts[i] += 1
    for n, count in enumerate(counts):
        male = rng.random() < 0.92
        name = ids.name(male) if n < UNIQUE_NAMES else _common_name(rng, ids)
        number, phone = ids.id_number(male), ids.phone()
        company = rng.choice(contractors) if contractors and rng.random() < 0.25 else own_company
        unit = rng.choice(units)
        held: list[str] = []
        while len(held) < count:
            key = rng.choices(keys, weights)[0]
            if key not in held:
                held.append(key)
        for key in held:
            item = catalog.items[key]
            first, issued, until, reviewed = dates(rng, catalog, item, today)
            cert_no = certificate_number(rng, item, number, issued)
            authority = rng.choice(AUTHORITIES[item.family])
            yield LedgerRow(
                name, number, phone, company, unit, item, cert_no, authority, first, issued, until, reviewed
            )


UNIQUE_NAMES = 20000


def _common_name(rng: random.Random, ids: IdentityMaker) -> str:
    """Past 20,000 people unique names run out; real ledgers repeat names too."""
    chars = ids.chars
    return rng.choice(chars["surnames"]) + rng.choice(chars["male_first"]) + rng.choice(chars["male_second"])


def write_ledger(path: Path, rows: Iterator[LedgerRow]) -> int:
    """Write rows to an .xlsx (dates as real date cells, as Excel saves them); returns the count."""
    book = XlsxWriter(path, "特种作业人员台账")
    book.append(HEADER, bold=True)
    count = 0
    for row in rows:
        book.append(row.cells())
        count += 1
    book.close()
    return count
