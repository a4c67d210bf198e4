"""Nothing downloads at run time: in a fresh process whose sockets refuse every connection, the OCR
and face models load from the installed wheels and read a card."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import random, socket

    def refuse(self, address):
        raise OSError(f"network access attempted: {address!r}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda *a, **k: refuse(None, a)

    import numpy as np
    from backend.catalog.service import load_catalog
    from backend.media import cardgen, faces, samples
    from backend.media.scans_part import read_card

    rng = random.Random(4)
    card = cardgen.random_card(rng, "samr")
    _, found, _ = read_card(cardgen.render(card, rng, strength=0.0), load_catalog())
    assert found.fields["number"].value == card.number, found.fields
    engine = faces.engine("dlib")
    face = faces.largest(engine.faces(samples.astronaut()))
    assert engine.embed(samples.astronaut(), face).shape == (128,)
    print("offline ok")
    """
)


def test_models_load_and_run_with_the_network_refused():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "offline ok" in done.stdout
