"""Media fixtures: rendered certificate photos (cached per session: OCR and rendering are slow)."""

from __future__ import annotations

import random
from functools import cache

from backend.media import cardgen, samples


@cache
def card_photo(family: str, seed: int = 7, id_number: str | None = None) -> tuple[cardgen.Card, bytes]:
    """A degraded phone photo of a card of `family` (the astronaut as its portrait)."""
    rng = random.Random(f"{family}-{seed}")
    card = cardgen.random_card(rng, family)
    if id_number:
        card.id_number = id_number
        if family == "mem":
            card.number = "T" + id_number
    return card, cardgen.render(card, rng, portrait=samples.astronaut_portrait())
