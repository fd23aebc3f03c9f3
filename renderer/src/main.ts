import { unwrapBridge } from '../../shared/bridge.ts';
import { createApp } from './app.ts';

const root = document.getElementById('app');
if (root !== null) {
  if (typeof window.msb === 'object' && window.msb !== null) {
    createApp(root, unwrapBridge(window.msb));
  } else {
    root.textContent = 'This page is the Microsandbox Tray window and works only inside the app.';
  }
}
