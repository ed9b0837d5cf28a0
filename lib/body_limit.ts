import type { Context, MiddlewareHandler } from "hono";

/** What a route may read of a request body: its path's limit and the answer beyond it. */
export interface BodyLimits {
  maxBytesFor(path: string): number;
  tooLarge(c: Context): Response;
}

/**
 * Refuses a request body over its route's limit before anything reads past it. A declared
 * Content-Length is checked as it is, before the handler runs: Deno's HTTP server already holds
 * a body to its declared length, and leaving the stream untouched keeps Deno's one-read path
 * for the whole body. A body without one (chunked) is counted as the handler pulls it: the
 * piece that crosses the limit ends the stream with an error, whatever the handler makes of
 * that error the answer is 413, and nothing is read before the handler asks (so a route that
 * refuses a request first, e.g. for its token, reads none of it).
 */
export function limitBodies(limits: BodyLimits): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return await next();
    const maxBytes = limits.maxBytesFor(c.req.path);
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      // a malformed length is NaN, which is never within the limit
      if (!(Number(length) <= maxBytes)) return limits.tooLarge(c);
      return await next();
    }
    let exceeded = false;
    c.req.raw = new Request(c.req.raw, {
      body: countedBody(body, maxBytes, () => exceeded = true),
      duplex: "half",
    } as RequestInit);
    await next();
    if (exceeded) {
      // whatever the handler answered (a 400 for a body it could not parse, an error page)
      c.res = undefined;
      c.res = limits.tooLarge(c);
    }
  };
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`request body over ${maxBytes} bytes`);
  }
}

/** The body as its reader pulls it, ended with BodyTooLargeError once it passes maxBytes. */
function countedBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  onExceeded: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      size += value.byteLength;
      if (size > maxBytes) {
        onExceeded();
        controller.error(new BodyTooLargeError(maxBytes));
        await reader.cancel().catch(() => {});
        return;
      }
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
