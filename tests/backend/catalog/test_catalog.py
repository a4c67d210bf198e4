"""The catalogue is data: three families, dated rules (the 2026-06-01 change), overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backend.catalog.service import CatalogError, find_items, load_catalog, rule_at
from backend.db.engine import transaction
from tests.factories import make_person

CATALOG = load_catalog(None)


def test_three_families_with_their_items() -> None:
    assert set(CATALOG.families) == {"mem", "mohurd", "samr"}
    mem_categories = {i.category_code for i in CATALOG.items.values() if i.family == "mem"}
    assert mem_categories == {f"{n:02d}" for n in range(1, 11)}  # 10 categories; 11 "other" holds none
    assert {i.code for i in CATALOG.items.values() if i.family == "mohurd"} == {
        *(f"{n:02d}" for n in range(1, 12)),
        "99",
    }
    assert CATALOG.items["mem:02-01"].name == "熔化焊接与热切割作业"
    assert len([i for i in CATALOG.items.values() if i.category_code == "09" and i.family == "mem"]) == 16
    # TSG Z6001-2019 and the 2011 scheme keep their own codes: a 2011 "Q4" is not a 2019 item.
    assert CATALOG.items["samr:Q2"].scheme == "samr-2019"
    assert CATALOG.items["samr-2011:Q4"].scheme == "samr-2011"
    assert CATALOG.items["samr:G2"].confidence == "UNCONFIRMED"


def test_review_rules_change_on_2026_06_01() -> None:
    before, after = rule_at(CATALOG, "mem", date(2026, 5, 31)), rule_at(CATALOG, "mem", date(2026, 6, 1))
    assert (before.validity_years, before.review_interval_years, before.apply_window_days) == (6, 3, 60)
    assert (after.validity_years, after.review_interval_years) == (6, 0)
    assert "apply_window_days" in after.unconfirmed and after.confidence == "MEDIUM-LOW"
    assert rule_at(CATALOG, "mohurd", date(2026, 1, 1)).expiry_extends_years == 2
    samr = rule_at(CATALOG, "samr", date(2026, 1, 1))
    assert (samr.validity_years, samr.apply_by_days) == (4, 30)
    assert rule_at(CATALOG, "samr", date(2015, 1, 1)).apply_by_days == 90  # the old 2011 rule


def test_ledger_texts_find_their_items() -> None:
    def keys(text: str, **kw: str) -> list[str]:
        return [i.key for i in find_items(CATALOG, text, **kw)]

    assert keys("熔化焊接与热切割作业") == keys("电焊") == keys("mem:02-01") == keys("02-01") == ["mem:02-01"]
    assert keys("低压电工") == ["mem:01-02"]
    assert keys("建筑架子工（普通脚手架）") == ["mohurd:02"]
    assert keys("05", family="mohurd") == ["mohurd:05"]
    assert keys("叉车司机") == ["samr:N1"]
    assert keys("飞行员") == []


def test_enterprise_overrides_change_unconfirmed_values_and_add_items(tmp_path: Path) -> None:
    (tmp_path / "ours.toml").write_text(
        """
scheme = "mem-2010"

[[rule]]
family = "mem"
effective_from = "2026-06-01"
apply_window_days = 90

[warnings]
remind_days = 120

[[category]]
code = "01"
items = [{ code = "01-04", name = "电力电缆作业" }]
""",
        encoding="utf-8",
    )
    ours = load_catalog(tmp_path)
    assert rule_at(ours, "mem", date(2027, 1, 1)).apply_window_days == 90
    assert rule_at(ours, "mem", date(2027, 1, 1)).review_interval_years == 0  # other fields kept
    assert ours.policy.remind_days == 120 and ours.policy.retrain_days == 30
    assert ours.items["mem:01-04"].category_name == "电工作业"
    assert ours.fingerprint != CATALOG.fingerprint and ours.sources == ("ours.toml",)


def test_a_broken_override_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[warnings]\nremind_days = 10\nretrain_days = 30\n")
    with pytest.raises(CatalogError, match="remind_days"):
        load_catalog(tmp_path)
    (tmp_path / "bad.toml").write_text("[[rule]\n")
    with pytest.raises(CatalogError, match=r"bad\.toml"):
        load_catalog(tmp_path)


async def test_catalogue_over_http_shows_rules_and_confidence(client_as, sessionmaker, settings, org) -> None:
    async with transaction(sessionmaker) as db:
        worker = await make_person(db, settings.secret_key, org.team_a, "王焊工")
    body = (await (await client_as(worker)).get("/api/catalog/")).json()
    families = {f["code"]: f for f in body["families"]}
    assert families["mem"]["rules"][1]["effective_from"] == "2026-06-01"
    assert families["mem"]["rules"][1]["unconfirmed"]
    assert body["policy"] == {
        "remind_days": 90,
        "retrain_days": 30,
        "freeze_grace_days": 0,
        "shadow_after_days": 90,
    }
