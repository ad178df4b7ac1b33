package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.state.TrajectoryPolicy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench ingest}; see {@link IngestBench}. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Measures ingest into the trajectory state (RocksDB, exactly-once, synthetic feed through an in-process Kafka) next to a plain keyed RocksDB job in the same run, bytes of state per behavior, and read + search latency at trajectory lengths 1k/10k/50k. Prints a table and writes it to docs/benchmarks.md.")
public final class IngestBenchCommand implements Callable<Integer> {

  public static final String SECTION_ID = "ingest";
  public static final String SECTION_TITLE = "Ingest into trajectory state (bench ingest)";

  @Mixin BenchOptions options;

  @Option(names = "--events", description = "Events to ingest (default: ${DEFAULT-VALUE}).")
  long events = 1_000_000;

  @Option(names = "--users", description = "Users (default: ${DEFAULT-VALUE}).")
  int users = 10_000;

  @Option(names = "--parallelism", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism = 2;

  @Option(
      names = "--lengths",
      split = ",",
      description = "Trajectory lengths for the latency rows (default: ${DEFAULT-VALUE}).")
  int[] lengths = {1_000, 10_000, 50_000};

  @Override
  public Integer call() throws Exception {
    options.require(
        events > 0 && users > 0 && parallelism > 0,
        "--events, --users and --parallelism must be > 0");
    for (int length : lengths) {
      options.require(
          length > 0 && length <= TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS,
          "--lengths must be in 1.." + TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS);
    }
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    IngestBench.Result result =
        new IngestBench(events, users, parallelism, lengths, System.out).run();
    result.addTo(report);
    report.data(result).write(options.out(), options.err());
    return 0;
  }
}
