import { invalid } from './errors.ts';

/**
 * Strict readers for untrusted JSON. Each names the offending field, refuses
 * prototype-polluting keys and unknown fields, and never coerces types.
 */
export type Fields = Record<string, unknown>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function readObject(value: unknown, field: string, allowed: readonly string[]): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('input.not_object', `${field} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw invalid('input.forbidden_key', `${field} may not contain the key "${key}"`);
    if (!allowed.includes(key)) throw invalid('input.unknown_field', `${field}.${key} is not a known field`);
  }
  return value as Fields;
}

// Control characters (C0, DEL, C1) and invisible formatting characters
// (zero-width space/joiners, bidi overrides, word joiner, BOM).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** A single-line label such as a guild or channel name: trimmed, no control or invisible characters. */
export function readName(fields: Fields, key: string, max: number): string {
  const raw = fields[key];
  if (typeof raw !== 'string') throw invalid('input.not_string', `${key} must be a string`);
  const value = raw.trim();
  if (value.length === 0) throw invalid('input.empty', `${key} must not be empty`);
  if (value.length > max) throw invalid('input.too_long', `${key} must be at most ${max} characters`);
  if (CONTROL.test(value) || INVISIBLE.test(value)) {
    throw invalid('input.bad_characters', `${key} must not contain control or invisible characters`);
  }
  return value;
}

/** Free text such as message content: newlines and tabs allowed, other control characters refused. */
export function readText(fields: Fields, key: string, max: number): string {
  const raw = fields[key];
  if (typeof raw !== 'string') throw invalid('input.not_string', `${key} must be a string`);
  if (raw.trim().length === 0) throw invalid('input.empty', `${key} must not be empty`);
  if (raw.length > max) throw invalid('input.too_long', `${key} must be at most ${max} characters`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(raw)) {
    throw invalid('input.bad_characters', `${key} must not contain control characters`);
  }
  return raw;
}

/** An optional positive integer within [1, max]; absent or null reads as null. */
export function readOptionalCount(fields: Fields, key: string, max: number): number | null {
  const raw = fields[key];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > max) {
    throw invalid('input.out_of_range', `${key} must be an integer from 1 to ${max}`);
  }
  return raw;
}

export function readOptionalString(fields: Fields, key: string, pattern: RegExp): string | null {
  const raw = fields[key];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || !pattern.test(raw)) {
    throw invalid('input.invalid', `${key} must match ${pattern.source}`);
  }
  return raw;
}

/** An optional single-line label: absent or null means "unchanged" (null). */
export function readOptionalName(fields: Fields, key: string, max: number): string | null {
  return fields[key] === undefined || fields[key] === null ? null : readName(fields, key, max);
}

/**
 * A change to a field that can be cleared: `null` when the field is absent
 * (unchanged), else `{ to }` where `to` is null for a clear (null or blank
 * text) or the new trimmed text without control or invisible characters.
 */
export type Change<T> = { to: T } | null;

export function readClearableText(fields: Fields, key: string, max: number): Change<string | null> {
  const raw = fields[key];
  if (raw === undefined) return null;
  if (raw === null || (typeof raw === 'string' && raw.trim() === '')) return { to: null };
  return { to: readName(fields, key, max) };
}

export function readInteger(fields: Fields, key: string, min: number, max: number): number {
  const raw = fields[key];
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw invalid('input.out_of_range', `${key} must be an integer from ${min} to ${max}`);
  }
  return raw;
}

/** A list of distinct ids, at most `max` long. */
export function readIdList(fields: Fields, key: string, max: number, isId: (v: unknown) => v is string): string[] {
  const raw = fields[key];
  if (!Array.isArray(raw)) throw invalid('input.not_array', `${key} must be an array of ids`);
  if (raw.length > max) throw invalid('input.too_long', `${key} must hold at most ${max} ids`);
  if (!raw.every(isId)) throw invalid('input.invalid_id', `${key} must hold only ids matching [A-Za-z0-9_-]{1,64}`);
  if (new Set(raw).size !== raw.length) throw invalid('input.duplicate', `${key} must not repeat an id`);
  return [...raw];
}

export function readChoice<T extends string>(fields: Fields, key: string, choices: readonly T[]): T {
  const raw = fields[key];
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
    throw invalid('input.invalid_choice', `${key} must be one of ${choices.join(', ')}`);
  }
  return raw as T;
}
