/**
 * What `msb` prints as JSON, checked field by field: a field of the wrong type is an error that
 * names the command, never a value passed on. Extra fields are ignored (newer msb versions add
 * them); a missing optional figure becomes null.
 */
import type { RuntimeContext, RuntimeLogLine, RuntimeMetrics, RuntimeSandbox } from './api.ts';
import { MsbCommandError } from './msb-runner.ts';

/** Upstream's rule (`msb create` refuses anything else): alphanumeric first, then `.`, `_`, `-`, at most 128. */
export const RUNTIME_SANDBOX_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isRuntimeSandboxName(value: unknown): value is string {
  return typeof value === 'string' && RUNTIME_SANDBOX_NAME.test(value);
}

type Fields = Readonly<Record<string, unknown>>;

function bad(command: string, what: string): MsbCommandError {
  return new MsbCommandError(command, 'output', `${command} printed an unexpected answer: ${what}.`);
}

function objectAt(value: unknown, command: string, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(command, `${where} is not an object`);
  return value as Fields;
}

function arrayOf(value: unknown, command: string): readonly unknown[] {
  if (!Array.isArray(value)) throw bad(command, 'not a list');
  return value;
}

function text(fields: Fields, key: string, command: string, where: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw bad(command, `${where}.${key} is not text`);
  return value;
}

function optionalText(fields: Fields, key: string, command: string, where: string): string | null {
  const value = fields[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw bad(command, `${where}.${key} is not text`);
  return value;
}

function optionalNumber(fields: Fields, key: string, command: string, where: string): number | null {
  const value = fields[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(command, `${where}.${key} is not a number`);
  return value;
}

function sandboxName(fields: Fields, command: string, where: string): string {
  const name: string = text(fields, 'name', command, where);
  // A name msb itself would refuse cannot be passed back to it safely (a leading `-` reads as a flag).
  if (!RUNTIME_SANDBOX_NAME.test(name))
    throw bad(command, `${where}.name ${JSON.stringify(name.slice(0, 140))} is not a sandbox name`);
  return name;
}

export interface LsRow {
  readonly name: string;
  readonly status: string;
  readonly image: string;
  readonly createdAt: number;
}

/** Hears of each row left out of a listing, with the reason; without it a bad row fails the whole answer. */
export type SkipRow = (reason: string) => void;

/**
 * Each row through `parse`, a bad one (a name msb itself would refuse, a field of the wrong type,
 * as a newer msb might print) left out and reported, so one row cannot empty the whole list.
 */
function rows<T>(
  value: unknown,
  command: string,
  skip: SkipRow | undefined,
  parse: (fields: Fields, where: string) => T,
): T[] {
  const out: T[] = [];
  arrayOf(value, command).forEach((item, index) => {
    const where = `entry ${index}`;
    try {
      out.push(parse(objectAt(item, command, where), where));
    } catch (error) {
      if (skip === undefined || !(error instanceof MsbCommandError)) throw error;
      skip(error.message);
    }
  });
  return out;
}

/** `msb ls --format json`. */
export function parseLs(value: unknown, command: string, skip?: SkipRow): LsRow[] {
  return rows(value, command, skip, (fields, where) => {
    const created = optionalText(fields, 'created_at', command, where);
    const createdAt = created === null ? Number.NaN : Date.parse(created);
    return {
      name: sandboxName(fields, command, where),
      status: text(fields, 'status', command, where),
      image: optionalText(fields, 'image', command, where) ?? '',
      createdAt: Number.isNaN(createdAt) ? 0 : createdAt,
    };
  });
}

export interface PsRow {
  readonly name: string;
  readonly status: string;
  readonly cpus: number | null;
  readonly memoryMib: number | null;
  readonly ports: readonly string[];
}

/** `msb ps -a --format json`. */
export function parsePs(value: unknown, command: string, skip?: SkipRow): PsRow[] {
  return rows(value, command, skip, (fields, where) => {
    const ports = fields['ports'] ?? [];
    if (!Array.isArray(ports) || !ports.every((port): port is string => typeof port === 'string'))
      throw bad(command, `${where}.ports is not a list of text`);
    return {
      name: sandboxName(fields, command, where),
      status: text(fields, 'status', command, where),
      cpus: optionalNumber(fields, 'cpus', command, where),
      memoryMib: optionalNumber(fields, 'memory_mib', command, where),
      ports,
    };
  });
}

/** `ls` gives the order, the status and the image; `ps -a` adds the resources. */
export function mergeListing(ls: readonly LsRow[], ps: readonly PsRow[]): RuntimeSandbox[] {
  const byName = new Map(ps.map((row) => [row.name, row]));
  return ls.map((row) => {
    const extra = byName.get(row.name);
    return {
      name: row.name,
      status: row.status,
      image: row.image,
      createdAt: row.createdAt,
      cpus: extra?.cpus ?? null,
      memoryMib: extra?.memoryMib ?? null,
      ports: extra?.ports ?? [],
    };
  });
}

/** One line of `msb metrics --follow`. */
export function parseMetricsLine(value: unknown, command: string): RuntimeMetrics {
  const fields = objectAt(value, command, 'the line');
  const n = (key: string): number | null => optionalNumber(fields, key, command, 'the line');
  return {
    name: sandboxName(fields, command, 'the line'),
    cpuPercent: n('cpu_percent'),
    memoryBytes: n('memory_bytes'),
    memoryLimitBytes: n('memory_limit_bytes'),
    diskReadBytes: n('disk_read_bytes'),
    diskWriteBytes: n('disk_write_bytes'),
    netRxBytes: n('net_rx_bytes'),
    netTxBytes: n('net_tx_bytes'),
    uptimeSecs: n('uptime_secs'),
  };
}

/** One line of `msb logs --json`, not yet scrubbed. */
export function parseLogLine(value: unknown, command: string): RuntimeLogLine {
  const fields = objectAt(value, command, 'the line');
  const time = optionalText(fields, 't', command, 'the line');
  const parsed = time === null ? Number.NaN : Date.parse(time);
  return {
    source: optionalText(fields, 's', command, 'the line') ?? 'stdout',
    text: optionalText(fields, 'd', command, 'the line') ?? '',
    time: Number.isNaN(parsed) ? null : parsed,
  };
}

/** `msb context --format json`. */
export function parseContext(value: unknown, command: string): RuntimeContext {
  const fields = objectAt(value, command, 'the answer');
  return {
    kind: text(fields, 'kind', command, 'the answer'),
    profile: optionalText(fields, 'profile', command, 'the answer'),
    apiUrl: shownUrl(optionalText(fields, 'api_url', command, 'the answer')),
  };
}

/** The URL without what may be a secret: `user:pass@`, the query (`?token=`) and the fragment. */
export function shownUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    // Shown as msb printed it when there is nothing to take out (URL would add a `/`).
    if (parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '') return url;
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    // Not a URL msb should print; shown only as far as it cannot carry userinfo or a query.
    return url.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/s, '');
  }
}

/** `msb inspect NAME --format json`, the parts a person reads; the rest of the config stays in msb. */
export interface RuntimeSandboxDetails {
  readonly name: string;
  readonly status: string;
  readonly createdAt: number | null;
  readonly updatedAt: number | null;
  /** `alpine` for an OCI image, the folder for a bound root, null for a kind this app does not know. */
  readonly image: string | null;
  readonly cpus: number | null;
  readonly memoryMib: number | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly ephemeral: boolean | null;
  /** Changes made with `msb modify` that apply at the next start. */
  readonly pendingChanges: number;
}

function optionalObject(fields: Fields, key: string, command: string, where: string): Fields | null {
  const value = fields[key];
  if (value === undefined || value === null) return null;
  return objectAt(value, command, `${where}.${key}`);
}

function time(fields: Fields, key: string, command: string, where: string): number | null {
  const value = optionalText(fields, key, command, where);
  const parsed = value === null ? Number.NaN : Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

export function parseInspect(value: unknown, command: string): RuntimeSandboxDetails {
  const top = objectAt(value, command, 'the answer');
  const config = optionalObject(top, 'config', command, 'the answer') ?? {};
  const image = optionalObject(config, 'image', command, 'config');
  const oci = image === null ? null : optionalObject(image, 'Oci', command, 'config.image');
  const bind = image === null ? null : optionalObject(image, 'Bind', command, 'config.image');
  const resources = optionalObject(config, 'resources', command, 'config');
  const lifecycle = optionalObject(config, 'lifecycle', command, 'config');
  const labels = optionalObject(config, 'labels', command, 'config') ?? {};
  const labelTexts: Record<string, string> = {};
  for (const [key, label] of Object.entries(labels)) {
    if (typeof label !== 'string') throw bad(command, `config.labels.${key} is not text`);
    labelTexts[key] = label;
  }
  const ephemeral = lifecycle?.['ephemeral'];
  const pending = top['pending_changes'];
  return {
    name: sandboxName(top, command, 'the answer'),
    status: text(top, 'status', command, 'the answer'),
    createdAt: time(top, 'created_at', command, 'the answer'),
    updatedAt: time(top, 'updated_at', command, 'the answer'),
    image:
      (oci === null ? null : optionalText(oci, 'reference', command, 'config.image.Oci')) ??
      (bind === null ? null : optionalText(bind, 'path', command, 'config.image.Bind')),
    cpus: resources === null ? null : optionalNumber(resources, 'cpus', command, 'config.resources'),
    memoryMib: resources === null ? null : optionalNumber(resources, 'memory_mib', command, 'config.resources'),
    labels: labelTexts,
    ephemeral: typeof ephemeral === 'boolean' ? ephemeral : null,
    pendingChanges: Array.isArray(pending) ? pending.length : 0,
  };
}
