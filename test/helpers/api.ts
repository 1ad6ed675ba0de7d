// A raw Engine API request over the daemon's unix socket, for what the Docker CLI never sends.
import http from 'node:http';

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

export function apiRequest(
  socket: string,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method,
        path,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': type },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `message` of a JSON error body. */
export function messageOf(response: ApiResponse): string {
  return (JSON.parse(response.body) as { message: string }).message;
}
