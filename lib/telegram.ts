import { Api, type ApiClientOptions } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { uploadsThroughCurl } from "./curl_upload.ts";
import { LONGEST_FLOOD_WAIT_MS, Throttle } from "./throttle.ts";

type GrammyFetch = NonNullable<ApiClientOptions["fetch"]>;
interface NodeFetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: string | AsyncIterable<Uint8Array>;
  signal?: { aborted: boolean; addEventListener(type: "abort", listener: () => void): void };
}

/**
 * Deno's own fetch for grammY, whose npm build would otherwise go through node-fetch on the
 * node:http layer: several times the CPU per call. grammY hands it node-fetch's dialect (a Node
 * stream as multipart body, a polyfilled AbortSignal, an http.Agent), translated here.
 */
export const denoFetch = ((url: string, init: NodeFetchInit = {}) => {
  const { method, headers, body, signal } = init;
  const abort = new AbortController();
  if (signal?.aborted) abort.abort();
  else signal?.addEventListener("abort", () => abort.abort());
  return fetch(url, {
    method,
    headers,
    body: typeof body === "string" || body === undefined ? body : ReadableStream.from(body),
    signal: abort.signal,
  });
}) as unknown as GrammyFetch;

/** What every Bot API client of the app is built with. */
export function telegramClientOptions(apiRoot: string): ApiClientOptions {
  return { apiRoot, fetch: denoFetch };
}

/** A Bot API client that waits out 429s (honouring retry_after) and network hiccups. */
export function createTelegramApi(
  config: { botToken: string; telegramApiRoot: string },
  throttle = new Throttle(),
): Api {
  const api = new Api(config.botToken, telegramClientOptions(config.telegramApiRoot));
  api.config.use(
    uploadsThroughCurl({ botToken: config.botToken, apiRoot: config.telegramApiRoot }),
  );
  installResilience(api, throttle);
  return api;
}

/**
 * Throttles below Telegram's flood limits, and retries what still hits them. The throttle is
 * installed first, so it runs inside the retries: each attempt waits for its own turn, and
 * every 429 reaches the shared budget.
 */
export function installResilience(api: Api, throttle: Throttle): void {
  api.config.use(throttle.transformer);
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: LONGEST_FLOOD_WAIT_MS / 1000 }));
}
