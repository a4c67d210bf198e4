"""Times in request bodies: always with their zone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# A time a client sends. Without a zone ("2026-12-01T08:00") it could be UTC or the plant's UTC+8,
# eight hours apart, so it is refused when the body is decoded (400, naming the field), before any
# rule compares it with the server's clock (comparing naive and aware times would be a 500).
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
