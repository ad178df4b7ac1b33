package io.tinstream.app.bench;

import io.tinstream.app.report.BenchReport;
import io.tinstream.state.TrajectoryPolicy;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench ingest}; see {@link IngestBench}. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Ingest at long trajectories: --users users (default 100) each grow to --behaviors-per-user"
          + " behaviors (default 10,000, i.e. 1M events, about a week of event time at a behavior a"
          + " minute per user), read by the trajectory job and, in the same run, by a plain keyed"
          + " RocksDB job (decode + counter). Reports events/s overall and over the first and last"
          + " 10% of the events (is the append rate flat in the trajectory length?), bytes of state"
          + " per behavior, checkpoint duration and size.",
      "Then the full job (ingest + label join + online training + scoring) at the same users:"
          + " preload, then requests of 100 candidates at --full-request-rate (default 200/s) with"
          + " live behaviors at --full-live-rate: events/s and requests/s sustained (--no-full-job"
          + " skips it). Last, the layout's read + search latency at --lengths.",
      "Writes its section of benchmarks.md and bench/ingest.json under --out (default docs; use"
          + " --out /tmp/... for smoke runs). A full run takes tens of minutes: run it alone on"
          + " the machine."
    })
public final class IngestBenchCommand implements Callable<Integer> {

  public static final String SECTION_ID = "ingest";
  public static final String SECTION_TITLE = "Ingest into trajectory state (bench ingest)";
  public static final String JSON_FILE = "bench/ingest.json";

  @Mixin BenchOptions options;

  @Option(names = "--users", description = "Users (default: ${DEFAULT-VALUE}).")
  int users = 100;

  @Option(
      names = "--behaviors-per-user",
      description = "Behaviors each user grows to (default: ${DEFAULT-VALUE}).")
  int behaviorsPerUser = 10_000;

  @Option(
      names = "--events",
      description =
          "Total events instead of users x behaviors-per-user (sets --behaviors-per-user to"
              + " events / users).")
  Long events;

  @Option(names = "--parallelism", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism = 2;

  @Option(names = "--no-full-job", description = "Skip the full-job section.")
  boolean noFullJob;

  @Option(
      names = "--full-request-rate",
      description = "Full job: requests/s of 100 candidates (default: ${DEFAULT-VALUE}).")
  double fullRequestRate = 200;

  @Option(
      names = "--full-live-rate",
      description = "Full job: live behaviors/s after the preload (default: ${DEFAULT-VALUE}).")
  double fullLiveRate = 1_000;

  @Option(
      names = "--full-seconds",
      description = "Full job: seconds measured after the warm-up (default: ${DEFAULT-VALUE}).")
  long fullSeconds = 120;

  @Option(
      names = "--lengths",
      split = ",",
      description = "Trajectory lengths for the layout latency rows (default: ${DEFAULT-VALUE}).")
  int[] lengths = {1_000, 10_000, 50_000};

  @Override
  public Integer call() throws Exception {
    options.require(
        (events == null || events > 0) && users > 0 && parallelism > 0,
        "--events, --users and --parallelism must be > 0");
    int perUser =
        events == null ? behaviorsPerUser : (int) Math.min(Integer.MAX_VALUE, events / users);
    options.require(
        perUser > 0 && perUser <= TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS,
        "--behaviors-per-user must be in 1.." + TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS);
    options.require(
        fullRequestRate > 0 && fullLiveRate > 0 && fullSeconds > 0,
        "--full-request-rate, --full-live-rate and --full-seconds must be > 0");
    for (int length : lengths) {
      options.require(
          length > 0 && length <= TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS,
          "--lengths must be in 1.." + TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS);
    }
    BenchReport report = options.report(SECTION_ID, SECTION_TITLE);
    IngestBench.Settings settings =
        new IngestBench.Settings(
            users,
            perUser,
            parallelism,
            !noFullJob,
            fullRequestRate,
            fullLiveRate,
            Duration.ofSeconds(fullSeconds),
            lengths);
    IngestBench.Result result = new IngestBench(settings, System.out).run();
    IngestBench.addTo(report, settings, result);
    report.jsonFile(JSON_FILE, result).data(result).write(options.out(), options.err());
    return 0;
  }
}
