/** A strict SubRip reader for tests: any deviation from the format fails the test. */
import { AssertionError } from "./assert.ts";

export interface SrtCue {
  index: number;
  start: string;
  end: string;
  text: string;
}

const TIMING = /^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$/;

function ms(parts: string[]): number {
  const [h, m, s, f] = parts.map(Number);
  return ((h * 60 + m) * 60 + s) * 1000 + f;
}

/** Numbered from 1 without gaps, "HH:MM:SS,mmm --> HH:MM:SS,mmm", end after start, text present. */
export function readValidSrt(text: string): SrtCue[] {
  if (text.includes("WEBVTT")) throw new AssertionError("SubRip must not carry a WEBVTT header");
  const blocks = text.replace(/\r\n/g, "\n").trim().split(/\n\n/);
  return blocks.map((block, i) => {
    const [index, timing, ...lines] = block.split("\n");
    if (Number(index) !== i + 1) {
      throw new AssertionError(`cue ${i + 1} is numbered ${JSON.stringify(index)}`);
    }
    const match = timing?.match(TIMING);
    if (!match) {
      throw new AssertionError(`cue ${i + 1} has a bad timing line ${JSON.stringify(timing)}`);
    }
    if (ms(match.slice(5, 9)) <= ms(match.slice(1, 5))) {
      throw new AssertionError(`cue ${i + 1} ends before it starts: ${timing}`);
    }
    if (lines.length === 0 || lines.some((line) => line.trim() === "")) {
      throw new AssertionError(`cue ${i + 1} has no text or a blank line`);
    }
    const [start, end] = timing.split(" --> ");
    return { index: i + 1, start, end, text: lines.join("\n") };
  });
}
