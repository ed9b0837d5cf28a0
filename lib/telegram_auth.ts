/**
 * Verifies what Telegram signs for web pages, as its docs describe:
 * - Mini App initData: secret = HMAC-SHA256(key "WebAppData", bot token);
 * - Login Widget data: secret = SHA-256(bot token);
 * then hash = hex(HMAC-SHA256(key secret, data-check-string)), where the data-check-string is
 * every other field as "key=value", sorted by key, joined by "\n". auth_date bounds the age.
 */
import { secretsMatch } from "./secrets.ts";

export interface TelegramLoginUser {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export type TelegramAuthFailure = "malformed" | "bad_signature" | "expired";

export type TelegramAuthResult =
  | { ok: true; user: TelegramLoginUser; authDate: number; hash: string }
  | { ok: false; reason: TelegramAuthFailure };

export interface VerifyOptions {
  maxAgeSeconds: number;
  /** epoch milliseconds */
  now?: number;
}

/** Clocks differ a little; data dated further in the future than this is refused. */
const CLOCK_SKEW_SECONDS = 60;
const encoder = new TextEncoder();

export async function verifyWebAppInitData(
  initData: string,
  botToken: string,
  options: VerifyOptions,
): Promise<TelegramAuthResult> {
  const fields = uniqueFields(new URLSearchParams(initData));
  if (!fields) return { ok: false, reason: "malformed" };
  const secret = await hmacSha256(encoder.encode("WebAppData"), encoder.encode(botToken));
  return await verifyFields(fields, secret, options, (f) => {
    const raw = parseJson(f.user);
    if (!isRecord(raw) || !Number.isSafeInteger(raw.id) || typeof raw.first_name !== "string") {
      return undefined;
    }
    return {
      id: raw.id as number,
      firstName: raw.first_name,
      lastName: optionalString(raw.last_name),
      username: optionalString(raw.username),
      languageCode: optionalString(raw.language_code),
    };
  });
}

export async function verifyLoginWidget(
  data: Record<string, string>,
  botToken: string,
  options: VerifyOptions,
): Promise<TelegramAuthResult> {
  const fields = new Map(Object.entries(data));
  const secret = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(botToken)));
  return await verifyFields(fields, secret, options, (f) => {
    const id = Number(f.id);
    if (!f.id || !Number.isSafeInteger(id) || !f.first_name) return undefined;
    return { id, firstName: f.first_name, lastName: f.last_name, username: f.username };
  });
}

async function verifyFields(
  fields: Map<string, string>,
  secret: Uint8Array,
  options: VerifyOptions,
  readUser: (fields: Record<string, string | undefined>) => TelegramLoginUser | undefined,
): Promise<TelegramAuthResult> {
  const hash = fields.get("hash")?.toLowerCase();
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: "malformed" };
  const checkString = [...fields]
    .filter(([key]) => key !== "hash")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
  const expected = toHex(await hmacSha256(secret, encoder.encode(checkString)));
  if (!secretsMatch(hash, expected)) return { ok: false, reason: "bad_signature" };

  const authDate = Number(fields.get("auth_date"));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, reason: "malformed" };
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (authDate > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: "malformed" };
  if (nowSeconds - authDate > options.maxAgeSeconds) return { ok: false, reason: "expired" };

  const user = readUser(Object.fromEntries(fields));
  if (!user) return { ok: false, reason: "malformed" };
  return { ok: true, user, authDate, hash };
}

/** Repeated keys make the data-check-string ambiguous: such data is refused. */
function uniqueFields(params: URLSearchParams): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const [key, value] of params) {
    if (fields.has(key)) return undefined;
    fields.set(key, value);
  }
  return fields;
}

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", cryptoKey, data as Uint8Array<ArrayBuffer>),
  );
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
