import { useState } from "preact/hooks";

import { AuditHistory } from "../audit/AuditHistory";
import { seesAwayPage } from "../away/logic";
import { disablePush } from "../alarms/push";
import { signOut } from "../auth";
import { ContactCard } from "../components/ContactCard";
import { PermitBoard } from "../components/PermitBoard";
import { ProfileCard } from "../components/ProfileCard";
import { RolePanel } from "../components/RolePanel";
import { SyncNotices } from "../components/SyncNotices";
import type { Me } from "../api";
import { formatTime } from "../format";
import { useLang, useT } from "../i18n";
import { useOffline } from "../net";
import { go, hrefOf } from "../router";
import { safeStorage } from "../store";
import { MANAGER_ROLES, homeTabs, initialTab, type Tab } from "../tabs";

const TAB_KEY = "tezuo.tab";
/** Who watches a site's control-room board (backend/alarms/access.py WATCHERS). */
const BOARD_ROLES: readonly string[] = [
  "guardian",
  "inspector",
  "team_leader",
  "safety_officer",
  "workshop_director",
  "vice_president",
  "admin",
];

export function Home({ me, savedAt }: { me: Me; savedAt: string }) {
  const t = useT();
  const lang = useLang();
  const offline = useOffline();
  const tabs = homeTabs(me);
  const [picked, setPicked] = useState<Tab>(() => initialTab(tabs, safeStorage.get(TAB_KEY)));
  const tab = tabs.includes(picked) ? picked : tabs[0]!;

  const select = (next: Tab) => {
    setPicked(next);
    safeStorage.set(TAB_KEY, next);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length]!;
    select(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <section class="stack" data-testid="home">
      {offline && (
        <p class="note note-offline" data-testid="offline-note">
          {t("net.offlineNote", { time: formatTime(savedAt, lang) })}
        </p>
      )}
      <SyncNotices />
      <ProfileCard me={me} savedAt={savedAt} />
      <ContactCard me={me} />
      <PermitBoard me={me} />
      <nav class="quick" aria-label={t("tabs.label")}>
        <a class="btn btn-alarm" href={hrefOf({ name: "alarms" })} data-testid="nav-alarms">
          {t("nav.alarms")}
        </a>
        {me.roles.some((r) => BOARD_ROLES.includes(r)) && (
          <a class="btn btn-secondary" href={hrefOf({ name: "board", siteId: null })} data-testid="nav-board">
            {t("nav.board")}
          </a>
        )}
        {me.roles.some((r) => MANAGER_ROLES.includes(r)) && (
          <a class="btn btn-secondary" href={hrefOf({ name: "analytics", unitId: null })} data-testid="nav-analytics">
            {t("nav.analytics")}
          </a>
        )}
        {me.roles.some((r) => MANAGER_ROLES.includes(r) || r === "inspector") && (
          <a class="btn btn-secondary" href={hrefOf({ name: "detectors", unitId: null, detectorId: null })} data-testid="nav-detectors">
            {t("nav.detectors")}
          </a>
        )}
        {seesAwayPage(me.roles) && (
          <a class="btn btn-secondary" href={hrefOf({ name: "away", personId: null })} data-testid="nav-away">
            {t("nav.away")}
          </a>
        )}
      </nav>
      <div class="tabs" role="tablist" aria-label={t("tabs.label")} onKeyDown={onKeyDown}>
        {tabs.map((name) => (
          <button
            type="button"
            role="tab"
            key={name}
            id={`tab-${name}`}
            class="tab"
            data-testid={`tab-${name}`}
            aria-selected={name === tab}
            aria-controls={`panel-${name}`}
            tabIndex={name === tab ? 0 : -1}
            onClick={() => select(name)}
          >
            {t(`tab.${name}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} data-testid={`panel-${tab}`}>
        <RolePanel tab={tab} me={me} />
      </div>
      <AuditHistory entity="person" entityId={me.person_id} />
      <button
        type="button"
        class="btn btn-secondary"
        data-testid="signout-button"
        onClick={async () => {
          await disablePush().catch(() => undefined); // a shared phone: the next person gets their own alarms
          await signOut();
          go({ name: "login" });
        }}
      >
        {t("signout")}
      </button>
    </section>
  );
}
