package io.tinstream.app.cli;

import io.tinstream.app.bench.IngestBenchmark;
import io.tinstream.app.bench.IngestBenchmark.Result;
import io.tinstream.app.report.BenchmarkDoc;
import io.tinstream.state.TrajectoryPolicy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The ingest benchmark; see {@link IngestBenchmark}. */
@Command(
    name = "bench-ingest",
    mixinStandardHelpOptions = true,
    description =
        "Measures ingest into the trajectory state (RocksDB, exactly-once, synthetic feed through an in-process Kafka) next to a plain keyed RocksDB job in the same run, bytes of state per behavior, and read + search latency at trajectory lengths 1k/10k/50k. Prints a table and writes it to docs/benchmarks.md.")
public final class IngestBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

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

  @Option(
      names = "--out",
      description = "Markdown file to write the section into (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("docs/benchmarks.md");

  @Override
  public Integer call() throws Exception {
    if (events <= 0 || users <= 0 || parallelism <= 0) {
      throw new ParameterException(
          spec.commandLine(), "--events, --users and --parallelism must be > 0");
    }
    for (int length : lengths) {
      if (length <= 0 || length > TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS) {
        throw new ParameterException(
            spec.commandLine(),
            "--lengths must be in 1.." + TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS);
      }
    }
    Result result = new IngestBenchmark(events, users, parallelism, lengths, System.out).run();
    String table = result.markdown();
    System.out.println();
    System.out.println(table);
    BenchmarkDoc.replaceSection(
        out, "ingest", "Ingest into trajectory state (bench-ingest)", table);
    System.out.println("written to " + out);
    return 0;
  }
}
