import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses a request body over `maxBytes` before anything reads it. A declared Content-Length is
 * checked as it is: Hono's bodyLimit reads `request.body`, which turns off Deno's one-read path
 * for the whole body, and Deno's HTTP server already holds a body to its declared length. A body
 * without one (chunked) is counted by bodyLimit as it comes.
 */
export function limitBody(
  maxBytes: number,
  tooLarge: (c: Context) => Response,
): MiddlewareHandler {
  const countedAsItComes = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) {
      return countedAsItComes(c, next);
    }
    return Number(length) <= maxBytes ? next() : Promise.resolve(tooLarge(c));
  };
}
