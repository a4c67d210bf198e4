import { useEffect, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { hrefOf } from "../router";
import { confirmScan, getScan, pendingScans, rejectScan } from "./client";
import { draft, draftProblem } from "./review";
import { errorText } from "./ScanCertificate";
import { ScanResult } from "./ScanResult";
import type { Scan, ScanConfirm } from "./types";

/** 证书识别审核: the queue of scans waiting for a reviewer, or one scan with its confirm form. */
export function ScanReview({ scanId }: { scanId: string | null }) {
  return scanId ? <ReviewOne id={scanId} /> : <Queue />;
}

function Queue() {
  const t = useT();
  const [scans, setScans] = useState<Scan[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    pendingScans()
      .then(setScans)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, []);
  return (
    <section class="stack" data-testid="scan-queue">
      <h1 class="page-title">{t("media.queue.title")}</h1>
      <ErrorNote message={error} />
      {scans && !scans.length && <p class="muted">{t("media.queue.none")}</p>}
      {scans?.map((s) => (
        <a key={s.id} class="card card-link" href={hrefOf({ name: "scans", scanId: s.id })} data-testid="queued-scan">
          <span class={`chip verdict-${s.verdict}`}>{t(`media.verdict.${s.verdict}` as MessageKey)}</span>{" "}
          {s.fields["name"]?.value ?? "—"} · {s.fields["item_key"]?.value ?? "—"}
        </a>
      ))}
    </section>
  );
}

const INPUTS: [keyof ScanConfirm, MessageKey, "text" | "date"][] = [
  ["item_key", "media.field.item_key", "text"],
  ["number", "media.field.number", "text"],
  ["issued_on", "media.field.valid_from", "date"],
  ["valid_until", "media.field.valid_until", "date"],
  ["first_issued_on", "media.field.first_issued_on", "date"],
  ["issuing_authority", "media.field.authority", "text"],
];

function ReviewOne({ id }: { id: string }) {
  const t = useT();
  const [scan, setScan] = useState<Scan | null>(null);
  const [form, setForm] = useState<ScanConfirm | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getScan(id)
      .then((s) => {
        setScan(s);
        setForm(draft(s));
      })
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [id]);

  async function act(run: () => Promise<Scan>) {
    setError(null);
    try {
      setScan(await run());
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  const problem = form ? draftProblem(form) : null;
  return (
    <section class="stack" data-testid="scan-review">
      <a class="link" href={hrefOf({ name: "scans", scanId: null })}>
        ← {t("media.queue.title")}
      </a>
      <ErrorNote message={error} />
      {scan && <ScanResult scan={scan} />}
      {scan?.status === "pending" && form && (
        <form
          class="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) void act(() => confirmScan(id, form));
          }}
        >
          <h2 class="card-title">{t("media.review.title")}</h2>
          {INPUTS.map(([key, label, type]) => (
            <label key={key} class="field">
              <span>{t(label)}</span>
              {type === "date" ? (
                <input
                  type="date"
                  name={key}
                  value={form[key] ?? ""}
                  onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value || null })}
                />
              ) : (
                <input
                  type="text"
                  name={key}
                  value={form[key] ?? ""}
                  onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
                />
              )}
            </label>
          ))}
          {problem && <p class="note note-error">{t(`media.review.problem.${problem}` as MessageKey)}</p>}
          <div class="row">
            <button class="btn btn-primary" type="submit" disabled={!!problem} data-testid="scan-confirm">
              {t("media.review.confirm")}
            </button>
            <button
              class="btn"
              type="button"
              data-testid="scan-reject"
              onClick={() => void act(() => rejectScan(id, t("media.review.rejectReason")))}
            >
              {t("media.review.reject")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
