import type { Asset, ConsoleAssets } from './assets';

/** Where the console lives on the server that serves it (the local API, or `sundial console`). */
export const CONSOLE_PATH = '/console/';

export type Fetch = (request: Request) => Response | Promise<Response>;

/**
 * Everything the page loads comes from this origin: the bundle, its stylesheet and the API. The policy
 * makes that a rule the browser enforces (no CDN, no inline script, no framing by other sites).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

function assetResponse(request: Request, asset: Asset, name: string): Response {
  // Bundles carry a content hash in their name and never change; the page itself is revalidated.
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    'content-type': asset.type,
    etag: asset.etag,
    'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  };
  if (name === 'index.html') headers['content-security-policy'] = CONSOLE_CSP;
  if (request.headers.get('if-none-match') === asset.etag)
    return new Response(null, { status: 304, headers });
  return new Response(request.method === 'HEAD' ? null : asset.body, { status: 200, headers });
}

function notBuilt(): Response {
  const text = 'The Sundial console has not been built: run `npm run build:console`, then reload.';
  return new Response(text, { status: 503, headers: { ...COMMON_HEADERS, 'content-type': 'text/plain' } });
}

function serveConsole(request: Request, path: string, assets: ConsoleAssets | undefined): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response(null, { status: 405, headers: { ...COMMON_HEADERS, allow: 'GET, HEAD' } });
  }
  if (!assets) return notBuilt();
  const name = path === '' ? 'index.html' : path;
  const asset = assets.get(name);
  if (!asset) return new Response('Not found', { status: 404, headers: COMMON_HEADERS });
  return assetResponse(request, asset, name);
}

/**
 * Serves the console beside an API: `/` and `/console` redirect to `/console/`, files under it come
 * from the built assets, and every other path goes to `api` unchanged.
 */
export function withConsole(api: Fetch, assets: ConsoleAssets | undefined): Fetch {
  return (request) => {
    const { pathname } = new URL(request.url);
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (read && (pathname === '/' || pathname === '/console')) {
      return new Response(null, { status: 302, headers: { ...COMMON_HEADERS, location: CONSOLE_PATH } });
    }
    if (pathname.startsWith(CONSOLE_PATH)) {
      return serveConsole(request, pathname.slice(CONSOLE_PATH.length), assets);
    }
    return api(request);
  };
}
