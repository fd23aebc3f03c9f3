/**
 * The update channels' handlers: microsandbox's installed version against its latest release,
 * `msb self update` after a native yes (its lines go out as `event:microsandbox-update`), and the
 * runtime generation's install page, a URL fixed in the core. The table in handlers.ts checks
 * sender, channel and payload first; the question goes through its one-question gate.
 */
import type { InvokeChannel } from '../../../shared/contract.ts';
import { MICROSANDBOX_UPDATE_UNKNOWN, type MicrosandboxUpdateView } from '../../../shared/microsandbox-update.ts';
import type { ExternalUrlPort } from '../desktop/app-update-wiring.ts';
import type { MicrosandboxUpdates } from '../desktop/microsandbox-update-feed.ts';
import { RUNTIME_INSTALL_URL } from '../updates/microsandbox-updates.ts';
import { HandlerError, type Handler } from './handler-error.ts';
import type { UserQuestion } from '../desktop/desktop-ports.ts';
import { microsandboxUpdateQuestion } from './user-decisions.ts';

export type UpdateChannel = Extract<InvokeChannel, `updates:${string}`>;

export interface UpdateHandlerDeps {
  /** microsandbox's updates; without them the channels answer "not known" and refuse to update. */
  readonly microsandboxUpdates?: Pick<MicrosandboxUpdates, 'view' | 'refresh' | 'update' | 'updating'>;
  /** The user's browser, for the install page. */
  readonly browser?: ExternalUrlPort;
}

export function createUpdateHandlers(
  deps: UpdateHandlerDeps,
  confirmAll: (questions: readonly UserQuestion[]) => Promise<void>,
): { readonly [C in UpdateChannel]: Handler<C> } {
  const updates = (): NonNullable<UpdateHandlerDeps['microsandboxUpdates']> => {
    if (deps.microsandboxUpdates === undefined)
      throw new HandlerError('refused', 'microsandbox updates are not available in this app.');
    return deps.microsandboxUpdates;
  };

  // From the first look to the run's end: a second ask meanwhile would stack a second question.
  let handling = false;
  const updateMicrosandbox = async (): Promise<MicrosandboxUpdateView> => {
    const service = updates();
    if (handling || service.updating) throw new HandlerError('refused', 'microsandbox is being updated already.');
    handling = true;
    try {
      return await askAndUpdate(service);
    } finally {
      handling = false;
    }
  };

  const askAndUpdate = async (
    service: NonNullable<UpdateHandlerDeps['microsandboxUpdates']>,
  ): Promise<MicrosandboxUpdateView> => {
    const status = (await service.refresh()).status;
    // The core refuses a downgrade and a start in progress too; asking first only what it would run.
    if (status.kind !== 'update-available')
      throw new HandlerError(
        'refused',
        status.kind === 'up-to-date'
          ? `microsandbox ${status.installed} is the latest release: nothing to update.`
          : status.kind === 'unknown'
            ? `microsandbox cannot be updated now: ${status.message}`
            : 'Only the runtime generation of microsandbox (msb 0.3 or later) updates itself.',
      );
    await confirmAll([microsandboxUpdateQuestion(status.installed, status.latest)]);
    return service.update();
  };

  return {
    'updates:microsandbox': () => deps.microsandboxUpdates?.refresh() ?? MICROSANDBOX_UPDATE_UNKNOWN,
    'updates:update-microsandbox': updateMicrosandbox,
    'updates:open-runtime-install': async () => {
      if (deps.browser === undefined) throw new HandlerError('refused', 'The app cannot open a browser here.');
      await deps.browser.openPage(RUNTIME_INSTALL_URL);
    },
  };
}
