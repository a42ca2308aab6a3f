import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors';

/**
 * A route's body bound, checked before anything parses it: 413 `too-large` past `maxBytes`
 * (Content-Length when given, else the bytes as they arrive).
 */
export const bodyOfAtMost = (maxBytes: number, detail: string) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError('too-large', detail);
    },
  });
