/** Updates: the app's own (decisions; electron-updater is main's adapter) and microsandbox's. */
export * from './app-updates.ts';
export * from './update-schedule.ts';
export * from './microsandbox-updates.ts';
