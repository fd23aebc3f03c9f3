/**
 * The texts the window offers to copy: for a key, a shell `export` line, a `.env` snippet and an
 * MCP client configuration; the Sandboxes view's SDK examples. Main builds them (the window never
 * chooses clipboard text, see `clipboard:copy`); the window shows the token masked with
 * `maskToken`. Values are quoted only when they need it, so a normal token stays readable.
 */

/** Characters that never need quoting in a POSIX shell word. */
const SHELL_SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** Quotes a value for a POSIX shell (sh, bash, zsh): single quotes, `'` written as `'\''`. */
export function shellQuote(value: string): string {
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function exportLine(token: string): string {
  return `export MSB_API_KEY=${shellQuote(token)}`;
}

/** Characters that need no quotes in a `.env` value for python-dotenv and Node's dotenv alike. */
const DOTENV_SAFE = /^[A-Za-z0-9_./:@%+=,-]*$/;

/**
 * Quotes a `.env` value. Single quotes are literal in both python-dotenv and Node's dotenv, so
 * they are used whenever the value holds no single quote or line break; otherwise double quotes
 * with `\\`, `\"` and `\n` escapes (python-dotenv's rules).
 */
export function dotenvQuote(value: string): string {
  if (DOTENV_SAFE.test(value) && value !== '') return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  const escaped = value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\r', '\\r').replaceAll('\n', '\\n');
  return `"${escaped}"`;
}

export function dotenvSnippet(token: string, serverUrl: string): string {
  return `MSB_API_KEY=${dotenvQuote(token)}\nMSB_SERVER_URL=${dotenvQuote(serverUrl)}\n`;
}

/** The server's MCP endpoint: `<serverUrl>/mcp`, without a doubled slash. */
export function mcpUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/mcp`;
}

/** An MCP client configuration (Claude Desktop, Cursor and friends read this shape). */
export function mcpConfig(token: string, serverUrl: string): string {
  const config = {
    mcpServers: {
      microsandbox: {
        url: mcpUrl(serverUrl),
        headers: { Authorization: `Bearer ${token}` },
      },
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The token as shown before the user asks to see it: the constant `msb_` and JWT-header start
 * (no secret there), a fixed run of dots (the length is not revealed) and the last four
 * characters, enough to tell two keys apart.
 */
export function maskToken(token: string): string {
  const dots = '•'.repeat(16);
  if (token.length <= 16) return dots;
  return `${token.slice(0, 8)}${dots}${token.slice(-4)}`;
}

export const SDK_LANGUAGES = ['python', 'typescript'] as const;
export type SdkLanguage = (typeof SDK_LANGUAGES)[number];

/** Code that starts a first sandbox on this server with the Python and the TypeScript SDK. */
export function sdkSnippets(serverUrl: string): Readonly<Record<SdkLanguage, string>> {
  const url = JSON.stringify(serverUrl);
  return {
    python: [
      'import asyncio',
      'from microsandbox import PythonSandbox',
      '',
      'async def main():',
      `    async with PythonSandbox.create(name="my-sandbox", server_url=${url}) as sb:`,
      '        run = await sb.run("print(\'Hello from a sandbox\')")',
      '        print(await run.output())',
      '',
      'asyncio.run(main())',
      '',
    ].join('\n'),
    typescript: [
      'import { NodeSandbox } from "microsandbox";',
      '',
      `const sb = await NodeSandbox.create({ name: "my-sandbox", serverUrl: ${url} });`,
      'try {',
      '  const run = await sb.run("console.log(\'Hello from a sandbox\')");',
      '  console.log(await run.output());',
      '} finally {',
      '  await sb.stop();',
      '}',
      '',
    ].join('\n'),
  };
}
