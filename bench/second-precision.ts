import type { CapacityResult, UnitsPerFire } from './capacity';
import type { LiveResult } from './live-figures';
import { FUNCTION_GB, PRICE } from './prices';
import type { Report } from './report';
import { fmt } from './stats';
import type { TickCostResult } from './tick-cost';

interface PerFire {
  fireWorkerMs: number;
  lambdaRequests: number;
  sqsRequests: number;
  units: UnitsPerFire;
}

/** $ per million fires, by part, and the arithmetic. */
function perMillion(p: PerFire): { total: number; text: string } {
  const parts = {
    'fire worker duration': (p.fireWorkerMs / 1000) * FUNCTION_GB * PRICE.lambdaGbSecondArm,
    'Lambda requests': p.lambdaRequests * PRICE.lambdaRequest,
    SQS: p.sqsRequests * PRICE.sqsRequest,
    DynamoDB: p.units.writes * PRICE.writeUnit + p.units.reads * PRICE.readUnit,
  };
  const total = 1e6 * Object.values(parts).reduce((s, v) => s + v, 0);
  const text = Object.entries(parts)
    .map(([name, dollars]) => `${name} $${fmt(dollars * 1e6, 2)}`)
    .join(' + ');
  return { total, text };
}

/**
 * The cost of second precision per million fires, from the measured parts: fire worker wall time per fire
 * (it is billed while it waits for the second), Lambda and SQS requests per fire, and DynamoDB units per
 * fire. Two shapes: the steady mix (about 42 fires a second, so one invocation serves a second's fires)
 * and a fire alone in its second (a daily cron), the most a fire can cost.
 */
export function costOfSecondPrecision(
  report: Report,
  live: LiveResult,
  tick: TickCostResult,
  capacity: CapacityResult,
): void {
  report.section('2. Cost per million fires (fire worker 1024 MB arm64, Lambda, SQS, DynamoDB list prices)');
  const c = live.fireCost;
  const dense = perMillion({
    fireWorkerMs: c.wallMsPerFire,
    lambdaRequests: c.lambdaRequestsPerFire,
    sqsRequests: c.sqsRequestsPerFire,
    units: capacity.everyTenSeconds,
  });
  report.add(
    '2. per million sub-minute fires (steady mix, every 10 s units)',
    `$${fmt(dense.total, 2)} = ${dense.text}; per fire: ${fmt(c.wallMsPerFire, 1)} ms fire-worker wall (${fmt(c.busyMsPerFire, 1)} ms of it after the first fire time), ${fmt(c.lambdaRequestsPerFire, 2)} Lambda requests (target included), ${fmt(c.sqsRequestsPerFire, 3)} SQS requests`,
    '',
    undefined,
    true,
  );
  // A lone fire: one worker invocation, the target's, a receive and a delete, a share of one send.
  const lone = perMillion({
    fireWorkerMs: tick.loneFireWallMs,
    lambdaRequests: 2,
    sqsRequests: 2.2,
    units: capacity.daily,
  });
  report.add(
    '2. per million fires each alone in its second (daily cron units)',
    `$${fmt(lone.total, 2)} = ${lone.text}; per fire ${fmt(tick.loneFireWallMs)} ms fire-worker wall, 2 Lambda requests, ~2.2 SQS requests`,
    '',
    undefined,
    true,
  );
}
