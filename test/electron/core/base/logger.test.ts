import { describe, expect, it } from 'vitest';
import { errorText, ignoreFailure, type Logger } from '../../../../electron/core/base/logger.ts';

describe('errorText', () => {
  it.each([
    [new Error('disk full'), 'disk full'],
    ['plain text', 'plain text'],
    [new Error('   '), 'no details were given.'],
    [undefined, 'no details were given.'],
    [{ message: 'not an Error' }, 'no details were given.'],
  ])('%j reads %j', (error, text) => {
    expect(errorText(error)).toBe(text);
  });

  it('takes a fallback', () => {
    expect(errorText(null, 'Something went wrong.')).toBe('Something went wrong.');
  });
});

describe('ignoreFailure', () => {
  it('logs what was being done at debug level and resolves to undefined', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: (m) => void lines.push(m),
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const result = await Promise.reject(new Error('EBUSY')).catch(ignoreFailure(logger, 'removing a temporary file'));
    expect(result).toBeUndefined();
    expect(lines).toEqual(['Ignored a failure while removing a temporary file: EBUSY']);
  });
});
