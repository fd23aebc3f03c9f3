// @ts-check
/**
 * `node --import ./register.js out/…/main/main.js`: every `import 'electron'` (main's own and
 * electron-store's) gets the app harness's stand-in (./electron.js), through the recording
 * electron's resolve hook.
 */
import { register } from 'node:module';

register('../electron/recording-electron/hooks.js', import.meta.url, {
  data: { fake: new URL('./electron.js', import.meta.url).href },
});
