import { useEffect, useState } from "preact/hooks";

import type { Me } from "../api";
import { away, type Absence, type Deputy, type DeputyBoard, type PersonBrief, type PersonRow, type RoleScope } from "../away/client";
import { actsForOthers, awayBody, awayProblem, defaultAway, deputiesOf, offerable, pickable, type AwayForm } from "../away/logic";
import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { roleLabel, useLang, useT } from "../i18n";
import { go } from "../router";
import { errorMessage } from "../signin";

/** 外出与B角: my B角 for each of my roles, my absences (mark away, end early), whom I stand in for.
 * A manager (admin / 车间主任 / 分管副总 / HR) may open the same page for someone in their scope:
 * `personId` is then that person, and every request carries their id. */
export function AwayPage({ me, personId }: { me: Me; personId: string | null }) {
  const t = useT();
  const subject = personId && personId !== me.person_id ? personId : null;
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
    let live = true;
    Promise.all([away.board(subject), away.absences(subject)]).then(
      ([b, a]) => live && (setBoard(b), setAbsences(a), setError(null)),
      (err) => live && (setBoard(null), setAbsences(null), setError(errorMessage(t, err))),
    );
    return () => {
      live = false;
    };
  }, [version, subject]);
  const shown = board && board.person.id === (subject ?? me.person_id) ? board : null; // not the last person's

  return (
    <section class="stack" data-testid="away">
      <h1>{t("away.title")}</h1>
      {actsForOthers(me.roles) && <OnBehalf me={me} />}
      {subject && (
        <div class="row">
          <h2 data-testid="behalf-heading">{shown ? t("away.forPerson", { name: shown.person.name }) : t("common.loading")}</h2>
          <button type="button" class="btn btn-secondary" data-testid="behalf-back" onClick={() => go({ name: "away", personId: null })}>
            {t("away.backToMe")}
          </button>
        </div>
      )}
      <p class="muted">{t(subject ? "away.leadOf" : "away.lead")}</p>
      <ErrorNote message={error} />
      {shown && (
        <section class="card stack">
          <h2 class="card-title">{t(subject ? "away.rolesOf" : "away.roles")}</h2>
          {shown.roles.length === 0 && <p class="muted">{t(subject ? "away.noRolesOf" : "away.noRoles")}</p>}
          {shown.roles.map((grant) => (
            <RoleDeputies
              key={`${subject}:${grant.role}:${grant.scope_id}:${version}`}
              grant={grant}
              named={deputiesOf(shown.deputies, grant)}
              subject={subject}
              act={act}
            />
          ))}
        </section>
      )}
      {shown && absences && <Absences key={subject ?? "me"} list={absences} subject={subject} act={act} />}
      {shown && <DeputisingFor list={shown.deputising_for} subject={subject} />}
    </section>
  );
}

/** 为他人办理: find someone in my scope by name and open their page. */
function OnBehalf({ me }: { me: Me }) {
  const t = useT();
  const [text, setText] = useState("");
  const [found, setFound] = useState<PersonRow[] | null>(null);
  useEffect(() => {
    const q = text.trim();
    if (!q) return setFound(null);
    let live = true;
    const timer = setTimeout(() => {
      away.people(q.slice(0, 50)).then(
        (page) => live && setFound(pickable(page.items, me.grants, me.person_id, q)),
        () => live && setFound([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  return (
    <section class="card stack" data-testid="behalf">
      <h2 class="card-title">{t("away.behalf")}</h2>
      <label class="field">
        {t("away.behalfSearch")}
        <input type="search" data-testid="behalf-search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {found && found.length === 0 && <p class="muted small">{t("away.behalfNone")}</p>}
      {found && found.length > 0 && (
        <ul class="plain stack">
          {found.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class="btn btn-secondary"
                data-testid="behalf-person"
                onClick={() => (setText(""), go({ name: "away", personId: p.id }))}
              >
                {p.name}
                {p.roles.length > 0 && ` · ${p.roles.map((role) => roleLabel(t, role)).join("、")}`}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type Act = (work: () => Promise<unknown>) => Promise<void>;

function RoleDeputies({ grant, named, subject, act }: { grant: RoleScope; named: Deputy[]; subject: string | null; act: Act }) {
  const t = useT();
  const [candidates, setCandidates] = useState<PersonBrief[] | null>(null);
  const [picked, setPicked] = useState("");
  useEffect(() => {
    away.candidates(grant.role, grant.scope_code, subject).then((c) => setCandidates(offerable(c, named)), () => setCandidates([]));
  }, [grant.role, grant.scope_code, subject]);
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
          <button type="button" class="btn btn-primary" data-testid="deputy-add" disabled={!picked} onClick={() => act(() => away.addDeputy(picked, grant, subject))}>
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

function Absences({ list, subject, act }: { list: Absence[]; subject: string | null; act: Act }) {
  const t = useT();
  const lang = useLang();
  const [form, setForm] = useState<AwayForm>(() => defaultAway(new Date()));
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof AwayForm) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async () => {
    const wrong = awayProblem(form, new Date());
    setProblem(wrong && t(`away.problem.${wrong}`));
    if (!wrong) await act(() => away.markAway(awayBody(form), subject));
  };
  return (
    <section class="card stack">
      <h2 class="card-title">{t(subject ? "away.absencesOf" : "away.absences")}</h2>
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
      <p class="muted small">{t(subject ? "away.handoverNoteOf" : "away.handoverNote")}</p>
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
        {t(subject ? "away.markOf" : "away.mark")}
      </button>
    </section>
  );
}

function DeputisingFor({ list, subject }: { list: Deputy[]; subject: string | null }) {
  const t = useT();
  return (
    <section class="card stack">
      <h2 class="card-title">{t(subject ? "away.deputisingForOf" : "away.deputisingFor")}</h2>
      {list.length === 0 && <p class="muted">{t(subject ? "away.noDeputisingOf" : "away.noDeputising")}</p>}
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
