import { assertEquals } from "../support/assert.ts";
import { Histogram } from "../../lib/histogram.ts";

Deno.test("[lib/histogram] buckets are cumulative, each label set is its own series", () => {
  const histogram = new Histogram("job_seconds", "How long jobs took.", [1, 10]);
  assertEquals(histogram.lines(), [
    "# HELP job_seconds How long jobs took.",
    "# TYPE job_seconds histogram",
  ]);
  histogram.observe({ kind: "probe" }, 0.5);
  histogram.observe({ kind: "probe" }, 1);
  histogram.observe({ kind: "probe" }, 30);
  histogram.observe({ kind: 'say "hi"\\' }, 5);
  assertEquals(histogram.lines().slice(2), [
    'job_seconds_bucket{kind="probe",le="1"} 2',
    'job_seconds_bucket{kind="probe",le="10"} 2',
    'job_seconds_bucket{kind="probe",le="+Inf"} 3',
    'job_seconds_sum{kind="probe"} 31.5',
    'job_seconds_count{kind="probe"} 3',
    'job_seconds_bucket{kind="say \\"hi\\"\\\\",le="1"} 0',
    'job_seconds_bucket{kind="say \\"hi\\"\\\\",le="10"} 1',
    'job_seconds_bucket{kind="say \\"hi\\"\\\\",le="+Inf"} 1',
    'job_seconds_sum{kind="say \\"hi\\"\\\\"} 5',
    'job_seconds_count{kind="say \\"hi\\"\\\\"} 1',
  ]);
});
