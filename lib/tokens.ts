/** Unguessable tokens for links and sessions: 128 random bits, base64url (22 characters). */
export function randomToken(bytes = 16): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...random)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Whether a string looks like a token made by randomToken (callers check it before KV reads). */
export function isToken(text: string): boolean {
  return /^[\w-]{16,64}$/.test(text);
}
