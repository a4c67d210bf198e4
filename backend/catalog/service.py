"""Load the catalogue (bundled TOML + the enterprise's overrides) and answer questions about it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from backend.catalog.loader_part import CatalogError, catalog_for, load_catalog, overrides_dir
from backend.catalog.models import Catalog, Item, Policy, Rule
from backend.core.errors import Invalid

__all__ = ["CatalogError", "catalog_for", "load_catalog", "overrides_dir"]

# ---------------------------------------------------------------- questions


def rule_at(catalog: Catalog, family: str, day: date) -> Rule:
    """The rule of `family` in force on `day` (the oldest one for days before any rule)."""
    rules = catalog.rules.get(family)
    if not rules:
        raise Invalid(f"未知证书类别 {family}", code="family_unknown")
    current = rules[0]
    for rule in rules:
        if rule.effective_from <= day:
            current = rule
    return current


def item(catalog: Catalog, key: str) -> Item:
    found = catalog.items.get(key)
    if found is None:
        raise Invalid(f"操作项目 {key} 不在目录中", code="item_unknown")
    return found


def covering(catalog: Catalog, wanted: str) -> frozenset[str]:
    """Item keys whose certificates allow `wanted`: itself and whatever counts as it."""
    return frozenset({wanted} | {k for k, it in catalog.items.items() if wanted in it.counts_as})


_STRIP = re.compile(r"[\s、，,·.。:：/\\-]+")


def normalise_name(text: str) -> str:
    """Full-width → half-width, no spaces or separators, no 作业 suffix words: for matching."""
    value = unicodedata.normalize("NFKC", text).upper()
    value = _STRIP.sub("", value)
    return value.replace("作业", "").replace("（", "(").replace("）", ")")


def find_items(
    catalog: Catalog, text: str, *, family: str | None = None, category: str | None = None
) -> list[Item]:
    """Items a ledger's 准操项目 text (a key, a code, a name, or an alias) may mean, best first."""
    wanted = normalise_name(text)
    if not wanted:
        return []
    index = _name_index(catalog)
    out: list[Item] = []
    for kind in ("key", "code", "name", "alias"):
        for it in index.get((kind, wanted), ()):
            if (family is None or it.family == family) and it not in out:
                out.append(it)
    if category and len(out) > 1:
        cat = normalise_name(category)
        in_cat = [i for i in out if cat in (normalise_name(i.category_name), i.category_code.upper())]
        out = in_cat or out
    return out


_INDEXES: dict[int, tuple[Catalog, dict[tuple[str, str], list[Item]]]] = {}


def _name_index(catalog: Catalog) -> dict[tuple[str, str], list[Item]]:
    """(how, normalised text) → items, built once per catalogue object (imports ask 250k times)."""
    cached = _INDEXES.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    index: dict[tuple[str, str], list[Item]] = {}
    for it in catalog.items.values():
        index.setdefault(("key", normalise_name(it.key)), []).append(it)
        index.setdefault(("code", normalise_name(it.code)), []).append(it)
        index.setdefault(("name", normalise_name(it.name)), []).append(it)
        for alias in it.aliases:
            index.setdefault(("alias", normalise_name(alias)), []).append(it)
    _INDEXES[id(catalog)] = (catalog, index)
    return index


def current_items(items: Iterable[Item], catalog: Catalog, on: date) -> list[Item]:
    """Of several candidate items, those whose scheme was in force on `on` (all if none was)."""
    items = list(items)
    live = [
        i
        for i in items
        if catalog.schemes[i.scheme].effective_from <= on
        and (catalog.schemes[i.scheme].until is None or on <= (catalog.schemes[i.scheme].until or on))
    ]
    return live or items


# ---------------------------------------------------------------- local time


def local_tz(policy: Policy) -> timezone:
    return timezone(timedelta(hours=policy.utc_offset_hours))


def local_date(moment: datetime, policy: Policy) -> date:
    """The calendar day at `moment` in the plant's time zone (certificate dates are local days)."""
    return moment.astimezone(local_tz(policy)).date()


def local_moment(day: date, hour: int, policy: Policy) -> datetime:
    """`hour`:00 local on `day`, as a UTC datetime."""
    return datetime.combine(day, time(hour), tzinfo=local_tz(policy)).astimezone(UTC)


def describe(catalog: Catalog) -> Any:
    """The catalogue as its wire type (imported lazily: schemas are the HTTP layer's)."""
    from backend.catalog import schemas as s

    families = []
    for fam in catalog.families.values():
        cats: dict[tuple[str, str], Any] = {}
        for it in catalog.items.values():
            if it.family != fam.code:
                continue
            cat = cats.setdefault(
                (it.scheme, it.category_code),
                s.CategoryOut(code=it.category_code, name=it.category_name, scheme=it.scheme, items=[]),
            )
            cat.items.append(
                s.ItemOut(key=it.key, code=it.code, name=it.name, scheme=it.scheme, confidence=it.confidence)
            )
        rules = [
            s.RuleOut(
                effective_from=r.effective_from.isoformat(),
                source=r.source,
                confidence=r.confidence,
                validity_years=r.validity_years,
                review_interval_years=r.review_interval_years,
                apply_window_days=r.apply_window_days,
                apply_by_days=r.apply_by_days,
                expiry_action=r.expiry_action,
                expiry_extends_years=r.expiry_extends_years,
                off_job_months=r.off_job_months,
                how_to_apply=r.how_to_apply,
                how_to_apply_en=r.how_to_apply_en,
                unconfirmed=list(r.unconfirmed),
            )
            for r in catalog.rules.get(fam.code, ())
        ]
        families.append(
            s.FamilyOut(
                code=fam.code,
                name=fam.name,
                name_en=fam.name_en,
                issuer=fam.issuer,
                query_site=fam.query_site,
                confidence=fam.confidence,
                categories=list(cats.values()),
                rules=rules,
            )
        )
    p = catalog.policy
    return s.CatalogOut(
        fingerprint=catalog.fingerprint,
        overrides=list(catalog.sources),
        families=families,
        policy=s.PolicyOut(
            remind_days=p.remind_days,
            retrain_days=p.retrain_days,
            freeze_grace_days=p.freeze_grace_days,
            shadow_after_days=p.shadow_after_days,
        ),
    )
