// The question before the server stops with sandboxes running: asked natively (a recording
// ChoicePort here), with its three answers, for Stop and for a quit that stops the server.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  confirmQuit,
  SANDBOX_ANSWERS,
  sandboxQuestion,
  stopServerAsking,
} from '../../../../electron/core/desktop/stop-flow.ts';
import type { ChoicePort } from '../../../../electron/core/desktop/desktop-ports.ts';
import { silentLogger } from '../../../../electron/core/base/logger.ts';
import { createSandboxesService } from '../../../../electron/core/sandboxes/service.ts';
import type {
  SandboxesView,
  SandboxInfo,
  SandboxStopRequest,
  SandboxStopResult,
} from '../../../../shared/sandboxes.ts';
import { INITIAL_SNAPSHOT } from '../../../../shared/server-status.ts';
import type { ServerSnapshot } from '../../../../shared/server-status.ts';
import { DEFAULT_SETTINGS } from '../../../../shared/settings-schema.ts';
import { msbrunProcessesUnder } from '../../../fixtures/standin-helpers.ts';
import { kit, rpc, until } from '../sandboxes/helpers.ts';

type Asked = Parameters<ChoicePort['choose']>[0];

function recordingChoice(answers: (number | string)[]): ChoicePort & { asked: Asked[] } {
  const asked: Asked[] = [];
  return {
    asked,
    choose(question) {
      asked.push(question);
      const next = answers.shift();
      if (next === undefined) throw new Error(`an unexpected question: ${question.message}`);
      return Promise.resolve(typeof next === 'number' ? next : question.buttons.indexOf(next));
    },
  };
}

const RUNNING: ServerSnapshot = {
  ...INITIAL_SNAPSHOT,
  state: 'running',
  pid: 77,
  url: 'http://127.0.0.1:5555',
  devMode: false,
  startedAt: 1,
  healthy: true,
};

function viewWith(count: number): SandboxesView {
  return {
    namespacesDir: '/n',
    namespaces: [
      {
        name: 'team',
        error: null,
        sandboxes: Array.from({ length: count }, (_, i): SandboxInfo => ({
          name: `s${i}`,
          state: 'running',
          supervisorPid: 100 + i,
          microvmPid: 200 + i,
          startedAt: 1,
          memoryBytes: null,
          cpuPercent: null,
          diskBytes: null,
          portalPort: null,
          logPath: null,
        })).concat([
          {
            name: 'stale',
            state: 'stale',
            supervisorPid: 9,
            microvmPid: 9,
            startedAt: 1,
            memoryBytes: null,
            cpuPercent: null,
            diskBytes: null,
            portalPort: null,
            logPath: null,
          },
        ]),
      },
    ],
  };
}

function world(count: number, answers: (number | string)[], snapshot: ServerSnapshot = RUNNING) {
  const calls: string[] = [];
  let current = snapshot;
  const choice = recordingChoice(answers);
  const failures: string[] = [];
  const sandboxes = {
    refresh: () => Promise.resolve(viewWith(count)),
    stop(request: SandboxStopRequest): Promise<SandboxStopResult> {
      calls.push(`sandboxes.stop ${JSON.stringify(request)} while ${current.state}`);
      return Promise.resolve({
        stopped: [{ namespace: 'team', name: 's0' }],
        failed: count > 1 ? [{ namespace: 'team', name: 's1', message: 'refused' }] : [],
        via: 'server',
      });
    },
  };
  const control = {
    snapshot: () => current,
    stop: () => {
      calls.push('server.stop');
      current = INITIAL_SNAPSHOT;
      return Promise.resolve(current);
    },
  };
  return {
    calls,
    choice,
    control,
    sandboxes,
    failures,
    deps: {
      sandboxes,
      choice,
      control,
      logger: silentLogger,
      onStopFailures: (f: readonly { name: string }[]) => failures.push(...f.map((x) => x.name)),
    },
  };
}

describe('the question', () => {
  it('says how many run and that they outlive the server, with Stop them too / Leave them running / Cancel', () => {
    expect(sandboxQuestion(3, 'stop')).toEqual({
      title: 'Stop the server?',
      message: '3 sandboxes are running.',
      detail: 'They keep running after the server stops.',
      buttons: ['Stop them too', 'Leave them running', 'Cancel'],
      cancelIndex: 2,
      defaultIndex: 0,
    });
    expect(sandboxQuestion(1, 'quit')).toMatchObject({
      title: 'Quit Microsandbox Tray?',
      message: '1 sandbox is running.',
      detail: 'It keeps running after the server stops.',
    });
    expect(SANDBOX_ANSWERS).toEqual(['Stop them too', 'Leave them running', 'Cancel']);
  });
});

describe('stopServerAsking', () => {
  it('asks nothing when no sandbox runs (a stale row does not count)', async () => {
    const w = world(0, []);
    expect(await stopServerAsking(w.deps)).toEqual({ snapshot: INITIAL_SNAPSHOT, cancelled: false });
    expect(w.choice.asked).toEqual([]);
    expect(w.calls).toEqual(['server.stop']);
  });

  it(
    '"Stop them too" stops the sandboxes while the server still runs, ' + 'then the server; failures are reported',
    async () => {
      const w = world(2, ['Stop them too']);
      expect((await stopServerAsking(w.deps)).cancelled).toBe(false);
      expect(w.choice.asked.map((q) => q.message)).toEqual(['2 sandboxes are running.']);
      expect(w.calls).toEqual(['sandboxes.stop {"all":true} while running', 'server.stop']);
      expect(w.failures).toEqual(['s1']);
    },
  );

  it('"Leave them running" stops only the server', async () => {
    const w = world(3, ['Leave them running']);
    expect((await stopServerAsking(w.deps)).snapshot.state).toBe('stopped');
    expect(w.calls).toEqual(['server.stop']);
  });

  it.each([['Cancel'], [-1], [7]])('%s changes nothing and answers the unchanged snapshot', async (answer) => {
    const w = world(1, [answer]);
    expect(await stopServerAsking(w.deps)).toEqual({ snapshot: RUNNING, cancelled: true });
    expect(w.calls).toEqual([]);
  });

  it('a server that is not live is stopped as before, without a question', async () => {
    const w = world(2, [], { ...INITIAL_SNAPSHOT, state: 'failed' });
    await stopServerAsking(w.deps);
    expect(w.choice.asked).toEqual([]);
    expect(w.calls).toEqual(['server.stop']);
  });

  it('a listing that fails asks nothing and does not block the stop', async () => {
    const w = world(2, []);
    const deps = { ...w.deps, sandboxes: { ...w.sandboxes, refresh: () => Promise.reject(new Error('disk gone')) } };
    expect((await stopServerAsking(deps)).snapshot.state).toBe('stopped');
    expect(w.choice.asked).toEqual([]);
  });
});

describe('confirmQuit', () => {
  it('asks only when quitting stops a live server while sandboxes run', async () => {
    const settings = (stops: boolean) => () => stops;
    const off = world(2, []);
    expect(await confirmQuit({ ...off.deps, stopsServer: settings(false) })).toBe(true);
    const stopped = world(2, [], INITIAL_SNAPSHOT);
    expect(await confirmQuit({ ...stopped.deps, stopsServer: settings(true) })).toBe(true);
    expect([...off.choice.asked, ...stopped.choice.asked]).toEqual([]);

    const cancel = world(2, ['Cancel']);
    expect(await confirmQuit({ ...cancel.deps, stopsServer: settings(true) })).toBe(false);
    expect(cancel.choice.asked[0]?.title).toBe('Quit Microsandbox Tray?');
    expect(cancel.calls).toEqual([]);

    const stop = world(1, ['Stop them too']);
    expect(await confirmQuit({ ...stop.deps, stopsServer: settings(true) })).toBe(true);
    // The server itself is stopped by the shutdown that follows.
    expect(stop.calls).toEqual(['sandboxes.stop {"all":true} while running']);

    const leave = world(1, ['Leave them running']);
    expect(await confirmQuit({ ...leave.deps, stopsServer: settings(true) })).toBe(true);
    expect(leave.calls).toEqual([]);
  });
});

describe('a server the app did not start', () => {
  const EXTERNAL: ServerSnapshot = { ...RUNNING, external: true };

  it('is stopped only after a yes, before the sandboxes question', async () => {
    const no = world(0, ['Cancel'], EXTERNAL);
    expect(await stopServerAsking(no.deps)).toMatchObject({ cancelled: true, snapshot: { state: 'running' } });
    expect(no.choice.asked.map((q) => q.message)).toEqual(['This msbserver was started outside Microsandbox Tray.']);
    expect(no.calls).toEqual([]);

    const yes = world(2, ['Stop Server', 'Leave them running'], EXTERNAL);
    expect(await stopServerAsking(yes.deps)).toMatchObject({ cancelled: false, snapshot: { state: 'stopped' } });
    expect(yes.choice.asked.map((q) => q.buttons)).toEqual([['Stop Server', 'Cancel'], SANDBOX_ANSWERS]);
    // Its own server asks nothing of the kind.
    const own = world(0, []);
    expect((await stopServerAsking(own.deps)).snapshot.state).toBe('stopped');
    expect(own.choice.asked).toEqual([]);
  });

  it('is asked about before a quit that stops it, and never when the quit leaves it running', async () => {
    const cancel = world(0, ['Cancel'], EXTERNAL);
    expect(await confirmQuit({ ...cancel.deps, stopsServer: () => true })).toBe(false);
    const leave = world(0, [], EXTERNAL);
    expect(await confirmQuit({ ...leave.deps, stopsServer: () => false })).toBe(true);
    expect(leave.choice.asked).toEqual([]);
  });
});

describe('with real sandboxes', () => {
  it('"Stop them too" ends the supervisors through the running server before it stops', async (ctx) => {
    if (process.platform !== 'linux') return ctx.skip('reads /proc: Linux only');
    const k = kit(ctx);
    const home = await k.tmp();
    const root = path.join(home, 'namespaces');
    const s = await k.server(root);
    for (const name of ['a', 'b'])
      expect((await rpc(s, 'sandbox.start', { sandbox: name, namespace: 'team', config: { image: 'x' } })).status).toBe(
        200,
      );
    let snapshot: ServerSnapshot = { ...RUNNING, url: s.url, devMode: true };
    const service = createSandboxesService({
      defaultNamespacesDir: root,
      settings: { get: () => DEFAULT_SETTINGS, onChange: () => () => undefined },
      server: () => snapshot,
      keyFile: path.join(home, 'server.key'),
      scrubber: { scrubLines: (lines) => Promise.resolve([...lines]) },
    });
    ctx.onTestFinished(() => service.dispose());
    const choice = recordingChoice(['Stop them too']);
    const control = {
      snapshot: () => snapshot,
      stop: async () => {
        await s.stop();
        snapshot = INITIAL_SNAPSHOT;
        return snapshot;
      },
    };
    const result = await stopServerAsking({ sandboxes: service, choice, control, logger: silentLogger });
    expect(result.snapshot.state).toBe('stopped');
    expect(choice.asked[0]?.message).toBe('2 sandboxes are running.');
    await until('the sandboxes gone', async () => (await msbrunProcessesUnder(root)).length === 0);
    const view = await service.refresh();
    expect(view.namespaces[0]?.sandboxes.map((x) => x.state)).toEqual(['stopped', 'stopped']);
  });
});
