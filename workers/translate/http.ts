/** JSON over HTTP for the translation services, with a timeout and typed errors. */
import { TranslationError } from "../../media/translator.ts";

/** POSTs JSON and returns the JSON answer; any HTTP error is a TranslationError. */
export async function postJson(
  url: string,
  body: unknown,
  options: {
    headers: Record<string, string>;
    timeoutMs?: number;
    signal?: AbortSignal;
    service: string;
  },
): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw new TranslationError(`${options.service} could not be reached: ${String(error)}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new TranslationError(
      `${options.service} answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new TranslationError(`${options.service} answered something that is not JSON`);
  }
}
