import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { hrefOf } from "../router";
import { errorText } from "../workers/MyCertificates";
import { EXPORT_URL, findings, lastRun } from "./client";
import { FindingCard, useItemNames } from "./FindingCard";
import { FINDING_STATUSES, type Findings, type FindingStatus, type LastRun } from "./types";
import { outcomeCounts, runPercent } from "./view";

type Filter = FindingStatus | "all";
const FILTERS: readonly Filter[] = [...FINDING_STATUSES, "all"];

/** 全国系统核验: the last registry check, its findings for the safety officer, and the xlsx export. */
export function RegistryPage({ canAct }: { canAct: boolean }) {
  const t = useT();
  return (
    <section class="stack" data-testid="registry">
      <a class="link" href={hrefOf({ name: "home" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("registry.title")}</h1>
      <RunCard />
      <a class="btn btn-secondary btn-small" href={EXPORT_URL} download data-testid="registry-export">
        {t("registry.export")}
      </a>
      <FindingList canAct={canAct} />
    </section>
  );
}

function RunCard() {
  const t = useT();
  const lang = useLang();
  const [last, setLast] = useState<LastRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    lastRun()
      .then(setLast)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, []);
  const run = last?.run;
  return (
    <article class="card" data-testid="registry-run">
      <h2 class="card-title">{t("registry.run.heading")}</h2>
      <ErrorNote message={error} />
      {last && !last.configured && <p class="note">{t("registry.run.notConfigured")}</p>}
      {last && !run && <p class="muted">{t("registry.run.none")}</p>}
      {last && run && (
        <>
          <p>
            <span class={`chip run-${run.status}`} data-testid="registry-run-status">
              {t(`registry.run.status.${run.status}`)}
            </span>{" "}
            <span class="muted small">{t(`registry.trigger.${run.trigger === "schedule" ? "schedule" : "manual"}`)}</span>
          </p>
          <dl class="facts">
            <dt>{t("registry.run.started")}</dt>
            <dd>{formatTime(run.started_at, lang)}</dd>
            {run.finished_at && (
              <>
                <dt>{t("registry.run.finished")}</dt>
                <dd>{formatTime(run.finished_at, lang)}</dd>
              </>
            )}
          </dl>
          <p class="small" data-testid="registry-run-checked">
            {t("registry.run.checked", { checked: run.checked, total: run.total })}
            {run.resumes > 0 && ` · ${t("registry.run.resumes", { count: run.resumes })}`}
          </p>
          <div class="bar" aria-hidden="true">
            <span style={{ width: `${runPercent(last)}%` }} />
          </div>
          <ul class="chips" data-testid="registry-outcomes">
            {outcomeCounts(last).map(({ outcome, count }) => (
              <li key={outcome} class={`chip outcome-${outcome}`} data-testid={`outcome-${outcome}`}>
                {t(`registry.outcome.${outcome as "match"}`)} {count}
              </li>
            ))}
          </ul>
          {run.errors > 0 && (
            <p class="note note-error" data-testid="registry-run-errors">
              {t("registry.run.errors", { count: run.errors })}
            </p>
          )}
        </>
      )}
    </article>
  );
}

function FindingList({ canAct }: { canAct: boolean }) {
  const t = useT();
  const names = useItemNames();
  const [filter, setFilter] = useState<Filter>("open");
  const [page, setPage] = useState<Findings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0); // a late answer to an older filter must not overwrite the newest
  const load = async (f: Filter) => {
    const ticket = ++latest.current;
    try {
      const next = await findings(f === "all" ? null : f);
      if (ticket !== latest.current) return;
      setPage(next);
      setError(null);
    } catch (err) {
      if (ticket === latest.current) setError(errorText(t, err));
    }
  };
  useEffect(() => void load(filter), [filter]);
  const total = (f: Filter) =>
    f === "all" ? Object.values(page?.counts ?? {}).reduce((a, b) => a + (b ?? 0), 0) : (page?.counts[f] ?? 0);
  return (
    <div class="stack">
      <h2 class="card-title">{t("registry.findings.heading")}</h2>
      <nav class="tabs" aria-label={t("registry.findings.heading")}>
        {FILTERS.map((f) => (
          <button
            type="button"
            key={f}
            class="tab"
            aria-selected={f === filter}
            data-testid={`registry-filter-${f}`}
            onClick={() => setFilter(f)}
          >
            {t(`registry.filter.${f}`)} {page ? total(f) : ""}
          </button>
        ))}
      </nav>
      <ErrorNote message={error} />
      {page && !page.items.length && <p class="muted">{t("registry.findings.none")}</p>}
      <ul class="rows" data-testid="registry-findings">
        {page?.items.map((f) => (
          <li key={f.id}>
            <FindingCard finding={f} itemName={names.get(f.item_key) ?? f.item_key} canAct={canAct} onChange={() => void load(filter)} />
          </li>
        ))}
      </ul>
    </div>
  );
}
