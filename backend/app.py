"""The Litestar application factory: settings in, app out; nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from backend import background
from backend.alarms.routes import AlarmsController
from backend.analytics.calibration import install as install_calibration_lock
from backend.analytics.routes import AnalyticsController
from backend.audit.routes import AuditController
from backend.auth.routes import AuthController
from backend.badges.routes import BadgesController
from backend.config import Settings
from backend.core.clock import Clock, utcnow
from backend.db.engine import make_engine, make_sessionmaker
from backend.devices.routes import DevicesController
from backend.gas.routes import GasController
from backend.http.deps import provide_db, provide_evidence, provide_now, provide_principal, provide_settings
from backend.http.problems import HANDLERS
from backend.media.routes import router as media
from backend.org.routes import OrgController
from backend.people.deputy_routes import DeputyController
from backend.people.routes import PeopleController
from backend.permits.absence_routes import AbsenceController
from backend.permits.routes import PermitController
from backend.push.routes import PushController
from backend.registry.routes import RegistryController
from backend.sync.routes import SyncController
from backend.wearables.routes import WearablesController
from backend.workers.permits_part import install as install_qualifications
from backend.workers.routes import router as qualifications


@get("/api/health", operation_id="health", sync_to_thread=False)
def health(state: State) -> dict[str, str]:
    return {"status": "ok", "database": "sqlite" if state.settings.is_sqlite else "postgresql"}


def create_app(settings: Settings, clock: Clock = utcnow) -> Litestar:
    """Build the API and the PWA's static route for one set of settings."""
    install_qualifications(settings)  # permits check certificates through backend.workers
    install_calibration_lock()  # the live gas lock leaves out detectors whose calibration lapsed

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(
            settings.database_url,
            pool_pre_ping=not settings.is_sqlite,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            async with background.running(settings, app.state.sessionmaker, clock) as bus:
                app.state.bus = bus
                yield
        finally:
            await engine.dispose()

    handlers: list = [
        health,
        AuthController,
        PeopleController,
        OrgController,
        PermitController,
        AbsenceController,
        DeputyController,
        GasController,
        AuditController,
        SyncController,
        qualifications,
    ]
    handlers += [AlarmsController, PushController, DevicesController, BadgesController, media]
    handlers += [RegistryController, AnalyticsController, WearablesController]
    if settings.pwa_dir.is_dir():
        handlers.append(
            create_static_files_router(
                path="/", directories=[settings.pwa_dir], html_mode=True, name="pwa", include_in_schema=False
            )
        )
    return Litestar(
        route_handlers=handlers,
        lifespan=[lifespan],
        state=State({"settings": settings, "clock": clock}),
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "now": Provide(provide_now, sync_to_thread=False),
            "principal": Provide(provide_principal),
            "evidence": Provide(provide_evidence, sync_to_thread=False),
        },
        exception_handlers=HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(title="Tezuo API", version="0.1.0", path="/api/schema"),
    )
