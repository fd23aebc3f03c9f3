export * from './paths.ts';
export * from './atomic-file.ts';
export * from './server-key.ts';
export * from './token.ts';
export * from './settings.ts';
export * from '../../shared/duration.ts';
export * from '../../shared/namespace.ts';
export * from '../../shared/settings-schema.ts';
