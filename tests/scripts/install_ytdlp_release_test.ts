/**
 * scripts/install_ytdlp_release.sh (Dockerfile.worker's release-binary step) against a loopback
 * stand-in for GitHub's release downloads: it installs only a binary with the SHA-256 given.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";

const SCRIPT = new URL("../../scripts/install_ytdlp_release.sh", import.meta.url).pathname;
const VERSION = "2026.11.23";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A "release binary": a script that says its version. */
const binary = (version: string) => `#!/bin/sh\n[ "$1" = --version ] && echo ${version}\n`;

async function install(args: string[], releasesUrl: string) {
  const { code, stderr } = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    env: { YTDLP_RELEASES_URL: releasesUrl },
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("[scripts/install_ytdlp_release] installs the release binary only when its SHA-256 matches", async () => {
  const served: string[] = [];
  const releases: Record<string, string> = {
    [`/${VERSION}/yt-dlp_linux`]: binary(VERSION),
    [`/${VERSION}/yt-dlp_linux_aarch64`]: binary(VERSION),
    ["/2026.12.01/yt-dlp_linux"]: binary("2026.11.23"),
    ["/2026.12.01/yt-dlp_linux_aarch64"]: binary("2026.11.23"),
  };
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (r) => {
    const path = new URL(r.url).pathname;
    served.push(path);
    return path in releases ? new Response(releases[path]) : new Response("", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const dir = await Deno.makeTempDir({ prefix: "ytdlp-release-" });
  try {
    const good = await sha256(binary(VERSION));
    const wrong = await install([VERSION, "0".repeat(64), `${dir}/a`], base);
    assertEquals(wrong.code, 1);
    assertMatch(wrong.stderr, /does not have the SHA-256 given; nothing installed/);
    assertEquals([...Deno.readDirSync(`${dir}/a`)], [], "no binary, no leftover download");

    const lying = await install(["2026.12.01", good, `${dir}/b`], base);
    assertEquals(lying.code, 1, "the right bytes, but not the version asked for");
    assertMatch(lying.stderr, /says it is 2026\.11\.23, not 2026\.12\.01/);

    const before = served.length;
    for (const [version, hash] of [["latest", good], [VERSION, "abc"], [VERSION, ""]]) {
      const refused = await install([version, hash, `${dir}/c`], base);
      assertEquals(refused.code, 1, `${version} ${hash}`);
    }
    assertEquals(served.length, before, "bad arguments download nothing");

    const installed = await install([VERSION, good, `${dir}/d`], base);
    assertEquals(installed.code, 0, installed.stderr);
    const { stdout } = await new Deno.Command(`${dir}/d/yt-dlp`, { args: ["--version"] }).output();
    assertEquals(new TextDecoder().decode(stdout).trim(), VERSION);
    assert(((await Deno.stat(`${dir}/d/yt-dlp`)).mode! & 0o755) === 0o755, "executable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
