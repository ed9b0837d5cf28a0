/** A Prometheus histogram kept in memory: cumulative bucket counts, sum and count per label set. */
export class Histogram {
  readonly #series = new Map<string, { buckets: number[]; sum: number; count: number }>();

  /** `bounds`: the buckets' upper bounds, ascending; +Inf is added */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(labels: Record<string, string>, value: number): void {
    const key = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
    let series = this.#series.get(key);
    if (!series) {
      series = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.bounds.forEach((bound, i) => {
      if (value <= bound) series.buckets[i]++;
    });
    series.sum += value;
    series.count++;
  }

  /** The text exposition format's lines. */
  lines(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [labels, { buckets, sum, count }] of this.#series) {
      const join = (le: string) => `{${labels ? `${labels},` : ""}le="${le}"}`;
      this.bounds.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${join(String(bound))} ${buckets[i]}`);
      });
      lines.push(`${this.name}_bucket${join("+Inf")} ${count}`);
      const plain = labels ? `{${labels}}` : "";
      lines.push(`${this.name}_sum${plain} ${sum}`, `${this.name}_count${plain} ${count}`);
    }
    return lines;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
