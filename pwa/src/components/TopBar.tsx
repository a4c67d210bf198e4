import { otherLang, setLang, useLang, useT } from "../i18n";
import { useOffline } from "../net";
import { SyncBadge } from "./SyncBadge";

export function TopBar() {
  const t = useT();
  const lang = useLang();
  const offline = useOffline();
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href="#/">
          <img class="brand-icon" src="/icons/icon-192.png" alt="" width={32} height={32} />
          <span class="brand-name">{t("app.name")}</span>
          <span class="brand-tagline">{t("app.tagline")}</span>
        </a>
        {offline ? (
          <span class="pill pill-offline" data-testid="offline-badge" role="status">
            {t("net.offline")}
          </span>
        ) : (
          <span class="pill pill-online" data-testid="online-badge">
            {t("net.online")}
          </span>
        )}
        <SyncBadge />
        <button
          type="button"
          class="pill pill-button"
          data-testid="lang-toggle"
          lang={otherLang(lang)}
          aria-label={t("lang.toggleLabel")}
          onClick={() => setLang(otherLang(lang))}
        >
          {t("lang.toggle")}
        </button>
      </div>
    </header>
  );
}
