"""Layout-aware field extraction: OCR lines → rows (deskewed) → label/value pairs → typed fields.

A label and its value may be one text box ("姓名：张三") or two boxes on the same row; a label
alone at the end of its row takes the next row when that row carries no label of its own.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from backend.catalog.models import Catalog, Item
from backend.catalog.service import find_items, normalise_name
from backend.core.errors import Invalid
from backend.media.labels import FAMILY_WORDS, labels_for
from backend.media.ocr import Line
from backend.people import idnumber

DATE = re.compile(r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
ID_LIKE = re.compile(r"\d{17}[\dX]")
# OCR look-alikes inside fields that hold digits only.
DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "Z": "2", "S": "5"})


@dataclass
class FieldValue:
    value: str
    confidence: float
    raw: str = ""


@dataclass
class Extraction:
    family: str | None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def detect_family(texts: list[str]) -> str | None:
    joined = "".join(texts)
    votes = {fam: sum(joined.count(w) for w in words) for fam, words in FAMILY_WORDS.items()}
    best = max(votes, key=lambda f: votes[f])
    return best if votes[best] else None


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into printed rows after undoing the photo's rotation (median text angle)."""
    angles = []
    for ln in lines:
        (x0, y0), (x1, y1) = ln.box[0], ln.box[1]
        if abs(x1 - x0) > 2 * ln.height:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    theta = -median(angles) if angles else 0.0
    cos, sin = math.cos(theta), math.sin(theta)

    def turned(ln: Line) -> tuple[float, float]:
        x, y = ln.center
        return x * cos - y * sin, x * sin + y * cos

    placed = sorted(((turned(ln), ln) for ln in lines), key=lambda p: p[0][1])
    tol = 0.6 * median([ln.height for ln in lines]) if lines else 0
    rows: list[list[tuple[tuple[float, float], Line]]] = []
    for pos, ln in placed:
        if rows and abs(pos[1] - rows[-1][-1][0][1]) < tol:
            rows[-1].append((pos, ln))
        else:
            rows.append([(pos, ln)])
    return [[ln for _, ln in sorted(row, key=lambda p: p[0][0])] for row in rows]


def _pairs(rows: list[list[Line]], labels: dict[str, str]) -> dict[str, tuple[str, list[float]]]:
    """field → (raw value text, OCR scores of the boxes it came from); the first label wins."""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True)))
    found: dict[str, tuple[str, list[float]]] = {}
    pending: str | None = None  # a label that ended its row without a value
    for row in rows:
        tokens: list[tuple[str, str, float]] = []  # (kind, text, score)
        for ln in row:
            text, at = _norm(ln.text), 0
            for m in pattern.finditer(text):
                if m.start() > at:
                    tokens.append(("text", text[at : m.start()], ln.score))
                tokens.append(("label", labels[m.group()], ln.score))
                at = m.end()
            if at < len(text):
                tokens.append(("text", text[at:], ln.score))
        if pending and tokens and all(kind == "text" for kind, _, _ in tokens):
            found.setdefault(pending, ("".join(t for _, t, _ in tokens), [s for _, _, s in tokens]))
            pending = None
            continue
        pending, current, value = None, None, ""
        scores: list[float] = []
        for kind, text, score in [*tokens, ("label", "", 0.0)]:
            if kind == "label":
                if current and value.strip(":：;；,， "):
                    found.setdefault(current, (value.strip(":：;；,， "), scores))
                elif current:
                    pending = current
                current, value, scores = text or None, "", []
            elif current:
                value, scores = value + text, [*scores, score]
    return found


def _dates(text: str) -> list[date]:
    out = []
    for y, m, d in DATE.findall(text):
        try:
            out.append(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out


def _id(text: str) -> str | None:
    m = ID_LIKE.search(text.upper().translate(DIGITS).replace("x", "X"))
    return m.group() if m else None


def _valid_id(value: str) -> bool:
    try:
        idnumber.normalise(value)
    except Invalid:
        return False
    return True


def match_item(catalog: Catalog, family: str | None, text: str) -> Item | None:
    """The catalogue item a printed 准操项目/操作类别/作业项目 names (code, name or alias; fuzzy)."""
    code = re.match(r"^([A-Z]\d?)(?![A-Z])", text.upper())
    if family == "samr" and code:
        hit = catalog.items.get(f"samr:{code.group(1)}")
        if hit:
            return hit
    exact = find_items(catalog, text, family=family)
    if exact:
        return exact[0]
    wanted = normalise_name(re.sub(r"^[A-Z]\d?", "", text.upper()))
    best, score = None, 0.0
    for it in catalog.items.values():
        if (family and it.family != family) or it.scheme.endswith("2011"):
            continue
        for name in (it.name, *it.aliases):
            ratio = difflib.SequenceMatcher(None, wanted, normalise_name(name)).ratio()
            if ratio > score:
                best, score = it, ratio
    return best if score >= 0.75 else None


def extract(lines: list[Line], catalog: Catalog) -> Extraction:
    """Fields of one certificate photo, each with a confidence in [0, 1]."""
    texts = [ln.text for ln in lines]
    family = detect_family(texts)
    out = Extraction(family, text=texts)
    if family:
        out.fields["family"] = FieldValue(family, 1.0)
    raw = _pairs(_rows(lines), labels_for(family))
    conf = {k: (min(s) if s else 0.0) for k, (_, s) in raw.items()}
    val = {k: v for k, (v, _) in raw.items()}
    put = out.fields.__setitem__

    if "name" in val:
        name = "".join(re.findall(r"[\u4e00-\u9fff·]", val["name"]))
        if name:
            put("name", FieldValue(name, conf["name"], val["name"]))
    if "sex" in val and val["sex"][:1] in "男女":
        put("sex", FieldValue(val["sex"][:1], conf["sex"], val["sex"]))
    number = val.get("number", "")
    if number:
        clean = unicodedata.normalize("NFKC", number).upper().replace(" ", "")
        if family == "mem":
            ident = _id(clean[1:] if clean.startswith("T") else clean)
            clean = "T" + ident if ident else clean
        elif family == "mohurd" and len(clean) >= 14:
            clean = clean[:2] + clean[2:].translate(DIGITS)
        ok = family != "mem" or _valid_id(clean[1:])
        put("number", FieldValue(clean, conf["number"] * (1.0 if ok else 0.3), number))
    ident = _id(val.get("id_number", "")) or (
        out.fields["number"].value[1:] if family == "mem" and "number" in out.fields else None
    )
    if ident is None:  # a bare ID number anywhere on the card
        ident = next((i for t in texts if (i := _id(_norm(t))) and _valid_id(i)), None)
    if ident:
        source = "id_number" if "id_number" in val else "number"
        put("id_number", FieldValue(ident, conf.get(source, 0.5) * (1.0 if _valid_id(ident) else 0.3)))
    if "item" in val:
        hit = match_item(catalog, family, val["item"])
        if hit:
            exact = normalise_name(hit.name) in normalise_name(val["item"])
            put("item_key", FieldValue(hit.key, conf["item"] * (1.0 if exact else 0.8), val["item"]))
    if "category" in val:
        put("category", FieldValue(val["category"], conf["category"], val["category"]))
    if "authority" in val:
        name = "".join(re.findall(r"[\u4e00-\u9fff（）()]", val["authority"]))
        put("authority", FieldValue(name, conf["authority"], val["authority"]))
    for key in ("first_issued_on", "valid_from", "valid_until", "reviewed_on"):
        days = _dates(val.get(key, ""))
        if days:
            put(key, FieldValue(days[0].isoformat(), conf[key], val[key]))
    valid = _dates(val.get("valid", ""))
    if len(valid) >= 2:
        put("valid_from", FieldValue(valid[0].isoformat(), conf["valid"], val["valid"]))
        put("valid_until", FieldValue(valid[1].isoformat(), conf["valid"], val["valid"]))
    elif len(valid) == 1 and "valid_until" not in out.fields:
        put("valid_until", FieldValue(valid[0].isoformat(), conf["valid"], val["valid"]))
    return out
