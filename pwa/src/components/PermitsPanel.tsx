import { useEffect, useState } from "preact/hooks";

import type { Me } from "../api";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { type Notice, type PermitSummary, permitsApi } from "../permits/api";
import { go, hrefOf } from "../router";
import { ErrorNote } from "./ErrorNote";
import { SimopsMap } from "./SimopsMap";
import { errorMessage } from "../signin";

const api = permitsApi();
const APPLICANTS = ["team_leader", "safety_officer", "workshop_director"];

function PermitRow({ p, testid }: { p: PermitSummary; testid: string }) {
  const t = useT();
  const lang = useLang();
  return (
    <li data-testid={testid}>
      <a class="link" href={hrefOf({ name: "permit", id: p.id })}>
        <span class="chip chip-strong">{p.grade_label}</span> {p.work_type_name} · {p.area_name}
      </a>
      <div class="small muted">
        {p.number} · {t(`status.${p.status}` as never)} · {formatTime(p.planned_start, lang)}
      </div>
    </li>
  );
}

/** Manager tab: the approval inbox first, then the permits in scope, and the apply button. */
export function PermitsPanel({ me }: { me: Me }) {
  const t = useT();
  const [inbox, setInbox] = useState<PermitSummary[]>([]);
  const [all, setAll] = useState<PermitSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api.list("inbox"), api.list()]).then(
      ([a, b]) => {
        setInbox(a);
        setAll(b);
      },
      (err) => setError(errorMessage(t, err)),
    );
  }, []);
  return (
    <div class="stack">
      {me.roles.some((r) => APPLICANTS.includes(r)) && (
        <button type="button" class="btn btn-primary" data-testid="apply-button" onClick={() => go({ name: "permitNew" })}>
          {t("apply.title")}
        </button>
      )}
      <article class="card">
        <h2 class="card-title">{t("inbox.title", { n: inbox.length })}</h2>
        {inbox.length ? (
          <ul class="list" data-testid="inbox">
            {inbox.map((p) => (
              <PermitRow key={p.id} p={p} testid="inbox-item" />
            ))}
          </ul>
        ) : (
          <p class="muted">{t("inbox.empty")}</p>
        )}
      </article>
      <article class="card">
        <h2 class="card-title">{t("permits.title")}</h2>
        <ul class="list" data-testid="permit-list">
          {all.slice(0, 20).map((p) => (
            <PermitRow key={p.id} p={p} testid="permit-item" />
          ))}
        </ul>
      </article>
      <SimopsMap />
      <ErrorNote message={error} />
    </div>
  );
}

/** Guardian and inspector tabs: the e-permits pushed to this person, newest first. */
export function EPermitsPanel() {
  const t = useT();
  const lang = useLang();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.notifications().then(setNotices, (err) => setError(errorMessage(t, err)));
  }, []);
  const epermits = notices.filter((n) => n.kind === "epermit");
  const others = notices.filter((n) => n.kind !== "epermit").slice(0, 5);
  return (
    <div class="stack">
      <article class="card">
        <h2 class="card-title">{t("epermit.inbox")}</h2>
        {epermits.length ? (
          <ul class="list" data-testid="epermit-list">
            {epermits.map((n) => (
              <li key={n.id} data-testid="epermit-item">
                <a class="link" href={hrefOf({ name: "permit", id: n.permit_id ?? "" })}>
                  {n.title}
                </a>
                <div class="small">{n.body}</div>
                {n.data.nearest_extinguisher && (
                  <div class="small muted">
                    {t("epermit.extinguisher", { label: n.data.nearest_extinguisher.label, m: n.data.nearest_extinguisher.distance_m })}
                  </div>
                )}
                <div class="small muted">{formatTime(n.created_at, lang)}</div>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t("epermit.none")}</p>
        )}
      </article>
      {others.length > 0 && (
        <article class="card">
          <h2 class="card-subtitle">{t("notices.title")}</h2>
          <ul class="list small">
            {others.map((n) => (
              <li key={n.id}>
                <strong>{n.title}</strong> {n.body}
              </li>
            ))}
          </ul>
        </article>
      )}
      <ErrorNote message={error} />
    </div>
  );
}
