"""The shared vectors against the reference server (the same files run in vitest and over HTTP)."""

from __future__ import annotations

import pytest

from tests.sync import build_vectors
from tests.sync.vectors import VECTOR_DIR, load, run_reference

VECTORS = load("reference")


def test_there_are_at_least_twenty_vectors_in_each_language():
    assert len(VECTORS) >= 20
    assert len(load("typescript")) == len(VECTORS)


def test_committed_vectors_match_their_builder():
    built = build_vectors.build()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in VECTOR_DIR.glob("*.json")}
    assert on_disk == built, "run `.venv/bin/python -m tests.sync.build_vectors` and commit the result"


@pytest.mark.parametrize("vec", [v for _, v in VECTORS], ids=[name for name, _ in VECTORS])
async def test_vector_on_the_reference_server(vec):
    await run_reference(vec)
