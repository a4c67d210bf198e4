import type { Me } from "../api";
import { formatTime } from "../format";
import { roleLabel, useLang, useT } from "../i18n";
import { sortRoles } from "../tabs";

export function ProfileCard({ me, savedAt }: { me: Me; savedAt: string }) {
  const t = useT();
  const lang = useLang();
  return (
    <article class="card profile" data-testid="profile">
      <div class="profile-head">
        <div class="avatar" aria-hidden="true">
          {me.name.slice(0, 1)}
        </div>
        <div>
          <h1 class="profile-name" data-testid="person-name">
            {me.name}
          </h1>
          <p class="muted" data-testid="unit-name">
            {me.unit_name || me.unit_path}
          </p>
        </div>
      </div>
      <dl class="facts">
        <dt>{t("profile.idNumber")}</dt>
        <dd class="mono" data-testid="id-number">
          {me.id_number_masked}
        </dd>
        <dt>{t("profile.roles")}</dt>
        <dd class="chips">
          {sortRoles(me.roles).map((role) => (
            <span class="chip" key={role}>
              {roleLabel(t, role)}
            </span>
          ))}
        </dd>
      </dl>
      <p class="muted small">{t("profile.savedAt", { time: formatTime(savedAt, lang) })}</p>
    </article>
  );
}
