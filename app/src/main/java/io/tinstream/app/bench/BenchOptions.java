package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options every {@code tinstream bench} subcommand shares, mixed in with {@code @Mixin} so they are
 * spelled, defaulted and checked the same way everywhere: where the report goes, and the errors and
 * streams of the command they are mixed into.
 */
public final class BenchOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Directory for the charts and JSON (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("docs");

  @Option(
      names = "--doc",
      paramLabel = "FILE",
      description = "Markdown file whose section is replaced (default: benchmarks.md in --out).")
  Path doc;

  @Option(names = "--no-doc", description = "Only print the report; write no file.")
  boolean noDoc;

  @Option(
      names = "--json",
      description = "Also write the measured rows to bench-<section>.json in --out.")
  boolean json;

  /** The markdown file the section goes into. */
  public Path doc() {
    return doc != null ? doc : out.resolve("benchmarks.md");
  }

  /** A report for this command's section, honouring the output options. */
  public BenchReport report(String sectionId, String title) {
    // --out used to name the markdown file; catch old command lines instead of writing into
    // docs/benchmarks.md/benchmarks.md.
    require(
        !Files.isRegularFile(out) && !out.toString().endsWith(".md"),
        "--out is a directory (charts, JSON); the markdown file is --doc");
    return new BenchReport(sectionId, title, out, doc(), !noDoc, json);
  }

  /** Rejects the command line with {@code message} (exit code 2) unless {@code ok}. */
  public void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(mixee.commandLine(), message);
    }
  }

  /** Where the report goes. */
  public PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  /** Where progress goes. */
  public PrintWriter err() {
    return mixee.commandLine().getErr();
  }

  /**
   * {@code --threads}, for the benches that run TensorFlow graphs in this JVM (the Flink benches
   * size their work with {@code --parallelism} instead).
   */
  public static final class Threads {
    @Option(
        names = "--threads",
        defaultValue = "2",
        description = "TF intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    public int get() {
      return threads;
    }
  }
}
