package io.tinstream.app.cli;

import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamJob;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The job against an external Kafka, for a Flink cluster: {@code flink run -c
 * io.tinstream.app.cli.TinstreamCli tinstream-job.jar job -D
 * tinstream.kafka.bootstrap-servers=kafka:9092}.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description =
        "Runs the job against an existing Kafka (on a Flink cluster when started by 'flink run', else on a local cluster). Settings are -D key=value with the keys of TinstreamOptions (tinstream.kafka.bootstrap-servers, tinstream.topics.*, ...); the table of settings in force is printed first.")
public final class JobCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A tinstream.* setting.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    JobSettings job = parse(spec, settings);
    System.out.println("tinstream job");
    ConfigurationTable.print(System.out, job);
    TinstreamJob tinstream = TinstreamJob.of(job);
    // Refused credentials or a silent cluster fail here, once, with the reason; not later in
    // every source and sink through the restart strategy.
    tinstream.verifyKafka();
    StreamExecutionEnvironment env = JobEnvironment.submitted(job);
    tinstream.addTo(env);
    env.execute("tinstream");
    return 0;
  }

  /** The settings, or a usage error (exit 2) naming the setting that is wrong. */
  static JobSettings parse(CommandSpec spec, Map<String, String> settings) {
    try {
      return JobSettings.from(settings);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
