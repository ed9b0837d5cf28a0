/** Daily streaks: consecutive local days on which the user came to the bot. */

export interface StreakRecord {
  /** the last local day counted, "2026-03-10" */
  day: string;
  current: number;
  best: number;
}

export function streakKey(userId: number) {
  return ["streaks", userId] as const;
}

/** The calendar day before `day` ("2026-03-01" → "2026-02-28"), whatever the time zone. */
function previousDay(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date - 1)).toISOString().slice(0, 10);
}

/**
 * The streak after a visit on `today`, or null when today (or a later day, after a change of
 * time zone) was already counted.
 */
export function continueStreak(record: StreakRecord | null, today: string): StreakRecord | null {
  if (record && record.day >= today) return null;
  const current = record?.day === previousDay(today) ? record.current + 1 : 1;
  return { day: today, current, best: Math.max(current, record?.best ?? 0) };
}

/** The streak as it stands on `today`: broken once a whole day was missed. */
export function liveStreak(record: StreakRecord | null, today: string): number {
  if (!record) return 0;
  return record.day >= previousDay(today) ? record.current : 0;
}

export async function getStreak(kv: Deno.Kv, userId: number): Promise<StreakRecord | null> {
  return (await kv.get<StreakRecord>(streakKey(userId))).value;
}
