// @ts-check
/**
 * ESM resolve hook (module.register): the specifier `electron` resolves to the recording fake,
 * or to the module named by `register(..., { data: { fake } })` (test/app-harness uses its own).
 */

let fake = new URL('./electron.js', import.meta.url).href;

/** @param {{ fake?: string } | undefined} data */
export function initialize(data) {
  if (typeof data?.fake === 'string' && data.fake !== '') fake = data.fake;
}

/**
 * @param {string} specifier
 * @param {{ conditions: string[], importAttributes: Record<string, string>, parentURL?: string }} context
 * @param {(
 *   specifier: string,
 *   context?: object,
 * ) => Promise<{ url: string, format?: string | null, shortCircuit?: boolean }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier === 'electron/main') {
    return { url: fake, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
