"""`tezuo bench media`: OCR field accuracy and seconds per card, face-compare latency.

Cards of the three families come from the generator (backend/media/cardgen.py) with their
ground truth, degraded like phone photos (perspective, rotation ±10°, blur, noise, moiré, JPEG
quality 40–90). Each is read once by the real OCR pipeline (decode → PP-OCRv4 → extraction);
a field counts only when it equals the truth exactly. Faces: the dlib engine (or the configured
one) embeds selfies and LFW faces; compare = two embeddings + a distance.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections import defaultdict
from typing import Any

import numpy as np

from backend.catalog.service import catalog_for
from backend.config import Settings
from backend.media import cardgen, samples
from backend.media.faces_part import embed_largest, engine_for
from backend.media.scans_part import read_card

FAMILIES = ("mem", "mohurd", "samr")
STRICT = ("id_number", "number", "first_issued_on", "valid_from", "valid_until")  # target 97 %
TARGETS = {"strict_pct": 97.0, "other_pct": 95.0, "ocr_s_per_image": 1.5}


def _options(args: argparse.Namespace) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tezuo bench media")
    parser.add_argument("--cards", type=int, default=None, help="cards per family (default 20; quick 2)")
    parser.add_argument("--faces", type=int, default=None, help="face comparisons (default 20; quick 3)")
    parser.add_argument("--seed", type=int, default=2026)
    opts = parser.parse_args(args.options)
    quick = bool(getattr(args, "quick", False))
    opts.cards = opts.cards or (2 if quick else 20)
    opts.faces = opts.faces or (3 if quick else 20)
    return opts


def _ocr(settings: Settings, cards: int, seed: int) -> dict[str, Any]:
    catalog = catalog_for(settings)
    rng = random.Random(seed)
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    seconds: list[float] = []
    warm = cardgen.draw_card(cardgen.random_card(rng, "mem"), None, cardgen.fonts()[0])
    read_card(cardgen.jpeg(warm, 90), catalog)  # the model load is not a card's time
    cpu: list[float] = []
    for family in FAMILIES:
        for _ in range(cards):
            card = cardgen.random_card(rng, family)
            body = cardgen.render(card, rng, portrait=samples.astronaut_portrait())
            cpu_before = time.process_time()
            _, found, took = read_card(body, catalog)
            cpu.append(time.process_time() - cpu_before)
            seconds.append(took)
            for key, want in card.truth().items():
                got = found.fields.get(key)
                hits[(family, key)].append(got is not None and got.value == want)
    return {"hits": hits, "seconds": seconds, "cpu": cpu}


def _pct(values: list[bool]) -> float:
    return round(100.0 * sum(values) / len(values), 1) if values else 0.0


def _faces(settings: Settings, count: int) -> dict[str, float]:
    eng = engine_for(settings)
    ref = embed_largest(eng, np.asarray(samples.astronaut_portrait()))
    assert ref is not None
    images = [samples.selfie(i) if i % 2 == 0 else samples.other_person(i * 3 % 100) for i in range(count)]
    embed_s, compare_s = [], []
    for rgb in images:
        started = time.perf_counter()
        vec = embed_largest(eng, rgb)
        mid = time.perf_counter()
        if vec is not None:
            eng.distance(ref, vec)
        compare_s.append(time.perf_counter() - started)
        embed_s.append(mid - started)
    return {
        "face_s_per_image": round(statistics.median(embed_s), 3),
        "face_compare_s": round(statistics.median(compare_s), 3),
    }


async def run(settings: Settings, args: argparse.Namespace) -> int:
    opts = _options(args)
    ocr = _ocr(settings, opts.cards, opts.seed)
    hits: dict[tuple[str, str], list[bool]] = ocr["hits"]
    fields = sorted({k for _, k in hits})
    print(f"OCR: {opts.cards} cards per family, degraded phone photos (exact match per field)")
    print(f"{'field':<16}" + "".join(f"{f:>9}" for f in FAMILIES) + f"{'all':>9}")
    per_field: dict[str, float] = {}
    for key in fields:
        row = [_pct(hits[(f, key)]) for f in FAMILIES]
        per_field[key] = _pct([h for f in FAMILIES for h in hits[(f, key)]])
        print(f"{key:<16}" + "".join(f"{v:>8.1f}%" for v in row) + f"{per_field[key]:>8.1f}%")
    per_family = {f: _pct([h for (fam, _), v in hits.items() if fam == f for h in v]) for f in FAMILIES}
    print(f"{'all fields':<16}" + "".join(f"{per_family[f]:>8.1f}%" for f in FAMILIES))
    strict = _pct([h for (_, k), v in hits.items() if k in STRICT for h in v])
    other = _pct([h for (_, k), v in hits.items() if k not in STRICT for h in v])
    median_s = round(statistics.median(ocr["seconds"]), 3)
    cpu_s = round(statistics.median(ocr["cpu"]), 3)
    load = round(os.getloadavg()[0], 1)
    print(
        f"ID/number/dates {strict}% (target ≥ {TARGETS['strict_pct']}%), other fields {other}% "
        f"(target ≥ {TARGETS['other_pct']}%), median {median_s} s per image (target ≤ 1.5 s), "
        f"{cpu_s} CPU-s per image; load average {load} on {os.cpu_count()} CPUs"
    )
    face = _faces(settings, opts.faces)
    print(
        f"face: {face['face_s_per_image']} s per image (detect + landmarks + embedding), "
        f"compare {face['face_compare_s']} s"
    )
    figures = {
        "bench": "media",
        "cards": opts.cards * len(FAMILIES),
        "ocr_s_per_image": median_s,
        "ocr_cpu_s_per_image": cpu_s,
        "load_average": load,
        "cpus": os.cpu_count(),
        "strict_fields_pct": strict,
        "other_fields_pct": other,
        "per_field_pct": per_field,
        "per_family_pct": per_family,
        **face,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0
