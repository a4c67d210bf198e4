"""Reading the catalogue: the bundled TOML files, then the enterprise's overrides merged over them."""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from backend.catalog.models import Catalog, Family, Item, Policy, Rule, Scheme
from backend.config import Settings

EXPIRY_ACTIONS = ("renewal", "extension", "review")
# policy.toml section.key → Policy field
POLICY_KEYS = {
    ("warnings", "remind_days"): "remind_days",
    ("warnings", "retrain_days"): "retrain_days",
    ("warnings", "freeze_grace_days"): "freeze_grace_days",
    ("warnings", "notify_hour"): "notify_hour",
    ("status", "shadow_after_days"): "shadow_after_days",
    ("status", "review_due_default_days"): "review_due_default_days",
    ("scan", "hour"): "scan_hour",
    ("scan", "horizon_days"): "horizon_days",
    ("time", "utc_offset_hours"): "utc_offset_hours",
}
_CACHE: dict[tuple[Any, ...], Catalog] = {}


class CatalogError(ValueError):
    """A catalogue or override file is malformed; the message names the file and the key."""


def overrides_dir(settings: Settings) -> Path:
    """Where an enterprise puts its override files: $TEZUO_DATA_DIR/catalog/*.toml."""
    return settings.data_dir / "catalog"


def catalog_for(settings: Settings) -> Catalog:
    return load_catalog(overrides_dir(settings))


def load_catalog(overrides: Path | None = None) -> Catalog:
    """The bundled catalogue with `overrides/*.toml` applied; cached until a file changes."""
    files = sorted(overrides.glob("*.toml")) if overrides and overrides.is_dir() else []
    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if key not in _CACHE:
        _CACHE[key] = _build(_bundled(), [(f.name, _read(f)) for f in files])
    return _CACHE[key]


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def _bundled() -> list[tuple[str, dict[str, Any]]]:
    root = resources.files("backend.catalog").joinpath("data")
    docs = [(name, tomllib.loads(root.joinpath(name).read_text("utf-8"))) for name in _BASE_FILES]
    items = root.joinpath("items")
    for entry in sorted(items.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            docs.append((f"items/{entry.name}", tomllib.loads(entry.read_text("utf-8"))))
    return docs


_BASE_FILES = ("families.toml", "rules.toml", "policy.toml")


def _day(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CatalogError(f"{where}: not a date: {value!r}") from None


class _Raw:
    """The catalogue as mutable dicts while bundled files and overrides are merged."""

    def __init__(self) -> None:
        self.families: dict[str, dict[str, Any]] = {}
        self.rules: dict[tuple[str, date], dict[str, Any]] = {}
        self.schemes: dict[str, dict[str, Any]] = {}
        self.policy: dict[str, Any] = {}

    def apply(self, name: str, doc: dict[str, Any]) -> None:
        # `family` is a list of tables in families.toml and a plain string in a scheme file.
        for fam in doc["family"] if isinstance(doc.get("family"), list) else []:
            self.families.setdefault(fam["code"], {}).update(fam)
        for rule in doc.get("rule", []):
            key = (rule["family"], _day(rule["effective_from"], f"{name} rule"))
            self.rules.setdefault(key, {}).update(rule)
        for (section, field_key), attr in POLICY_KEYS.items():
            if field_key in doc.get(section, {}):
                self.policy[attr] = doc[section][field_key]
        if "scheme" in doc:
            self._scheme(name, doc)

    def _scheme(self, name: str, doc: dict[str, Any]) -> None:
        scheme = self.schemes.setdefault(doc["scheme"], {"categories": {}})
        scheme.update({k: v for k, v in doc.items() if k not in ("category", "scheme")})
        for cat in doc.get("category", []):
            target = scheme["categories"].setdefault(cat["code"], {"items": {}})
            target.update({k: v for k, v in cat.items() if k != "items"})
            for item in cat.get("items", []):
                target["items"].setdefault(item["code"], {}).update(item)
        for field_key in ("family", "key_prefix", "effective_from"):
            if field_key not in scheme:
                raise CatalogError(f"{name}: scheme {doc['scheme']} needs {field_key}")


def _build(bundled: list[tuple[str, dict[str, Any]]], overrides: list[tuple[str, dict[str, Any]]]) -> Catalog:
    raw = _Raw()
    for name, doc in [*bundled, *overrides]:
        try:
            raw.apply(name, copy.deepcopy(doc))
        except KeyError as exc:
            raise CatalogError(f"{name}: missing key {exc}") from None
    families = {code: _family(code, f) for code, f in raw.families.items()}
    rules: dict[str, list[Rule]] = {}
    for (fam, _), r in sorted(raw.rules.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        rules.setdefault(fam, []).append(_rule(r))
    schemes: dict[str, Scheme] = {}
    items: dict[str, Item] = {}
    for code, s in raw.schemes.items():
        schemes[code] = Scheme(
            code=code,
            family=s["family"],
            title=s.get("title", code),
            effective_from=_day(s["effective_from"], code),
            until=_day(s["until"], code) if s.get("until") else None,
            confidence=s.get("confidence", "UNCONFIRMED"),
        )
        for cat_code, cat in s["categories"].items():
            for item_code, it in cat["items"].items():
                key = f"{s['key_prefix']}:{item_code}"
                items[key] = Item(
                    key=key,
                    family=s["family"],
                    scheme=code,
                    code=item_code,
                    name=it["name"],
                    category_code=cat_code,
                    category_name=cat.get("name", cat_code),
                    aliases=tuple(it.get("aliases", ())),
                    counts_as=tuple(it.get("counts_as", ())),
                    confidence=it.get("confidence", cat.get("confidence", s.get("confidence", "HIGH"))),
                )
    policy = Policy(**raw.policy)
    _check(families, rules, items, policy)
    rules_blob = sorted((f"{k[0]}@{k[1]}", v) for k, v in raw.rules.items())
    blob = json.dumps(
        [sorted(raw.families.items()), rules_blob, sorted(raw.schemes.items()), sorted(raw.policy.items())],
        default=str,
        ensure_ascii=False,
        sort_keys=True,
    )
    return Catalog(
        families=families,
        schemes=schemes,
        items=items,
        rules={k: tuple(v) for k, v in rules.items()},
        policy=policy,
        fingerprint=hashlib.sha256(blob.encode()).hexdigest()[:16],
        sources=tuple(name for name, _ in overrides),
    )


def _family(code: str, f: dict[str, Any]) -> Family:
    return Family(
        code=code,
        name=f["name"],
        name_en=f.get("name_en", f["name"]),
        issuer=f.get("issuer", ""),
        query_site=f.get("query_site", ""),
        number_patterns=tuple(f.get("number_patterns", ())),
        number_embeds_id=bool(f.get("number_embeds_id", False)),
        confidence=f.get("confidence", "UNCONFIRMED"),
    )


def _rule(r: dict[str, Any]) -> Rule:
    return Rule(
        family=r["family"],
        effective_from=_day(r["effective_from"], r["family"]),
        source=r.get("source", ""),
        confidence=r.get("confidence", "UNCONFIRMED"),
        validity_years=int(r["validity_years"]),
        review_interval_years=int(r.get("review_interval_years", 0)),
        extended_review_interval_years=int(r.get("extended_review_interval_years", 0)),
        apply_window_days=int(r.get("apply_window_days", 0)),
        apply_by_days=int(r.get("apply_by_days", 0)),
        expiry_action=r.get("expiry_action", "renewal"),
        expiry_extends_years=int(r.get("expiry_extends_years", 0)),
        off_job_months=int(r.get("off_job_months", 0)),
        how_to_apply=r.get("how_to_apply", ""),
        how_to_apply_en=r.get("how_to_apply_en", ""),
        unconfirmed=tuple(r.get("unconfirmed", ())),
    )


def _check(
    families: dict[str, Family], rules: dict[str, list[Rule]], items: dict[str, Item], policy: Policy
) -> None:
    for fam in families:
        if not rules.get(fam):
            raise CatalogError(f"family {fam} has no [[rule]]")
    for fam, rs in rules.items():
        if fam not in families:
            raise CatalogError(f"rule for unknown family {fam}")
        for r in rs:
            if r.expiry_action not in EXPIRY_ACTIONS:
                raise CatalogError(
                    f"rule {fam}@{r.effective_from}: expiry_action must be one of {EXPIRY_ACTIONS}"
                )
            if r.validity_years <= 0:
                raise CatalogError(f"rule {fam}@{r.effective_from}: validity_years must be positive")
    for item in items.values():
        if item.family not in families:
            raise CatalogError(f"item {item.key}: unknown family {item.family}")
        for other in item.counts_as:
            if other not in items:
                raise CatalogError(f"item {item.key}: counts_as names unknown item {other}")
    if not policy.remind_days > policy.retrain_days >= 0 or policy.freeze_grace_days < 0:
        raise CatalogError("policy: need remind_days > retrain_days >= 0 and freeze_grace_days >= 0")
