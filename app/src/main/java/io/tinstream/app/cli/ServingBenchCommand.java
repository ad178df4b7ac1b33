package io.tinstream.app.cli;

import io.tinstream.app.bench.ServingBenchmark;
import io.tinstream.app.report.BenchmarkDoc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The serving benchmark; see {@link ServingBenchmark}. */
@Command(
    name = "bench-serving",
    mixinStandardHelpOptions = true,
    description =
        "Measures request → response latency at 100 candidates for user histories of 1k and 10k"
            + " behaviors, requests/s, training samples/s in the job, and freshness of both paths;"
            + " prints a table and writes it to docs/benchmarks.md.")
public final class ServingBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

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

  @Option(names = "--out", description = "Markdown file (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("docs/benchmarks.md");

  @Override
  public Integer call() throws Exception {
    if (users <= 0 || liveRate <= 0 || requestRate <= 0 || seconds <= 0) {
      throw new ParameterException(spec.commandLine(), "--users, rates and --seconds must be > 0");
    }
    ServingBenchmark bench =
        new ServingBenchmark(users, liveRate, requestRate, Duration.ofSeconds(seconds), System.out);
    List<ServingBenchmark.Row> rows = new ArrayList<>();
    for (int length : lengths) {
      if (length <= 0) {
        throw new ParameterException(spec.commandLine(), "--lengths must be > 0");
      }
      rows.add(bench.run(length));
    }
    String table =
        ServingBenchmark.markdown(rows, users, liveRate, requestRate, Duration.ofSeconds(seconds));
    System.out.println();
    System.out.println(table);
    BenchmarkDoc.replaceSection(
        out, "serving", "Online training and serving in the job (bench-serving)", table);
    System.out.println("written to " + out);
    return 0;
  }
}
