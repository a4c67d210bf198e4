import type { DeviceStatus } from "../alarms/types";
import { wearerFacts } from "../alarms/view";
import { useT } from "../i18n";

/** Wristbands on the control-room board: a marker on the plan and a row in the side list. */
export function wearersOf(devices: readonly DeviceStatus[]): DeviceStatus[] {
  return devices.filter((d) => d.kind === "wearable");
}

export function WearerList({ devices }: { devices: readonly DeviceStatus[] }) {
  const t = useT();
  const wearers = wearersOf(devices);
  if (wearers.length === 0) return <p class="muted small">{t("board.noWearers")}</p>;
  return (
    <ul class="health wearers" data-testid="wearables">
      {wearers.map((d) => (
        <li key={d.device_id} class={d.online ? "" : "health-offline"} data-testid={`wearer-${d.name}`}>
          <span>
            <strong>{d.person_name ?? d.name}</strong>
            {d.person_name && <span class="muted small"> {t("board.band", { band: d.name })}</span>}
            {!d.online && <span class="chip">{t("board.offline")}</span>}
          </span>
          <span class="small">
            {wearerFacts(d).map((f) => (
              <span key={f.key} class={f.warn ? "fact warn" : "fact"}>
                {t(f.key, f.values)}
              </span>
            ))}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function WearerMarkers({ devices }: { devices: readonly DeviceStatus[] }) {
  const t = useT();
  return (
    <>
      {wearersOf(devices)
        .filter((d) => d.x !== null && d.y !== null)
        .map((d) => {
          const facts = wearerFacts(d);
          const warn = facts.some((f) => f.warn);
          return (
            <g key={d.device_id} class={`plan-wearable${d.online ? "" : " offline"}${warn ? " warn" : ""}`} data-testid={`plan-wearer-${d.name}`}>
              <circle cx={d.x!} cy={d.y!} r={9} />
              <text x={d.x! + 13} y={d.y! + 4}>
                {d.person_name ?? d.name}
              </text>
              <title>{[d.person_name ?? d.name, ...facts.map((f) => t(f.key, f.values))].join(" · ")}</title>
            </g>
          );
        })}
    </>
  );
}
