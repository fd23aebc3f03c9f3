import path from 'node:path';
import { nameProblem, type NameKind } from '../../../shared/namespace.ts';

/**
 * Where upstream keeps a namespace's files (`N` the namespaces folder, `D` = `N/<ns>`). Every
 * builder validates the names it joins, so no caller can reach outside `N` with `..`, a slash
 * or an absolute path.
 */
export const CONFIG_FILE = 'Sandboxfile';
export const MENV_DIR = '.menv';
export const SANDBOX_DB = 'sandbox.db';
export const PORTAL_PORTS_FILE = 'portal.ports';

export class SandboxNameError extends Error {
  override name = 'SandboxNameError';
}

function checked(name: string, kind: NameKind): string {
  const problem = nameProblem(name, kind);
  if (problem !== null) throw new SandboxNameError(problem);
  return name;
}

export function namespaceDir(namespacesDir: string, namespace: string): string {
  return path.join(namespacesDir, checked(namespace, 'namespace'));
}

export function sandboxfilePath(namespacesDir: string, namespace: string): string {
  return path.join(namespaceDir(namespacesDir, namespace), CONFIG_FILE);
}

export function menvDir(namespacesDir: string, namespace: string): string {
  return path.join(namespaceDir(namespacesDir, namespace), MENV_DIR);
}

export function sandboxDbPath(namespacesDir: string, namespace: string): string {
  return path.join(menvDir(namespacesDir, namespace), SANDBOX_DB);
}

/** The supervisor's `--log-dir`. */
export function namespaceLogDir(namespacesDir: string, namespace: string): string {
  return path.join(menvDir(namespacesDir, namespace), 'log');
}

/** The folder holding the microVM logs: `D/.menv/log/Sandboxfile/`. */
export function sandboxLogDir(namespacesDir: string, namespace: string): string {
  return path.join(namespaceLogDir(namespacesDir, namespace), CONFIG_FILE);
}

/** `D/.menv/log/Sandboxfile/<name>.log`: the microVM's output (rotated to `<name>.old` at 10 MiB). */
export function sandboxLogPath(namespacesDir: string, namespace: string, name: string): string {
  return path.join(sandboxLogDir(namespacesDir, namespace), `${checked(name, 'sandbox')}.log`);
}

export function portalPortsPath(namespacesDir: string): string {
  return path.join(namespacesDir, PORTAL_PORTS_FILE);
}
