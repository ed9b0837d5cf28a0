import { Api, type ApiClientOptions, GrammyError } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { uploadsThroughCurl } from "./curl_upload.ts";
import { Throttle } from "./throttle.ts";

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
const denoFetch = ((url: string, init: NodeFetchInit = {}) => {
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

/** Throttles below Telegram's flood limits, and retries what still hits them. */
export function installResilience(api: Api, throttle: Throttle): void {
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  api.config.use(throttle.transformer);
}

/** True when Telegram refused a file_id we stored (the file is gone on its side). */
export function isStaleFileId(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 &&
    /wrong file identifier|file reference/i.test(error.description);
}
