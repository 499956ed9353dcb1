import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { it, expect } from 'vitest';
it('x', () => { const ajv = new Ajv(); addFormats(ajv); expect(ajv.validate({ type: 'string', format: 'date-time' }, '2026-05-28T04:42:42-07:00')).toBe(true); expect(ajv.validate({ type: 'string', format: 'date-time' }, '2026-05-28T04:42:42')).toBe(false); });
