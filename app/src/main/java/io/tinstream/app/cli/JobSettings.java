package io.tinstream.app.cli;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.TinstreamJob;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** Applies the event-time, label, training and scoring settings of a configuration to a job. */
final class JobSettings {

  private JobSettings() {}

  static void apply(Configuration conf, TinstreamJob.Builder job, KafkaEndpoints kafka) {
    job.outOfOrderness(conf.get(TinstreamOptions.OUT_OF_ORDERNESS))
        .attribution(
            conf.get(TinstreamOptions.ATTRIBUTION_WINDOW),
            conf.get(TinstreamOptions.MAX_PENDING_IMPRESSIONS))
        .training(
            conf.get(TinstreamOptions.TRAIN_BATCH_SIZE),
            conf.get(TinstreamOptions.TRAIN_BATCH_DEADLINE),
            conf.get(TinstreamOptions.FULL_SNAPSHOT_EVERY))
        .publishEvery(conf.get(TinstreamOptions.PUBLISH_EVERY))
        .scoring(
            conf.get(TinstreamOptions.SCORE_BATCH_CANDIDATES),
            conf.get(TinstreamOptions.SCORE_BATCH_DEADLINE),
            conf.get(TinstreamOptions.MAX_MODEL_WAIT),
            conf.get(TinstreamOptions.PARALLELISM));
    List<String> variants = variants(conf);
    if (!variants.isEmpty()) {
      job.lreaModels(
          kafka.rawSource(conf.get(TinstreamOptions.MODEL_UPDATES_TOPIC), false),
          conf.get(TinstreamOptions.LREA_REBUILD_AFTER));
      job.models(
          ModelSpecs.of(
                  variants,
                  conf.get(TinstreamOptions.SEARCH_K),
                  conf.get(TinstreamOptions.LREA_MAX_LENGTH),
                  conf.get(TinstreamOptions.LREA_RANK),
                  1L)
              .withSoftSearchWindow(conf.get(TinstreamOptions.SOFT_SEARCH_WINDOW)),
          kafka.avroSink(
              conf.get(TinstreamOptions.SCORES_TOPIC),
              AvroCodec::scoreResponses,
              ScoreResponse::getRequestId),
          kafka.avroSink(
              conf.get(TinstreamOptions.MODEL_UPDATES_TOPIC),
              AvroCodec::modelUpdates,
              ModelUpdate::getVariant));
    }
  }

  static List<String> variants(Configuration conf) {
    return Arrays.stream(conf.get(TinstreamOptions.MODEL_VARIANTS).split(","))
        .map(String::trim)
        .filter(v -> !v.isEmpty())
        .toList();
  }
}
