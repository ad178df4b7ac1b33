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
        "Measures request → response latency at 100 candidates for user histories of 1k and 10k"
            + " behaviors, requests/s, training samples/s in the job, and freshness of both paths;"
            + " prints a table and writes it to docs/benchmarks.md.")
public final class ServingBenchCommand implements Callable<Integer> {

  public static final String SECTION_ID = "serving";
  public static final String SECTION_TITLE =
      "Online training and serving in the job (bench serving)";

  @Mixin BenchOptions options;

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

  @Option(names = "--seconds", description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
  long seconds = 30;

  @Override
  public Integer call() throws Exception {
    options.require(
        users > 0 && liveRate > 0 && requestRate > 0 && seconds > 0,
        "--users, rates and --seconds must be > 0");
    for (int length : lengths) {
      // Checked before the first run: one run takes minutes.
      options.require(length > 0, "--lengths must be > 0");
    }
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    Duration measure = Duration.ofSeconds(seconds);
    ServingBench bench = new ServingBench(users, liveRate, requestRate, measure, System.out);
    List<ServingBench.Row> rows = new ArrayList<>();
    for (int length : lengths) {
      rows.add(bench.run(length));
    }
    ServingBench.addTo(report, rows, users, liveRate, requestRate, measure);
    report.data(rows).write(options.out(), options.err());
    return 0;
  }
}
