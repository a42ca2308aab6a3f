// The network the Worker under test sees. A production Worker takes recording download links
// only on https (SPEC 14), as the worker tests' Worker does (ENVIRONMENT=production); the Daily
// stand-in speaks plain http on 127.0.0.1, and workerd here trusts no certificate a test could
// make. So the stand-in hands out links on an https name of its own (its `fileOrigin`), and the
// Worker's outbound requests pass through this small worker, which sends those names to the
// stand-in over http, as DNS and a TLS-terminating proxy would; any other request goes on as
// it came. Nothing in worker/ knows of it: the Worker's own checks are the production ones.

/** The name of the outbound worker, for miniflare's `outboundService`. */
export const TEST_NETWORK = 'test-network';

/** miniflare options of the outbound worker that serves `hosts` (host of an https origin → http origin it stands for). */
export function testNetwork(hosts: Record<string, string>) {
  return {
    name: TEST_NETWORK,
    modules: true,
    compatibilityDate: '2026-11-01',
    bindings: { HOSTS: hosts },
    // Redirects are never followed here: the caller's own fetch follows them (or, asked for
    // `redirect: 'manual'`, sees them), hop by hop through this worker.
    script: `export default {
      async fetch(request, env) {
        const url = new URL(request.url);
        const origin = env.HOSTS[url.host];
        if (origin === undefined) return fetch(request, { redirect: 'manual' });
        return fetch(new Request(origin + url.pathname + url.search, request), { redirect: 'manual' });
      },
    };`,
  };
}
