/**
 * The duration an MP4 file declares in its movie header ("mvhd"), read from a few box headers:
 * a millisecond where ffprobe takes a process start, so a thumbnail can be cut while ffprobe runs.
 */

/** Top-level boxes are few (ftyp, free, mdat, moov…); a file with more is not worth walking. */
const MAX_BOXES = 64;

export async function mp4Duration(path: string): Promise<number | undefined> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  const moov = await findBox(file, 0, size, "moov");
  if (!moov) return undefined;
  const mvhd = await findBox(file, moov.start, moov.end, "mvhd");
  if (!mvhd) return undefined;
  // version, flags, then creation and modification times: 4-byte fields in version 0, 8-byte in 1
  const body = await readAt(file, mvhd.start, 32);
  if (!body) return undefined;
  const view = new DataView(body.buffer);
  const wide = view.getUint8(0) === 1;
  if (mvhd.end - mvhd.start < (wide ? 32 : 20)) return undefined;
  const timescale = view.getUint32(wide ? 20 : 12);
  const units = wide ? Number(view.getBigUint64(24)) : view.getUint32(16);
  // all ones means "unknown"; a zero timescale would divide by zero
  if (timescale === 0 || units === 0xffffffff || !Number.isFinite(units / timescale)) {
    return undefined;
  }
  return units / timescale;
}

interface Box {
  /** where the box's content starts (after its header) */
  start: number;
  end: number;
}

async function findBox(
  file: Deno.FsFile,
  from: number,
  to: number,
  type: string,
): Promise<Box | undefined> {
  let offset = from;
  for (let i = 0; i < MAX_BOXES && offset + 8 <= to; i++) {
    const header = await readAt(file, offset, 16);
    if (!header) return undefined;
    const view = new DataView(header.buffer);
    let boxSize = view.getUint32(0);
    let headerSize = 8;
    if (boxSize === 1) {
      boxSize = Number(view.getBigUint64(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = to - offset; // the box runs to the end of its parent
    }
    if (boxSize < headerSize || offset + boxSize > to) return undefined;
    const name = String.fromCharCode(...header.subarray(4, 8));
    if (name === type) return { start: offset + headerSize, end: offset + boxSize };
    offset += boxSize;
  }
  return undefined;
}

/** Up to `length` bytes at `offset`; undefined when fewer than 8 are there. */
async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
): Promise<Uint8Array | undefined> {
  await file.seek(offset, Deno.SeekMode.Start);
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return filled >= 8 ? buffer : undefined;
}
