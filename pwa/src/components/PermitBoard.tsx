import { useState } from "preact/hooks";

import type { Grant, Me } from "../api";
import { errorMessage } from "../signin";
import { type MessageKey, useT } from "../i18n";
import type { JsonObject } from "../sync/messages";
import { entityKey } from "../sync/mutators";
import { recordOp, useSync } from "../sync/live";
import { uuid7 } from "../sync/uuid";

// Who may do what on a permit, as the server's commands check it (sync/reference.py); the server
// re-checks on push, the buttons only avoid offering what would surely be refused.
const RECORDERS = ["guardian", "safety_officer", "inspector", "team_leader"];
const APPROVERS = ["safety_officer", "workshop_director", "vice_president"];
const CANCELLERS = ["team_leader", "safety_officer", "workshop_director"];

function holds(grants: Grant[], roles: string[], path: string): boolean {
  return grants.some((g) => roles.includes(g.role) && path.startsWith(g.scope_path));
}

const num = (value: unknown) => (typeof value === "number" ? value : 0);

/** The reference permit commands of the sync protocol (gas.record, permit.approve, permit.cancel,
 *  sync/reference.py) as a screen: synced permits, their gas readings, offline actions. Shown only
 *  when the server says it decides those commands — the sync browser test's site does; the permits
 *  module has its own screens and registers its own commands (docs/sync.md). */
export const BOARD_COMMANDS = ["gas.record", "permit.approve", "permit.cancel"];

export function PermitBoard({ me }: { me: Me }) {
  const t = useT();
  const { engine, view } = useSync();
  if (!engine || !BOARD_COMMANDS.every((kind) => engine.commands.has(kind))) return null;
  const permits = [...view.entries()].filter(([key]) => key.startsWith("permit/"));
  if (!permits.length) return null;
  return (
    <section class="stack" data-testid="permit-board">
      <h2 class="card-title">{t("syncPermit.heading")}</h2>
      {permits.map(([key, permit]) => (
        <PermitCard key={key} id={key.slice("permit/".length)} permit={permit} me={me} />
      ))}
    </section>
  );
}

function PermitCard({ id, permit, me }: { id: string; permit: JsonObject; me: Me }) {
  const t = useT();
  const { view, versions, pendingKeys } = useSync();
  const [values, setValues] = useState({ o2: "20.9", lel: "0", h2s: "0", co: "0" });
  const [reason, setReason] = useState(t("syncPermit.cancelDefault"));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const path = String(permit.scope_path ?? "");
  const status = String(permit.status ?? "");
  const key = entityKey("permit", id);
  const readings = [...view.entries()]
    .filter(([k, r]) => k.startsWith("gas_reading/") && r.permit_id === id)
    .sort(([, a], [, b]) => num(a.measured_at) - num(b.measured_at));

  const act = async (work: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await work();
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  };
  const recordGas = (event: Event) => {
    event.preventDefault();
    void act(() =>
      recordOp("gas.record", "gas_reading", uuid7(), {
        permit_id: id,
        o2_pct: Number(values.o2),
        lel_pct: Number(values.lel),
        h2s_ppm: Number(values.h2s),
        co_ppm: Number(values.co),
      }),
    );
  };
  const field = (name: keyof typeof values, label: MessageKey) => (
    <label>
      {t(label)}
      <input
        type="number"
        inputMode="decimal"
        step="0.1"
        min="0"
        value={values[name]}
        data-testid={`gas-${name}`}
        onInput={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  const statusKey = `syncPermit.status.${status}` as MessageKey;

  return (
    <article class="card" data-testid="permit" data-permit={id}>
      <h3 class="card-subtitle">
        {String(permit.title ?? id)}{" "}
        <span class={`chip chip-status-${status}`} data-testid="permit-status" data-status={status}>
          {["pending", "approved", "cancelled", "closed"].includes(status) ? t(statusKey) : status}
        </span>
        {pendingKeys.has(key) && <span class="chip chip-pending">{t("syncPermit.unsynced")}</span>}
      </h3>
      {typeof permit.cancel_reason === "string" && <p class="muted">{t("syncPermit.cancelledBy", { reason: permit.cancel_reason })}</p>}
      {typeof permit.note === "string" && permit.note && <p class="muted">{t("syncPermit.note", { note: permit.note })}</p>}
      <p class="small">{readings.length ? t("syncPermit.readings", { count: readings.length }) : t("syncPermit.noReadings")}</p>
      <ul class="readings" data-testid="gas-readings">
        {readings.map(([k, r]) => (
          <li key={k} data-testid="gas-reading">
            {t("syncPermit.reading", { o2: num(r.o2_pct), lel: num(r.lel_pct), h2s: num(r.h2s_ppm), co: num(r.co_ppm) })}
            {pendingKeys.has(k) && <span class="chip chip-pending">{t("syncPermit.unsynced")}</span>}
          </li>
        ))}
      </ul>
      {holds(me.grants, RECORDERS, path) && (
        <form class="gas-form" onSubmit={recordGas}>
          {field("o2", "syncPermit.o2")}
          {field("lel", "syncPermit.lel")}
          {field("h2s", "syncPermit.h2s")}
          {field("co", "syncPermit.co")}
          <button type="submit" class="btn btn-small btn-primary" data-testid="gas-record" disabled={busy}>
            {t("syncPermit.record")}
          </button>
        </form>
      )}
      <div class="actions">
        {status === "pending" && holds(me.grants, APPROVERS, path) && (
          <button
            type="button"
            class="btn btn-small btn-primary"
            data-testid="permit-approve"
            disabled={busy}
            onClick={() => void act(() => recordOp("permit.approve", "permit", id, {}, { baseVersion: versions.get(key) ?? null, signed: true }))}
          >
            {busy ? t("syncPermit.approving") : t("syncPermit.approve")}
          </button>
        )}
        {["pending", "approved"].includes(status) && holds(me.grants, CANCELLERS, path) && (
          <span class="inline-form">
            <input aria-label={t("syncPermit.cancelReason")} value={reason} data-testid="permit-cancel-reason" onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            <button
              type="button"
              class="btn btn-small btn-secondary"
              data-testid="permit-cancel"
              disabled={busy || !reason.trim()}
              onClick={() => void act(() => recordOp("permit.cancel", "permit", id, { reason: reason.trim() }))}
            >
              {t("syncPermit.cancel")}
            </button>
          </span>
        )}
      </div>
      {error && <p class="note note-error">{error}</p>}
    </article>
  );
}
