"""The small pieces: HLC order, canonical bytes, last-writer-wins stamps, skew correction, pull rules."""

from __future__ import annotations

import json
import uuid

import pytest

from sync.canonical import canonical_json, op_challenge
from sync.hlc import Hlc, HlcClock
from sync.messages import Put, Tombstone
from sync.pull import LogRow, Viewer, ancestors, pull_page
from sync.rules import Stamp, clock_skew, effective_ms, lww_merge, newer
from tests.sync.vectors import VECTOR_DIR

CASES = json.loads((VECTOR_DIR / "canonical" / "cases.json").read_text(encoding="utf-8"))


def test_hlc_strings_sort_like_the_clock():
    clock = HlcClock("dev-a")
    stamps = [clock.tick(1000), clock.tick(1000), clock.tick(999), clock.tick(5000)]
    assert stamps == sorted(stamps)
    assert [str(s) for s in stamps] == sorted(str(s) for s in stamps)
    assert stamps[2].wall == 1000 and stamps[2].counter == 2  # the wall clock stepped back
    assert Hlc.parse(str(stamps[3])) == stamps[3]


def test_hlc_borrows_a_millisecond_instead_of_overflowing():
    clock = HlcClock("d", Hlc(7, 99_999, "d"))
    assert clock.tick(7) == Hlc(8, 0, "d")


@pytest.mark.parametrize("text", ["", "1:2:x", "0000000000001:00000:", "000000000000a:00000:d"])
def test_malformed_hlc_is_refused(text):
    with pytest.raises(ValueError):
        Hlc.parse(text)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_canonical_json_matches_the_shared_cases(case):
    data = json.loads(case["input"])
    if "sha256" in case:
        assert op_challenge(data).hex() == case["sha256"]
        data.pop("signature")
    assert canonical_json(data) == case["canonical"]


def test_canonical_json_refuses_what_javascript_cannot_say():
    for bad in (float("nan"), 2**60, "\ud800", b"bytes"):
        with pytest.raises((ValueError, TypeError)):
            canonical_json(bad)


def test_last_writer_wins_by_corrected_time_then_device():
    early, late = Stamp(100, "x", "dev-a"), Stamp(200, "y", "dev-b")
    assert newer(late, early) and not newer(early, late)
    assert newer(Stamp(100, "x", "dev-b"), early)  # same time: the larger device id
    assert newer(early, None)
    assert not newer(early, early)  # the same write again does not win
    # a device's later op beats its earlier one even if skew correction put it earlier
    assert newer(
        Stamp(50, "0000000000300:00000:dev-a", "dev-a"), Stamp(100, "0000000000200:00000:dev-a", "dev-a")
    )
    won, lost = lww_merge({"phone": late}, {"phone": "1", "locale": "en"}, early)
    assert won == {"locale": "en"} and lost == ["phone"]


def test_skew_is_corrected_beyond_a_minute_and_never_into_the_future():
    assert clock_skew(None, 1_000_000) == 0
    assert clock_skew(1_030_000, 1_000_000) == 0  # 30 s of latency is left alone
    assert clock_skew(8_200_000, 1_000_000) == 7_200_000
    assert effective_ms(9_000_000, 7_200_000, 2_000_000) == 1_800_000
    assert effective_ms(9_000_000, 0, 2_000_000) == 2_000_000  # clamped to receipt


ME, OTHER = uuid.UUID(int=1), uuid.UUID(int=2)
PATHS = frozenset({"org_unit"})


def row(seq: int, entity_id: int, path: str | None, *, owner=None, deleted=False, entity="thing") -> LogRow:
    return LogRow(seq, entity, uuid.UUID(int=entity_id), seq, deleted, {"seq": seq}, path, owner)


def test_pull_compacts_pages_and_ends_at_the_top_of_the_log():
    viewer = Viewer(ME, ("/A/",), ())
    log = [row(1, 10, "/A/x/"), row(2, 11, "/A/"), row(3, 10, "/A/x/"), row(4, 12, "/B/"), row(5, 13, "/A/")]
    first = pull_page(log, viewer, 0, 2, PATHS)
    assert [(c.entity_id.int, c.seq) for c in first.changes] == [(11, 2), (10, 3)] and first.more
    rest = pull_page(log, viewer, first.cursor, 2, PATHS)
    assert [c.seq for c in rest.changes] == [5] and not rest.more
    assert rest.cursor == 5
    # nothing visible after the cursor still moves the cursor to the top (own ops' server_seq)
    assert pull_page([*log, row(6, 12, "/B/")], viewer, 5, 2, PATHS).cursor == 6


def test_pull_visibility_own_records_scopes_and_units_on_the_path():
    worker = Viewer(ME, (), ancestors(["/A/x/"]))
    log = [
        row(1, 10, "/A/x/", owner=ME),
        row(2, 11, "/A/x/", owner=OTHER),
        row(3, 12, "/A/", entity="org_unit"),
        row(4, 13, "/A/x/", entity="org_unit"),
        row(5, 14, "/A/y/", entity="org_unit"),
        row(6, 15, None),
    ]
    seen = {c.entity_id.int for c in pull_page(log, worker, 0, 100, PATHS).changes}
    assert seen == {10, 12, 13}


def test_tombstones_for_deleted_or_departed_entities_only_if_seen_before():
    viewer = Viewer(ME, ("/A/",), ())
    log = [row(1, 10, "/A/"), row(2, 11, "/A/"), row(3, 12, "/B/")]
    cursor = pull_page(log, viewer, 0, 100, PATHS).cursor
    log += [row(4, 10, "/A/", deleted=True), row(5, 11, "/B/"), row(6, 12, "/B/", deleted=True)]
    changes = pull_page(log, viewer, cursor, 100, PATHS).changes
    assert all(isinstance(c, Tombstone) for c in changes)
    assert [c.entity_id.int for c in changes] == [10, 11]
    # a new device (cursor 0) gets neither tombstones nor deleted rows
    assert pull_page(log, viewer, 0, 100, PATHS).changes == []
    assert isinstance(pull_page(log[:2], viewer, 0, 100, PATHS).changes[0], Put)


def test_the_scope_fingerprint_changes_with_rights():
    a = Viewer(ME, ("/A/",), ("/A/",))
    assert a.fingerprint() == Viewer(ME, ("/A/",), ("/A/",)).fingerprint()
    assert a.fingerprint() != Viewer(ME, ("/B/",), ("/A/",)).fingerprint()
    assert ancestors(["/E/S/W/"]) == ("/E/", "/E/S/", "/E/S/W/")
