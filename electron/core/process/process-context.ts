/**
 * What process identity reads of the server's context. Declared here, below server/, so the judge
 * and the record need nothing from the server generation: `ServerContext` extends it, and the one
 * server fact the judge needs (does msbserver answer its health check) arrives as a function.
 */
import type { Settings } from '../../../shared/settings-schema.ts';
import type { Logger } from '../base/logger.ts';
import type { HomePaths } from '../home-paths.ts';

export interface ProcessContext {
  readonly paths: Pick<HomePaths, 'home' | 'namespacesDir'>;
  readonly platform: NodeJS.Platform;
  readonly settings: () => Pick<Settings, 'namespacesPath'>;
  readonly logger: Logger;
  /** The app's own data folder, where it records the servers it started; none in some tests. */
  readonly stateDir?: string | undefined;
  /** Whether an msbserver answers its health check at this base URL (server/health.ts). */
  readonly answersHealth: (baseUrl: string) => Promise<boolean>;
}
