import { useEffect, useRef, useState } from "preact/hooks";

import { authStore } from "../auth";
import { ErrorNote } from "../components/ErrorNote";
import { useLang, useT, type MessageKey, type Translate } from "../i18n";
import { useOffline } from "../net";
import { hrefOf } from "../router";
import { useStore } from "../store";
import { recordOp } from "../sync/live";
import { uuid7 } from "../sync/uuid";
import { startScanner, type Scanner } from "./camera";
import { b64bytes, loadSite, RootChanged, syncSite, type SiteBundle } from "./local";
import { loadTrustList, verifyCode, type TrustList, type Verdict } from "./verify";
import { locate, scanWhere } from "./where";

const epochDay = (day: number, lang: string) => new Date(day * 86400_000).toLocaleDateString(lang, { timeZone: "UTC" });

function workTypeName(bundle: SiteBundle, code: string, lang: string): string {
  const w = bundle.work_types.find((x) => x.code === code);
  return w ? (lang === "en" ? w.name_en : w.name) : code;
}

function age(t: Translate, seconds: number): string {
  if (seconds < 3600) return t("badge.scan.ageMinutes", { n: Math.max(0, Math.floor(seconds / 60)) });
  if (seconds < 86400 * 2) return t("badge.scan.ageHours", { n: Math.floor(seconds / 3600) });
  return t("badge.scan.ageDays", { n: Math.floor(seconds / 86400) });
}

/** 扫码核验 (inspector): checks a worker's code offline against the synced trust list, freeze list
 * and photos; the verdict in green / amber / red with reasons; each scan goes to the sync outbox. */
export function ScanPage() {
  const t = useT();
  const lang = useLang();
  const offline = useOffline();
  const auth = useStore(authStore);
  const personId = auth.status === "signedIn" ? auth.me.person_id : "";
  const [bundle, setBundle] = useState<SiteBundle | null>(null);
  const [trust, setTrust] = useState<TrustList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [need, setNeed] = useState("");
  const [permitId, setPermitId] = useState("");
  const [place, setPlace] = useState("");
  const [where, setWhere] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [verifyMs, setVerifyMs] = useState<number | null>(null);
  const [scans, setScans] = useState(0);
  const [scanner, setScanner] = useState<Scanner | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [, tick] = useState(0);

  async function adopt(b: SiteBundle | null) {
    setBundle(b);
    setTrust(b ? await loadTrustList(b64bytes(b.trust_list), b64bytes(b.root)) : null);
  }

  async function sync() {
    setBusy(true);
    setError(null);
    try {
      await adopt(await syncSite(personId));
    } catch (err) {
      setError(err instanceof RootChanged ? t("badge.scan.rootChanged") : t("badge.scan.syncFailed"));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (!personId) return;
    void (async () => {
      const cached = await loadSite(personId);
      await adopt(cached).catch(() => setError(t("badge.scan.syncFailed")));
      if (!cached && !offline) await sync();
    })();
  }, [personId]);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => {
      clearInterval(timer);
      scanner?.stop();
    };
  }, [scanner]);

  async function check(code: string) {
    if (!trust || !bundle || !code.trim()) return;
    const permit = (bundle.permits ?? []).find((p) => p.id === permitId) ?? null;
    const [wt, role] = need && !permit ? need.split("|") : [];
    const required = wt ? bundle.work_types.find((w) => w.code === wt)?.roles[role!] ?? [] : null;
    const started = performance.now();
    const v = await verifyCode({
      text: code,
      trust,
      now: Math.floor(Date.now() / 1000),
      synced: bundle.synced,
      required,
      permit,
    });
    setVerifyMs(performance.now() - started);
    setVerdict(v);
    setScans((n) => n + 1);
    setWhere(null);
    // the verdict is on screen; only the scan log waits (briefly) for the device's position
    const here = scanWhere(await locate(navigator.geolocation), place || permit?.area_name || "");
    try {
      await recordOp("badge.scan", "badge_scan", uuid7(), {
        code: code.trim().slice(0, 2000),
        verdict: v.verdict,
        reasons: v.reasons.map((r) => r.code).slice(0, 20),
        ...here,
        work_type: permit ? permit.work_type : wt ?? null,
        permit_id: permit ? permit.id : null,
      });
    } catch {
      // sync not running (should not happen while signed in): the verdict still stands
    }
    setWhere(
      here.accuracy !== undefined
        ? t("badge.scan.whereGps", { m: Math.round(here.accuracy) })
        : here.place
          ? t("badge.scan.wherePlace", { place: here.place })
          : t("badge.scan.whereUnit"),
    );
  }

  // the camera's callback outlives renders: let it call the latest check (picked permit, place)
  const latestCheck = useRef(check);
  latestCheck.current = check;

  async function toggleCamera() {
    if (scanner) {
      scanner.stop();
      setScanner(null);
      return;
    }
    try {
      setScanner(await startScanner(video.current!, (read) => {
        setText(read);
        void latestCheck.current(read);
      }));
    } catch {
      setError(t("badge.scan.noCamera"));
    }
  }

  const dataAge = bundle ? Math.floor(Date.now() / 1000) - bundle.synced.as_of : null;
  const stale = trust && dataAge !== null && dataAge > trust.stale;
  return (
    <section class="stack" data-testid="scan-page">
      <a class="link" href={hrefOf({ name: "home" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("badge.scan.title")}</h1>
      <ErrorNote message={error} />
      <article class="card">
        <p data-testid="data-age" class={stale ? "note note-error" : "muted"}>
          {bundle && dataAge !== null
            ? t("badge.scan.dataAge", { age: age(t, dataAge), n: bundle.synced.workers.length })
            : t("badge.scan.noData")}
        </p>
        <button class="btn btn-secondary btn-small" disabled={busy || offline} onClick={() => void sync()} data-testid="badge-sync">
          {busy ? t("common.loading") : t("badge.scan.sync")}
        </button>
      </article>
      {bundle && (
        <article class="card stack">
          <label>
            {t("badge.scan.permit")}
            <select value={permitId} onChange={(e) => setPermitId((e.target as HTMLSelectElement).value)} data-testid="badge-permit">
              <option value="">{t("badge.scan.noPermit")}</option>
              {(bundle.permits ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {t("badge.scan.permitOption", {
                    number: p.number,
                    type: workTypeName(bundle, p.work_type, lang),
                    area: p.area_name,
                  })}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("badge.scan.work")}
            <select value={need} disabled={!!permitId} onChange={(e) => setNeed((e.target as HTMLSelectElement).value)} data-testid="badge-work">
              <option value="">{t("badge.scan.noWork")}</option>
              {bundle.work_types.flatMap((w) =>
                Object.keys(w.roles).map((role) => (
                  <option key={`${w.code}|${role}`} value={`${w.code}|${role}`}>
                    {lang === "en" ? w.name_en : w.name} · {t(`badge.role.${role}` as MessageKey)}
                  </option>
                )),
              )}
            </select>
          </label>
          <label>
            {t("badge.scan.place")}
            <input value={place} maxLength={120} onInput={(e) => setPlace((e.target as HTMLInputElement).value)} data-testid="badge-place" />
          </label>
          <button class="btn btn-primary" onClick={() => void toggleCamera()} data-testid="badge-camera">
            {scanner ? t("badge.scan.stopCamera") : t("badge.scan.camera")}
          </button>
          <video ref={video} class="badge-video" hidden={!scanner} data-engine={scanner?.engine ?? ""} />
          <label>
            {t("badge.scan.paste")}
            <textarea rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} data-testid="badge-text" />
          </label>
          <button class="btn btn-secondary" onClick={() => void check(text)} data-testid="badge-check">
            {t("badge.scan.check")}
          </button>
        </article>
      )}
      {verdict && <VerdictCard verdict={verdict} bundle={bundle!} verifyMs={verifyMs} scans={scans} />}
      {verdict && where && (
        <p class="muted small" data-testid="scan-where">
          {where}
        </p>
      )}
    </section>
  );
}

interface VerdictProps {
  verdict: Verdict;
  bundle: SiteBundle;
  verifyMs: number | null;
  scans: number;
}

function VerdictCard({ verdict, bundle, verifyMs, scans }: VerdictProps) {
  const t = useT();
  const lang = useLang();
  const w = verdict.worker;
  const photo = w ? bundle.photos[w.id] : undefined;
  return (
    <article
      class={`card verdict verdict-${verdict.verdict}`}
      data-testid="verdict"
      data-verdict={verdict.verdict}
      data-codes={verdict.reasons.map((r) => r.code).sort().join(",")}
      data-verify-ms={verifyMs?.toFixed(2) ?? ""}
      data-scans={scans}
      aria-live="polite"
    >
      <h2 class="card-title">{t(`badge.verdict.${verdict.verdict}`)}</h2>
      {verdict.reasons.length > 0 && (
        <ul data-testid="verdict-reasons">
          {verdict.reasons.map((r) => (
            <li key={r.code}>
              {t(`badge.reason.${r.code}` as MessageKey)}
              {r.detail && r.code !== "bad_base45" && r.code !== "bad_zlib" && r.code !== "bad_cose" ? `：${r.detail}` : ""}
            </li>
          ))}
        </ul>
      )}
      {w && (
        <div class="verdict-worker">
          {photo ? (
            <img class="verdict-photo" src={photo} alt={t("badge.scan.photo")} data-testid="verdict-photo" />
          ) : (
            <p class="muted small">{t("badge.scan.noPhoto")}</p>
          )}
          <div>
            <p class="verdict-name" data-testid="verdict-name">{w.name || "—"}</p>
            <p class="muted small">{w.id_masked}</p>
            <p class="muted small">{verdict.kind === "badge" ? t("badge.scan.kindBadge") : t("badge.scan.kindDynamic")}</p>
            <ul class="small">
              {w.certs.map((c) => (
                <li key={c[1]}>
                  {c[1]} · {t("badge.scan.validUntil", { date: epochDay(c[4] !== null && c[4] < c[3] ? c[4] : c[3], lang) })}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </article>
  );
}
