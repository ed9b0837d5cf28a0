import { assert, assertEquals } from "../support/assert.ts";
import { RateLimiter } from "../../lib/rate_limit.ts";

Deno.test("[lib/rate_limit] a burst past the limit waits for the window; others go on", () => {
  let now = 0;
  const limiter = new RateLimiter(3, 1_000, () => now);
  assertEquals([limiter.hit(1), limiter.hit(1), limiter.hit(1)], [0, 0, 0]);
  now = 400;
  assertEquals(limiter.hit(1), 600, "until the first hit leaves the window");
  assertEquals(limiter.hit(2), 0, "another user is not held up");
  assert(limiter.shouldWarn(1));
  assert(!limiter.shouldWarn(1), "one warning per window");
  now = 1_401;
  assertEquals(limiter.hit(1), 0);
  assert(limiter.shouldWarn(1), "a window after the warning, a new one");
});

Deno.test("[lib/rate_limit] many users at once: each keeps its own count, and a window later may send again", () => {
  let now = 0;
  const limiter = new RateLimiter(2, 1_000, () => now);
  const users = 25_000;
  for (let round = 0; round < 2; round++) {
    for (let user = 0; user < users; user++) assertEquals(limiter.hit(user), 0);
    now += 10;
  }
  for (let user = 0; user < users; user += 997) assert(limiter.hit(user) > 0, `user ${user}`);
  // old entries are swept while users keep coming
  now += 2_000;
  for (let user = 0; user < 10_001; user++) limiter.hit(user);
  now += 2_000;
  limiter.hit(0);
  for (let user = 1; user < users; user += 997) assertEquals(limiter.hit(user), 0);
});
