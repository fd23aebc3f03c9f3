import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHost, fixHost, parseDoctor } from '../../../../electron/core/runtime/host-check.ts';
import { REAL_MSB, REAL_MSB_MISSING } from '../../../fixtures/runtime-home.ts';
import { removeWhenUnused } from '../../../support/remove-when-unused.ts';

describe('reading msb doctor', () => {
  it('gives each problem its headline and its → fixes, in order', () => {
    const report = parseDoctor(
      [
        '   ✓ msb          /x/msb',
        '   ! Root clone   copy fallback — reflink unavailable',
        '   ✗ KVM device   missing',
        'warn: MSB_HOME does not support reflink clones',
        '  → use a reflink-capable filesystem',
        'error: /dev/kvm is not present',
        '  → the KVM kernel module is not loaded',
      ].join('\n'),
    );
    expect(report).toEqual({
      ok: false,
      checks: [
        { name: 'msb', state: 'ok', detail: '/x/msb', fixes: [] },
        {
          name: 'Root clone',
          state: 'warn',
          detail: 'MSB_HOME does not support reflink clones',
          fixes: ['use a reflink-capable filesystem'],
        },
        {
          name: 'KVM device',
          state: 'fail',
          detail: '/dev/kvm is not present',
          fixes: ['the KVM kernel module is not loaded'],
        },
      ],
    });
  });

  it('is ok with warnings only, and reads through colour codes', () => {
    const report = parseDoctor('\u001b[32m   ✓ msb   /x\u001b[0m\n   ! thing  meh\n');
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.state)).toEqual(['ok', 'warn']);
  });

  it('keeps a block that has no check line of its own', () => {
    const report = parseDoctor('   ✓ msb   /x\nerror: something new\n  → do this\n');
    expect(report.checks.at(-1)).toEqual({
      name: 'something new',
      state: 'fail',
      detail: 'something new',
      fixes: ['do this'],
    });
    expect(report.ok).toBe(false);
  });

  it('refuses output with no check in it', () => {
    expect(() => parseDoctor('Usage: msb <COMMAND>\n')).toThrow(/no checks/);
  });
});

describe.skipIf(REAL_MSB_MISSING !== null)('msb doctor on this machine (the real msb)', () => {
  it('reports CPU virtualization and the KVM device missing, with fixes', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-doctor-'));
    try {
      const report = await checkHost({ msbPath: REAL_MSB ?? '', home });
      expect(report.ok).toBe(false);
      const byName = new Map(report.checks.map((check) => [check.name, check]));
      expect(byName.get('msb')?.state).toBe('ok');
      const cpu = byName.get('CPU virt');
      const kvm = byName.get('KVM device');
      expect(cpu).toMatchObject({ state: 'fail', detail: 'CPU virtualization is not available' });
      expect(cpu?.fixes).toContain('enable virtualization (VT-x / AMD-V) in your BIOS or UEFI firmware');
      expect(kvm).toMatchObject({ state: 'fail', detail: '/dev/kvm is not present' });
      expect(kvm?.fixes.length).toBeGreaterThan(0);
    } finally {
      await removeWhenUnused(home, home);
    }
  });
});

describe.skipIf(process.platform === 'win32')('msb doctor --fix', () => {
  it('passes --fix and reads the report printed after it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'msb-tray-doctor-fix-'));
    try {
      const msb = path.join(dir, 'msb');
      writeFileSync(msb, '#!/bin/sh\n[ "$1 $2" = "doctor --fix" ] || exit 2\necho "   ✓ Hypervisor   enabled" >&2\n');
      chmodSync(msb, 0o755);
      expect(await fixHost({ msbPath: msb })).toEqual({
        ok: true,
        checks: [{ name: 'Hypervisor', state: 'ok', detail: 'enabled', fixes: [] }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
