import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** A plain GET against the gateway on 127.0.0.1:`port`. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample in the gateway's `/metrics` (0 when absent), e.g. `warren_broker_connect_seconds_count`. */
export async function metricValue(port: number, sample: string): Promise<number> {
  const { body } = await httpGet(port, '/metrics');
  let total = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, value] = splitSample(line);
    if (name === sample || name.startsWith(`${sample}{`)) total += Number(value);
  }
  return total;
}

function splitSample(line: string): [string, string] {
  const at = line.lastIndexOf(' ');
  return [line.slice(0, at), line.slice(at + 1)];
}
