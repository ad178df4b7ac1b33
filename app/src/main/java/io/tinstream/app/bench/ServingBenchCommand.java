package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench serving}; see {@link ServingBench}. */
@Command(
    name = "serving",
    mixinStandardHelpOptions = true,
    description =
        "Measures the job serving requests of 100 candidates for user histories of 1k and 10k"
            + " behaviors: after an unmeasured --warmup, per 10 s window and over the measured"
            + " --seconds, end-to-end p50/p99 (send → readable by a consumer), in-job p50/p99,"
            + " freshness p99 of behavior → scoring and model → serving; requests/s answered at"
            + " --request-rate and flat out, training samples/s. Writes its section of"
            + " benchmarks.md and bench/serving.json under --out (default docs; use --out /tmp/..."
            + " for smoke runs).")
public final class ServingBenchCommand implements Callable<Integer> {

  public static final String SECTION_ID = "serving";
  public static final String SECTION_TITLE =
      "Online training and serving in the job (bench serving)";

  @Mixin BenchOptions options;

  @Mixin JobSettingOverrides overrides;

  @Option(
      names = "--lengths",
      split = ",",
      description = "History lengths (default: ${DEFAULT-VALUE}).")
  int[] lengths = {1_000, 10_000};

  @Option(names = "--users", description = "Users with such histories (default: ${DEFAULT-VALUE}).")
  int users = 20;

  @Option(
      names = "--live-rate",
      description = "Behaviors/s while measuring (default: ${DEFAULT-VALUE}).")
  double liveRate = 500;

  @Option(
      names = "--request-rate",
      description = "Requests/s for the latency figures (default: ${DEFAULT-VALUE}).")
  double requestRate = 5;

  @Option(
      names = "--warmup",
      description =
          "Seconds of requests before measuring, not measured (default: ${DEFAULT-VALUE}).")
  long warmup = 30;

  @Option(
      names = "--seconds",
      description = "Seconds measured per history length (default: ${DEFAULT-VALUE}).")
  long seconds = 180;

  public static final String JSON_FILE = "bench/serving.json";

  @Override
  public Integer call() throws Exception {
    options.require(
        users > 0 && liveRate > 0 && requestRate > 0 && seconds > 0 && warmup >= 0,
        "--users, rates and --seconds must be > 0, --warmup >= 0");
    for (int length : lengths) {
      // Checked before the first run: one run takes minutes.
      options.require(length > 0, "--lengths must be > 0");
    }
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    Duration measure = Duration.ofSeconds(seconds);
    Duration warm = Duration.ofSeconds(warmup);
    ServingBench bench =
        new ServingBench(users, liveRate, requestRate, warm, measure, overrides, System.out);
    List<ServingBench.Row> rows = new ArrayList<>();
    for (int length : lengths) {
      rows.add(bench.run(length));
    }
    ServingBench.Result result =
        new ServingBench.Result(
            ServingBench.commandLine(
                lengths, users, liveRate, requestRate, warm, measure, overrides),
            Runtime.getRuntime().availableProcessors(),
            ServingBench.WINDOW.toMillis() / 1e3,
            warmup,
            liveRate,
            rows);
    ServingBench.addTo(report, result);
    report.jsonFile(JSON_FILE, result).data(result).write(options.out(), options.err());
    return 0;
  }
}
