import { type Schema, Validator } from '@cfworker/json-schema';
import reflector from './fixtures/reflector/openapi.json' with { type: 'json' };

// Reflector's own clients against this service (SPEC §10): every answer of an operation they
// use must validate against the response schema that Reflector's OpenAPI document declares for
// it (test/fixtures/reflector/README.md says which copy). Extra fields are allowed, as there.

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema?: Schema } } }>;
}
const paths = reflector.paths as unknown as Record<string, Partial<Record<Method, Operation>>>;

/**
 * Reflector's errors as its server sends them and its frontend reads them (`www/app/api/_error.ts`,
 * "detail may be a string"): FastAPI's HTTPException, `{detail: "<words>"}`. The document declares
 * only its 422 (a list of validation errors); this service answers every error in the one shape of
 * SPEC §4, whose `detail` is such a string, for 422 too.
 */
const HTTP_EXCEPTION: Schema = {
  type: 'object',
  required: ['detail'],
  properties: { detail: { type: 'string', minLength: 1 } },
};

/** The schema Reflector declares for a successful answer of the operation (FastAPI declares each as 200). */
export function reflectorSchema(method: Method, path: string): Schema {
  const operation = paths[path]?.[method];
  if (!operation) throw new Error(`Reflector's document has no ${method.toUpperCase()} ${path}`);
  const schema = operation.responses['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`Reflector's document declares no JSON answer for ${method.toUpperCase()} ${path}`);
  return schema;
}

/**
 * The problems of one answer against Reflector's contract; empty when it validates. A 2xx is
 * judged by the operation's declared schema (this service may answer 201 where FastAPI says 200),
 * an error by the shape Reflector's frontend reads.
 */
export function reflectorProblems(method: Method, path: string, status: number, body: unknown): string[] {
  const schema = status < 300 ? reflectorSchema(method, path) : HTTP_EXCEPTION;
  // The operation's schema refers to the document's components: validate from the document's root.
  const rooted = { ...schema, components: reflector.components } as Schema;
  const result = new Validator(rooted, '2020-12', false).validate(body);
  return result.errors.map((error) => `${error.instanceLocation}: ${error.error}`);
}

/** Every operation of Reflector's room service that SPEC §10 lists, as `METHOD path`. */
export const REFLECTOR_OPERATIONS = [
  'GET /v1/me',
  'GET /v1/rooms',
  'POST /v1/rooms',
  'GET /v1/rooms/{room_id}',
  'PATCH /v1/rooms/{room_id}',
  'DELETE /v1/rooms/{room_id}',
  'GET /v1/rooms/name/{room_name}',
  'POST /v1/rooms/{room_name}/meeting',
  'GET /v1/rooms/{room_name}/meetings/active',
  'GET /v1/rooms/{room_name}/meetings/{meeting_id}',
  'POST /v1/rooms/{room_name}/meetings/{meeting_id}/join',
  'POST /v1/meetings/{meeting_id}/consent',
  'POST /v1/meetings/{meeting_id}/recordings/start',
  'PATCH /v1/meetings/{meeting_id}/deactivate',
  'POST /v1/rooms/{room_id}/webhook/test',
] as const;
