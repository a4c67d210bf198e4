import { useEffect, useMemo, useState } from "preact/hooks";

import { analytics } from "../analytics/client";
import type { By, Dashboard, Filters, Indicator, IndicatorDetail, UnitRef } from "../analytics/types";
import { FAMILIES, PERIODS, formatValue, sparkline, thresholdText } from "../analytics/view";
import { ApiError } from "../api";
import { ErrorNote } from "../components/ErrorNote";
import { UnitPicker } from "../components/UnitPicker";
import { useLang, useT, type MessageKey } from "../i18n";
import { go } from "../router";

/** Effectiveness analytics: the KPI families with thresholds and trends, drilled down by unit,
 * trade or person, with the records behind each figure and an xlsx export. */
export function AnalyticsPage({ unitId }: { unitId: string | null }) {
  const t = useT();
  const lang = useLang(); // effects key on the language: `t` is a new function on every render
  const [units, setUnits] = useState<UnitRef[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    analytics.units().then(setUnits, (err: unknown) => setError(err instanceof ApiError ? err.detail : t("error.network")));
  }, [lang]);
  const active = unitId ?? units?.[0]?.id ?? null;
  return (
    <section class="analytics stack" data-testid="analytics">
      <header class="board-head">
        <h1>{t("analytics.title")}</h1>
        <UnitPicker
          units={units}
          active={active}
          label={t("analytics.unit")}
          testId="analytics-unit"
          onPick={(id) => go({ name: "analytics", unitId: id })}
        />
      </header>
      <ErrorNote message={error} />
      {units && units.length === 0 && <p class="muted">{t("analytics.noUnits")}</p>}
      {active && <UnitDashboard key={active} unitId={active} />}
    </section>
  );
}

function UnitDashboard({ unitId }: { unitId: string }) {
  const t = useT();
  const lang = useLang();
  const [filters, setFilters] = useState<Filters>({ unitId, days: 30, trade: null, personId: null });
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [shift, setShift] = useState<"all" | "day" | "night">("all");
  // The period ends "now" when the filters change, not at every render (or the picture reloads).
  const heatmapSrc = useMemo(() => analytics.heatmapHref(filters, shift), [filters, shift]);
  useEffect(() => {
    let live = true;
    analytics.dashboard(filters).then(
      (d) => live && (setData(d), setError(null)),
      (err: unknown) => live && setError(err instanceof ApiError ? err.detail : t("error.network")),
    );
    return () => {
      live = false;
    };
  }, [filters, lang]);
  const families = useMemo(
    () => FAMILIES.map((f) => ({ family: f, items: data?.indicators.filter((i) => i.family === f) ?? [] })),
    [data],
  );
  return (
    <>
      <div class="analytics-filters">
        <label>
          {t("analytics.period")}
          <select
            data-testid="analytics-period"
            value={filters.days}
            onChange={(e) => setFilters({ ...filters, days: Number((e.target as HTMLSelectElement).value) })}
          >
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {t("analytics.days", { days: d })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("analytics.trade")}
          <select
            data-testid="analytics-trade"
            value={filters.trade ?? ""}
            onChange={(e) => setFilters({ ...filters, trade: (e.target as HTMLSelectElement).value || null })}
          >
            <option value="">{t("analytics.allTrades")}</option>
            {data?.trades.map((tr) => (
              <option key={tr} value={tr}>
                {tr}
              </option>
            ))}
          </select>
        </label>
        {filters.personId && (
          <button type="button" class="btn btn-secondary" onClick={() => setFilters({ ...filters, personId: null })}>
            {t("analytics.clearPerson")}
          </button>
        )}
        <a class="btn btn-secondary" href={analytics.exportHref(filters)} data-testid="analytics-export" download>
          {t("analytics.export")}
        </a>
        <a class="btn btn-secondary" href={analytics.reportHref(filters)} data-testid="analytics-report" download>
          {t("analytics.report")}
        </a>
      </div>
      <ErrorNote message={error} />
      {!data && !error && <p class="muted">{t("common.loading")}</p>}
      {data && (
        <section class="analytics-family" data-testid="analytics-heatmap">
          <h2>{t("analytics.heatmap")}</h2>
          <div class="analytics-filters" role="group" aria-label={t("analytics.shift")}>
            {(["all", "day", "night"] as const).map((s) => (
              <button
                type="button"
                key={s}
                class={s === shift ? "btn" : "btn btn-secondary"}
                aria-pressed={s === shift}
                onClick={() => setShift(s)}
              >
                {t(`analytics.shift.${s}` as MessageKey)}
              </button>
            ))}
          </div>
          <img class="analytics-heatmap" src={heatmapSrc} alt={t("analytics.heatmap")} />
        </section>
      )}
      {data &&
        families.map(({ family, items }) => (
          <section key={family} class="analytics-family">
            <h2>{t(`analytics.family.${family}` as MessageKey)}</h2>
            <div class="kpi-grid">
              {items.map((ind) => (
                <KpiCard key={ind.key} ind={ind} selected={open === ind.key} onOpen={() => setOpen(open === ind.key ? null : ind.key)} />
              ))}
            </div>
            {items.some((i) => i.key === open) && open && (
              <DetailPanel
                key={`${open}-${JSON.stringify(filters)}`}
                indicatorKey={open}
                filters={filters}
                onPerson={(personId) => setFilters({ ...filters, personId })}
              />
            )}
          </section>
        ))}
    </>
  );
}

function KpiCard({ ind, selected, onOpen }: { ind: Indicator; selected: boolean; onOpen: () => void }) {
  const t = useT();
  const lang = useLang();
  const points = sparkline(ind.trend.map((p) => p.value), 120, 28);
  return (
    <button
      type="button"
      class={`kpi kpi-${ind.status}${selected ? " kpi-open" : ""}`}
      data-testid={`kpi-${ind.key}`}
      aria-expanded={selected}
      onClick={onOpen}
    >
      <span class="kpi-label">{ind.label[lang] ?? ind.key}</span>
      <strong class="kpi-value" data-testid={`kpi-value-${ind.key}`}>
        {formatValue(ind.value, ind.unit)}
      </strong>
      <span class="kpi-target">
        {t("analytics.target", { target: thresholdText(ind) })} · {t(`analytics.status.${ind.status}` as MessageKey)}
      </span>
      {ind.denominator !== null && (
        <span class="muted kpi-base">{t("analytics.base", { n: ind.numerator ?? "—", d: ind.denominator })}</span>
      )}
      {points && (
        <svg class="kpi-trend" viewBox="0 -2 120 32" role="img" aria-label={t("analytics.trend")}>
          <polyline points={points} fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
      )}
    </button>
  );
}

function DetailPanel(props: { indicatorKey: string; filters: Filters; onPerson: (id: string) => void }) {
  const t = useT();
  const lang = useLang();
  const [by, setBy] = useState<By>("unit");
  const [detail, setDetail] = useState<IndicatorDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    analytics.detail(props.indicatorKey, props.filters, by).then(setDetail, (err: unknown) =>
      setError(err instanceof ApiError ? err.detail : t("error.network")),
    );
  }, [by, props.indicatorKey, props.filters, lang]);
  const unit = detail?.indicator.unit ?? "";
  return (
    <div class="card kpi-detail" data-testid="kpi-detail">
      <div class="analytics-filters" role="group" aria-label={t("analytics.breakdown")}>
        {(["unit", "trade", "person"] as const).map((b) => (
          <button
            type="button"
            key={b}
            class={b === by ? "btn" : "btn btn-secondary"}
            aria-pressed={b === by}
            data-testid={`by-${b}`}
            onClick={() => setBy(b)}
          >
            {t(`analytics.by.${b}` as MessageKey)}
          </button>
        ))}
      </div>
      <ErrorNote message={error} />
      {detail && (
        <>
          <table class="table" data-testid="kpi-groups">
            <tbody>
              {detail.groups.map((g) => (
                <tr key={g.key} class={g.status === "breach" ? "row-breach" : ""}>
                  <td>
                    {g.unit_id && g.unit_id !== props.filters.unitId ? (
                      <a href={`#/analytics/${g.unit_id}`}>{g.label}</a>
                    ) : g.person_id ? (
                      <button type="button" class="link" onClick={() => props.onPerson(g.person_id!)}>
                        {g.label}
                      </button>
                    ) : (
                      g.label
                    )}
                  </td>
                  <td>{formatValue(g.value, unit)}</td>
                  <td class="muted">{g.denominator !== null ? `${g.numerator ?? "—"}/${g.denominator}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t("analytics.records", { shown: detail.records.length, total: detail.records_total })}</h3>
          <ul class="kpi-records" data-testid="kpi-records">
            {detail.records.slice(0, 50).map((r) => (
              <li key={`${r.kind}-${r.id}`} class={r.flagged ? "flagged" : ""}>
                {r.kind === "permit" ? <a href={`#/permits/${r.id}`}>{r.label}</a> : r.kind === "alarm" ? <a href={`#/alarms/${r.id}`}>{r.label}</a> : r.label}
                {r.at && <span class="muted"> {r.at.slice(0, 16).replace("T", " ")}</span>}
                {r.value !== null && <span> · {r.value}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
