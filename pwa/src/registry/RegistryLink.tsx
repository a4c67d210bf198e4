import type { Me } from "../api";
import { useT } from "../i18n";
import { hrefOf } from "../router";
import { seesRegistry } from "./access";

/** The way into the registry page from the manager tab, for the safety department, HR and admins. */
export function RegistryLink({ me }: { me: Me }) {
  const t = useT();
  if (!seesRegistry(me.roles)) return null;
  return (
    <a class="card card-link" href={hrefOf({ name: "registry" })} data-testid="link-registry">
      <h2 class="card-title">{t("registry.title")}</h2>
      <p class="muted">{t("registry.lead")}</p>
    </a>
  );
}
