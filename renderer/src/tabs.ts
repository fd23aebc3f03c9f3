import { h } from './dom.ts';

export interface TabSpec {
  readonly id: string;
  readonly label: string;
  /** The view shown in the tab's panel; kept in memory, attached only while selected. */
  readonly content: HTMLElement;
  /** Called each time the tab becomes the selected one. */
  readonly onShow?: () => void;
  readonly onHide?: () => void;
}

export interface Tabs {
  readonly tablist: HTMLElement;
  readonly panels: HTMLElement;
  select(id: string, focus?: boolean): void;
  selected(): string;
  tab(id: string): HTMLButtonElement | undefined;
}

/**
 * A WAI-ARIA tablist: one tab in the tab order (roving tabindex), arrow keys move between tabs
 * and select them, Home and End go to the ends. Every panel exists (for `aria-controls`), but
 * only the selected one holds its view: the others are `hidden` and empty, so their controls
 * can be neither reached nor confused with the visible ones (a Namespace field in Keys and a
 * Default namespace field in Settings), while each view keeps its state in memory. A panel is no
 * Tab stop of its own: every view holds controls, and the first of them is the next stop.
 */
export function createTabs(specs: readonly TabSpec[], label: string): Tabs {
  const tablist = h('div', { role: 'tablist', 'aria-label': label, class: 'tabs' });
  const panels = h('div', { class: 'panels' });
  const buttons = new Map<string, HTMLButtonElement>();
  const panelOf = new Map<string, HTMLElement>();
  let current = '';

  specs.forEach((spec) => {
    const tabId = `tab-${spec.id}`;
    const panelId = `panel-${spec.id}`;
    const button = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: tabId,
        'aria-controls': panelId,
        'aria-selected': 'false',
        tabindex: '-1',
        class: 'tab',
      },
      spec.label,
    );
    button.addEventListener('click', () => select(spec.id, false));
    button.addEventListener('keydown', (event) => onKey(event, spec.id));
    buttons.set(spec.id, button);
    tablist.append(button);
    const panel = h('div', { id: panelId, role: 'tabpanel', 'aria-labelledby': tabId, class: 'panel', hidden: true });
    panelOf.set(spec.id, panel);
    panels.append(panel);
  });

  function onKey(event: KeyboardEvent, id: string): void {
    const index = specs.findIndex((spec) => spec.id === id);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (index + 1) % specs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + specs.length) % specs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = specs.length - 1;
    if (next === null) return;
    event.preventDefault();
    const target = specs[next];
    if (target !== undefined) select(target.id, true);
  }

  function select(id: string, focus = false): void {
    const spec = specs.find((candidate) => candidate.id === id);
    if (spec === undefined) return;
    if (id !== current) {
      const previous = specs.find((candidate) => candidate.id === current);
      for (const other of specs) {
        const button = buttons.get(other.id);
        const on = other.id === id;
        button?.setAttribute('aria-selected', String(on));
        if (button !== undefined) button.tabIndex = on ? 0 : -1;
        const panel = panelOf.get(other.id);
        if (panel === undefined) continue;
        panel.hidden = !on;
        if (on && other.content.parentNode !== panel) panel.append(other.content);
        else if (!on && other.content.parentNode === panel) other.content.remove();
      }
      current = id;
      previous?.onHide?.();
      spec.onShow?.();
    }
    if (focus) buttons.get(id)?.focus();
  }

  return { tablist, panels, select, selected: () => current, tab: (id) => buttons.get(id) };
}
