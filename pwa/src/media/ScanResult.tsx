import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { confidencePercent, LOW_CONFIDENCE, shownFields, sortChecks } from "./review";
import type { Scan } from "./types";

/** What OCR read (each field with its confidence) and the checks, red first, under the verdict. */
export function ScanResult({ scan }: { scan: Scan }) {
  const t = useT();
  return (
    <article class="card stack" data-testid="scan-result" data-verdict={scan.verdict}>
      <header class="cert-head">
        <h2 class="card-title">{t("media.result.title")}</h2>
        <span class={`chip verdict-${scan.verdict}`} data-testid="scan-verdict">
          {t(`media.verdict.${scan.verdict}` as MessageKey)}
        </span>
      </header>
      <dl class="scan-fields">
        {shownFields(scan).map((name) => {
          const f = scan.fields[name]!;
          const pct = confidencePercent(f.confidence);
          return (
            <div key={name} class="scan-field" data-testid={`field-${name}`} data-low={f.confidence < LOW_CONFIDENCE}>
              <dt>{t(`media.field.${name}` as MessageKey)}</dt>
              <dd>
                <span data-testid="field-value">{f.value}</span>
                <span class="confidence muted small" title={t("media.result.confidence")}>
                  {pct}%
                </span>
              </dd>
            </div>
          );
        })}
      </dl>
      <ul class="scan-checks" data-testid="scan-checks">
        {sortChecks(scan.checks).map((c) => (
          <li key={c.code} class={`check check-${c.level}`} data-code={c.code}>
            {c.reason}
          </li>
        ))}
      </ul>
      <p class="muted small">{t(`media.status.${scan.status}` as MessageKey)}</p>
    </article>
  );
}
