/**
 * `sundial console` signs whatever reaches it with the user's AWS credentials, so it must answer only its
 * own page: any other web page open in the same browser can send requests to 127.0.0.1 too. Refused:
 * a foreign Host (DNS rebinding), a foreign Origin or a cross-site Sec-Fetch-Site (another page's
 * fetch or form), and a write that is not JSON (the one kind of cross-site POST a browser sends
 * without asking first).
 */
export function crossSiteRefusal(request: Request, origins: readonly string[]): Response | undefined {
  const hosts = origins.map((origin) => new URL(origin).host);
  const host = request.headers.get('host');
  if (!host || !hosts.includes(host))
    return refuse(403, `the Host header must be one of ${hosts.join(', ')}`);
  const origin = request.headers.get('origin');
  if (origin !== null && !origins.includes(origin)) return refuse(403, `requests from ${origin} are refused`);
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return refuse(403, `${site} requests are refused`);
  }
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  const type = request.headers.get('content-type') ?? '';
  if (write && !/^application\/json\b/i.test(type)) {
    return refuse(415, 'a write must have the content type application/json');
  }
  return undefined;
}

function refuse(status: number, detail: string): Response {
  const body = {
    type: 'about:blank',
    title: status === 415 ? 'Unsupported media type' : 'Forbidden',
    status,
    detail,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
