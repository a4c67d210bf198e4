import type { UnitRef } from "../analytics/types";

/** The header's unit choice on the analytics and detectors pages: shown when there is more than one. */
export function UnitPicker(props: {
  units: UnitRef[] | null;
  active: string | null;
  label: string;
  testId: string;
  onPick: (unitId: string) => void;
}) {
  const { units, active, label, testId, onPick } = props;
  if (!units || units.length <= 1) return null;
  return (
    <label class="board-site">
      {label}
      <select data-testid={testId} value={active ?? ""} onChange={(e) => onPick(e.currentTarget.value)}>
        {units.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
      </select>
    </label>
  );
}
