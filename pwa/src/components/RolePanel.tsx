import type { Me } from "../api";
import { roleLabel, useT } from "../i18n";
import { grantsOfTab, type Tab } from "../tabs";
import { EPermitsPanel, PermitsPanel } from "./PermitsPanel";
import { RegistryLink } from "../registry/RegistryLink";
import { QualificationLinks } from "../workers/QualificationLinks";

/** One tab's first screen: what the role means for this person, where they hold it, what comes next. */
export function RolePanel({ tab, me }: { tab: Tab; me: Me }) {
  const t = useT();
  const grants = grantsOfTab(me.grants, tab);
  return (
    <div class="stack">
      <article class="card">
        <h2 class="card-title">{t("duty.heading")}</h2>
        <p>{t(`duty.${tab}`)}</p>
        <h3 class="card-subtitle">{t("scope.heading")}</h3>
        {grants.length ? (
          <ul class="grants" data-testid={`grants-${tab}`}>
            {grants.map((g) => (
              <li key={`${g.role}@${g.scope_path}`}>
                <span class="chip chip-strong">{roleLabel(t, g.role)}</span>
                <span class="grant-scope">{g.scope_name || g.scope_path}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t("scope.none")}</p>
        )}
      </article>
      <QualificationLinks tab={tab} />
      {tab === "manager" && <RegistryLink me={me} />}
      {tab === "manager" && <PermitsPanel me={me} />}
      {(tab === "guardian" || tab === "inspector") && <EPermitsPanel />}
      {tab === "worker" && (
        <article class="card card-soon" data-testid={`soon-${tab}`}>
          <span class="badge">{t("soon.badge")}</span>
          <p>{t(`soon.${tab}`)}</p>
        </article>
      )}
    </div>
  );
}
