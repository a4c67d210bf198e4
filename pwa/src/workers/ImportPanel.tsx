import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import { importStatus, units, uploadLedger } from "./client";
import { errorText } from "./MyCertificates";
import { finished, MAX_UPLOAD_BYTES, progressPercent, uploadProblem } from "./upload";
import type { LedgerImport, Unit } from "./types";

/** 台账导入: pick an .xlsx, upload it, watch the progress, read the row report. */
export function ImportPanel() {
  const t = useT();
  const [file, setFile] = useState<File | null>(null);
  const [strict, setStrict] = useState(false);
  const [unit, setUnit] = useState("");
  const [teams, setTeams] = useState<Unit[]>([]);
  const [job, setJob] = useState<LedgerImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    units()
      .then((u) => setTeams(u.filter((x) => x.kind === "team" || x.kind === "workshop")))
      .catch(() => undefined);
    return () => window.clearTimeout(timer.current);
  }, []);

  const poll = (id: string) => {
    timer.current = window.setTimeout(async () => {
      try {
        const next = await importStatus(id);
        setJob(next);
        if (!finished(next.status)) poll(id);
      } catch (err) {
        setError(errorText(t, err));
      }
    }, 500);
  };

  const start = async () => {
    if (!file) return;
    const problem = uploadProblem(file.name, file.size);
    if (problem) {
      setError(t(`qual.import.${problem}`));
      return;
    }
    setError(null);
    try {
      const created = await uploadLedger(file, file.name, strict, unit);
      setJob(created);
      poll(created.id);
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const running = job !== null && !finished(job.status);
  return (
    <div class="stack" data-testid="import-panel">
      <div class="card stack">
        <p class="muted">{t("qual.import.lead", { mib: MAX_UPLOAD_BYTES / 1024 / 1024 })}</p>
        <input
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          data-testid="import-file"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
        <label>
          {t("qual.import.unit")}
          <select value={unit} onChange={(e) => setUnit((e.currentTarget as HTMLSelectElement).value)} data-testid="import-unit">
            <option value="">{t("qual.import.unitFromSheet")}</option>
            {teams.map((u) => (
              <option key={u.id} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={strict} onChange={(e) => setStrict((e.currentTarget as HTMLInputElement).checked)} />
          {t("qual.import.strict")}
        </label>
        <button type="button" class="btn btn-primary" disabled={!file || running} onClick={() => void start()} data-testid="import-start">
          {running ? t("qual.import.running") : t("qual.import.start")}
        </button>
      </div>
      <ErrorNote message={error} />
      {job && <ImportResult job={job} />}
    </div>
  );
}

function ImportResult({ job }: { job: LedgerImport }) {
  const t = useT();
  const percent = progressPercent(job);
  const errors = job.report.errors ?? [];
  const merges = job.report.merges ?? [];
  return (
    <article class="card stack" data-testid="import-result" data-status={job.status}>
      <h2 class="card-title">
        {job.filename} · {t(`qual.import.status.${job.status}`)}
      </h2>
      <div class="bar" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <span style={{ width: `${percent}%` }} />
      </div>
      {job.error && <p class="note note-error">{job.error}</p>}
      {finished(job.status) && job.summary.rows !== undefined && (
        <p data-testid="import-summary">
          {t("qual.import.summary", {
            rows: Number(job.summary.rows),
            bad: Number(job.summary.rows_with_errors ?? 0),
            people: Number(job.summary.people_created ?? 0),
            certs: Number(job.summary.certificates_created ?? 0),
          })}
        </p>
      )}
      {errors.length > 0 && (
        <>
          <h3 class="card-subtitle">{t("qual.import.errors", { count: errors.length })}</h3>
          <ul class="report" data-testid="import-errors">
            {errors.slice(0, 200).map((e) => (
              <li key={`${e.row}-${e.code}`}>
                <span class="mono">#{e.row}</span> <span class="chip">{e.code}</span> {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {merges.length > 0 && (
        <>
          <h3 class="card-subtitle">{t("qual.import.merges", { count: merges.length })}</h3>
          <ul class="report" data-testid="import-merges">
            {merges.slice(0, 200).map((m) => (
              <li key={m.id_number_masked + m.rows.join()}>
                <span class="mono">{m.id_number_masked}</span> {m.names.join(" / ")} → <strong>{m.kept_name}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
