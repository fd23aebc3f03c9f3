// The fixture's preload: CommonJS, as sandboxed preloads are, exposing one small API.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- what a sandboxed preload is: CommonJS
const { contextBridge, ipcRenderer } = require('electron');

const heard = [];
ipcRenderer.on('ping', (_event, n, extra) => heard.push({ channel: 'ping', n, extra }));
ipcRenderer.on('noted', (_event, text) => heard.push({ channel: 'noted', text }));
ipcRenderer.on('tick', (_event, text) => heard.push({ channel: 'tick', text }));

contextBridge.exposeInMainWorld('fixture', {
  who: (payload) => ipcRenderer.invoke('who', payload),
  ask: (sync) => ipcRenderer.invoke('ask', sync),
  pick: () => ipcRenderer.invoke('pick'),
  save: () => ipcRenderer.invoke('save'),
  oops: () => ipcRenderer.invoke('oops'),
  fail: () =>
    ipcRenderer.invoke('fail').then(
      () => 'resolved',
      (error) => error.message,
    ),
  missing: () =>
    ipcRenderer.invoke('no-such-channel').then(
      () => 'resolved',
      (error) => error.message,
    ),
  note: (text) => ipcRenderer.send('note', text),
  burst: (n) =>
    ipcRenderer.invoke('burst', n).then((text) => {
      heard.push({ channel: 'reply', text });
    }),
  heard: () => heard.map((entry) => ({ ...entry })),
});
