import { assert } from "../support/assert.ts";
import { matchesSecret, secretsMatch } from "../../lib/secrets.ts";

Deno.test("a secret matches only itself", () => {
  const isSecret = matchesSecret("s3cret-Tøken");
  assert(isSecret("s3cret-Tøken"));
  assert(secretsMatch("s3cret-Tøken", "s3cret-Tøken"));
  for (
    const forged of ["", "s3cret", "s3cret-Tøken ", "s3cret-Tøkem", "S3cret-Tøken", "s3cret-Token"]
  ) {
    assert(!isSecret(forged), forged);
    assert(!secretsMatch(forged, "s3cret-Tøken"), forged);
  }
  // a longer text that starts with the secret is not the secret
  assert(!isSecret("s3cret-Tøken".repeat(3)));
  assert(!matchesSecret("")("x"));
  assert(matchesSecret("")(""));
});
