import { PROBLEM_TYPES, type Problem } from '../task/schemas';

type Fetch = (request: Request) => Response | Promise<Response>;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

function refusal(status: 403 | 415, header: string, message: string): Problem {
  return {
    type: PROBLEM_TYPES.crossSite,
    title: status === 403 ? 'Cross-site request refused' : 'Unsupported media type',
    status,
    detail: `${header}: ${message}`,
    errors: [{ path: header, message }],
  };
}

/**
 * Why a server on 127.0.0.1 that answers only its own pages (the local API, `sundial console`) refuses
 * this request, or undefined. Any web
 * page in the user's browser can send requests to 127.0.0.1, so: the Host must be one of `origins`' (a
 * foreign one is DNS rebinding); an Origin, when sent, must be one of `origins`, and Sec-Fetch-Site must
 * not say another site (another page's fetch or form); and a write must say `application/json`, the one
 * thing a page cannot send to another origin without the server's consent (a CORS preflight, which this
 * server never grants).
 */
export function crossSiteRefusal(request: Request, origins: readonly string[]): Problem | undefined {
  const hosts = origins.map((origin) => new URL(origin).host);
  const host = request.headers.get('host') ?? '';
  if (!hosts.includes(host)) return refusal(403, 'Host', `must be ${hosts.join(' or ')}`);
  const origin = request.headers.get('origin');
  if (origin !== null && !origins.includes(origin)) {
    return refusal(403, 'Origin', `requests from pages of ${origin} are refused`);
  }
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return refusal(403, 'Sec-Fetch-Site', `${site} requests are refused`);
  }
  if (!READS.has(request.method) && !JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
    return refusal(415, 'Content-Type', 'a write must be sent as application/json, with or without a body');
  }
  return undefined;
}

/** The answer refusing this request (a problem document), or undefined when it may be served. */
export function crossSiteResponse(request: Request, origins: readonly string[]): Response | undefined {
  const problem = crossSiteRefusal(request, origins);
  if (!problem) return undefined;
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/** `fetch`, answering only requests that `crossSiteRefusal` lets through; `origins()` is read per request. */
export function sameOriginOnly(fetch: Fetch, origins: () => readonly string[]): Fetch {
  return (request) => crossSiteResponse(request, origins()) ?? fetch(request);
}
