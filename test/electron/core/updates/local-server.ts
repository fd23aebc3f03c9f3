import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on loopback answering from a table of paths; closed by `close()`. */
export async function serveRoutes(
  routes: Record<string, { status?: number; body: string; type?: string }>,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const route = routes[(request.url ?? '').split('?')[0] ?? ''];
    response.writeHead(route?.status ?? (route === undefined ? 404 : 200), {
      'Content-Type': route?.type ?? 'text/plain',
    });
    response.end(route?.body ?? 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback URL nothing listens on: a server opened, then closed. */
export async function refusedUrl(): Promise<string> {
  const server = await serveRoutes({});
  await server.close();
  return server.url;
}
