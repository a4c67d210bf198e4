import { useEffect, useState } from "preact/hooks";

import { AuditHistory } from "../audit/AuditHistory";
import { ErrorNote } from "../components/ErrorNote";
import { SiteMap } from "../components/SiteMap";
import { formatTime } from "../format";
import { roleLabel, useLang, useT } from "../i18n";
import { type EPermit, type HistoryEntry, type Permit, permitsApi } from "../permits/api";
import { sendDecision, signDecision } from "../permits/decision";
import { here } from "../permits/here";
import { errorMessage } from "../signin";

const api = permitsApi();
const EPERMIT_STATES = ["approved", "active", "suspended", "completed", "closed"];

/** One permit: its signatures (one-tap passkey approval), gas panel, e-permit card, actions and history. */
export function PermitView({ id }: { id: string }) {
  const t = useT();
  const lang = useLang();
  const [permit, setPermit] = useState<Permit | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [epermit, setEpermit] = useState<EPermit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState("");
  const [gas, setGas] = useState({ point: "", gas: "methane", result: "", unit: "lel" });
  const [queued, setQueued] = useState(false);

  const load = async (next?: Permit) => {
    const p = next ?? (await api.get(id));
    setPermit(p);
    setHistory(await api.history(id));
    setEpermit(EPERMIT_STATES.includes(p.status) ? await api.epermit(id) : null);
  };
  useEffect(() => {
    load().catch((err) => setError(errorMessage(t, err)));
  }, [id]);

  const run = async (work: () => Promise<Permit>) => {
    setBusy(true);
    setError(null);
    try {
      await load(await work());
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };

  const decide = async (step: string, decision: "approve" | "reject") => {
    const p = permit!;
    setBusy(true);
    setError(null);
    setQueued(false);
    try {
      const location = await here();
      const body = { step, decision, comment: reason, location, signed_at: new Date().toISOString() };
      const signed = { ...body, permit_version: p.revision, content_sha256: p.content_sha256 };
      // The passkey signs the decision itself, so this works without network (docs/permits.md).
      const credential = await signDecision({ ...signed, permit_id: p.id });
      const outcome = await sendDecision(p.id, signed, credential as unknown as Record<string, unknown>);
      if (outcome === "queued") setQueued(true);
      else await load(outcome);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };
  const onSite = (action: string) => run(async () => api.action(id, action, { location: await here(), comment: reason }));
  const withReason = (action: string) => run(() => api.action(id, action, { reason: reason || t("permit.noReason") }));

  if (!permit) return error ? <ErrorNote message={error} /> : <p class="muted">{t("common.loading")}</p>;
  const s = permit.status;
  return (
    <section class="stack" data-testid="permit-view">
      <article class="card stack">
        <h1 class="card-title">
          {permit.title} <span class="chip chip-strong" data-testid="permit-grade">{permit.grade_label}</span>
        </h1>
        <p class="mono small">{permit.number}</p>
        <p>
          <span class={`badge status-${s}`} data-testid="permit-status">{t(`status.${s}` as never)}</span>{" "}
          {permit.status_reason && <span class="small">{permit.status_reason}</span>}
        </p>
        <dl class="facts">
          <dt>{t("permit.content")}</dt>
          <dd>{permit.content}</dd>
          <dt>{t("permit.area")}</dt>
          <dd>{permit.area.name}</dd>
          <dt>{t("permit.time")}</dt>
          <dd>
            {formatTime(permit.planned_start, lang)} – {formatTime(permit.valid_until, lang)}
          </dd>
          <dt>{t("permit.guardian")}</dt>
          <dd>{permit.guardian?.name}</dd>
          <dt>{t("permit.operators")}</dt>
          <dd>{permit.operators.map((o) => o.name).join("、")}</dd>
        </dl>
        <ul class="reasons small">
          {(permit.grading.reasons ?? []).map((r, i) => (
            <li key={i}>
              <span class="chip">{r.clause}</span> {r.text}
            </li>
          ))}
        </ul>
        {permit.simops.map((c, i) => (
          <p class="note" key={i}>
            {t("permit.simops", { number: c.other_number })} {c.text}（{c.clause}）
          </p>
        ))}
      </article>

      <article class="card stack" data-testid="permit-slots">
        <h2 class="card-subtitle">{t("permit.signatures")}</h2>
        <ul class="slots">
          {permit.slots.map((slot) => (
            <li key={slot.key} data-testid={`slot-${slot.key}`}>
              <span class="chip">{roleLabel(t, slot.role)}</span>{" "}
              {slot.decided_by?.name ?? slot.handed_to?.name ?? slot.assignee?.name}{" "}
              <span class={`badge status-${slot.status}`}>{t(`slot.${slot.status}` as never)}</span>
              {slot.handed_to && !slot.decided_by && <span class="small muted"> {t("permit.deputy")}</span>}
              {slot.escalated_to && <span class="small muted"> {t("permit.escalated", { name: slot.escalated_to.name })}</span>}
            </li>
          ))}
        </ul>
        {queued && (
          <p class="note" data-testid="decision-queued">
            {t("permit.queuedOffline")}
          </p>
        )}
        {permit.my_steps.length > 0 && !queued && (
          <div class="stack">
            <input placeholder={t("permit.comment")} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            {permit.my_steps.map((step) => (
              <div class="row" key={step}>
                <button type="button" class="btn btn-primary" data-testid="approve-button" disabled={busy}
                  onClick={() => decide(step, "approve")}>
                  {t("permit.approve")}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="reject-button" disabled={busy}
                  onClick={() => decide(step, "reject")}>
                  {t("permit.reject")}
                </button>
              </div>
            ))}
          </div>
        )}
      </article>

      {(permit.gas || permit.analyses.length > 0 || (permit.grading.gas_requirements ?? []).length > 0) && (
        <article class="card stack" data-testid="gas-panel">
          <h2 class="card-subtitle">{t("gas.title")}</h2>
          {permit.gas && (
            <p class={permit.gas.locked ? "note note-error" : "note"} data-testid="gas-lock">
              {permit.gas.locked ? t("gas.locked") : t("gas.clear")}：{permit.gas.reason}
            </p>
          )}
          {permit.gas?.detectors.map((d) => (
            <p key={d.code} class="small">
              {d.name}: {d.latest_lel_percent ?? "—"} %LEL / {t("gas.limit")} {d.limit_lel_percent} %LEL
            </p>
          ))}
          <ul class="small">
            {(permit.grading.gas_requirements ?? []).map((g, i) => (
              <li key={i}>
                {g.text}（{g.clause}）
              </li>
            ))}
          </ul>
          <ul data-testid="gas-analyses">
            {permit.analyses.map((a) => (
              <li key={a.id} class="small">
                {formatTime(a.sampled_at, lang)} {a.point} {a.gas} {a.result} {a.unit} — {a.verdict}
              </li>
            ))}
          </ul>
          <div class="row">
            <input placeholder={t("gas.point")} data-testid="gas-point" value={gas.point}
              onInput={(e) => setGas({ ...gas, point: e.currentTarget.value })} />
            <select value={gas.gas} onChange={(e) => {
              const value = e.currentTarget.value;
              setGas({ ...gas, gas: value, unit: value === "oxygen" ? "o2" : "lel" });
            }}>
              <option value="methane">CH₄ %LEL</option>
              <option value="propane">C₃H₈ %LEL</option>
              <option value="hydrogen">H₂ %LEL</option>
              <option value="oxygen">O₂ %</option>
            </select>
            <input type="number" step="0.1" placeholder={t("gas.result")} data-testid="gas-result" value={gas.result}
              onInput={(e) => setGas({ ...gas, result: e.currentTarget.value })} />
          </div>
          <button type="button" class="btn btn-secondary" data-testid="gas-record" disabled={busy || !gas.point || !gas.result}
            onClick={() => run(() => api.analysis(id, { ...gas, result: Number(gas.result), sampled_at: new Date().toISOString() }))}>
            {t("gas.record")}
          </button>
        </article>
      )}

      {epermit && (
        <article class="card stack" data-testid="epermit-card">
          <h2 class="card-subtitle">{t("epermit.title")}</h2>
          <SiteMap e={epermit} />
          {epermit.nearest_extinguisher && (
            <p data-testid="epermit-extinguisher">
              {t("epermit.extinguisher", { label: epermit.nearest_extinguisher.label, m: epermit.nearest_extinguisher.distance_m })}
            </p>
          )}
          {epermit.assembly_point && <p>{t("epermit.assembly", { label: epermit.assembly_point.label })}</p>}
          {epermit.gps && <p class="small mono">GPS {epermit.gps[1]?.toFixed(6)}, {epermit.gps[0]?.toFixed(6)}</p>}
          <ul class="small">
            {epermit.contacts.map((c) => (
              <li key={c.name}>
                {roleLabel(t, c.role)} {c.name} {c.phone && <a href={`tel:${c.phone}`}>{c.phone}</a>}
              </li>
            ))}
            <li>
              {t("epermit.emergency")} <a href={`tel:${epermit.emergency_phone}`}>{epermit.emergency_phone}</a> · {epermit.public_numbers.join(" · ")}
            </li>
          </ul>
        </article>
      )}

      <article class="card stack">
        <h2 class="card-subtitle">{t("permit.actions")}</h2>
        <input placeholder={t("permit.reason")} data-testid="action-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <div class="row wrap">
          {s === "approved" && (
            <button type="button" class="btn btn-primary" data-testid="start-button" disabled={busy} onClick={() => onSite("start")}>
              {t("permit.start")}
            </button>
          )}
          {s === "active" && (
            <button type="button" class="btn btn-secondary" data-testid="suspend-button" disabled={busy} onClick={() => withReason("suspend")}>
              {t("permit.suspend")}
            </button>
          )}
          {s === "suspended" && (
            <button type="button" class="btn btn-primary" data-testid="resume-button" disabled={busy} onClick={() => onSite("resume")}>
              {t("permit.resume")}
            </button>
          )}
          {(s === "active" || s === "suspended") && (
            <button type="button" class="btn btn-primary" data-testid="complete-button" disabled={busy} onClick={() => onSite("complete")}>
              {t("permit.complete")}
            </button>
          )}
          {s === "completed" && (
            <button type="button" class="btn btn-secondary" data-testid="close-button" disabled={busy}
              onClick={() => run(() => api.action(id, "close"))}>
              {t("permit.close")}
            </button>
          )}
          {["draft", "submitted", "approving", "approved", "active", "suspended"].includes(s) && (
            <button type="button" class="btn btn-secondary" data-testid="cancel-button" disabled={busy} onClick={() => withReason("cancel")}>
              {t("permit.cancel")}
            </button>
          )}
          <a class="btn btn-secondary" href={`/api/permits/${id}/pdf`} target="_blank" rel="noopener">
            {t("permit.pdf")}
          </a>
        </div>
        <ErrorNote message={error} />
      </article>

      <article class="card stack" data-testid="permit-history">
        <h2 class="card-subtitle">{t("permit.history")}</h2>
        <ol class="history small">
          {history.map((h, i) => (
            <li key={i}>
              <span class="muted">{formatTime(h.at, lang)}</span> {h.text}
              {h.actor && <span class="muted"> — {h.actor.name}</span>}
            </li>
          ))}
        </ol>
      </article>
      <AuditHistory entity="permit" entityId={id} heading="audit.permitHeading" />
    </section>
  );
}
