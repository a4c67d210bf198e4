"""Wire types of the catalogue: what the PWA needs for filters, forms and the countdown page."""

from __future__ import annotations

import msgspec


class ItemOut(msgspec.Struct, kw_only=True):
    key: str
    code: str
    name: str
    scheme: str
    confidence: str


class CategoryOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    scheme: str
    items: list[ItemOut]


class RuleOut(msgspec.Struct, kw_only=True):
    effective_from: str
    source: str
    confidence: str
    validity_years: int
    review_interval_years: int
    apply_window_days: int
    apply_by_days: int
    expiry_action: str
    expiry_extends_years: int
    off_job_months: int
    how_to_apply: str
    how_to_apply_en: str
    unconfirmed: list[str]


class FamilyOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    name_en: str
    issuer: str
    query_site: str
    confidence: str
    categories: list[CategoryOut]
    rules: list[RuleOut]


class PolicyOut(msgspec.Struct, kw_only=True):
    remind_days: int
    retrain_days: int
    freeze_grace_days: int
    shadow_after_days: int


class CatalogOut(msgspec.Struct, kw_only=True):
    fingerprint: str
    overrides: list[str]
    families: list[FamilyOut]
    policy: PolicyOut
