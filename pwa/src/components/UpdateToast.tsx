import { useT } from "../i18n";
import { useStore } from "../store";
import { updateStore } from "../sw-register";

export function UpdateToast() {
  const t = useT();
  const apply = useStore(updateStore);
  if (!apply) return null;
  return (
    <div class="toast" role="status" data-testid="update-toast">
      <div class="toast-text">
        <strong>{t("update.available")}</strong>
        <span>{t("update.body")}</span>
      </div>
      <button type="button" class="btn btn-small" data-testid="update-button" onClick={apply}>
        {t("update.apply")}
      </button>
    </div>
  );
}
