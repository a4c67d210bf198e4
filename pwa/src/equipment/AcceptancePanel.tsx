import { useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { errorMessage } from "../signin";
import { equipment } from "./client";
import type { Acceptance } from "./types";

/** The 72-hour acceptance test of a newly commissioned detector: verdict, reasons, the PDF. */
export function AcceptancePanel({ detectorId }: { detectorId: string }) {
  const t = useT();
  const lang = useLang();
  const [report, setReport] = useState<Acceptance | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await equipment.acceptance(detectorId));
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card stack" data-testid="acceptance-panel">
      <h2 class="card-title">{t("equipment.acc.title")}</h2>
      <button type="button" class="btn btn-secondary" data-testid="acceptance-run" onClick={run} disabled={busy}>
        {t("equipment.acc.run")}
      </button>
      <ErrorNote message={error} />
      {report && (
        <div class="stack" data-testid="acceptance-result" data-verdict={report.verdict}>
          <strong class={`verdict verdict-${report.verdict}`} data-testid="acceptance-verdict">
            {t(`equipment.acc.verdict.${report.verdict}`)}
          </strong>
          <p class="muted">
            {t("equipment.acc.summary", {
              time: formatTime(report.commissioned_at, lang),
              expected: report.expected_samples,
              received: report.received_samples,
              percent: report.completeness_percent,
              gap: (report.longest_gap_s / 60).toFixed(1),
            })}
          </p>
          {report.reasons.length > 0 && (
            <ul class="note note-error" data-testid="acceptance-reasons">
              {report.reasons.map((r, i) => (
                <li key={i}>{r[lang] ?? r["zh-CN"]}</li>
              ))}
            </ul>
          )}
          <a class="btn btn-secondary" href={equipment.acceptancePdfHref(detectorId)} data-testid="acceptance-pdf" download>
            {t("equipment.acc.pdf")}
          </a>
        </div>
      )}
    </section>
  );
}
