import { describe, expect, it } from 'vitest';
import { ALL_FIELDS, checkField, placeholderOf, type FieldSpec } from '../../renderer/src/settings-model.ts';

describe('settings fields', () => {
  it('say a wrong value in the unit and words their own spec carries, not the start timeout’s', () => {
    const spec: FieldSpec = {
      key: 'readinessTimeoutMs',
      label: 'Another wait (seconds)',
      kind: 'seconds',
      seconds: { min: 1, max: 120, invalid: 'Another wait must be 1 to 120 seconds.' },
    };
    expect(checkField(spec, 'ten')).toEqual({ ok: false, error: 'Another wait must be 1 to 120 seconds.' });
    expect(checkField(spec, '2.5')).toEqual({ ok: true, value: 2_500 });
    expect(placeholderOf(spec, null, 'linux')).toBe('Default: 15');
  });

  it('give every seconds field its limits and message', () => {
    const seconds = ALL_FIELDS.filter((spec) => spec.kind === 'seconds');
    expect(seconds.length).toBeGreaterThan(0);
    for (const spec of seconds) {
      expect(spec.label).toMatch(/seconds/);
      expect(spec.seconds.min).toBeLessThan(spec.seconds.max);
      expect(spec.seconds.invalid).not.toMatch(/millisecond/);
    }
  });
});
