import { useEffect, useState } from "preact/hooks";

import { useT } from "../i18n";
import { permitsApi } from "../permits/api";

const api = permitsApi();

interface MapData {
  site_id: string;
  permits: { id: string; number: string; work_type: string; grade_label: string; status: string; point: number[] }[];
  conflicts: { permit_id: string; other_id: string; other_number: string; action: string; clause: string; text: string; distance_m: number }[];
}

/** Live permits on the site plan; lines join pairs that conflict (red: blocked, orange: warning). */
export function SimopsMap() {
  const t = useT();
  const [data, setData] = useState<MapData | null>(null);
  const [plan, setPlan] = useState<{ url: string | null; width: number; height: number } | null>(null);
  useEffect(() => {
    void (async () => {
      try {
        const site = (await api.sites()).find((u) => u.kind === "site");
        if (!site) return;
        const map = await api.request<{ plan_url: string | null; width: number; height: number }>(
          "GET",
          `/api/org/sites/${site.id}/map`,
        );
        setPlan({ url: map.plan_url, width: map.width || 1600, height: map.height || 1000 });
        setData(await api.request<MapData>("GET", `/api/permits/map?site_id=${site.id}`));
      } catch {
        setData(null);
      }
    })();
  }, []);
  if (!data || !plan) return null;
  const at = (id: string) => data.permits.find((p) => p.id === id)?.point ?? [0, 0];
  return (
    <article class="card stack" data-testid="simops-map">
      <h2 class="card-title">{t("simops.title", { n: data.permits.length })}</h2>
      <figure class="sitemap">
        <svg viewBox={`0 0 ${plan.width} ${plan.height}`} role="img" aria-label={t("simops.title", { n: data.permits.length })}>
          {plan.url && <image href={plan.url} x={0} y={0} width={plan.width} height={plan.height} />}
          {data.conflicts.map((c, i) => {
            const [x1, y1] = at(c.permit_id);
            const [x2, y2] = at(c.other_id);
            return (
              <line key={i} x1={x1} y1={y1} x2={x2} y2={y2} class={c.action === "block" ? "map-block" : "map-warn"} />
            );
          })}
          {data.permits.map((p) => (
            <circle key={p.id} cx={p.point[0]} cy={p.point[1]} r={14} class="map-work">
              <title>
                {p.number} {p.grade_label}
              </title>
            </circle>
          ))}
        </svg>
      </figure>
      <ul class="list small">
        {data.conflicts.map((c, i) => (
          <li key={i}>
            <span class={`badge ${c.action === "block" ? "status-rejected" : ""}`}>{t(`simops.${c.action === "block" ? "block" : "warn"}`)}</span>{" "}
            {c.other_number}: {c.text}（{c.clause}，{c.distance_m} m）
          </li>
        ))}
      </ul>
    </article>
  );
}
