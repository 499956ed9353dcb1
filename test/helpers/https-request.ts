// One HTTPS GET with no connection reuse, with what a TLS client may present or check: the CA it
// trusts, the name it expects, a client certificate, basic auth. For tests of the exporter's TLS
// as a kubelet probe or a Prometheus scrape would meet it.
import https from 'node:https';

export interface HttpsOptions {
  /** PEM of the CA to verify the server with; without it the certificate is not checked (as the kubelet's probes do). */
  ca?: string;
  /** The name the certificate must carry (Prometheus' tls_config.server_name). */
  servername?: string;
  /** PEM of a client certificate and its key. */
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
}

export function httpsGet(url: string, options: HttpsOptions = {}): Promise<{ status: number; body: string }> {
  const { ca, servername, cert, key, user, password } = options;
  const headers = user === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` };
  return new Promise((resolve, reject) => {
    const request = https.get(url, { agent: false, headers, ca, cert, key, servername, rejectUnauthorized: ca !== undefined }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}
