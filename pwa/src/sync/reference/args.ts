/** Checking command args the way msgspec checks the Python args Structs (forbid unknown fields,
 *  types, defaults, ranges, lengths), so both references reject the same ops as `invalid_args`. */

import type { JsonObject } from "../messages";
import { canonicalUuid, type ArgsParser } from "./push";

export interface Field {
  type: "str" | "number" | "uuid";
  nullable?: boolean;
  required?: boolean;
  default?: unknown;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
}

function check(name: string, spec: Field, value: unknown): unknown {
  if (value === null && spec.nullable) return null;
  if (spec.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`Expected \`float\` - at \`$.${name}\``);
    if (spec.min !== undefined && value < spec.min) throw new RangeError(`Expected \`float\` >= ${spec.min} - at \`$.${name}\``);
    if (spec.max !== undefined && value > spec.max) throw new RangeError(`Expected \`float\` <= ${spec.max} - at \`$.${name}\``);
    return value;
  }
  if (typeof value !== "string") throw new TypeError(`Expected \`str\` - at \`$.${name}\``);
  if (spec.type === "uuid") {
    const id = canonicalUuid(value);
    if (id === null) throw new TypeError(`Invalid UUID - at \`$.${name}\``);
    return id;
  }
  const length = [...value].length;
  if (spec.minLength !== undefined && length < spec.minLength) throw new RangeError(`Expected \`str\` of length >= ${spec.minLength} - at \`$.${name}\``);
  if (spec.maxLength !== undefined && length > spec.maxLength) throw new RangeError(`Expected \`str\` of length <= ${spec.maxLength} - at \`$.${name}\``);
  return value;
}

export function struct(fields: Record<string, Field>): ArgsParser {
  return (args: JsonObject) => {
    try {
      for (const name of Object.keys(args)) {
        if (!(name in fields)) throw new TypeError(`Object contains unknown field \`${name}\``);
      }
      const out: JsonObject = {};
      for (const [name, spec] of Object.entries(fields)) {
        if (name in args) out[name] = check(name, spec, args[name]);
        else if (spec.required) throw new TypeError(`Object missing required field \`${name}\``);
        else if (spec.default !== undefined) out[name] = spec.default;
      }
      return out;
    } catch (err) {
      return (err as Error).message;
    }
  };
}
