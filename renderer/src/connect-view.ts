import type { ConnectClientId, ConnectOutcome, ConnectView } from '../../shared/connect.ts';
import type { MsbApi } from '../../shared/contract.ts';
import { connectScreen, type ConnectRow } from './connect-model.ts';
import { copyButton, keyCopiedText } from './copy-button.ts';
import { errorMessage, h, replace, setText } from './dom.ts';
import type { View } from './status-view.ts';

export interface ConnectDeps {
  readonly api: MsbApi;
  readonly announce: (text: string) => void;
  /** The clipboard delay in Settings: a command with a key is cleared after it. */
  readonly clearSeconds?: () => number;
}

/**
 * The Connect view: the AI clients on this computer, each with Connect or Disconnect. Main asks
 * natively before it writes anything and answers an outcome in words; this view names a client,
 * never a file.
 */
export function createConnectView(deps: ConnectDeps): View {
  const { api } = deps;
  const intro = h('p', { class: 'muted', 'data-testid': 'connect-intro' });
  const list = h('ul', { class: 'connect-list', 'data-testid': 'connect-list' });
  const problem = h('p', { class: 'inline-error reserve', 'data-testid': 'connect-error', role: 'alert' });
  const element = h('section', { class: 'connect-view' }, h('h2', {}, 'Connect AI clients'), intro, list, problem);

  let view: ConnectView = { clients: [], target: 'none' };
  const busy = new Set<ConnectClientId>();
  const outcomes = new Map<ConnectClientId, ConnectOutcome>();

  const render = (): void => {
    const screen = connectScreen(view, busy, outcomes);
    setText(intro, screen.intro);
    replace(list, ...screen.rows.map(row));
  };

  const row = (item: ConnectRow): HTMLElement => {
    const button =
      item.action === null
        ? null
        : h(
            'button',
            {
              type: 'button',
              'data-testid': `connect-${item.action}-${item.id}`,
              disabled: !item.enabled,
              onclick: () => act(item.id, item.action ?? 'connect'),
            },
            item.action === 'connect' ? 'Connect' : 'Disconnect',
          );
    const outcome = item.outcome;
    return h(
      'li',
      { class: 'connect-row', 'data-testid': `connect-row-${item.id}`, 'data-state': item.state },
      h(
        'div',
        { class: 'connect-head' },
        h('strong', {}, item.name),
        h('span', { class: 'muted' }, item.state),
        button,
      ),
      item.note === null ? null : h('p', { class: 'muted connect-note' }, item.note),
      outcome === null
        ? null
        : h(
            'p',
            {
              class: outcome.kind === 'refused' ? 'inline-error connect-outcome' : 'connect-outcome',
              'data-testid': `connect-outcome-${item.id}`,
              'data-kind': outcome.kind,
            },
            outcome.message,
          ),
      outcome?.kind === 'copy-command'
        ? h(
            'div',
            { class: 'connect-command' },
            h('code', { 'data-testid': `connect-command-${item.id}` }, outcome.command),
            copyButton({
              label: 'Copy',
              copy: () =>
                api.copyConnectCommand({
                  client: item.id,
                  action: item.action === 'disconnect' ? 'disconnect' : 'connect',
                }),
              // The command shown has the key hidden; the one copied holds it, and main clears it.
              done: () =>
                outcome.command.includes('msb_[key hidden]') ? keyCopiedText(deps.clearSeconds?.() ?? 0) : 'Copied',
              announce: deps.announce,
              testid: `connect-copy-${item.id}`,
            }),
          )
        : null,
    );
  };

  const load = (): void => {
    api.connectClients().then(
      (value) => {
        view = value;
        setText(problem, '');
        render();
      },
      (error: unknown) => setText(problem, `Could not look for AI clients: ${errorMessage(error)}`),
    );
  };

  const act = (client: ConnectClientId, action: 'connect' | 'disconnect'): void => {
    busy.add(client);
    outcomes.delete(client);
    render();
    const call = action === 'connect' ? api.connectClient({ client }) : api.disconnectClient({ client });
    call
      .then(
        (outcome) => {
          outcomes.set(client, outcome);
          deps.announce(outcome.message);
        },
        (error: unknown) => outcomes.set(client, { kind: 'refused', message: errorMessage(error) }),
      )
      .finally(() => {
        busy.delete(client);
        render();
        load();
      });
  };

  render();
  return { element, show: load, hide: () => undefined };
}
