import { useState } from "preact/hooks";

import type { Me } from "../api";
import { useT } from "../i18n";
import { entityKey } from "../sync/mutators";
import { recordOp, useSync } from "../sync/live";

/** The person's own phone number, editable offline (the `worker.update_contact` sync command). */
export function ContactCard({ me }: { me: Me }) {
  const t = useT();
  const { engine, view, versions, pendingKeys } = useSync();
  const key = entityKey("person", me.person_id);
  const person = view.get(key);
  const [editing, setEditing] = useState(false);
  const [phone, setPhone] = useState("");
  if (!engine || !person) return null;
  const current = typeof person.phone === "string" ? person.phone : "";
  const save = async (event: Event) => {
    event.preventDefault();
    await recordOp("worker.update_contact", "person", me.person_id, { phone: phone.trim() || null }, { baseVersion: versions.get(key) ?? null });
    setEditing(false);
  };
  return (
    <article class="card" data-testid="contact-card">
      <h2 class="card-title">{t("contact.heading")}</h2>
      {editing ? (
        <form class="inline-form" onSubmit={save}>
          <label>
            {t("contact.phone")}
            <input type="tel" inputMode="tel" value={phone} data-testid="contact-phone-input" onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="btn btn-small btn-primary" data-testid="contact-save">
            {t("contact.save")}
          </button>
          <button type="button" class="btn btn-small btn-secondary" onClick={() => setEditing(false)}>
            {t("contact.cancel")}
          </button>
        </form>
      ) : (
        <p>
          {t("contact.phone")}: <span data-testid="contact-phone">{current || t("contact.none")}</span>{" "}
          {pendingKeys.has(key) && <span class="chip chip-pending">{t("contact.pending")}</span>}{" "}
          <button
            type="button"
            class="btn btn-small btn-secondary"
            data-testid="contact-edit"
            onClick={() => {
              setPhone(current);
              setEditing(true);
            }}
          >
            {t("contact.edit")}
          </button>
        </p>
      )}
    </article>
  );
}
