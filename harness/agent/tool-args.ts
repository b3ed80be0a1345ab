/**
 * Tool arguments come from a model: anything may be missing or of the wrong type.
 * A bad argument becomes a message naming the field, which the tool returns as an
 * error result so the model can correct itself.
 */

export type FieldKind = 'string' | 'integer' | 'number';

export interface FieldSpec {
  kind: FieldKind;
  required: boolean;
  /** Smallest allowed value for numbers. */
  min?: number;
  /** Whether an empty string is acceptable (file content may be empty; a path may not). */
  allowEmpty?: boolean;
}

export type ArgSpec = Record<string, FieldSpec>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

export function parseArgs<T>(tool: string, input: unknown, spec: ArgSpec): Parsed<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: `${tool}: arguments must be an object, got ${describe(input)}` };
  }
  const record = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec)) {
    const v = record[name];
    if (v === undefined || v === null) {
      if (field.required) return { ok: false, message: `${tool}: missing required field "${name}" (${field.kind})` };
      continue;
    }
    if (field.kind === 'string') {
      if (typeof v !== 'string') return { ok: false, message: `${tool}: field "${name}" must be a string, got ${describe(v)}` };
      if (!field.allowEmpty && v === '') return { ok: false, message: `${tool}: field "${name}" must not be empty` };
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return { ok: false, message: `${tool}: field "${name}" must be a number, got ${describe(v)}` };
      }
      if (field.kind === 'integer' && !Number.isInteger(v)) {
        return { ok: false, message: `${tool}: field "${name}" must be a whole number, got ${v}` };
      }
      if (field.min !== undefined && v < field.min) {
        return { ok: false, message: `${tool}: field "${name}" must be at least ${field.min}, got ${v}` };
      }
    }
    out[name] = v;
  }
  const unknown = Object.keys(record).filter((k) => !(k in spec));
  if (unknown.length > 0) {
    return { ok: false, message: `${tool}: unknown field "${unknown[0]}" (fields: ${Object.keys(spec).join(', ')})` };
  }
  return { ok: true, value: out as T };
}
