import { describe, expect, it } from 'vitest';
import { runCleanups, type Cleanups } from './service-helpers.ts';

describe('runCleanups', () => {
  it('runs every cleanup, last made first, even after one fails, then throws the first failure', async () => {
    const ran: string[] = [];
    const cleanups: Cleanups = [
      () => void ran.push('home'),
      () => {
        ran.push('service');
        throw new Error('service would not stop');
      },
      () => Promise.reject(new Error('rig would not close')).finally(() => ran.push('rig')),
    ];
    await expect(runCleanups(cleanups)).rejects.toThrow('rig would not close');
    expect(ran).toEqual(['rig', 'service', 'home']);
    expect(cleanups).toEqual([]);
  });
});
