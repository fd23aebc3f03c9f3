// @ts-check
/** ESM resolve hook (module.register): the specifier `electron` resolves to the recording fake. */

const FAKE = new URL('./electron.js', import.meta.url).href;

/**
 * @param {string} specifier
 * @param {{ conditions: string[], importAttributes: Record<string, string>, parentURL?: string }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string, format?: string | null, shortCircuit?: boolean }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier === 'electron/main') {
    return { url: FAKE, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
