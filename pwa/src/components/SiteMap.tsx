import type { EPermit } from "../permits/api";
import { useT } from "../i18n";

/** The work point on the site plan: the area, the nearest extinguisher, the escape route to the assembly point. */
export function SiteMap({ e }: { e: EPermit }) {
  const t = useT();
  const pts: number[][] = [...e.plan.area_polygon, e.plan.work_point, ...e.escape_route];
  if (e.nearest_extinguisher) pts.push([e.nearest_extinguisher.x, e.nearest_extinguisher.y]);
  const xs = pts.map((p) => p[0]!);
  const ys = pts.map((p) => p[1]!);
  const pad = 40;
  const x0 = Math.max(0, Math.min(...xs) - pad);
  const y0 = Math.max(0, Math.min(...ys) - pad);
  const w = Math.max(...xs) + pad - x0;
  const h = Math.max(...ys) + pad - y0;
  const poly = (list: number[][]) => list.map((p) => `${p[0]},${p[1]}`).join(" ");
  const [wx, wy] = e.plan.work_point;
  return (
    <figure class="sitemap" data-testid="site-map">
      <svg viewBox={`${x0} ${y0} ${w} ${h}`} role="img" aria-label={t("map.label")}>
        {e.plan.url && <image href={e.plan.url} x={0} y={0} width={e.plan.width} height={e.plan.height} />}
        <polygon points={poly(e.plan.area_polygon)} class="map-area" />
        {e.escape_route.length > 1 && <polyline points={poly(e.escape_route)} class="map-route" />}
        {e.nearest_extinguisher && (
          <rect x={e.nearest_extinguisher.x - 6} y={e.nearest_extinguisher.y - 6} width={12} height={12} class="map-ext" />
        )}
        {e.assembly_point && <circle cx={e.assembly_point.x} cy={e.assembly_point.y} r={8} class="map-assembly" />}
        <circle cx={wx} cy={wy} r={9} class="map-work" />
      </svg>
      <figcaption class="small muted">{t("map.legend")}</figcaption>
    </figure>
  );
}
