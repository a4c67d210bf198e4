import { useEffect, useState } from "preact/hooks";

import { ApiError, NetworkError } from "../api";
import { ErrorNote } from "../components/ErrorNote";
import { useLang, useT, type Translate } from "../i18n";
import { hrefOf } from "../router";
import { myFile } from "./client";
import { byUrgency, elapsedPercent, howToApply, urgency } from "./countdown";
import type { Certificate, WorkerFile } from "./types";

/** 我的证书: each certificate with its renewal countdown, what to do and where to apply. */
export function MyCertificates() {
  const t = useT();
  const [file, setFile] = useState<WorkerFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    myFile()
      .then(setFile)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, []);
  return (
    <section class="stack" data-testid="my-certificates">
      <a class="link" href={hrefOf({ name: "home" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("qual.mine.title")}</h1>
      <a class="btn" href={hrefOf({ name: "scan", personId: null })} data-testid="link-scan">
        {t("media.scan.link")}
      </a>
      <a class="btn" href={hrefOf({ name: "liveness" })} data-testid="link-liveness">
        {t("media.live.title")}
      </a>
      <a class="btn" href={hrefOf({ name: "exam" })} data-testid="link-exam">
        {t("media.exam.title")}
      </a>
      <ErrorNote message={error} />
      {file?.frozen && (
        <p class="note note-error" role="alert" data-testid="frozen-banner">
          {t("qual.frozen.banner")}
        </p>
      )}
      {file && !file.certificates.length && <p class="muted">{t("qual.mine.none")}</p>}
      {file && byUrgency(file.certificates).map((cert) => <CertificateCard key={cert.id} cert={cert} />)}
      {file?.certificates.some((c) => c.family === "mem") && (
        <a class="link" href={hrefOf({ name: "registryHistory", personId: file.person.id })} data-testid="my-registry-history">
          {t("registry.history.mine")} →
        </a>
      )}
    </section>
  );
}

function CertificateCard({ cert }: { cert: Certificate }) {
  const t = useT();
  const lang = useLang();
  const level = urgency(cert);
  return (
    <article class={`card cert cert-${level}`} data-testid="certificate" data-status={cert.status}>
      <header class="cert-head">
        <div>
          <h2 class="card-title">{cert.item_name}</h2>
          <p class="muted small">
            {cert.family_name} · {cert.category_name}
          </p>
        </div>
        <span class={`chip qs-${cert.status}`} data-testid="cert-status">
          {t(`qual.status.${cert.status}`)}
        </span>
      </header>
      <div class="countdown" data-testid="countdown">
        {cert.days_left >= 0 ? (
          <>
            <span class="countdown-days" data-testid="days-left">
              {cert.days_left}
            </span>
            <span class="countdown-unit">{t("qual.countdown.days", { kind: t(`qual.kind.${cert.deadline_kind}`) })}</span>
          </>
        ) : (
          <span class="countdown-lapsed">{t("qual.countdown.lapsed", { days: -cert.days_left })}</span>
        )}
      </div>
      <div class="bar" aria-hidden="true">
        <span style={{ width: `${elapsedPercent(cert, new Date())}%` }} />
      </div>
      {cert.frozen && <p class="note note-error">{t("qual.frozen.cert")}</p>}
      <dl class="facts">
        <dt>{t("qual.field.deadline")}</dt>
        <dd>{cert.deadline_on}</dd>
        <dt>{t("qual.field.applyBy")}</dt>
        <dd>{cert.apply_by}</dd>
        <dt>{t("qual.field.number")}</dt>
        <dd class="mono">{cert.number}</dd>
        <dt>{t("qual.field.validUntil")}</dt>
        <dd>{cert.valid_until}</dd>
      </dl>
      <h3 class="card-subtitle">{t("qual.todo")}</h3>
      <p data-testid="how-to-apply">{howToApply(cert, lang)}</p>
      <h3 class="card-subtitle">{t("qual.where")}</h3>
      <p data-testid="where-to-apply">
        {cert.where_to_apply}
        {cert.query_site && (
          <>
            {" · "}
            <a class="link" href={cert.query_site} target="_blank" rel="noreferrer">
              {t("qual.querySite")}
            </a>
          </>
        )}
      </p>
    </article>
  );
}

export function errorText(t: Translate, err: unknown): string {
  if (err instanceof NetworkError) return t("error.network");
  if (err instanceof ApiError) return err.detail;
  return t("error.unexpected", { message: err instanceof Error ? err.message : String(err) });
}
