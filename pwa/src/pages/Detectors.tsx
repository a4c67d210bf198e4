import { useEffect, useState } from "preact/hooks";

import { analytics } from "../analytics/client";
import type { UnitRef } from "../analytics/types";
import { ErrorNote } from "../components/ErrorNote";
import { UnitPicker } from "../components/UnitPicker";
import { AcceptancePanel } from "../equipment/AcceptancePanel";
import { CalibrationForm } from "../equipment/CalibrationForm";
import { equipment } from "../equipment/client";
import { FindingPanel } from "../equipment/FindingPanel";
import { byFlag, csvProblem, excludedFromLock } from "../equipment/logic";
import type { Calibration, DetectorState } from "../equipment/types";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { go, hrefOf } from "../router";
import { errorMessage } from "../signin";

/** 检测仪与校准: a unit's gas detectors with their calibration flags, the CSV import, and one
 * detector's calibration entry, history, root-cause finding and 72-hour acceptance report. */
export function DetectorsPage({ unitId, detectorId }: { unitId: string | null; detectorId: string | null }) {
  const t = useT();
  const [units, setUnits] = useState<UnitRef[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    analytics.units().then(setUnits, (err) => setError(errorMessage(t, err)));
  }, []);
  const active = unitId ?? units?.[0]?.id ?? null;
  return (
    <section class="stack" data-testid="detectors">
      <header class="board-head">
        <h1>{t("equipment.title")}</h1>
        <UnitPicker
          units={units}
          active={active}
          label={t("equipment.unit")}
          testId="detectors-unit"
          onPick={(id) => go({ name: "detectors", unitId: id, detectorId: null })}
        />
      </header>
      <ErrorNote message={error} />
      {units && units.length === 0 && <p class="muted">{t("equipment.noUnits")}</p>}
      {active && <UnitDetectors key={active} unitId={active} detectorId={detectorId} />}
    </section>
  );
}

function UnitDetectors({ unitId, detectorId }: { unitId: string; detectorId: string | null }) {
  const t = useT();
  const lang = useLang();
  const [list, setList] = useState<DetectorState[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    equipment.detectors(unitId).then((l) => (setList(byFlag(l)), setError(null)), (err) => setError(errorMessage(t, err)));
  }, [unitId, version]);
  const refresh = () => setVersion((v) => v + 1);

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setNotice(null);
    const problem = csvProblem(file.name, file.size);
    if (problem) return setError(t(`equipment.csv.${problem}`));
    try {
      const { imported } = await equipment.importCsv(file);
      setError(null);
      setNotice(t("equipment.imported", { n: imported }));
      refresh();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };

  const selected = list?.find((d) => d.detector_id === detectorId) ?? null;
  if (detectorId && selected) {
    return <DetectorDetail unitId={unitId} detector={selected} onChanged={refresh} />;
  }
  return (
    <div class="stack">
      <ErrorNote message={error} />
      {notice && (
        <p class="note note-ok" role="status" data-testid="import-done">
          {notice}
        </p>
      )}
      <section class="card stack">
        <h2 class="card-title">{t("equipment.list")}</h2>
        {list && list.length === 0 && <p class="muted">{t("equipment.none")}</p>}
        <ul class="plain stack">
          {list?.map((d) => (
            <li key={d.detector_id} class="row-card" data-testid="detector-row" data-code={d.code} data-flag={d.flag ?? "ok"}>
              <div class="row-main">
                <strong>
                  {d.code} {d.name}
                </strong>
                <div class="muted small">
                  {d.last_calibrated_at
                    ? t("equipment.lastCalibrated", {
                        time: formatTime(d.last_calibrated_at, lang),
                        deviation: `${d.last_deviation_percent ?? 0} %`,
                      })
                    : t("equipment.neverCalibrated")}
                </div>
                {excludedFromLock(d.flag) && <div class="flag-bad small">{t("equipment.excluded")}</div>}
              </div>
              <div class="row-side">
                <span class={`badge ${d.flag ? "flag-bad" : "flag-ok"}`} data-testid="detector-flag">
                  {t(`equipment.flag.${d.flag ?? "ok"}`)}
                </span>
                <a
                  class="btn btn-secondary"
                  data-testid="detector-open"
                  href={hrefOf({ name: "detectors", unitId, detectorId: d.detector_id })}
                >
                  {t("equipment.open")}
                </a>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section class="card stack">
        <label class="field">
          {t("equipment.import")}
          <input type="file" accept=".csv,text/csv" data-testid="calibration-csv" onChange={(e) => upload(e.currentTarget)} />
        </label>
        <p class="muted small">{t("equipment.importHint")}</p>
      </section>
    </div>
  );
}

function DetectorDetail({ unitId, detector, onChanged }: { unitId: string; detector: DetectorState; onChanged: () => void }) {
  const t = useT();
  const lang = useLang();
  const [history, setHistory] = useState<Calibration[]>([]);
  const id = detector.detector_id;
  useEffect(() => {
    equipment.calibrations(id).then(setHistory, () => setHistory([]));
  }, [id]);
  return (
    <div class="stack" data-testid="detector-detail" data-code={detector.code}>
      <a href={hrefOf({ name: "detectors", unitId, detectorId: null })} data-testid="detector-back">
        ← {t("equipment.back")}
      </a>
      <h2>
        {detector.code} {detector.name}{" "}
        <span class={`badge ${detector.flag ? "flag-bad" : "flag-ok"}`} data-testid="detector-flag">
          {t(`equipment.flag.${detector.flag ?? "ok"}`)}
        </span>
      </h2>
      <CalibrationForm detectorId={id} onSaved={(c) => (setHistory([c, ...history]), onChanged())} />
      {history.length > 0 && (
        <section class="card stack">
          <h2 class="card-title">{t("equipment.cal.history")}</h2>
          <ul class="plain" data-testid="calibration-history">
            {history.map((c) => (
              <li key={c.id} data-testid="calibration-item" data-within={String(c.within_tolerance)}>
                {formatTime(c.calibrated_at, lang)} · {c.reference_gas} {c.reference_value} → {c.reading} {t(`equipment.unit.${c.unit}`)} ·{" "}
                <strong class={c.within_tolerance ? "" : "flag-bad"}>{c.deviation_percent} %</strong> · {c.technician}
              </li>
            ))}
          </ul>
        </section>
      )}
      <FindingPanel detectorId={id} />
      <AcceptancePanel detectorId={id} />
    </div>
  );
}
