package io.tinstream.app.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * {@code -D key=value} for the benches that run the job: a setting of the job over what the bench
 * sets itself, so a knob (batch deadline, TF threads, cache size) is measured under the same load
 * without a code change. The settings are checked like {@code job}'s when the bench builds the job.
 */
public final class JobSettingOverrides {

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "A tinstream.* setting of the benchmarked job, as for 'job', over what the bench sets;"
              + " named in the report's command line.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** {@code conf} with the overrides applied last. */
  public Configuration applyTo(Configuration conf) {
    conf.addAll(Configuration.fromMap(settings));
    return conf;
  }

  /** The overrides as they would be typed, for the report's command line; empty if none. */
  public String commandLine() {
    return settings.entrySet().stream()
        .map(e -> " -D " + e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining());
  }
}
