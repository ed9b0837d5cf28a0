import { assertEquals } from "../support/assert.ts";
import {
  escapeHtml,
  formatBytes,
  formatDuration,
  renderProgressBar,
  truncate,
} from "../../lib/format.ts";

Deno.test("[lib/format] the progress bar has full, partial and empty blocks and a fixed width", () => {
  assertEquals(renderProgressBar(0), "░".repeat(20));
  assertEquals(renderProgressBar(100), "█".repeat(20));
  assertEquals(renderProgressBar(50), "█".repeat(10) + "░".repeat(10));
  // 1/8 of one cell (5 % per cell): the thinnest partial block
  assertEquals(renderProgressBar(0.625), "▏" + "░".repeat(19));
  assertEquals(renderProgressBar(52.5), "█".repeat(10) + "▌" + "░".repeat(9));
  assertEquals(renderProgressBar(99.9), "█".repeat(20));
  for (const percent of [-5, 3.3, 17, 42.42, 87.6, 150, NaN]) {
    assertEquals([...renderProgressBar(percent)].length, 20, `width at ${percent}`);
  }
});

Deno.test("[lib/format] HTML escaping covers every character Telegram's HTML parser reads", () => {
  assertEquals(
    escapeHtml(`<b>Tom & "Jerry"</b>`),
    "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;",
  );
});

Deno.test("[lib/format] sizes and durations read naturally in both languages", () => {
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.5 KB");
  assertEquals(formatBytes(1536, "fr"), "1,5 Ko");
  assertEquals(formatBytes(250 * 1024 * 1024), "250 MB");
  assertEquals(formatDuration(65), "1:05");
  assertEquals(formatDuration(3725), "1:02:05");
  assertEquals(truncate("abcdef", 4), "abc…");
  assertEquals(truncate("😀😀😀", 3), "😀😀😀");
});
