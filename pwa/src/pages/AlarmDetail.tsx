import { useCallback, useEffect, useState } from "preact/hooks";

import { ApiError } from "../api";
import { alarms } from "../alarms/client";
import type { Alarm } from "../alarms/types";
import { alarmTitle, isOpen } from "../alarms/view";
import { AlarmRow } from "../components/AlarmRow";
import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { roleLabel, useLang, useT } from "../i18n";
import { hrefOf } from "../router";
import { useTicker, useWorkerMessages } from "./hooks";

export function AlarmDetail({ id }: { id: string }) {
  const t = useT();
  const lang = useLang();
  const now = useTicker(1000);
  const [alarm, setAlarm] = useState<Alarm | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resolution, setResolution] = useState("");
  const load = useCallback(async () => {
    try {
      setAlarm(await alarms.get(id));
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  }, [id, t]);
  useEffect(() => void load(), [load]);
  useWorkerMessages(() => void load());
  const resolve = async () => {
    try {
      setAlarm(await alarms.resolve(id, resolution));
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  };
  return (
    <section class="stack" data-testid="alarm-detail">
      <a class="link" href={hrefOf({ name: "alarms" })}>
        ← {t("alarm.back")}
      </a>
      <ErrorNote message={error} />
      {alarm && (
        <>
          <ul class="alarm-list">
            <AlarmRow alarm={alarm} now={now} onChange={() => void load()} />
          </ul>
          <article class="card">
            <h1 class="card-title">{alarmTitle(alarm, lang)}</h1>
            <dl class="facts">
              <dt>{t("alarm.place")}</dt>
              <dd>{[alarm.site_name, alarm.area_name].filter(Boolean).join(" · ")}</dd>
              <dt>{t("alarm.received")}</dt>
              <dd>{formatTime(alarm.received_at, lang)}</dd>
              {alarm.subject_name && (
                <>
                  <dt>{t("alarm.subject")}</dt>
                  <dd>{alarm.subject_name}</dd>
                </>
              )}
            </dl>
            {alarm.message && <p>{alarm.message}</p>}
            {alarm.acknowledged_by_name && <p class="muted">{t("alarm.by", { name: alarm.acknowledged_by_name })}</p>}
            {alarm.assigned_name && <p class="muted">{t("alarm.assignedTo", { name: alarm.assigned_name })}</p>}
            {alarm.has_image && (
              <figure class="snapshot">
                <img src={`/api/alarms/${alarm.id}/image.jpg`} alt={t("alarm.snapshot")} />
              </figure>
            )}
            <h2 class="card-subtitle">{t("alarm.recipients")}</h2>
            <ul class="grants">
              {alarm.recipients.map((r) => (
                <li key={r.person_id}>
                  <span class="chip chip-strong">{r.role === "assignee" ? "→" : roleLabel(t, r.role)}</span>
                  <span class="grant-scope">{r.name}</span>
                  <span class="muted small">{t("alarm.devices", { count: r.devices })}</span>
                  {r.stands_in_for && (
                    <span class="muted small">{t("alarm.insteadOf", { name: r.stands_in_for_name ?? "?" })}</span>
                  )}
                </li>
              ))}
            </ul>
            {alarm.state !== "resolved" && (
              <div class="stack resolve">
                <label class="muted small" for="resolution">
                  {t("alarm.resolution")}
                </label>
                <input
                  id="resolution"
                  class="input"
                  maxLength={300}
                  value={resolution}
                  onInput={(e) => setResolution((e.target as HTMLInputElement).value)}
                />
                <button type="button" class="btn btn-secondary" data-testid="resolve-button" onClick={resolve}>
                  {t("alarm.resolve")}
                </button>
              </div>
            )}
            {!isOpen(alarm) && alarm.resolution && <p class="muted">{alarm.resolution}</p>}
          </article>
        </>
      )}
    </section>
  );
}
