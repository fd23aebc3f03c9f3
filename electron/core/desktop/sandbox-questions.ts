/**
 * The native questions before a runtime sandbox is forced to stop or removed: the same words
 * whether the window or the tray asked (ipc/runtime-handlers.ts, tray-actions.ts).
 */
import type { UserQuestion } from './desktop-ports.ts';

/** Before `msb stop --force`: the sandbox is killed at once, whatever it was doing. */
export function forceStopQuestion(name: string): UserQuestion {
  return {
    kind: 'force-stop',
    title: `Force ${name} to stop?`,
    message: `The sandbox ${name} will be killed at once, without the chance to finish what it is doing.`,
    detail: 'What it has not written to disk is lost. Use Stop first: it asks the sandbox to end on its own.',
    confirmLabel: 'Force Stop',
    declined: `${name} was not forced to stop: it was not confirmed.`,
  };
}

/** Before `msb rm`: the sandbox and what it wrote are gone for good. */
export function removeSandboxQuestion(name: string): UserQuestion {
  return {
    kind: 'remove-sandbox',
    title: `Remove ${name}?`,
    message: `The sandbox ${name}, its files and its logs will be deleted.`,
    detail: 'This cannot be undone. Images and named volumes are kept.',
    confirmLabel: 'Remove Sandbox',
    declined: `${name} was not removed: it was not confirmed.`,
  };
}
