import { useEffect, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { hrefOf } from "../router";
import { catalog } from "../workers/client";
import { errorText } from "../workers/MyCertificates";
import { acknowledge, resolve } from "./client";
import type { Finding } from "./types";
import { comparison, registryFound, statusWordKey } from "./view";

/** Item key → name from the catalogue, for findings and checks that carry only the key. */
export function useItemNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    catalog()
      .then((c) => setNames(new Map(c.families.flatMap((f) => f.categories.flatMap((cat) => cat.items.map((i) => [i.key, i.name] as const))))))
      .catch(() => undefined); // the key stands in for the name
  }, []);
  return names;
}

/** One finding: who, which certificate, what the registry said against our ledger, what was done,
 * and (for the safety officer) acknowledge / resolve with a note. */
export function FindingCard({ finding: f, itemName, canAct, onChange }: { finding: Finding; itemName: string; canAct: boolean; onChange: () => void }) {
  const t = useT();
  const lang = useLang();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rows = comparison(f.detail);
  const word = (status: string | null) => {
    const key = statusWordKey(status);
    return key ? t(key) : (status ?? "—");
  };
  const act = async (call: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await call();
      setError(null);
      setNote("");
      onChange();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class={`card finding finding-${f.kind}`} data-testid="registry-finding" data-code={f.code} data-status={f.status}>
      <header class="cert-head">
        <div>
          <h3 class="card-title">{f.person_name}</h3>
          <p class="muted small">
            {itemName} · <span class="mono">{f.number_masked}</span>
          </p>
        </div>
        <div class="row-side">
          <span class={`chip kind-${f.kind}`} data-testid="finding-kind">
            {t(`registry.kind.${f.kind}`)}
          </span>
          <span class="small">{t(`registry.outcome.${f.code}`)}</span>
        </div>
      </header>
      {!registryFound(f.detail.registry) && <p class="note note-error">{t("registry.notFound")}</p>}
      {rows.length > 0 && (
        <table class="compare" data-testid="finding-compare">
          <thead>
            <tr>
              <th scope="col">{t("registry.col.field")}</th>
              <th scope="col">{t("registry.col.ours")}</th>
              <th scope="col">{t("registry.col.registry")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.field} class={r.differs ? "differs" : undefined} data-testid={r.differs ? "compare-differs" : undefined}>
                <th scope="row">{t(`registry.field.${r.field}`)}</th>
                <td>{r.field === "status" ? word(r.ours) : (r.ours ?? "—")}</td>
                <td>{r.field === "status" ? word(r.registry) : (r.registry ?? "—")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {f.detail.update_refused && <p class="note">{t("registry.updateRefused", { detail: f.detail.update_refused.detail })}</p>}
      <p class="small">
        <span class={`chip action-${f.action}`} data-testid="finding-action">
          {t(`registry.action.${f.action}`)}
        </span>{" "}
        <span class="muted">
          {f.seen > 1 ? t("registry.seen", { count: f.seen, time: formatTime(f.last_seen_at, lang) }) : t("registry.opened", { time: formatTime(f.opened_at, lang) })}
        </span>
      </p>
      {f.acknowledged_at && <p class="muted small">{t("registry.acknowledgedAt", { time: formatTime(f.acknowledged_at, lang) })}</p>}
      {f.resolved_at && <p class="muted small">{t("registry.resolvedAt", { time: formatTime(f.resolved_at, lang) })}</p>}
      {f.note && (
        <p class="note" data-testid="finding-note">
          {t("registry.note")}: {f.note}
        </p>
      )}
      <a class="link small" href={hrefOf({ name: "registryHistory", personId: f.person_id })} data-testid="finding-history">
        {t("registry.history.link")} →
      </a>
      {canAct && f.status !== "resolved" && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => resolve(f.id, note));
          }}
        >
          <label>
            {t("registry.note")}
            <input
              value={note}
              maxLength={1000}
              placeholder={t("registry.notePlaceholder")}
              data-testid="finding-note-input"
              onInput={(e) => setNote((e.target as HTMLInputElement).value)}
            />
          </label>
          {f.status === "open" && (
            <button type="button" class="btn btn-small btn-secondary" disabled={busy} data-testid="finding-acknowledge" onClick={() => void act(() => acknowledge(f.id, note))}>
              {t("registry.acknowledge")}
            </button>
          )}
          <button type="submit" class="btn btn-small btn-primary" disabled={busy || !note.trim()} title={note.trim() ? undefined : t("registry.noteNeeded")} data-testid="finding-resolve">
            {t("registry.resolve")}
          </button>
        </form>
      )}
      <ErrorNote message={error} />
    </article>
  );
}
