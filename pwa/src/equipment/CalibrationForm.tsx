import { useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT, type MessageKey } from "../i18n";
import { errorMessage } from "../signin";
import { equipment } from "./client";
import {
  GAS_UNITS,
  TOLERANCE_PERCENT,
  calibrationBody,
  calibrationProblems,
  deviationPercent,
  localInput,
  withinTolerance,
  type CalibrationForm as Form,
} from "./logic";
import type { Calibration } from "./types";

function signed(n: number): string {
  return `${n > 0 ? "+" : ""}${n.toFixed(2)} %`;
}

/** A bump test / calibration of one detector: the deviation shows as the technician types. */
export function CalibrationForm({ detectorId, onSaved }: { detectorId: string; onSaved: (c: Calibration) => void }) {
  const t = useT();
  const [form, setForm] = useState<Form>(() => ({
    detectorId,
    calibratedAt: localInput(new Date()),
    referenceGas: "",
    referenceValue: "",
    reading: "",
    unit: "lel",
    technician: "",
    note: "",
  }));
  const [shown, setShown] = useState(false); // problems show after the first attempt to save
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Form>) => (setForm({ ...form, ...patch }), setSaved(null));
  const deviation = deviationPercent(form.referenceValue, form.reading);
  const problems = calibrationProblems(form, new Date());

  const submit = async (event: Event) => {
    event.preventDefault();
    setShown(true);
    if (problems.length) return;
    setBusy(true);
    setError(null);
    try {
      const c = await equipment.record(calibrationBody(form));
      setSaved(t("equipment.cal.saved", { deviation: signed(c.deviation_percent) }));
      setForm({ ...form, reading: "", note: "" });
      setShown(false);
      onSaved(c);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };

  const input = (key: keyof Form, label: MessageKey, extra: Record<string, unknown> = {}) => (
    <label class="field">
      {t(label)}
      <input
        data-testid={`cal-${key}`}
        value={form[key]}
        onInput={(e) => set({ [key]: e.currentTarget.value })}
        {...extra}
      />
    </label>
  );

  return (
    <form class="card stack" data-testid="calibration-form" onSubmit={submit} noValidate>
      <h2 class="card-title">{t("equipment.cal.title")}</h2>
      {input("calibratedAt", "equipment.cal.time", { type: "datetime-local" })}
      {input("referenceGas", "equipment.cal.gas", { placeholder: "CH4 50%LEL" })}
      <div class="row">
        {input("referenceValue", "equipment.cal.reference", { inputMode: "decimal" })}
        {input("reading", "equipment.cal.reading", { inputMode: "decimal" })}
        <label class="field">
          {t("equipment.cal.unit")}
          <select data-testid="cal-unit" value={form.unit} onChange={(e) => set({ unit: e.currentTarget.value as Form["unit"] })}>
            {GAS_UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`equipment.unit.${u}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p
        class={`note ${deviation === null ? "" : withinTolerance(deviation) ? "note-ok" : "note-error"}`}
        data-testid="cal-deviation"
        data-within={deviation === null ? undefined : String(withinTolerance(deviation))}
        aria-live="polite"
      >
        {deviation === null
          ? t("equipment.cal.deviationPending")
          : `${t("equipment.cal.deviation", { deviation: signed(deviation) })} · ${t(
              withinTolerance(deviation) ? "equipment.cal.within" : "equipment.cal.outside",
              { tolerance: TOLERANCE_PERCENT },
            )}`}
      </p>
      {input("technician", "equipment.cal.technician")}
      {input("note", "equipment.cal.note", { maxLength: 300 })}
      {shown && problems.length > 0 && (
        <ul class="note note-error" data-testid="cal-problems">
          {problems.map((p) => (
            <li key={p}>{t(`equipment.problem.${p}`)}</li>
          ))}
        </ul>
      )}
      <ErrorNote message={error} />
      {saved && (
        <p class="note note-ok" role="status" data-testid="cal-saved">
          {saved}
        </p>
      )}
      <button type="submit" class="btn btn-primary" data-testid="cal-save" disabled={busy}>
        {t("equipment.cal.save")}
      </button>
    </form>
  );
}
