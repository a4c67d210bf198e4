"""`tezuo ocr IMAGE`, `tezuo face compare A B`, `tezuo media purge`: JSON on stdout for scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.core.errors import DomainError


def register(sub: Any) -> None:
    ocr = sub.add_parser("ocr", help="read a certificate photo: fields, confidences, checks (JSON)")
    ocr.add_argument("image", type=Path)
    ocr.add_argument("--holder-id", default=None, help="the worker's ID number, to check the card against")
    ocr.set_defaults(func=_ocr)
    face = sub.add_parser("face", help="face tools").add_subparsers(dest="face_command", required=True)
    compare = face.add_parser("compare", help="distance between the largest faces of two images (JSON)")
    compare.add_argument("a", type=Path)
    compare.add_argument("b", type=Path)
    compare.set_defaults(func=_compare)
    media = sub.add_parser("media", help="person–certificate verification upkeep").add_subparsers(
        dest="media_command", required=True
    )
    purge = media.add_parser("purge", help="delete face templates past retention and expired exam uploads")
    purge.set_defaults(func=lambda args, settings: asyncio.run(_purge(settings)))


def _fail(exc: DomainError) -> int:
    print(json.dumps({"error": exc.code, "detail": exc.detail}, ensure_ascii=False))
    return 2


def _ocr(args: argparse.Namespace, settings: Settings) -> int:
    from backend.catalog.service import catalog_for
    from backend.media.checks import run_checks, verdict
    from backend.media.scans_part import read_card

    catalog = catalog_for(settings)
    try:
        _, found, seconds = read_card(args.image.read_bytes(), catalog)
    except DomainError as exc:
        return _fail(exc)
    checks = run_checks(found, catalog, date.today(), args.holder_id)
    out = {
        "family": found.family,
        "fields": {k: asdict(v) for k, v in found.fields.items()},
        "checks": [asdict(c) for c in checks],
        "verdict": verdict(checks),
        "seconds": round(seconds, 3),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _compare(args: argparse.Namespace, settings: Settings) -> int:
    from backend.media.faces_part import decide, embed_image, engine_for, threshold_for

    eng = engine_for(settings)
    try:
        a, b = (embed_image(eng, p.read_bytes(), 1600) for p in (args.a, args.b))
    except DomainError as exc:
        return _fail(exc)
    result = decide(eng, threshold_for(settings, eng), a, b)
    print(json.dumps({"engine": eng.name, **asdict(result)}))
    return 0 if result.decision == "match" else 1


async def _purge(settings: Settings) -> int:
    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.media.exam_uploads_part import sweep_expired
    from backend.media.faces_part import purge_expired

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            count = await purge_expired(db, utcnow())
            uploads = await sweep_expired(db, settings, utcnow())
    finally:
        await engine.dispose()
    print(json.dumps({"templates_deleted": count, "uploads_expired": uploads}), file=sys.stdout)
    return 0
