/** Unguessable tokens for links and sessions: 128 random bits, base64url (22 characters). */
export function randomToken(bytes = 16): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...random)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The length of a token randomToken() makes by default. */
export const TOKEN_LENGTH = 22;

/** What a token from outside may look like, as a RegExp source (longer ones than ours too). */
export const TOKEN_PATTERN = "[\\w-]{16,64}";

const wholeToken = new RegExp(`^${TOKEN_PATTERN}$`);

/** Whether a string looks like a token made by randomToken (callers check it before KV reads). */
export function isToken(text: string): boolean {
  return wholeToken.test(text);
}
