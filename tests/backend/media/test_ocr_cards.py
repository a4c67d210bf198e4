"""OCR on rendered certificates of the three families (the real PP-OCRv4 models), field by field,
and the authenticity checks on what was read."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date
from functools import cache

import pytest
from PIL import Image

from backend.catalog.service import load_catalog
from backend.media import cardgen, samples
from backend.media import extract as ex
from backend.media.checks import run_checks, verdict
from backend.media.scans_part import read_card
from tests.backend.media.conftest import card_photo

TODAY = date(2026, 11, 28)


@cache
def read(family: str) -> ex.Extraction:
    _, body = card_photo(family)
    return read_card(body, load_catalog())[1]


@pytest.mark.parametrize("family", ["mem", "mohurd", "samr"])
def test_every_field_is_read_from_a_phone_photo(family):
    card, _ = card_photo(family)
    got = read(family)
    assert got.family == family
    values = {k: v.value for k, v in got.fields.items()}
    assert {k: values.get(k) for k in card.truth()} == card.truth()
    assert all(0 < got.fields[k].confidence <= 1 for k in card.truth())


@pytest.mark.parametrize("family", ["mem", "mohurd", "samr"])
def test_a_genuine_card_of_its_holder_is_green_or_only_expiry_amber(family):
    card, _ = card_photo(family)
    checks = run_checks(read(family), load_catalog(), TODAY, card.id_number)
    red = [c for c in checks if c.level == "red"]
    assert not red
    amber = {c.code for c in checks if c.level == "amber"}
    assert amber <= {"expired", "low_confidence"}


def test_checks_catch_a_borrowed_card_a_bad_check_digit_and_dates_out_of_order():
    catalog = load_catalog()
    card, _ = card_photo("mem")
    got = read("mem")
    other = "11010519491231002X"
    borrowed = run_checks(got, catalog, TODAY, other)
    assert {"id_mismatch", "mem_number_mismatch"} <= {c.code for c in borrowed if c.level == "red"}
    assert verdict(borrowed) == "red"

    fields = dict(got.fields)
    bad_digit = card.id_number[:17] + ("0" if card.id_number[17] != "0" else "1")
    fields["id_number"] = ex.FieldValue(bad_digit, 0.99)
    tampered = run_checks(replace(got, fields=fields), catalog, TODAY, None)
    assert "id_number_checksum" in {c.code for c in tampered if c.level == "red"}

    fields = dict(got.fields)
    fields["valid_until"] = ex.FieldValue("2010-01-01", 0.99)
    backwards = run_checks(replace(got, fields=fields), catalog, TODAY, card.id_number)
    assert "dates_out_of_order" in {c.code for c in backwards if c.level == "red"}

    fields = dict(got.fields)
    fields["authority"] = ex.FieldValue("某某科技有限公司", 0.99)
    fields.pop("item_key")
    odd = run_checks(replace(got, fields=fields), catalog, TODAY, card.id_number)
    assert {"authority_pattern", "item_key_unread"} <= {c.code for c in odd if c.level == "amber"}
    assert verdict(odd) in ("amber", "red")


def test_items_match_by_code_name_alias_or_close_reading():
    catalog = load_catalog()
    assert ex.match_item(catalog, "samr", "Q2 起重机指挥").key == "samr:Q2"
    assert ex.match_item(catalog, "mem", "熔化焊接与热切割作业").key == "mem:02-01"
    assert ex.match_item(catalog, "mohurd", "建筑起重机械司机(塔式起重机)").key == "mohurd:05"
    assert ex.match_item(catalog, "mem", "熔化焊按与热切割作业").key == "mem:02-01"  # one misread glyph
    assert ex.match_item(catalog, "mem", "会计") is None


def test_a_screenshot_of_the_electronic_certificate_is_read_label_above_value():
    card = cardgen.random_card(random.Random(21), "mem")
    card.layout = 2
    shot = cardgen.render(card, random.Random(21), portrait=samples.astronaut_portrait())
    got = read_card(shot, load_catalog())[1]
    assert {k: got.fields[k].value for k in card.truth()} == card.truth()


def test_a_card_photographed_upside_down_is_read_on_the_second_pass():
    """No card family in the first reading → the photo is read again turned 180°, so a card
    upside down without EXIF orientation still gives its fields."""
    card, body = card_photo("mem")
    img = Image.open(io.BytesIO(body)).rotate(180)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    got = read_card(out.getvalue(), load_catalog())[1]
    assert got.family == "mem"
    values = {k: v.value for k, v in got.fields.items()}
    assert values["id_number"] == card.truth()["id_number"]
    assert values["number"] == card.truth()["number"]
