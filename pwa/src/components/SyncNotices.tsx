import { formatTime } from "../format";
import { type MessageKey, type Translate, useLang, useT } from "../i18n";
import type { NoticeRecord } from "../sync/store";
import { useSync } from "../sync/live";

export function kindLabel(t: Translate, kind: string): string {
  const key = `sync.kind.${kind}`;
  return key in KINDS ? t(key as MessageKey) : kind;
}
const KINDS: Record<string, true> = {
  "sync.kind.gas.record": true,
  "sync.kind.permit.approve": true,
  "sync.kind.permit.cancel": true,
  "sync.kind.permit.edit_note": true,
  "sync.kind.worker.update_contact": true,
};

function fieldLabel(t: Translate, name: string): string {
  return ["phone", "locale", "note"].includes(name) ? t(`field.${name}` as MessageKey) : name;
}

function statusOf(t: Translate, notice: NoticeRecord): string | null {
  const status = notice.current?.data.status;
  if (typeof status !== "string") return null;
  const key = `syncPermit.status.${status}`;
  return ["pending", "approved", "cancelled", "closed"].includes(status) ? t(key as MessageKey) : status;
}

/** "需要处理": every op the server refused, with its reason; and merges that kept a newer value. */
export function SyncNotices() {
  const t = useT();
  const lang = useLang();
  const { engine, status } = useSync();
  if (!engine || !status) return null;
  const rejected = status.notices.filter((n) => n.needs_action);
  const merged = status.notices.filter((n) => !n.needs_action);
  return (
    <>
      {status.signedOut && <p class="note note-error">{t("sync.signedOut")}</p>}
      {status.error && !status.signedOut && status.pending > 0 && status.retryAt && (
        <p class="note note-offline" data-testid="sync-retry">
          {t("sync.retryAt", { time: formatTime(new Date(status.retryAt).toISOString(), lang) })}
        </p>
      )}
      {rejected.length > 0 && (
        <section class="card card-alert" data-testid="sync-notices" aria-live="polite">
          <h2 class="card-title">{t("sync.needsAction")}</h2>
          <p class="muted">{t("sync.needsActionLead")}</p>
          <ul class="notices">
            {rejected.map((notice) => {
              const state = statusOf(t, notice);
              return (
                <li key={notice.op_id} class="notice" data-testid="sync-notice" data-code={notice.code}>
                  <p>{t("sync.rejected", { kind: kindLabel(t, notice.kind), reason: notice.reason })}</p>
                  {state && <p class="muted small">{t("sync.currentState", { state })}</p>}
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => void engine.dismiss(notice.op_id)}>
                    {t("sync.dismiss")}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {merged.length > 0 && (
        <section class="card" data-testid="sync-merged">
          <h2 class="card-title">{t("sync.mergedHeading")}</h2>
          <ul class="notices">
            {merged.map((notice) => (
              <li key={notice.op_id} class="notice">
                <p>{t("sync.merged", { kind: kindLabel(t, notice.kind), fields: notice.lost.map((f) => fieldLabel(t, f)).join("、") })}</p>
                <button type="button" class="btn btn-small btn-secondary" onClick={() => void engine.dismiss(notice.op_id)}>
                  {t("sync.dismiss")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
