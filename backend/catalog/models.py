"""The catalogue's shapes: plain frozen dataclasses read from the TOML files (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Family:
    code: str  # mem | mohurd | samr
    name: str
    name_en: str
    issuer: str
    query_site: str
    number_patterns: tuple[str, ...]
    number_embeds_id: bool
    confidence: str


@dataclass(frozen=True)
class Item:
    """An operation item (准操项目 / 工种): what a certificate allows and a job may require."""

    key: str  # "mem:02-01", "mohurd:05", "samr:Q2", "samr-2011:Q4"
    family: str
    scheme: str
    code: str
    name: str
    category_code: str
    category_name: str
    aliases: tuple[str, ...] = ()
    counts_as: tuple[str, ...] = ()  # other item keys a certificate of this item also covers
    confidence: str = "HIGH"


@dataclass(frozen=True)
class Scheme:
    code: str  # "samr-2019"
    family: str
    title: str
    effective_from: date
    until: date | None
    confidence: str


@dataclass(frozen=True)
class Rule:
    """Validity and review rules of one family from `effective_from` on."""

    family: str
    effective_from: date
    source: str
    confidence: str
    validity_years: int
    review_interval_years: int
    extended_review_interval_years: int
    apply_window_days: int
    apply_by_days: int
    expiry_action: str  # renewal | extension | review
    expiry_extends_years: int
    off_job_months: int
    how_to_apply: str
    how_to_apply_en: str
    unconfirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The enterprise's own thresholds (the seed article's defaults)."""

    remind_days: int = 90
    retrain_days: int = 30
    freeze_grace_days: int = 0
    notify_hour: int = 8
    shadow_after_days: int = 90
    review_due_default_days: int = 90
    scan_hour: int = 1
    horizon_days: int = 2
    utc_offset_hours: int = 8


@dataclass(frozen=True)
class Catalog:
    families: dict[str, Family]
    schemes: dict[str, Scheme]
    items: dict[str, Item]
    rules: dict[str, tuple[Rule, ...]]  # family → rules, oldest first
    policy: Policy
    fingerprint: str
    sources: tuple[str, ...] = field(default=())
