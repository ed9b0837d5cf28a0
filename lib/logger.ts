/** Structured one-line JSON logs; the level comes from LOG_LEVEL. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  const write = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[at] < LEVELS[level]) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level: at,
      message,
      ...base,
      ...fields,
    }, (
      _key,
      value,
    ) => value instanceof Error ? { name: value.name, message: value.message } : value);
    if (LEVELS[at] >= LEVELS.warn) console.error(line);
    else console.log(line);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
