import { useEffect, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { hrefOf, type Route } from "../router";
import { errorText } from "../workers/MyCertificates";
import { personHistory } from "./client";
import { useItemNames } from "./FindingCard";
import type { Check, History as HistoryData } from "./types";
import { byCertificate, statusWordKey } from "./view";

/** A person's verification history: every registry check of each certificate, newest first. */
const BACK_LABEL = { registry: "registry.title", certificates: "qual.mine.title", ledger: "qual.ledger.title" } as const;

export function RegistryHistory({ personId, back }: { personId: string; back: Route }) {
  const t = useT();
  const names = useItemNames();
  const [data, setData] = useState<HistoryData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    personHistory(personId)
      .then(setData)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [personId]);
  return (
    <section class="stack" data-testid="registry-history">
      <a class="link" href={hrefOf(back)} data-testid="history-back">
        ← {t(back.name in BACK_LABEL ? BACK_LABEL[back.name as keyof typeof BACK_LABEL] : "qual.back")}
      </a>
      <h1 class="page-title">{data ? t("registry.history.title", { name: data.person_name }) : t("registry.history.link")}</h1>
      <ErrorNote message={error} />
      {data && !data.checks.length && <p class="muted">{t("registry.history.none")}</p>}
      {data &&
        byCertificate(data.checks).map((group) => (
          <article key={group.certificateId} class="card" data-testid="history-certificate">
            <h2 class="card-title">{names.get(group.itemKey) ?? group.itemKey}</h2>
            <ul class="rows">
              {group.checks.map((c) => (
                <CheckRow key={c.id} check={c} />
              ))}
            </ul>
          </article>
        ))}
    </section>
  );
}

function CheckRow({ check: c }: { check: Check }) {
  const t = useT();
  const lang = useLang();
  const word = (status: string | undefined) => {
    const key = statusWordKey(status);
    return key ? t(key) : (status ?? "—");
  };
  return (
    <li class="row-card" data-testid="history-check" data-outcome={c.outcome}>
      <div class="row-main">
        <span class="small">{formatTime(c.checked_at, lang)}</span>
        {c.error ? (
          <span class="small muted">{t("registry.history.noAnswer", { error: c.error })}</span>
        ) : (
          c.answer.found && (
            <span class="small muted">
              {t("registry.history.registrySays", { status: word(c.answer.status), until: c.answer.valid_until ?? "—" })}
            </span>
          )
        )}
      </div>
      <div class="row-side">
        <span class={`chip outcome-${c.outcome}`}>{t(`registry.outcome.${c.outcome}`)}</span>
      </div>
    </li>
  );
}
