import { useEffect, useState } from "preact/hooks";

import { away, type Absence, type Deputy, type DeputyBoard, type PersonBrief, type RoleScope } from "../away/client";
import { awayBody, awayProblem, defaultAway, deputiesOf, offerable, type AwayForm } from "../away/logic";
import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { roleLabel, useLang, useT } from "../i18n";
import { errorMessage } from "../signin";

/** 外出与B角: my B角 for each of my roles, my absences (mark away, end early), whom I stand in for. */
export function AwayPage() {
  const t = useT();
  const [board, setBoard] = useState<DeputyBoard | null>(null);
  const [absences, setAbsences] = useState<Absence[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = () => setVersion((v) => v + 1);
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(null);
      refresh();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  useEffect(() => {
    Promise.all([away.board(), away.absences()]).then(
      ([b, a]) => (setBoard(b), setAbsences(a)),
      (err) => setError(errorMessage(t, err)),
    );
  }, [version]);

  return (
    <section class="stack" data-testid="away">
      <h1>{t("away.title")}</h1>
      <p class="muted">{t("away.lead")}</p>
      <ErrorNote message={error} />
      {board && (
        <section class="card stack">
          <h2 class="card-title">{t("away.roles")}</h2>
          {board.roles.length === 0 && <p class="muted">{t("away.noRoles")}</p>}
          {board.roles.map((grant) => (
            <RoleDeputies
              key={`${grant.role}:${grant.scope_id}:${version}`}
              grant={grant}
              named={deputiesOf(board.deputies, grant)}
              act={act}
            />
          ))}
        </section>
      )}
      {absences && <Absences list={absences} act={act} />}
      {board && <DeputisingFor list={board.deputising_for} />}
    </section>
  );
}

type Act = (work: () => Promise<unknown>) => Promise<void>;

function RoleDeputies({ grant, named, act }: { grant: RoleScope; named: Deputy[]; act: Act }) {
  const t = useT();
  const [candidates, setCandidates] = useState<PersonBrief[] | null>(null);
  const [picked, setPicked] = useState("");
  useEffect(() => {
    away.candidates(grant.role, grant.scope_code).then((c) => setCandidates(offerable(c, named)), () => setCandidates([]));
  }, [grant.role, grant.scope_code]);
  return (
    <div class="stack" data-testid="away-role" data-role={grant.role}>
      <strong>
        {roleLabel(t, grant.role)} · {grant.scope_name}
      </strong>
      {named.length === 0 && <p class="muted small">{t("away.noDeputy")}</p>}
      <ul class="plain stack">
        {named.map((d) => (
          <li key={d.id} class="row-card" data-testid="deputy-row">
            <div class="row-main">
              <strong>{d.deputy.name}</strong>
              <Window deputy={d} />
            </div>
            <div class="row-side">
              <button type="button" class="btn btn-secondary" data-testid="deputy-remove" onClick={() => act(() => away.removeDeputy(d.id))}>
                {t("away.remove")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {candidates && candidates.length === 0 && <p class="muted small">{t("away.noCandidates")}</p>}
      {candidates && candidates.length > 0 && (
        <div class="row">
          <label class="field">
            {t("away.pick")}
            <select data-testid="deputy-pick" value={picked} onChange={(e) => setPicked(e.currentTarget.value)}>
              <option value="">—</option>
              {candidates.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.holds_role ? `${c.name} · ${t("away.sameRole")}` : c.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="btn btn-primary" data-testid="deputy-add" disabled={!picked} onClick={() => act(() => away.addDeputy(picked, grant))}>
            {t("away.add")}
          </button>
        </div>
      )}
    </div>
  );
}

function Window({ deputy }: { deputy: Deputy }) {
  const t = useT();
  const lang = useLang();
  if (!deputy.active_from && !deputy.active_until) return null;
  return (
    <div class="muted small">
      {deputy.active_from && t("away.since", { time: formatTime(deputy.active_from, lang) })}{" "}
      {deputy.active_until && t("away.until", { time: formatTime(deputy.active_until, lang) })}
      {!deputy.in_force && ` · ${t("away.notInForce")}`}
    </div>
  );
}

function Absences({ list, act }: { list: Absence[]; act: Act }) {
  const t = useT();
  const lang = useLang();
  const [form, setForm] = useState<AwayForm>(() => defaultAway(new Date()));
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof AwayForm) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async () => {
    const wrong = awayProblem(form, new Date());
    setProblem(wrong && t(`away.problem.${wrong}`));
    if (!wrong) await act(() => away.markAway(awayBody(form)));
  };
  return (
    <section class="card stack">
      <h2 class="card-title">{t("away.absences")}</h2>
      {list.length === 0 && <p class="muted">{t("away.noAbsences")}</p>}
      <ul class="plain stack">
        {list.map((a) => (
          <li key={a.id} class="row-card" data-testid="absence-row" data-state={a.state}>
            <div class="row-main">
              <strong>{a.reason || t("away.noReason")}</strong>
              <div class="muted small">
                {formatTime(a.starts_at, lang)} – {formatTime(a.ends_at, lang)} · {t(`away.state.${a.state}`)}
              </div>
            </div>
            <div class="row-side">
              <button type="button" class="btn btn-secondary" data-testid="absence-end" onClick={() => act(() => away.endAbsence(a.id))}>
                {t(a.state === "upcoming" ? "away.cancel" : "away.endNow")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <p class="muted small">{t("away.handoverNote")}</p>
      <div class="row">
        <label class="field">
          {t("away.start")}
          <input type="datetime-local" data-testid="away-start" value={form.start} onInput={set("start")} />
        </label>
        <label class="field">
          {t("away.end")}
          <input type="datetime-local" data-testid="away-end" value={form.end} onInput={set("end")} />
        </label>
      </div>
      <label class="field">
        {t("away.reason")}
        <input data-testid="away-reason" value={form.reason} maxLength={200} onInput={set("reason")} />
      </label>
      <ErrorNote message={problem} />
      <button type="button" class="btn btn-primary" data-testid="away-submit" onClick={submit}>
        {t("away.mark")}
      </button>
    </section>
  );
}

function DeputisingFor({ list }: { list: Deputy[] }) {
  const t = useT();
  return (
    <section class="card stack">
      <h2 class="card-title">{t("away.deputisingFor")}</h2>
      {list.length === 0 && <p class="muted">{t("away.noDeputising")}</p>}
      <ul class="plain stack">
        {list.map((d) => (
          <li key={d.id} class="row-card" data-testid="deputising-row">
            <div class="row-main">
              <strong>{d.principal.name}</strong>
              <div class="muted small">
                {roleLabel(t, d.role)} · {d.scope.scope_name}
              </div>
              <Window deputy={d} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
