import { useEffect, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { errorMessage } from "../signin";
import { equipment } from "./client";
import { FINDING_MAX, TAGS, findingFromAnalysis, findingProblems, type FindingForm } from "./logic";
import type { DetectorTag, RootCause, TagCode } from "./types";

const DAYS = 7;

/** 根因诊断: the analysis and its evidence plot, then the safety engineer's finding in words,
 * the equipment tag (设备振动干扰 …) and the fix taken. */
export function FindingPanel({ detectorId }: { detectorId: string }) {
  const t = useT();
  const lang = useLang();
  const [rc, setRc] = useState<RootCause | null>(null);
  const [form, setForm] = useState<FindingForm>({ tag: "", finding: "", fix: "" });
  const [tags, setTags] = useState<DetectorTag[]>([]);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    equipment.tags(detectorId).then(setTags, (err) => setError(errorMessage(t, err)));
  }, [detectorId]);

  const analyse = async () => {
    setBusy(true);
    setError(null);
    try {
      const found = await equipment.rootCause(detectorId, DAYS);
      setRc(found);
      setForm(findingFromAnalysis(found, lang));
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };
  const problems = findingProblems(form);
  const save = async (event: Event) => {
    event.preventDefault();
    setShown(true);
    if (problems.length || !form.tag) return;
    setBusy(true);
    setError(null);
    try {
      const tag = await equipment.addTag(detectorId, { tag: form.tag, finding: form.finding.trim(), fix: form.fix.trim() });
      setTags([tag, ...tags]);
      setSaved(true);
      setShown(false);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card stack" data-testid="finding-panel">
      <h2 class="card-title">{t("equipment.rc.title")}</h2>
      <button type="button" class="btn btn-secondary" data-testid="rc-run" onClick={analyse} disabled={busy}>
        {t("equipment.rc.run", { days: DAYS })}
      </button>
      {rc && (
        <div class="stack" data-testid="rc-result" data-verdict={rc.verdict}>
          <strong>{t(`equipment.rc.verdict.${rc.verdict}` as Parameters<typeof t>[0])}</strong>
          <p>{rc.finding[lang] ?? rc.finding["zh-CN"]}</p>
          <img
            class="evidence"
            data-testid="rc-evidence"
            src={equipment.evidenceHref(detectorId, DAYS)}
            alt={t("equipment.rc.evidence")}
            width={960}
            height={420}
            style={{ maxWidth: "100%", height: "auto" }}
          />
        </div>
      )}
      <form class="stack" data-testid="finding-form" onSubmit={save} noValidate>
        <h3>{t("equipment.finding.title")}</h3>
        <label class="field">
          {t("equipment.finding.tag")}
          <select
            data-testid="finding-tag"
            value={form.tag}
            onChange={(e) => (setForm({ ...form, tag: e.currentTarget.value as TagCode | "" }), setSaved(false))}
          >
            <option value="">{t("equipment.finding.chooseTag")}</option>
            {TAGS.map((tag) => (
              <option key={tag} value={tag}>
                {t(`equipment.tag.${tag}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t("equipment.finding.text")}
          <textarea
            data-testid="finding-text"
            rows={3}
            maxLength={FINDING_MAX}
            value={form.finding}
            onInput={(e) => (setForm({ ...form, finding: e.currentTarget.value }), setSaved(false))}
          />
        </label>
        <label class="field">
          {t("equipment.finding.fix")}
          <textarea
            data-testid="finding-fix"
            rows={2}
            maxLength={FINDING_MAX}
            value={form.fix}
            onInput={(e) => (setForm({ ...form, fix: e.currentTarget.value }), setSaved(false))}
          />
        </label>
        {shown && problems.length > 0 && (
          <ul class="note note-error" data-testid="finding-problems">
            {problems.map((p) => (
              <li key={p}>{t(`equipment.problem.${p}`)}</li>
            ))}
          </ul>
        )}
        <ErrorNote message={error} />
        {saved && (
          <p class="note note-ok" role="status" data-testid="finding-saved">
            {t("equipment.finding.saved")}
          </p>
        )}
        <button type="submit" class="btn btn-primary" data-testid="finding-save" disabled={busy}>
          {t("equipment.finding.save")}
        </button>
      </form>
      {tags.length > 0 && (
        <div class="stack">
          <h3>{t("equipment.finding.list")}</h3>
          <ul class="plain" data-testid="tag-list">
            {tags.map((tag) => (
              <li key={tag.id} data-testid="tag-item" data-tag={tag.tag}>
                <strong>{tag.label[lang] ?? tag.label["zh-CN"]}</strong> · {formatTime(tag.recorded_at, lang)}
                <div>{tag.finding}</div>
                {tag.fix && <div class="muted">{t("equipment.finding.fix")}: {tag.fix}</div>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
