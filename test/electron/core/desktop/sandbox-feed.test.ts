// What reaches the window and the tray from the sandboxes: every view to the window, the tray
// only when what it shows changed, the followed log's lines, and the tray's hold on metrics.
import { describe, expect, it } from 'vitest';
import {
  feedSandboxes,
  stopFailureNotice,
  trayMetricsInterest,
} from '../../../../electron/core/desktop/sandbox-feed.ts';
import type { SandboxesView, SandboxLogEvent } from '../../../../shared/sandboxes.ts';

function viewOf(memoryBytes: number | null, cpuPercent: number | null): SandboxesView {
  return {
    namespacesDir: '/n',
    namespaces: [
      {
        name: 'team',
        error: null,
        sandboxes: [
          {
            name: 'web',
            state: 'running',
            supervisorPid: 1,
            microvmPid: 2,
            startedAt: 1,
            memoryBytes,
            cpuPercent,
            diskBytes: null,
            portalPort: null,
            logPath: null,
          },
        ],
      },
    ],
  };
}

describe('feedSandboxes', () => {
  it('sends every view and every log batch to the window, and re-renders the tray only for what it shows', () => {
    let onView: (view: SandboxesView) => void = () => undefined;
    let onLog: (event: SandboxLogEvent) => void = () => undefined;
    const sent: [string, unknown][] = [];
    let renders = 0;
    const feed = feedSandboxes({
      sandboxes: {
        onChange: (listener) => ((onView = listener), () => (onView = () => undefined)),
        onLogLines: (listener) => ((onLog = listener), () => (onLog = () => undefined)),
      },
      send: (channel, payload) => void sent.push([channel, payload]),
      renderTray: () => void renders++,
    });
    onView(viewOf(1024 * 1024, null));
    onView(viewOf(1024 * 1024, 12));
    onView(viewOf(2 * 1024 * 1024, 12));
    onLog({ namespace: 'team', name: 'web', lines: ['hello'] });
    expect(sent.map(([channel]) => channel)).toEqual([
      'event:sandboxes',
      'event:sandboxes',
      'event:sandboxes',
      'event:sandbox-log',
    ]);
    expect(renders).toBe(2);
    void feed.dispose();
    onView(viewOf(null, null));
    expect(sent).toHaveLength(4);
  });
});

describe('trayMetricsInterest', () => {
  it('holds one interest while the menu is open', () => {
    let held = 0;
    const open = trayMetricsInterest({
      watchMetrics: () => {
        held++;
        return () => void held--;
      },
    });
    open(true);
    open(true);
    expect(held).toBe(1);
    open(false);
    open(false);
    expect(held).toBe(0);
  });
});

describe('stopFailureNotice', () => {
  it('names one sandbox, or counts several', () => {
    expect(stopFailureNotice([{ namespace: 'team', name: 'web', message: 'The server refused the key.' }])).toEqual({
      title: 'Sandbox web was not stopped',
      body: 'The server refused the key.',
    });
    expect(
      stopFailureNotice([
        { namespace: 'a', name: 'x', message: 'm1' },
        { namespace: 'b', name: 'y', message: 'm2' },
      ]),
    ).toEqual({ title: '2 sandboxes were not stopped', body: 'a/x: m1\nb/y: m2' });
  });
});
