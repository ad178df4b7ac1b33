package io.tinstream.app.cli;

import io.tinstream.app.bench.BenchCommand;
import io.tinstream.app.eval.EvalCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: {@code tinstream <command>}. */
@Command(
    name = "tinstream",
    mixinStandardHelpOptions = true,
    version = "tinstream 0.1.0",
    description = "Streaming long-sequence CTR models on Flink, Kafka and TensorFlow Java.",
    subcommands = {
      DemoCommand.class,
      JobCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      ReportCommand.class
    })
public final class TinstreamCli {

  private TinstreamCli() {}

  public static void main(String[] args) {
    int code = run(args);
    // A job submitted through a cluster's REST API or web UI runs this main inside the
    // JobManager's JVM, where `job` returns as soon as the job is submitted: System.exit there
    // would end the JobManager. Returning is enough for `flink run`, whose client exits itself.
    if (code != 0 || args.length == 0 || !"job".equals(args[0])) {
      System.exit(code);
    }
  }

  /** Runs a command line; unknown commands and options give a usage message and exit code 2. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new TinstreamCli());
    if (args.length == 0) {
      cli.usage(System.err);
      return 2;
    }
    return cli.execute(args);
  }
}
