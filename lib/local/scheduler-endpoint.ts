import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalCredentials, unsignedReason } from './signature';

/** The local stand-in for the tick's EventBridge Scheduler schedule, as GetSchedule returns it. */
export interface LocalSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  State: 'ENABLED' | 'DISABLED';
  Target: { Arn: string; RoleArn: string };
  FlexibleTimeWindow: { Mode: 'OFF' };
  CreationDate: number;
  LastModificationDate: number;
  [field: string]: unknown;
}

const SCHEDULE_PATH = /^\/schedules\/([^/]+)$/;

function send(res: ServerResponse, status: number, body: unknown, errorType?: string) {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers EventBridge Scheduler's GetSchedule (`GET /schedules/{Name}`) and UpdateSchedule
 * (`PUT /schedules/{Name}`) for the local tick's own schedule, so the API's real
 * `@aws-sdk/client-scheduler` code path runs locally; the local clock only ticks while it is ENABLED.
 * Timestamps are epoch seconds, as on the wire.
 */
export class LocalSchedulerEndpoint {
  readonly schedule: LocalSchedule;
  /** This run's credentials: only requests signed with them (the API's own client) are answered. */
  readonly credentials: LocalCredentials = {
    accessKeyId: 'sundial-local',
    secretAccessKey: randomBytes(32).toString('hex'),
  };
  private server = createServer((req, res) => {
    this.handle(req, res).catch((error) =>
      send(res, 500, { message: String(error) }, 'InternalServerException'),
    );
  });

  constructor(name: string, group: string, tickFunction: string, now = () => Date.now()) {
    const at = Math.floor(now() / 1000);
    this.now = now;
    this.schedule = {
      Name: name,
      GroupName: group,
      Arn: `arn:aws:scheduler:local:000000000000:schedule/${group}/${name}`,
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        Arn: `arn:aws:lambda:local:000000000000:function:${tickFunction}`,
        RoleArn: 'arn:aws:iam::000000000000:role/sundial-local-tick',
      },
      FlexibleTimeWindow: { Mode: 'OFF' },
      CreationDate: at,
      LastModificationDate: at,
    };
  }

  private readonly now: () => number;

  get enabled(): boolean {
    return this.schedule.State === 'ENABLED';
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const name = decodeURIComponent(SCHEDULE_PATH.exec(url.pathname)?.[1] ?? '');
    const group = url.searchParams.get('groupName') ?? 'default';
    const raw = await readBody(req);
    const unsigned = await unsignedReason(req, raw, this.credentials, 'scheduler');
    if (unsigned) return send(res, 403, { Message: unsigned }, 'InvalidSignatureException');
    const body = req.method === 'PUT' ? JSON.parse(raw.toString('utf8') || '{}') : undefined;
    const groupName = body?.GroupName ?? group;
    if (!name || name !== this.schedule.Name || groupName !== this.schedule.GroupName) {
      return send(
        res,
        404,
        { Message: `Schedule ${groupName}/${name} does not exist.` },
        'ResourceNotFoundException',
      );
    }
    if (req.method === 'GET') return send(res, 200, this.schedule);
    if (req.method === 'PUT') {
      if (body.State !== 'ENABLED' && body.State !== 'DISABLED') {
        return send(res, 400, { Message: 'State must be ENABLED or DISABLED' }, 'ValidationException');
      }
      const { ClientToken: _token, ...definition } = body;
      Object.assign(this.schedule, definition, { LastModificationDate: Math.floor(this.now() / 1000) });
      return send(res, 200, { ScheduleArn: this.schedule.Arn });
    }
    return send(res, 405, { Message: `${req.method} is not supported` }, 'ValidationException');
  }
}
