package io.tinstream.app.cli;

import io.tinstream.app.monitor.FlinkRestMonitor;
import io.tinstream.app.report.HtmlReport;
import io.tinstream.app.report.JobFiguresSampler;
import io.tinstream.app.report.ReportTimeline;
import io.tinstream.app.report.RunningJobLookup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The demo's report, on demand, of a tinstream job already running (the demo's, or one started with
 * {@code job}): polls its metrics through Flink's REST API for a while, then writes the same HTML
 * page with charts.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Polls a running tinstream job's metrics through Flink's REST API and writes an HTML"
            + " report with charts over time (ingested events, in-job latency, freshness, AUC and"
            + " model version per variant, state size).")
public final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--rest", description = "Flink's REST endpoint (default: ${DEFAULT-VALUE}).")
  String rest = "http://localhost:8081";

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      description = "How long to poll, e.g. 60s, 5m (default: 60s).")
  Duration duration = Duration.ofSeconds(60);

  @Option(
      names = "--interval",
      converter = DurationConverter.class,
      description = "Time between samples, e.g. 5s (default: 5s).")
  Duration interval = Duration.ofSeconds(5);

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Where report.html and its charts go (default: ${DEFAULT-VALUE}).")
  Path reportDir = Path.of("tinstream-report");

  @Override
  public Integer call() throws Exception {
    require(
        rest.startsWith("http://") || rest.startsWith("https://"),
        "--rest must be an http:// or https:// address: " + rest);
    require(!interval.isNegative() && !interval.isZero(), "--interval must be > 0");
    require(duration.compareTo(interval) >= 0, "--duration must be at least --interval");
    PrintStream out = System.out;
    RunningJobLookup lookup = new RunningJobLookup(rest);
    RunningJobLookup.Job job;
    List<String> variants;
    try {
      job = lookup.runningTinstreamJob();
      variants = lookup.variants(job.id());
    } catch (RunningJobLookup.LookupException e) {
      System.err.println("report: " + e.getMessage());
      return 1;
    }
    out.printf(
        "report: job %s at %s, variants %s; a sample every %d s for %d s%n",
        job.id(),
        rest,
        variants.isEmpty() ? "none" : String.join(", ", variants),
        interval.toSeconds(),
        duration.toSeconds());
    ReportTimeline timeline = new ReportTimeline();
    AtomicBoolean stopRequested = new AtomicBoolean();
    CountDownLatch written = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              // Ctrl-C ends the polling early; the report of what was sampled is still written.
              stopRequested.set(true);
              try {
                written.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "report-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      poll(
          lookup,
          job,
          new JobFiguresSampler(new FlinkRestMonitor(rest, job.id()), variants),
          timeline,
          stopRequested,
          out);
      if (timeline.isEmpty()) {
        System.err.println("report: no sample could be read, so no report was written");
        return 1;
      }
      Path html =
          HtmlReport.write(
              reportDir,
              "tinstream job " + job.id() + " at " + rest + " (report command)",
              timeline);
      out.println("report: " + html);
      return 0;
    } finally {
      written.countDown();
      removeQuietly(hook);
    }
  }

  private void poll(
      RunningJobLookup lookup,
      RunningJobLookup.Job job,
      JobFiguresSampler sampler,
      ReportTimeline timeline,
      AtomicBoolean stopRequested,
      PrintStream out)
      throws InterruptedException {
    long start = System.nanoTime();
    // A sample at 0, one every interval, and one at the end: --duration 60s --interval 5s is 13.
    long last = duration.toNanos() / interval.toNanos();
    for (long i = 0; i <= last; i++) {
      long due = start + i * interval.toNanos();
      while (!stopRequested.get() && System.nanoTime() < due) {
        // Short sleeps so that Ctrl-C ends the wait at once.
        Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()) + 1, 200));
      }
      if (stopRequested.get()) {
        return;
      }
      double elapsed = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
      try {
        Map<String, Object> figures = sampler.sample(elapsed);
        timeline.record(figures);
        out.printf(
            Locale.ROOT,
            "[%4.0fs] ingested %,.0f | users %,.0f | sample %d%n",
            elapsed,
            (Double) figures.get("ingested"),
            (Double) figures.get("users"),
            timeline.samples().size());
      } catch (IOException e) {
        if (!lookup.isRunning(job.id())) {
          out.println("report: the job is no longer running; reporting what was sampled");
          return;
        }
        out.println("  (metrics not available: " + e.getMessage() + ")");
      }
    }
  }

  private static void removeQuietly(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down (Ctrl-C): the hook is running and has been let go above.
    }
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  /** "60s", "5m", "500ms", "1h" or plain seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
      Matcher m = FORMAT.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException("not a duration (e.g. 60s, 5m): " + value);
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
