// Helpers for the tests beside this file: send one real HTTP request to a Koa app, capture log lines.
// Plain node:http rather than fetch, because the tests must forge Host headers and request targets.
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createLogger, type Logger } from './logging.js';

export interface TestRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

export async function send(app: Koa, req: TestRequest = {}): Promise<TestResponse> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<TestResponse>((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path ?? '/', headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A logger whose lines are kept in memory, parsed, for assertions. */
export function captureLogs(): { logger: Logger; lines: Record<string, unknown>[]; raw: () => string } {
  const written: string[] = [];
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void written.push(line) });
  return {
    logger,
    get lines() {
      return written.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => written.join(''),
  };
}
