import { useCallback, useEffect, useState } from "preact/hooks";

import { ApiError, type Me } from "../api";
import { alarms } from "../alarms/client";
import { replayOutbox } from "../alarms/offline";
import type { Alarm } from "../alarms/types";
import { sortAlarms } from "../alarms/view";
import { AlarmRow } from "../components/AlarmRow";
import { ErrorNote } from "../components/ErrorNote";
import { PushCard } from "../components/PushCard";
import { SosCard } from "../components/SosCard";
import { useT } from "../i18n";
import { useTicker, useWorkerMessages } from "./hooks";

/** People on the ground can raise an SOS; everyone who gets alarms sees theirs here. */
export const SOS_ROLES: readonly string[] = ["worker", "guardian", "inspector", "team_leader", "safety_officer"];

export function Alarms({ me }: { me: Me }) {
  const t = useT();
  const [list, setList] = useState<Alarm[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useTicker(1000);
  const load = useCallback(async () => {
    try {
      setList(sortAlarms(await alarms.mine()));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  }, [t]);
  useEffect(() => {
    replayOutbox();
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => clearInterval(timer);
  }, [load]);
  useWorkerMessages(() => void load());
  return (
    <section class="stack" data-testid="alarms-page">
      {me.roles.some((r) => SOS_ROLES.includes(r)) && <SosCard />}
      <article class="card">
        <div class="card-row">
          <h1 class="card-title">{t("alarms.title")}</h1>
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            {t("alarms.refresh")}
          </button>
        </div>
        <ErrorNote message={error} />
        {list && list.length === 0 && <p class="muted">{t("alarms.empty")}</p>}
        <ul class="alarm-list" data-testid="alarm-list">
          {(list ?? []).map((alarm) => (
            <AlarmRow key={alarm.id} alarm={alarm} now={now} onChange={() => void load()} />
          ))}
        </ul>
      </article>
      <PushCard />
    </section>
  );
}
