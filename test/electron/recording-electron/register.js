// @ts-check
/**
 * `node --import ./register.js out/main/main.js`: installs the resolve hook that hands every
 * `import 'electron'` (main's own and electron-store's) the recording fake instead.
 */
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
