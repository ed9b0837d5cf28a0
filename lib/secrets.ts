const encoder = new TextEncoder();

/**
 * Compares in time that depends only on the expected secret's length: every byte of it is
 * visited, whatever the given text is, so neither its length nor its content leaks by timing.
 */
function sameBytes(given: Uint8Array, expected: Uint8Array): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given[i] ?? 0) ^ expected[i];
  return difference === 0;
}

export function secretsMatch(given: string, expected: string): boolean {
  return sameBytes(encoder.encode(given), encoder.encode(expected));
}

/** secretsMatch against one secret, encoded once: for a check made on every request. */
export function matchesSecret(expected: string): (given: string) => boolean {
  const expectedBytes = encoder.encode(expected);
  return (given) => sameBytes(encoder.encode(given), expectedBytes);
}

/** The token of an `Authorization: Bearer <token>` header; empty when there is none. */
export function bearerToken(authorization: string | undefined): string {
  return authorization?.startsWith("Bearer ") ? authorization.slice(7) : "";
}

/** The text with every occurrence of each secret replaced, longest first (one may contain another). */
export function redactValues(text: string, secrets: readonly string[]): string {
  const longestFirst = [...secrets].filter(Boolean).sort((a, b) => b.length - a.length);
  return longestFirst.reduce((redacted, secret) => redacted.replaceAll(secret, "[redacted]"), text);
}
