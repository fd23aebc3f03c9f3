// More hostile worlds than world.ts builds — wrappers
// that leave the process group (setsid), fork twice, a Python look-alike msbserver that changes
// its process group, FIFOs and links in the home.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { MSBRUN_STANDIN, STANDIN_MAIN } from './world.ts';
import { STANDIN_PATH } from '../../../fixtures/standin-helpers.ts';
import { processStartTime } from '../../../../electron/core/process/process-identity.ts';

const NODE = process.execPath;

async function script(dir: string, name: string, body: string, shebang = '#!/bin/sh'): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  await fsp.symlink(MSBRUN_STANDIN, path.join(dir, 'msbrun')).catch(() => undefined);
  const file = path.join(dir, name);
  await fsp.writeFile(file, `${shebang}\n${body}\n`, { mode: 0o755 });
  return file;
}

/**
 * A wrapper that runs the real binary in a session of its own (`setsid`) and waits for it: the
 * server leaves the group the app created. `named`: the binary it runs is the stand-in launcher
 * (argv `node …/msbserver`), else the stand-in's main.js (argv `node …/main.js`).
 */
export function setsidWaitingWrapper(dir: string, named: boolean): Promise<string> {
  const target = named ? `"${STANDIN_PATH}"` : `"${NODE}" "${STANDIN_MAIN}"`;
  return script(dir, 'msbserver', `setsid ${target} "$@"\necho "wrapper: server exited with $?"`);
}

/** Like a backgrounding wrapper, but `setsid` first: the server is in no group of the app's. */
export function setsidBackgroundWrapper(dir: string, named: boolean): Promise<string> {
  const target = named ? `"${STANDIN_PATH}"` : `"${NODE}" "${STANDIN_MAIN}"`;
  return script(dir, 'msbserver', `setsid ${target} "$@" >/dev/null 2>&1 &\nexit 0`);
}

/** Forks twice (a subshell that backgrounds the server) and exits: the server stays in the group. */
export function doubleForkWrapper(dir: string): Promise<string> {
  return script(dir, 'msbserver', `( "${NODE}" "${STANDIN_MAIN}" "$@" >/dev/null 2>&1 & )\nexit 0`);
}

/**
 * A Python look-alike msbserver: answers GET /api/v1/health with msbserver's body, 404 otherwise.
 * Knobs (environment): LOOKALIKE_SETPGID_AFTER_MS moves it to a process group of its own after
 * that long; LOOKALIKE_PRINT_KEY prints its argv (the key included) on stdout; LOOKALIKE_IGNORE_TERM.
 */
export function pythonLookalike(dir: string): Promise<string> {
  const body = String.raw`
import os, sys, signal, threading, time, json
from http.server import BaseHTTPRequestHandler, HTTPServer
port = 5555
args = sys.argv[1:]
for i, a in enumerate(args):
    if a == '--port': port = int(args[i + 1])
    if a.startswith('--port='): port = int(a.split('=', 1)[1])
if os.environ.get('LOOKALIKE_PRINT_KEY'):
    print('msbserver argv: ' + ' '.join(sys.argv), flush=True)
if os.environ.get('LOOKALIKE_IGNORE_TERM'):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print('✓ Server listening on 127.0.0.1:%d' % port, flush=True)
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/api/v1/health':
            b = json.dumps({'message': 'Service is healthy'}).encode()
            self.send_response(200)
        else:
            b = b'{}'
            self.send_response(404)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
delay = os.environ.get('LOOKALIKE_SETPGID_AFTER_MS')
if delay:
    def move():
        time.sleep(int(delay) / 1000)
        os.setpgid(0, 0)
        print('moved to my own process group %d' % os.getpgrp(), flush=True)
    threading.Thread(target=move, daemon=True).start()
HTTPServer(('127.0.0.1', port), H).serve_forever()
`;
  return script(dir, 'msbserver', body, '#!/usr/bin/env python3');
}

/** A no-exec wrapper around `inner` (the shell stays the parent, in the same group). */
export function noExecAround(dir: string, inner: string): Promise<string> {
  return script(dir, 'msbserver-wrapper', `"${inner}" "$@"\necho "wrapper: exited with $?"`);
}

/** Process group of `pid` from /proc, or null. */
export function pgidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    // gone meanwhile: no group
    return null;
  }
}

/** `ppid` of `pid` from /proc, or null. */
export function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    // gone meanwhile: no parent
    return null;
  }
}

/** A long sleeper the test owns: something that must never be signalled. */
export function bystander(options: { detached?: boolean } = {}): ChildProcess {
  const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: options.detached ?? false });
  child.unref();
  return child;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the controller logs when a server exits while another holder has the start lock. */
export const LOCK_WAIT_LINE = 'while another holder has the start lock';

/**
 * The home's start lock as another instance of the app holds it: a live process of its own named
 * with its start time. `release` removes the lock and ends the process.
 */
export async function lockHeldByAnotherProcess(lockFile: string): Promise<{ text: string; release(): Promise<void> }> {
  const holder = bystander();
  // A spawn that failed is reported below (no PID), not as an unhandled 'error' event.
  holder.once('error', () => undefined);
  const end = (): void => void holder.kill('SIGKILL');
  try {
    if (holder.pid === undefined) throw new Error('the lock holder could not be started');
    const started = await processStartTime(holder.pid);
    const text = JSON.stringify({ pid: holder.pid, token: 'another-instance', started });
    await fsp.writeFile(lockFile, text);
    return {
      text,
      async release() {
        await fsp.rm(lockFile, { force: true });
        end();
      },
    };
  } catch (error) {
    end();
    throw error;
  }
}
