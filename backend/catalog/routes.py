"""Catalogue endpoint: families, categories, items and the dated rules, with confidence marks."""

from __future__ import annotations

from litestar import Controller, get

from backend.catalog.schemas import CatalogOut
from backend.catalog.service import catalog_for, describe
from backend.http.deps import Caller, Conf


class CatalogController(Controller):
    path = "/api/catalog"
    tags = ["catalog"]

    @get("/", operation_id="getCatalog")
    async def read(self, settings: Conf, principal: Caller) -> CatalogOut:
        return describe(catalog_for(settings))
