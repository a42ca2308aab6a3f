// The API's types come from the Worker's own modules (type-only imports, no bytes in the bundle).
// The rollout flags' module names the Workers runtime's KV binding type; it is taken from the
// module form of the Workers types, so none of the runtime's globals, which clash with the DOM's,
// enter the client.
type KVNamespace<Key extends string = string> = import('@cloudflare/workers-types/index.ts').KVNamespace<Key>;
