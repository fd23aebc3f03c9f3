// The whole window in happy-dom over the recording fake: what the view tests of its states share.
import { createApp } from '../../renderer/src/app.ts';
import type { App } from '../../renderer/src/app.ts';
import { fakeMsb } from './fake-msb.ts';
import type { FakeMsb } from './fake-msb.ts';

export interface WindowRig {
  readonly msb: FakeMsb;
  readonly app: App;
  readonly root: HTMLElement;
  byTestId<T extends HTMLElement = HTMLElement>(id: string): T;
  /** The button with this text that is on screen (not inside a hidden block). */
  button(name: string): HTMLButtonElement;
  /** Whether an element with this test id is on screen. */
  shown(id: string): boolean;
  tab(name: string): HTMLButtonElement;
  dispose(): void;
}

/** Builds the window; `configure` sets the fake's answers before the window loads. */
export async function openWindow(
  configure: (msb: FakeMsb) => void = () => undefined,
  now: () => number = () => Date.now(),
): Promise<WindowRig> {
  const msb = fakeMsb();
  configure(msb);
  const root = document.createElement('div');
  document.body.append(root);
  const app = createApp(root, msb.api, { now });
  await app.ready;
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const el = root.querySelector<T>(`[data-testid="${id}"]`);
    if (el === null) throw new Error(`no ${id}`);
    return el;
  };
  return {
    msb,
    app,
    root,
    byTestId,
    button(name) {
      const found = [...root.querySelectorAll('button')].find(
        (b) => b.textContent === name && b.closest('[hidden]') === null,
      );
      if (found === undefined) throw new Error(`no visible button ${name}`);
      return found;
    },
    shown(id) {
      const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
      return el !== null && el.closest('[hidden]') === null;
    },
    tab: (name) => [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((t) => t.textContent === name)!,
    dispose: () => root.remove(),
  };
}
