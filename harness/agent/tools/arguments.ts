import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';

/**
 * Tool arguments come from a model: anything may be missing or of the wrong type. They are
 * checked against the tool's own schema, and the first problem becomes one line naming the
 * tool and the argument, which the tool returns as an error result so the model can
 * correct itself.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

/** `/old_text` → `old_text` (a JSON pointer into the arguments object). */
function fieldName(pointer: string): string {
  return pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
}

function problem(e: ValueError, schema: TObject): string {
  const field = `field "${fieldName(e.path)}"`;
  const s = e.schema as TSchema & { type?: string; minimum?: number };
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `missing required ${field} (${s.type ?? 'value'})`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `unknown ${field} (fields: ${Object.keys(schema.properties).join(', ')})`;
    case ValueErrorType.String:
      return `${field} must be a string, got ${describe(e.value)}`;
    case ValueErrorType.StringMinLength:
      return `${field} must not be empty`;
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
      return typeof e.value === 'number' && Number.isFinite(e.value)
        ? `${field} must be a whole number, got ${e.value}`
        : `${field} must be a number, got ${describe(e.value)}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `${field} must be at least ${s.minimum}, got ${String(e.value)}`;
    default:
      return `${field}: ${e.message}`;
  }
}

export function parseArguments<S extends TObject>(tool: string, schema: S, input: unknown): Parsed<Static<S>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: `${tool}: arguments must be an object, got ${describe(input)}` };
  }
  // Models send null for an optional argument they mean to leave out.
  const args = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
  const first = Value.Errors(schema, args).First();
  if (first) return { ok: false, message: `${tool}: ${problem(first, schema)}` };
  return { ok: true, value: args as Static<S> };
}
