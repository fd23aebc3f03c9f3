import net from 'node:net';

/**
 * True when something already listens on host:port. msbserver prints its "listening" line before
 * it binds, so a taken port would otherwise surface only as an early exit.
 */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      // Other errors (no such local address, a privileged port) are msbserver's to report.
      resolve(error.code === 'EADDRINUSE');
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(false));
    });
  });
}
