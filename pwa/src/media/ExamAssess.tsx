import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import { hrefOf } from "../router";
import { examFileUrl, examQueue, type ExamVideo, getExam, reviewExam } from "./examClient";
import { clock, mark } from "./examTime";
import { errorText } from "./ScanCertificate";

const STEPS = ["引弧", "运条", "收弧"]; // the welding exam's steps (backend exams_part.STEPS)

/** 实操考核评定: the queue of submitted exam videos, or one video with step marks and pass/fail. */
export function ExamAssess({ videoId, assessor }: { videoId: string | null; assessor: string }) {
  return videoId ? <AssessOne id={videoId} assessor={assessor} /> : <ExamQueue />;
}

function ExamQueue() {
  const t = useT();
  const [rows, setRows] = useState<ExamVideo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    examQueue()
      .then(setRows)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, []);
  return (
    <section class="stack" data-testid="exam-queue">
      <h1 class="page-title">{t("media.assess.title")}</h1>
      <ErrorNote message={error} />
      {rows && !rows.length && <p class="muted">{t("media.assess.none")}</p>}
      {rows?.map((v) => (
        <a key={v.id} class="card card-link" href={hrefOf({ name: "exams", videoId: v.id })} data-testid="queued-exam">
          {v.item_key} · {clock(v.duration_s)} · {new Date(v.created_at).toLocaleString()}
        </a>
      ))}
    </section>
  );
}

function AssessOne({ id, assessor }: { id: string; assessor: string }) {
  const t = useT();
  const player = useRef<HTMLVideoElement>(null);
  const [row, setRow] = useState<ExamVideo | null>(null);
  const [marks, setMarks] = useState<{ step: string; at_s: number }[]>([]);
  const [note, setNote] = useState("");
  const [name, setName] = useState(assessor);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getExam(id)
      .then(setRow)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [id]);

  async function decide(passed: boolean) {
    if (!passed && !note.trim()) return setError(t("media.assess.reasonNeeded"));
    if (!name.trim()) return setError(t("media.assess.nameNeeded"));
    setError(null);
    try {
      setRow(await reviewExam(id, { passed, assessor: name.trim(), steps: marks, note: note.trim() }));
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  const decided = row && row.status !== "uploaded";
  return (
    <section class="stack" data-testid="exam-assess">
      <a class="link" href={hrefOf({ name: "exams", videoId: null })}>
        ← {t("media.assess.title")}
      </a>
      <ErrorNote message={error} />
      {row && (
        <>
          <p class="muted">
            {row.item_key} · {clock(row.duration_s)} · SHA-256 {row.sha256.slice(0, 12)}…
          </p>
          <video ref={player} src={examFileUrl(id)} controls playsInline class="scan-video" data-testid="exam-player" />
          {!decided && (
            <div class="row">
              {STEPS.map((s) => (
                <button key={s} class="btn" data-testid="exam-mark" onClick={() => setMarks(mark(marks, s, player.current?.currentTime ?? 0))}>
                  {t("media.assess.mark")} {s}
                </button>
              ))}
            </div>
          )}
          <ol data-testid="exam-marks">
            {(decided ? row.steps : marks).map((m) => (
              <li key={m.step}>
                {m.step} @ {clock(m.at_s)}
              </li>
            ))}
          </ol>
          {decided ? (
            <p class={`note ${row.status === "failed" ? "note-error" : ""}`} data-testid="exam-decision">
              {t(row.status === "passed" ? "media.assess.passed" : "media.assess.failed")}
              {row.note && ` · ${row.note}`}
            </p>
          ) : (
            <>
              <label class="field">
                <span>{t("media.assess.assessor")}</span>
                <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="exam-assessor" />
              </label>
              <label class="field">
                <span>{t("media.assess.reason")}</span>
                <textarea value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} data-testid="exam-note" />
              </label>
              <div class="row">
                <button class="btn btn-primary" data-testid="exam-pass" onClick={() => void decide(true)}>
                  {t("media.assess.pass")}
                </button>
                <button class="btn" data-testid="exam-fail" onClick={() => void decide(false)}>
                  {t("media.assess.fail")}
                </button>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
