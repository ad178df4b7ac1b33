package io.tinstream.app.cli;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.JobEnvironment;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import io.tinstream.training.features.HistorySelector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The ingestion job against an external Kafka, for a Flink cluster: {@code flink run -c
 * io.tinstream.app.cli.TinstreamCli tinstream.jar job -D
 * tinstream.kafka.bootstrap-servers=kafka:9092}.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description =
        "Runs the ingestion job against an existing Kafka (on a Flink cluster when started by 'flink run', else on a local cluster). Settings are -D key=value with the keys of TinstreamOptions (tinstream.kafka.bootstrap-servers, tinstream.topics.*, ...).")
public final class JobCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A tinstream.* setting.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Configuration conf;
    try {
      conf = TinstreamOptions.fromMap(settings);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    String group = conf.get(TinstreamOptions.GROUP_ID);
    KafkaEndpoints kafka =
        new KafkaEndpoints(conf.get(TinstreamOptions.BOOTSTRAP_SERVERS), group, group);
    TinstreamJob.Builder job =
        TinstreamJob.builder()
            .behaviors(kafka.rawSource(conf.get(TinstreamOptions.BEHAVIORS_TOPIC), false))
            .requests(kafka.rawSource(conf.get(TinstreamOptions.REQUESTS_TOPIC), false))
            .probes(
                kafka.avroSink(
                    conf.get(TinstreamOptions.PROBE_TOPIC),
                    AvroCodec::probeResponses,
                    ProbeResponse::getRequestId))
            .deadLetters(
                kafka.avroSink(
                    conf.get(TinstreamOptions.DEAD_LETTER_TOPIC),
                    AvroCodec::deadLetters,
                    d -> null))
            .taxonomy(kafka.rawSource(conf.get(TinstreamOptions.TAXONOMY_TOPIC), false))
            .taxonomyWait(conf.get(TinstreamOptions.TAXONOMY_WAIT))
            .policy(
                TrajectoryPolicy.builder()
                    .retention(conf.get(TinstreamOptions.RETENTION))
                    .maxBehaviors(conf.get(TinstreamOptions.MAX_BEHAVIORS))
                    .bucketWidth(conf.get(TinstreamOptions.BUCKET_WIDTH))
                    .build())
            .search(
                HistorySelector.parse(
                    conf.get(TinstreamOptions.SEARCH_MODE), conf.get(TinstreamOptions.SEARCH_K)));
    JobSettings.apply(conf, job, kafka);
    conf.getOptional(TinstreamOptions.TAXONOMY_FILE)
        .ifPresent(file -> job.taxonomy(TaxonomyFile.read(Path.of(file))));
    Configuration flink =
        JobEnvironment.configuration(
            conf.get(TinstreamOptions.CHECKPOINT_DIR), conf.get(TinstreamOptions.PARALLELISM));
    StreamExecutionEnvironment env =
        JobEnvironment.submitted(flink, conf.get(TinstreamOptions.CHECKPOINT_INTERVAL));
    job.build().build(env);
    env.execute("tinstream-ingestion");
    return 0;
  }
}
