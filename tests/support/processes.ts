/** Processes read from /proc: resident memory and descendants. */

/** A field of /proc/<pid>/status given in kB, in bytes; 0 once the process is gone. */
function statusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** A process's resident set in bytes, or 0 once it is gone. */
export const residentBytes = (pid: number) => statusBytes(pid, "VmRSS");

/** The most a process has had resident since it started (VmHWM), in bytes. */
export const peakResidentBytes = (pid: number) => statusBytes(pid, "VmHWM");

/** Every process whose ancestry leads to one of `roots` (the roots excluded). */
export function descendants(roots: number[]): { pid: number; name: string }[] {
  const parents = new Map<number, { ppid: number; name: string }>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // "pid (name) state ppid ...": the name may hold spaces and parentheses
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      parents.set(Number(entry.name), { ppid, name });
    } catch {
      // gone meanwhile
    }
  }
  const found: { pid: number; name: string }[] = [];
  for (const [pid, { name }] of parents) {
    for (let p = parents.get(pid)?.ppid; p !== undefined && p > 1; p = parents.get(p)?.ppid) {
      if (roots.includes(p)) {
        found.push({ pid, name });
        break;
      }
    }
  }
  return found;
}
