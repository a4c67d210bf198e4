import { useT } from "../i18n";
import { useSync } from "../sync/live";

/** "待同步 N 条" while anything recorded here has not reached the server; tap to sync now. */
export function SyncBadge() {
  const t = useT();
  const { engine, status } = useSync();
  if (!engine || !status) return null;
  if (status.syncing) {
    return (
      <span class="pill pill-sync" data-testid="sync-state" role="status">
        {t("sync.syncing")}
      </span>
    );
  }
  if (!status.pending) return null;
  return (
    <button
      type="button"
      class="pill pill-button pill-pending"
      data-testid="sync-pending"
      title={t("sync.pendingLabel", { count: status.pending })}
      aria-label={t("sync.pendingLabel", { count: status.pending })}
      onClick={() => void engine.sync()}
    >
      {t("sync.pending", { count: status.pending })}
    </button>
  );
}
