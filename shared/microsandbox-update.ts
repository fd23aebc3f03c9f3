/**
 * microsandbox's own updates as the window sees them (`updates:microsandbox`,
 * `event:microsandbox-update`): the installed version against the latest release, and the run of
 * `msb self update` with its output, scrubbed. The core (`electron/core/updates/`) takes its status
 * and line types from here, so main sends what the core decided.
 */
export type MicrosandboxUpdateStatusInfo =
  | { readonly kind: 'not-installed' }
  | {
      readonly kind: 'server-generation';
      readonly message: string;
      readonly installCommand: string;
      readonly installUrl: string;
    }
  | { readonly kind: 'up-to-date'; readonly installed: string; readonly latest: string }
  | {
      readonly kind: 'update-available';
      readonly installed: string;
      readonly latest: string;
      readonly releaseUrl: string;
    }
  | { readonly kind: 'unknown'; readonly installed: string | null; readonly message: string };

export interface SelfUpdateLineInfo {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export type SelfUpdateResultInfo =
  | { readonly kind: 'updated'; readonly from: string; readonly to: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'refused'; readonly message: string };

export interface MicrosandboxUpdateView {
  /** `checkForMicrosandboxUpdates`: off, the latest release is never asked for. */
  readonly checksOn: boolean;
  readonly status: MicrosandboxUpdateStatusInfo;
  /** The last `msb self update` of this session, or null. */
  readonly run: {
    readonly running: boolean;
    /** Its latest lines, at most `MAX_SELF_UPDATE_LINES`. */
    readonly lines: readonly SelfUpdateLineInfo[];
    readonly result: SelfUpdateResultInfo | null;
  } | null;
}

export const MAX_SELF_UPDATE_LINES = 200;

export const MICROSANDBOX_UPDATE_UNKNOWN: MicrosandboxUpdateView = Object.freeze<MicrosandboxUpdateView>({
  checksOn: true,
  status: { kind: 'not-installed' },
  run: null,
});
