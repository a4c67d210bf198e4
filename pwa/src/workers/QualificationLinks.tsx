import { useT } from "../i18n";
import { hrefOf } from "../router";
import type { Tab } from "../tabs";

/** The way into the qualification pages from a home tab: workers to their certificates, managers
 * and inspectors to the ledger. */
export function QualificationLinks({ tab }: { tab: Tab }) {
  const t = useT();
  if (tab === "worker") {
    return (
      <>
        <a class="card card-link" href={hrefOf({ name: "certificates" })} data-testid="link-certificates">
          <h2 class="card-title">{t("qual.mine.title")}</h2>
          <p class="muted">{t("qual.mine.lead")}</p>
        </a>
        <a class="card card-link" href={hrefOf({ name: "badge" })} data-testid="link-badge">
          <h2 class="card-title">{t("badge.link.code")}</h2>
          <p class="muted">{t("badge.link.codeLead")}</p>
        </a>
      </>
    );
  }
  if (tab === "manager" || tab === "inspector") {
    return (
      <>
        {tab === "inspector" && (
          <a class="card card-link" href={hrefOf({ name: "verify" })} data-testid="link-verify">
            <h2 class="card-title">{t("badge.link.scan")}</h2>
            <p class="muted">{t("badge.link.scanLead")}</p>
          </a>
        )}
        <a class="card card-link" href={hrefOf({ name: "ledger", view: "list" })} data-testid="link-ledger">
          <h2 class="card-title">{t("qual.ledger.title")}</h2>
          <p class="muted">{t("qual.ledger.lead")}</p>
        </a>
        {tab === "manager" && (
          <a class="card card-link" href={hrefOf({ name: "scans", scanId: null })} data-testid="link-scans">
            <h2 class="card-title">{t("media.queue.title")}</h2>
            <p class="muted">{t("media.queue.lead")}</p>
          </a>
        )}
        {tab === "manager" && (
          <a class="card card-link" href={hrefOf({ name: "exams", videoId: null })} data-testid="link-exams">
            <h2 class="card-title">{t("media.assess.title")}</h2>
            <p class="muted">{t("media.assess.lead")}</p>
          </a>
        )}
      </>
    );
  }
  return null;
}
