// A real OTLP/HTTP receiver on loopback: records every export request as it arrives.
import { createServer, type Server } from 'node:http';
import { closeNow, listenOnLoopback } from '../../helpers/loopback.js';

export interface OtlpRequest {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

export class OtlpReceiver {
  readonly requests: OtlpRequest[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server, await listenOnLoopback(server));
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
        // An empty ExportServiceResponse means "all accepted", in either encoding.
        const json = req.headers['content-type']?.includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      });
    });
    // Count connections too, so a test can prove that nothing connected at all.
    server.on('connection', () => receiver.connections++);
    return receiver;
  }

  connections = 0;

  close(): Promise<void> {
    return closeNow(this.server);
  }
}
