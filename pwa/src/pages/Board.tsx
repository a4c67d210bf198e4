import { useCallback, useEffect, useState } from "preact/hooks";

import { ApiError } from "../api";
import { alarms } from "../alarms/client";
import type { Alarm, Board, Site, TierKpi } from "../alarms/types";
import { alarmTitle, detectorRows, isOpen, polygonPoints, upsertAlarm, upsertDevice } from "../alarms/view";
import { AlarmRow } from "../components/AlarmRow";
import { ErrorNote } from "../components/ErrorNote";
import { WearerList, WearerMarkers } from "../components/Wearers";
import { useLang, useT } from "../i18n";
import { go } from "../router";
import { useTicker } from "./hooks";

/** The control room (desktop): the site plan with live alarms and wearables, answers, detectors, the 90 s KPI. */
export function BoardPage({ siteId }: { siteId: string | null }) {
  const t = useT();
  const [sites, setSites] = useState<Site[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    alarms.sites().then(setSites, (err: unknown) => setError(err instanceof ApiError ? err.detail : t("error.network")));
  }, [t]);
  const active = siteId ?? sites?.[0]?.id ?? null;
  return (
    <section class="board" data-testid="board">
      <header class="board-head">
        <h1>{t("board.title")}</h1>
        {sites && sites.length > 1 && (
          <label class="board-site">
            {t("board.site")}
            <select value={active ?? ""} onChange={(e) => go({ name: "board", siteId: (e.target as HTMLSelectElement).value })}>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <ErrorNote message={error} />
      {sites && sites.length === 0 && <p class="muted">{t("board.noSites")}</p>}
      {active && <SiteBoard key={active} siteId={active} />}
    </section>
  );
}

function SiteBoard({ siteId }: { siteId: string }) {
  const t = useT();
  const now = useTicker(1000);
  const [board, setBoard] = useState<Board | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setBoard(await alarms.board(siteId));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  }, [siteId, t]);
  useEffect(() => {
    void load();
    // The browser reconnects an EventSource by itself; each (re)connection says hello and we refetch.
    const stream = new EventSource(`/api/alarms/stream?site_id=${siteId}`);
    stream.addEventListener("hello", () => {
      setLive(true);
      void load();
    });
    stream.addEventListener("alarm", (e) => {
      const alarm = JSON.parse((e as MessageEvent<string>).data) as Alarm;
      setBoard((b) => (b ? { ...b, alarms: upsertAlarm(b.alarms, alarm) } : b));
    });
    stream.addEventListener("device", (e) => {
      const device = JSON.parse((e as MessageEvent<string>).data) as Board["devices"][number];
      setBoard((b) => (b ? { ...b, devices: upsertDevice(b.devices, device) } : b));
    });
    stream.onerror = () => setLive(false);
    return () => stream.close();
  }, [siteId, load]);
  if (!board) return <ErrorNote message={error} />;
  const open = board.alarms.filter(isOpen);
  const handled = board.alarms.filter((a) => !isOpen(a));
  return (
    <div class="board-grid">
      <div class="board-main">
        <p class={live ? "pill pill-live" : "pill pill-offline"} data-testid="board-live">
          {live ? t("board.live") : t("board.reconnecting")}
        </p>
        <PlanView board={board} />
        <div class="kpis">
          {board.kpi.tiers.map((k) => (
            <Kpi key={k.tier} kpi={k} />
          ))}
        </div>
      </div>
      <aside class="board-side">
        <ErrorNote message={error} />
        <h2 class="card-subtitle">{t("board.open")}</h2>
        {open.length === 0 && <p class="muted">{t("board.none")}</p>}
        <ul class="alarm-list" data-testid="board-open">
          {open.map((a) => (
            <div key={a.id}>
              <AlarmRow alarm={a} now={now} onChange={() => void load()} />
              <Assign alarm={a} people={board.people} onDone={() => void load()} />
            </div>
          ))}
        </ul>
        <h2 class="card-subtitle">{t("board.detectors")}</h2>
        <ul class="health" data-testid="detectors">
          {detectorRows(board.devices).map((d) => (
            <li key={`${d.device}/${d.name}`} class={`health-${d.health}`}>
              <span>{d.device === d.name ? d.name : `${d.device} · ${d.name}`}</span>
              <span class="chip">{t(`health.${d.health}` as "health.ok")}</span>
            </li>
          ))}
        </ul>
        <h2 class="card-subtitle">{t("board.wearables")}</h2>
        <WearerList devices={board.devices} />
        {handled.length > 0 && <h2 class="card-subtitle">{t("board.recent")}</h2>}
        <ul class="alarm-list">
          {handled.map((a) => (
            <AlarmRow key={a.id} alarm={a} now={now} onChange={() => void load()} />
          ))}
        </ul>
      </aside>
    </div>
  );
}

function PlanView({ board }: { board: Board }) {
  const lang = useLang();
  const width = board.site.width || 1000;
  const height = board.site.height || 700;
  return (
    <div class="plan" style={{ aspectRatio: `${width} / ${height}` }}>
      {board.site.plan_url && <img src={board.site.plan_url} alt={board.site.site.name} />}
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" data-testid="plan">
        {board.site.areas.map((area) => (
          <polygon key={area.id} class="plan-area" points={polygonPoints(area.plan_polygon)}>
            <title>{area.name}</title>
          </polygon>
        ))}
        <WearerMarkers devices={board.devices} />
        {board.alarms
          .filter((a) => a.x !== null && a.y !== null && a.state !== "resolved")
          .map((a) => (
            <g key={a.id} class={`plan-alarm tier-${a.tier}${isOpen(a) ? " open" : ""}`} data-testid={`marker-${a.id}`}>
              <circle cx={a.x!} cy={a.y!} r={16} />
              <text x={a.x!} y={a.y! + 6} text-anchor="middle">
                {a.tier}
              </text>
              <title>{alarmTitle(a, lang)}</title>
            </g>
          ))}
      </svg>
    </div>
  );
}

function Kpi({ kpi }: { kpi: TierKpi }) {
  const t = useT();
  const p95 = kpi.p95_seconds === null ? "—" : `${Math.round(kpi.p95_seconds)} s`;
  return (
    <div class={`kpi tier-${kpi.tier}`} data-testid={`kpi-${kpi.tier}`}>
      <span class="muted small">{t("board.kpi", { tier: kpi.tier, target: kpi.target_seconds })}</span>
      <strong>{t("board.kpiValue", { within: kpi.within_target, raised: kpi.raised, p95 })}</strong>
    </div>
  );
}

function Assign({ alarm, people, onDone }: { alarm: Alarm; people: Board["people"]; onDone: () => void }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const assign = async (personId: string) => {
    if (!personId) return;
    try {
      await alarms.assign(alarm.id, personId);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  };
  return (
    <div class="assign">
      <select
        aria-label={t("board.assign")}
        data-testid={`assign-${alarm.id}`}
        value=""
        onChange={(e) => void assign((e.target as HTMLSelectElement).value)}
      >
        <option value="">{t("board.assign")}</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <ErrorNote message={error} />
    </div>
  );
}
