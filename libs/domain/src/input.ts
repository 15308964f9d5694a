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
