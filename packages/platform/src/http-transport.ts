import http from 'node:http';
import https from 'node:https';

/** An answer read to the end: status, headers (lower-case names) and the body as text. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export type HttpTransport = (method: string, url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal) => Promise<RawResponse>;

/**
 * Requests over node:http with one keep-alive pool per dependency. About a tenth of order's CPU
 * went to `fetch` (undici's web streams and Headers, per request); this is the same connection
 * reuse without them. Idle connections are closed after 4 s, before a Node server's 5 s
 * keep-alive timeout could close one under a new request. Rejects with the network error
 * (`code` ECONNREFUSED, ECONNRESET …), or with the signal's reason once it aborts.
 */
export function createHttpTransport(): HttpTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 4000 }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 4000 }),
  };
  return (method, url, headers, body, signal) =>
    new Promise<RawResponse>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const fail = (error: unknown) => reject(signal.aborted ? signal.reason : error);
      const protocol = url.protocol === 'https:' ? https : http;
      const sent = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
      const request = protocol.request(url, { method, headers: sent, agent: agents[url.protocol as keyof typeof agents], signal }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
        response.on('error', fail);
      });
      request.on('error', fail);
      request.end(body);
    });
}

/** Node's header object as a Fetch `Headers` (what the client's answers expose). */
export function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}
