import { useEffect, useState } from "preact/hooks";

import { api, ApiError, NetworkError } from "../api";
import { formatTime } from "../format";
import { isMessageKey, type MessageKey, useLang, useT } from "../i18n";
import { useOffline } from "../net";
import { safeStorage } from "../store";
import { type Checked, checkHistory } from "./history";
import type { HistoryEntry } from "./proof";

type State =
  | { status: "loading" }
  | { status: "offline" }
  | { status: "error"; detail: string }
  | { status: "ready"; checked: Checked };

const RECHECKS = 3;
const RECHECK_MS = 12_000;

/** Who did what to this record and when, each entry marked as checked on this device. */
export function AuditHistory({
  entity,
  entityId,
  heading = "audit.heading",
}: {
  entity: string;
  entityId: string;
  heading?: MessageKey;
}) {
  const t = useT();
  const lang = useLang();
  const offline = useOffline();
  const [state, setState] = useState<State>({ status: "loading" });
  const [round, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    if (round === 0) setState({ status: "loading" });
    checkHistory(api, entity, entityId, safeStorage)
      .then((checked) => {
        if (!live) return;
        setState({ status: "ready", checked });
        // the server signs a new head at most every 10 s: look again for entries still pending
        const pending = Object.values(checked.marks).includes("pending");
        if (pending && checked.head !== "bad" && round < RECHECKS) {
          retry = setTimeout(() => setRound(round + 1), RECHECK_MS);
        }
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof NetworkError) setState({ status: "offline" });
        else setState({ status: "error", detail: err instanceof ApiError ? err.detail : String(err) });
      });
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [entity, entityId, offline, round]);

  /** A known action in the UI language, else the entry's own text (permit events carry one), else its code. */
  const action = (entry: HistoryEntry) => {
    const key = `audit.action.${entry.action}`;
    if (isMessageKey(key)) return t(key);
    return typeof entry.details.text === "string" ? entry.details.text : entry.action;
  };

  return (
    <article class="card" data-testid={`audit-history-${entity}`}>
      <h2 class="card-title">{t(heading)}</h2>
      <p class="muted small">{t("audit.lead")}</p>
      {state.status === "loading" && <p class="muted">{t("audit.loading")}</p>}
      {state.status === "offline" && <p class="muted">{t("audit.offline")}</p>}
      {state.status === "error" && <p class="note note-error">{state.detail}</p>}
      {state.status === "ready" && (
        <>
          {state.checked.head === "bad" && (
            <p class="note note-error" data-testid="audit-head-bad">
              {t("audit.headBad")}
            </p>
          )}
          {state.checked.history.tree_head && state.checked.head === "ok" && (
            <p class="muted small" data-testid="audit-head">
              {t("audit.head", {
                size: state.checked.history.tree_head.tree_size,
                time: formatTime(state.checked.history.tree_head.issued_at, lang),
              })}
            </p>
          )}
          {state.checked.history.entries.length === 0 ? (
            <p class="muted">{t("audit.empty")}</p>
          ) : (
            <ol class="audit-list">
              {state.checked.history.entries.map((entry) => {
                const mark = state.checked.marks[entry.leaf_index] ?? "failed";
                return (
                  <li key={entry.leaf_index} class="audit-item" data-testid={`audit-entry-${entry.leaf_index}`}>
                    <div class="audit-what">
                      <strong>{action(entry)}</strong>
                      <span class="muted small">
                        {formatTime(entry.time, lang)} · {entry.actor_name ?? t("audit.system")}
                      </span>
                    </div>
                    <span class={`audit-mark audit-${mark}`} data-testid="audit-mark" data-mark={mark}>
                      {t(`audit.${mark}`)}
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </article>
  );
}
