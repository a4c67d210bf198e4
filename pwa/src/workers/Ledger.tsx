import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import { hrefOf, type LedgerView } from "../router";
import { catalog, contractors, exportUrl, ledger, shadows, units } from "./client";
import { activeFilters, type LedgerFilters, NO_FILTERS } from "./filters";
import { ImportPanel } from "./ImportPanel";
import { errorText } from "./MyCertificates";
import { type CatalogItem, type Contractor, FAMILIES, type LedgerPage, type Shadow, STATUSES, type Unit } from "./types";

/** 资格台账: the manager's ledger with filters, the shadow-operator list, and the Excel import. */
export function Ledger({ view }: { view: LedgerView }) {
  const t = useT();
  const views: LedgerView[] = ["list", "shadow", "import"];
  return (
    <section class="stack" data-testid="ledger">
      <a class="link" href={hrefOf({ name: "home" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("qual.ledger.title")}</h1>
      <nav class="tabs" aria-label={t("qual.ledger.title")}>
        {views.map((v) => (
          <a
            key={v}
            class="tab"
            href={hrefOf({ name: "ledger", view: v })}
            aria-current={v === view ? "page" : undefined}
            aria-selected={v === view}
            data-testid={`ledger-view-${v}`}
          >
            {t(`qual.view.${v}`)}
          </a>
        ))}
      </nav>
      {view === "list" && <LedgerList />}
      {view === "shadow" && <ShadowList />}
      {view === "import" && <ImportPanel />}
    </section>
  );
}

function useOptions() {
  const [items, setItems] = useState<CatalogItem[]>([]);
  const [workshops, setWorkshops] = useState<Unit[]>([]);
  const [firms, setFirms] = useState<Contractor[]>([]);
  useEffect(() => {
    catalog()
      .then((c) => setItems(c.families.flatMap((f) => f.categories.flatMap((cat) => cat.items))))
      .catch(() => undefined);
    units()
      .then((u) => setWorkshops(u.filter((x) => x.kind === "workshop")))
      .catch(() => undefined);
    contractors()
      .then(setFirms)
      .catch(() => undefined);
  }, []);
  return { items, workshops, firms };
}

function LedgerList() {
  const t = useT();
  const { items, workshops, firms } = useOptions();
  const [filters, setFilters] = useState<LedgerFilters>(NO_FILTERS);
  const [page, setPage] = useState<LedgerPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0); // answers to older filters may arrive late: only the newest request counts

  const load = async (f: LedgerFilters, offset: number) => {
    const ticket = ++latest.current;
    setBusy(true);
    try {
      const next = await ledger(f, offset);
      if (ticket !== latest.current) return;
      setPage((prev) => (offset && prev ? { ...next, items: [...prev.items, ...next.items] } : next));
      setError(null);
    } catch (err) {
      if (ticket === latest.current) setError(errorText(t, err));
    } finally {
      if (ticket === latest.current) setBusy(false);
    }
  };
  useEffect(() => void load(filters, 0), [filters]);
  const set = (key: keyof LedgerFilters) => (event: Event) =>
    setFilters({ ...filters, [key]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  return (
    <div class="stack">
      <form class="card filters" data-testid="ledger-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("qual.filter.status")}
          <select value={filters.status} onChange={set("status")} data-testid="filter-status">
            <option value="">{t("qual.filter.any")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`qual.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("qual.filter.family")}
          <select value={filters.family} onChange={set("family")} data-testid="filter-family">
            <option value="">{t("qual.filter.any")}</option>
            {FAMILIES.map((f) => (
              <option key={f} value={f}>
                {t(`qual.family.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("qual.filter.item")}
          <select value={filters.item} onChange={set("item")} data-testid="filter-item">
            <option value="">{t("qual.filter.any")}</option>
            {items.map((i) => (
              <option key={i.key} value={i.key}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("qual.filter.workshop")}
          <select value={filters.unitPath} onChange={set("unitPath")} data-testid="filter-workshop">
            <option value="">{t("qual.filter.any")}</option>
            {workshops.map((w) => (
              <option key={w.id} value={w.path}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("qual.filter.contractor")}
          <select value={filters.contractorId} onChange={set("contractorId")} data-testid="filter-contractor">
            <option value="">{t("qual.filter.any")}</option>
            {firms.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("qual.filter.expiring")}
          <input
            type="number"
            min="0"
            max="3650"
            inputMode="numeric"
            value={filters.expiringWithin}
            onInput={set("expiringWithin")}
            data-testid="filter-expiring"
          />
        </label>
        <label>
          {t("qual.filter.name")}
          <input type="search" value={filters.q} onInput={set("q")} data-testid="filter-name" />
        </label>
        {activeFilters(filters) > 0 && (
          <button type="button" class="btn btn-secondary btn-small" onClick={() => setFilters(NO_FILTERS)}>
            {t("qual.filter.clear")}
          </button>
        )}
      </form>
      <ErrorNote message={error} />
      {page && (
        <p class="muted" data-testid="ledger-total">
          {t("qual.ledger.total", { total: page.total })}{" "}
          {Object.entries(page.by_status).map(([s, n]) => (
            <span key={s} class={`chip qs-${s}`}>
              {t(`qual.status.${s as (typeof STATUSES)[number]}`)} {n}
            </span>
          ))}
        </p>
      )}
      <a class="btn btn-secondary btn-small" href={exportUrl(filters)} download data-testid="ledger-export">
        {t("qual.export")}
      </a>
      <ul class="rows" data-testid="ledger-rows">
        {page?.items.map(({ person, certificate: c }) => (
          <li key={c.id} class="row-card" data-testid="ledger-row" data-status={c.status}>
            <div class="row-main">
              <strong>{person.name}</strong>
              <span class="muted small">
                {person.workshop_name} {person.unit_name}
                {person.contractor_name ? ` · ${person.contractor_name}` : ""}
              </span>
              <span class="small">
                {c.item_name} · <span class="mono">{c.number}</span>
              </span>
            </div>
            <div class="row-side">
              <span class={`chip qs-${c.status}`}>{t(`qual.status.${c.status}`)}</span>
              <span class="small">{c.days_left >= 0 ? t("qual.daysLeft", { days: c.days_left }) : t("qual.countdown.lapsed", { days: -c.days_left })}</span>
              {c.family === "mem" && (
                <a class="link small" href={hrefOf({ name: "registryHistory", personId: person.id })} data-testid="ledger-row-history">
                  {t("registry.history.link")}
                </a>
              )}
            </div>
          </li>
        ))}
      </ul>
      {page && page.items.length < page.total && (
        <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => void load(filters, page.items.length)}>
          {t("qual.more")}
        </button>
      )}
    </div>
  );
}

function ShadowList() {
  const t = useT();
  const [rows, setRows] = useState<Shadow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    shadows()
      .then(setRows)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, []);
  return (
    <div class="stack">
      <p class="muted">{t("qual.shadow.lead")}</p>
      <ErrorNote message={error} />
      {rows && !rows.length && <p class="muted">{t("qual.shadow.none")}</p>}
      <ul class="rows" data-testid="shadow-rows">
        {rows?.map((s) => (
          <li key={`${s.person.id}-${s.item_key}`} class="row-card" data-testid="shadow-row">
            <div class="row-main">
              <strong>{s.person.name}</strong>
              <span class="muted small">
                {s.person.workshop_name} {s.person.unit_name}
                {s.person.contractor_name ? ` · ${s.person.contractor_name}` : ""}
              </span>
              <span class="small">{s.item_name}</span>
            </div>
            <div class="row-side">
              <span class="chip qs-shadow">{t(`qual.shadow.reason.${reasonKey(s.reason)}`)}</span>
              {s.days_lapsed !== null && s.days_lapsed > 0 && <span class="small">{t("qual.countdown.lapsed", { days: s.days_lapsed })}</span>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function reasonKey(reason: string): "no_certificate" | "shadow" | "expired" | "revoked" {
  return reason === "no_certificate" || reason === "shadow" || reason === "revoked" ? reason : "expired";
}
