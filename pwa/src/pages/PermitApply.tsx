import { useEffect, useMemo, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import { type Candidate, type GradeResult, permitsApi, type WorkType } from "../permits/api";
import { go } from "../router";
import { errorMessage } from "../signin";

const api = permitsApi();
const HOT_FACTS = ["running_equipment", "hot_tapping", "major_hazard_tank_farm", "pipe_rack", "shutdown_isolated", "outdoor"] as const;

function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

/** 申请作业票 (team leader): type, area, people, facts; the grade and its clauses update as you type. */
export function PermitApply() {
  const t = useT();
  const [types, setTypes] = useState<WorkType[]>([]);
  const [areas, setAreas] = useState<{ id: string; name: string; hazard_class: string }[]>([]);
  const [people, setPeople] = useState<{ guardians: Candidate[]; operators: Candidate[] }>({ guardians: [], operators: [] });
  const [workType, setWorkType] = useState("hot_work");
  const [areaId, setAreaId] = useState("");
  const [content, setContent] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [start, setStart] = useState(() => localInput(new Date(Date.now() + 20 * 60000)));
  const [hours, setHours] = useState(4);
  const [guardian, setGuardian] = useState("");
  const [operators, setOperators] = useState<string[]>([]);
  const [filter, setFilter] = useState("");
  const [facts, setFacts] = useState<Record<string, boolean | number>>({});
  const [preview, setPreview] = useState<GradeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        setTypes(await api.workTypes());
        const site = (await api.sites()).find((u) => u.kind === "site");
        if (site) setAreas((await api.siteMap(site.id)).areas);
      } catch (err) {
        setError(errorMessage(t, err));
      }
    })();
  }, []);
  useEffect(() => {
    if (!areaId) return;
    api.candidates(areaId).then(setPeople, (err) => setError(errorMessage(t, err)));
  }, [areaId]);

  const type = types.find((w) => w.code === workType);
  const area = areas.find((a) => a.id === areaId);
  const startIso = start ? new Date(start).toISOString() : "";
  const endIso = start ? new Date(new Date(start).getTime() + hours * 3600000).toISOString() : "";
  const factBody = useMemo(() => ({ ...facts }), [facts]);

  useEffect(() => {
    if (!area) return;
    const body = { work_type: workType, hazard_class: area.hazard_class, start: startIso, end: endIso, ...factBody };
    api.grade(body).then(setPreview, () => setPreview(null));
  }, [workType, areaId, startIso, endIso, factBody]);

  const toggle = (id: string) =>
    setOperators((list) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]));
  const shown = people.operators.filter((p) => !filter || p.name.includes(filter) || p.unit_name.includes(filter));

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const permit = await api.create({
        work_type: workType,
        area_id: areaId,
        content,
        planned_start: startIso,
        planned_end: endIso,
        guardian_id: guardian || null,
        operator_ids: operators,
        form: fields,
        facts: factBody,
        submit: true,
      });
      go({ name: "permit", id: permit.id });
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card stack" data-testid="permit-apply" onSubmit={submit}>
      <h1 class="card-title">{t("apply.title")}</h1>
      <label class="field">
        {t("apply.workType")}
        <select data-testid="apply-type" value={workType} onChange={(e) => setWorkType(e.currentTarget.value)}>
          {types.map((w) => (
            <option key={w.code} value={w.code}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        {t("apply.area")}
        <select data-testid="apply-area" value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
          <option value="">{t("apply.pick")}</option>
          {areas.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        {t("apply.content")}
        <input data-testid="apply-content" value={content} required onInput={(e) => setContent(e.currentTarget.value)} />
      </label>
      {type?.fields
        .filter((f) => f.key !== "work_content" && f.key !== "related_permits")
        .map((f) => (
          <label class="field" key={f.key}>
            {f.label}
            <input
              data-testid={`apply-field-${f.key}`}
              value={fields[f.key] ?? ""}
              onInput={(e) => setFields({ ...fields, [f.key]: e.currentTarget.value })}
            />
          </label>
        ))}
      <div class="row">
        <label class="field">
          {t("apply.start")}
          <input type="datetime-local" data-testid="apply-start" value={start} onInput={(e) => setStart(e.currentTarget.value)} />
        </label>
        <label class="field">
          {t("apply.hours")}
          <input type="number" min={1} data-testid="apply-hours" value={hours} onInput={(e) => setHours(Number(e.currentTarget.value))} />
        </label>
      </div>
      {workType === "hot_work" && (
        <fieldset class="facts-box">
          <legend>{t("apply.facts")}</legend>
          {HOT_FACTS.map((key) => (
            <label key={key} class="check">
              <input type="checkbox" checked={!!facts[key]} onChange={(e) => setFacts({ ...facts, [key]: e.currentTarget.checked })} />
              {t(`fact.${key}`)}
            </label>
          ))}
        </fieldset>
      )}
      {(workType === "work_at_height" || workType === "hot_work") && (
        <label class="field">
          {t("fact.height_m")}
          <input type="number" step="0.1" data-testid="apply-height" value={(facts.height_m as number) ?? ""}
            onInput={(e) => setFacts({ ...facts, height_m: Number(e.currentTarget.value) })} />
        </label>
      )}
      {workType === "lifting" && (
        <label class="field">
          {t("fact.mass_t")}
          <input type="number" step="0.1" value={(facts.mass_t as number) ?? ""}
            onInput={(e) => setFacts({ ...facts, mass_t: Number(e.currentTarget.value) })} />
        </label>
      )}
      <label class="field">
        {t("apply.guardian")}
        <select data-testid="apply-guardian" value={guardian} onChange={(e) => setGuardian(e.currentTarget.value)}>
          <option value="">{t("apply.pick")}</option>
          {people.guardians.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="facts-box">
        <legend>{t("apply.operators", { n: operators.length })}</legend>
        <input placeholder={t("apply.filter")} data-testid="apply-operator-filter" value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)} />
        <div class="pick-list">
          {shown.slice(0, 30).map((p) => (
            <label key={p.id} class="check" data-testid="apply-operator">
              <input type="checkbox" checked={operators.includes(p.id)} onChange={() => toggle(p.id)} />
              {p.name} <span class="muted small">{p.unit_name}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {preview && (
        <section class="note" data-testid="grade-preview">
          <strong>
            {t("apply.preview", { grade: preview.grade_label, hours: preview.validity_hours, steps: preview.approval_steps.length })}
          </strong>
          <ul class="reasons">
            {[...preview.reasons, ...preview.blockers].map((r, i) => (
              <li key={i}>
                <span class="chip">{r.clause}</span> {r.text}
              </li>
            ))}
          </ul>
        </section>
      )}
      <ErrorNote message={error} />
      <button type="submit" class="btn btn-primary" data-testid="apply-submit" disabled={busy || !areaId}>
        {t("apply.submit")}
      </button>
    </form>
  );
}
