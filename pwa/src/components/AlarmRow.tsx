import { useState } from "preact/hooks";

import { ApiError } from "../api";
import { acknowledge } from "../alarms/offline";
import type { Alarm } from "../alarms/types";
import { alarmTitle, handOvers, isOpen, waitingSeconds } from "../alarms/view";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { hrefOf } from "../router";

/** One alarm in a list: tier, title, where, when, state, and the one-click 确认 while it is open. */
export function AlarmRow({ alarm, now, onChange }: { alarm: Alarm; now: number; onChange: () => void }) {
  const t = useT();
  const lang = useLang();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const title = alarmTitle(alarm, lang);
  const ack = async () => {
    setBusy(true);
    setNote(null);
    try {
      const texts = { ack_rejected: t("alarm.ackRejected"), sign_in: t("alarm.signIn") };
      const sent = await acknowledge(alarm.id, texts, title);
      setNote(sent === "queued" ? t("alarm.ackQueued") : null);
      onChange();
    } catch (err) {
      setNote(err instanceof ApiError ? err.detail : t("error.network"));
    } finally {
      setBusy(false);
    }
  };
  const place = [alarm.site_name, alarm.area_name].filter(Boolean).join(" · ");
  return (
    <li class={`alarm tier-${alarm.tier} state-${alarm.state}`} data-testid={`alarm-${alarm.id}`}>
      <div class="alarm-head">
        <span class="badge-tier">{t("alarm.tier", { tier: alarm.tier })}</span>
        <a class="alarm-title" href={hrefOf({ name: "alarm", id: alarm.id })}>
          {title}
        </a>
      </div>
      <p class="muted small">
        {place} · {formatTime(alarm.received_at, lang)}
        {alarm.subject_name ? ` · ${alarm.subject_name}` : ""}
      </p>
      <div class="alarm-foot">
        <span class="chip" data-testid="alarm-state">
          {t(`alarm.state.${alarm.state}`)}
        </span>
        {isOpen(alarm) ? (
          <span class="waiting">{t("alarm.waiting", { seconds: waitingSeconds(alarm, now) })}</span>
        ) : alarm.response_seconds !== null ? (
          <span class="muted small">{t("alarm.answeredIn", { seconds: Math.round(alarm.response_seconds) })}</span>
        ) : null}
        {alarm.level > 0 && <span class="chip chip-warn">{t("alarm.level", { level: alarm.level })}</span>}
        {handOvers(alarm).map((h) => (
          <span key={h.deputy} class="chip chip-warn" data-testid="alarm-handover">
            {t("alarm.standsIn", h)}
          </span>
        ))}
        {isOpen(alarm) && (
          <button type="button" class="btn btn-ack" disabled={busy} data-testid="ack-button" onClick={ack}>
            {busy ? t("alarm.acking") : t("alarm.ack")}
          </button>
        )}
      </div>
      {note && <p class="note note-offline small">{note}</p>}
    </li>
  );
}
