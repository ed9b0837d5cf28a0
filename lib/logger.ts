/** Structured one-line JSON logs; the level comes from LOG_LEVEL. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

/** Where lines go: warnings and errors to stderr, the rest to stdout. */
function toConsole(line: string, level: LogLevel): void {
  if (LEVELS[level] >= LEVELS.warn) console.error(line);
  else console.log(line);
}

export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  sink: (line: string, level: LogLevel) => void = toConsole,
): Logger {
  const write = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[at] < LEVELS[level]) return;
    const line = JSON.stringify(
      { time: new Date().toISOString(), level: at, message, ...base, ...fields },
      errorsInFull(),
    );
    sink(line, at);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * A JSON.stringify replacer for what an Error's own JSON ({}) drops: its name, message, stack and
 * cause (each cause in full too). An error met again, as a cause that leads back to it, is named.
 */
function errorsInFull(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<Error>();
  return (_key, value) => {
    if (!(value instanceof Error)) return value;
    if (seen.has(value)) return `${value.name}: ${value.message} (again)`;
    seen.add(value);
    const { name, message, stack, cause } = value;
    return { name, message, stack, ...(cause === undefined ? {} : { cause }) };
  };
}
