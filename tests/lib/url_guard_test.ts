import { assertEquals } from "../support/assert.ts";
import { extractUrl, isPublicAddress, publicAddressOf, UrlGuard } from "../../lib/url_guard.ts";

const fakeDns: Record<string, string[]> = {
  "example.com": ["93.184.215.14"],
  "metadata.example.net": ["169.254.169.254"],
  "mixed.example.net": ["93.184.215.14", "10.0.0.5"],
  "v6-loopback.example.net": ["::1"],
};
const guard = new UrlGuard(false, (host) => Promise.resolve(fakeDns[host] ?? []));

Deno.test("[lib/url_guard] refuses loopback, private, link-local, multicast and metadata addresses", async () => {
  const refused = [
    "http://127.0.0.1/x",
    "http://127.1.2.3:8080/",
    "http://[::1]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/",
    "http://localhost/",
    "http://metadata.google.internal/",
    "http://metadata.example.net/",
    "http://mixed.example.net/",
    "http://v6-loopback.example.net/",
  ];
  for (const url of refused) {
    assertEquals((await guard.check(url)).ok, false, url);
  }
});

Deno.test("[lib/url_guard] accepts public http(s) links and names why others are refused", async () => {
  assertEquals((await guard.check("https://example.com/watch?v=1")).ok, true);
  assertEquals(await guard.check("ftp://example.com/file"), { ok: false, reason: "bad_scheme" });
  assertEquals(await guard.check("file:///etc/passwd"), { ok: false, reason: "bad_scheme" });
  assertEquals(await guard.check("-o /tmp/x"), { ok: false, reason: "not_a_url" });
  assertEquals(await guard.check("https://user:pw@example.com/"), {
    ok: false,
    reason: "credentials",
  });
  assertEquals(await guard.check("https://unknown.example.org/"), {
    ok: false,
    reason: "unresolvable",
  });
  assertEquals(await guard.check("https://example.com/" + "a".repeat(3000)), {
    ok: false,
    reason: "too_long",
  });
  assertEquals(await isPublicAddress("8.8.8.8"), true);
  assertEquals(await isPublicAddress("2606:4700::1111"), true);
});

Deno.test("[lib/url_guard] ALLOW_PRIVATE_URLS lets loopback through but never other schemes", async () => {
  const open = new UrlGuard(true);
  assertEquals((await open.check("http://127.0.0.1:8080/v")).ok, true);
  assertEquals((await open.check("file:///etc/passwd")).ok, false);
});

Deno.test("[lib/url_guard] finds the link in entities, text links and plain text", () => {
  assertEquals(
    extractUrl("look example.com/v now", [{ type: "url", offset: 5, length: 13 }]),
    "https://example.com/v",
  );
  assertEquals(
    extractUrl("click here", [{
      type: "text_link",
      offset: 0,
      length: 5,
      url: "https://a.example/x",
    }]),
    "https://a.example/x",
  );
  assertEquals(extractUrl("see https://a.example/v?id=1, thanks"), "https://a.example/v?id=1");
  assertEquals(extractUrl("no link here"), undefined);
});

Deno.test("[lib/url_guard] IPv4-compatible IPv6 and local-use NAT64 addresses are not public", async () => {
  const refused = [
    "::7f00:1",
    "::127.0.0.1",
    "::a00:1",
    "::808:808",
    "::8.8.8.8",
    "64:ff9b:1::7f00:1",
    "64:ff9b:1:ffff::a00:1",
  ];
  for (const address of refused) {
    assertEquals(await isPublicAddress(address), false, address);
    assertEquals(await guard.check(`http://[${address}]/`), {
      ok: false,
      reason: "private_address",
    }, address);
    assertEquals(await publicAddressOf(`[${address}]`), null, address);
  }
  const dns = (host: string) =>
    Promise.resolve(host === "v4compat.example.net" ? ["::7f00:1"] : []);
  assertEquals(await new UrlGuard(false, dns).check("http://v4compat.example.net/"), {
    ok: false,
    reason: "private_address",
  });
  assertEquals(await isPublicAddress("2606:4700::1111"), true, "global unicast stays public");
});

Deno.test("[lib/url_guard] addressOf answers once, with the address it checked", async () => {
  let lookups = 0;
  const flipping = new UrlGuard(false, () => {
    lookups++;
    return Promise.resolve(lookups === 1 ? ["93.184.215.14"] : ["127.0.0.1"]);
  });
  assertEquals(await flipping.addressOf("flip.example.net"), "93.184.215.14");
  assertEquals(await flipping.addressOf("flip.example.net"), null, "a private answer is refused");
  assertEquals(
    await new UrlGuard(true, () => Promise.resolve(["10.0.0.7"])).addressOf("lab.internal"),
    "10.0.0.7",
  );
  assertEquals(await new UrlGuard(false).addressOf("[::1]"), null);
});
