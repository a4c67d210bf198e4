"""`plan_demo`: the whole demo plant as data, the same for the same seed, with no database."""

from __future__ import annotations

import random
from datetime import date

from backend.demo.identity import IdentityMaker
from backend.demo.org_layout import SITES, org_units
from backend.demo.records import DemoPlan
from backend.demo.site_geometry import build_site
from backend.demo.site_layout import SITE_SPECS
from backend.demo.staff import build_staff

DEFAULT_SEED = 11643  # GB 11643, the resident ID number standard
# Ages are reckoned from a fixed day so the generated people never change between runs.
AS_OF = date(2026, 6, 1)


def plan_demo(seed: int = DEFAULT_SEED, as_of: date = AS_OF) -> DemoPlan:
    """Units, contractors, people with roles and B角, site layouts and the demo accounts."""
    rng = random.Random(seed)
    contractors, people, deputies, accounts = build_staff(rng, IdentityMaker(rng, as_of))
    names = dict(SITES)
    return DemoPlan(
        units=org_units(),
        contractors=tuple(contractors),
        people=tuple(people),
        deputies=tuple(deputies),
        sites=tuple(build_site(spec, names[spec.code]) for spec in SITE_SPECS),
        accounts=tuple(accounts),
    )
