/** /worker/v1: how fleet workers claim jobs, report progress and finish them. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { bearerToken, matchesSecret } from "../lib/secrets.ts";
import { isId } from "../lib/ids.ts";
import type { JobService } from "../services/job_service.ts";
import {
  cookieOutcomesSchema,
  jobFailureSchema,
  jobProgressSchema,
  jobResultSchema,
  workerStatusSchema,
} from "../media/job_schemas.ts";
import { CLAIM_WAIT_MS } from "../media/job_protocol.ts";
import { PRIORITIES, type SendBudget } from "../lib/throttle.ts";

const claimBody = z.object({
  workerId: z.string().min(1).max(100).regex(/^[\w.:-]+$/),
  waitMs: z.number().int().min(0).max(CLAIM_WAIT_MS).optional(),
  status: workerStatusSchema.optional(),
});
const heartbeatBody = z.object({
  leaseId: z.string().min(1).max(100),
  progress: jobProgressSchema.optional(),
});
const completeBody = z.object({ leaseId: z.string().min(1).max(100), result: jobResultSchema });
const failBody = z.object({ leaseId: z.string().min(1).max(100), failure: jobFailureSchema });
const leaseBody = z.object({ leaseId: z.string().min(1).max(100) });
const cookieOutcomesBody = z.object({
  leaseId: z.string().min(1).max(100),
  outcomes: cookieOutcomesSchema,
});
/** a chat as the Bot API names it: its id, or a public channel's "@name" */
const chatIdSchema = z.union([z.number().int().safe(), z.string().regex(/^@\w{1,64}$/)]);
const prioritySchema = z.enum(PRIORITIES);
const sendBody = z.object({
  chatId: chatIdSchema,
  // absent from a worker of before priorities: its calls count as answers, as they did
  priority: prioritySchema.optional(),
  sender: z.string().regex(/^[\w-]{1,64}$/).optional(),
  waiting: prioritySchema.optional(),
});
const pauseBody = z.object({
  chatId: chatIdSchema.optional(),
  retryAfterMs: z.number().int().min(0).max(3_600_000),
});
/** The largest report, a playlist of 500 entries with the longest URLs and titles, is ~1.3 MB. */
export const WORKER_BODY_MAX_BYTES = 8 * 1024 * 1024;

async function parseBody<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) {
    throw new HTTPException(400, { message: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}

function jobId(id: string): string {
  if (!isId(id)) throw new HTTPException(400, { message: "bad job id" });
  return id;
}

export function workerApiRoutes(
  jobs: JobService,
  workerToken: string | undefined,
  sendBudget: SendBudget,
) {
  const isToken = workerToken ? matchesSecret(workerToken) : () => false;
  return new Hono()
    .use("/worker/v1/*", async (c, next) => {
      const given = bearerToken(c.req.header("authorization"));
      if (!given || !isToken(given)) {
        return c.json({ error: "unauthorized" }, 401);
      }
      await next();
    })
    .post("/worker/v1/claim", async (c) => {
      const body = await parseBody(c.req.raw, claimBody);
      const claim = await jobs.claim(body.workerId, {
        waitMs: body.waitMs ?? CLAIM_WAIT_MS,
        signal: c.req.raw.signal,
        status: body.status,
      });
      if (!claim) return c.body(null, 204);
      return c.json(claim);
    })
    .post("/worker/v1/jobs/:id/heartbeat", async (c) => {
      const body = await parseBody(c.req.raw, heartbeatBody);
      const reply = await jobs.heartbeat(jobId(c.req.param("id")), body.leaseId, body.progress);
      return c.json(reply, reply.ok ? 200 : 409);
    })
    // the cookie sets for the job's link, to the worker holding its lease and no one else
    .post("/worker/v1/jobs/:id/cookies", async (c) => {
      const body = await parseBody(c.req.raw, leaseBody);
      const sets = await jobs.cookiesFor(jobId(c.req.param("id")), body.leaseId);
      return sets ? c.json({ sets }) : c.json({ error: "lease moved on" }, 409);
    })
    .post("/worker/v1/jobs/:id/cookies/outcomes", async (c) => {
      const body = await parseBody(c.req.raw, cookieOutcomesBody);
      const ok = await jobs.reportCookies(jobId(c.req.param("id")), body.leaseId, body.outcomes);
      return c.json({ ok }, ok ? 200 : 409);
    })
    .post("/worker/v1/jobs/:id/complete", async (c) => {
      const body = await parseBody(c.req.raw, completeBody);
      const ok = await jobs.complete(jobId(c.req.param("id")), body.leaseId, body.result);
      return c.json({ ok }, ok ? 200 : 409);
    })
    .post("/worker/v1/jobs/:id/fail", async (c) => {
      const body = await parseBody(c.req.raw, failBody);
      const ok = await jobs.fail(jobId(c.req.param("id")), body.leaseId, body.failure);
      return c.json({ ok }, ok ? 200 : 409);
    })
    // the bot's flood budget: a worker's upload takes its turn like the app's messages
    .post("/worker/v1/sends", async (c) => {
      const { chatId, ...options } = await parseBody(c.req.raw, sendBody);
      const turn = await sendBudget.reserve(chatId, options);
      return c.json({
        waitMs: Math.max(0, turn.at - Date.now()),
        congestionMs: turn.congestionMs,
        yielded: turn.yielded ?? false,
      });
    })
    .post("/worker/v1/sends/pause", async (c) => {
      const body = await parseBody(c.req.raw, pauseBody);
      await sendBudget.pause(body.chatId, body.retryAfterMs);
      return c.body(null, 204);
    });
}
