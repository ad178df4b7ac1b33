package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.ModelParams;
import io.tinstream.models.TfDevice;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.layers.FieldEmbeddings;
import io.tinstream.streaming.kafka.SinkDelivery;
import io.tinstream.streaming.kafka.StartingOffsets;
import io.tinstream.streaming.scoring.ScorerConfig;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The job's settings are checked in one place, and every error names its setting. */
class JobSettingsTest {

  @Test
  void defaultsMakeAValidJobAndTheTableListsEveryOption() {
    JobSettings settings = JobSettings.from(Map.of());
    assertThat(settings.table()).hasSize(TinstreamOptions.all().size());
    assertThat(settings.table().stream().map(Map.Entry::getKey))
        .containsExactlyElementsOf(TinstreamOptions.all().stream().map(ConfigOption::key).toList());
    assertThat(settings.table())
        .contains(
            Map.entry("tinstream.search.k", "64"),
            Map.entry("tinstream.kafka.transactional-id-prefix", "tinstream"),
            Map.entry("tinstream.scoring.parallelism", "2"),
            Map.entry("tinstream.training.batch-deadline", "1 s"),
            Map.entry("tinstream.event-time.max-future-skew", "10 min"),
            Map.entry("tinstream.scoring.delivery", "at-least-once"));
    assertThat(settings.scoreDelivery()).isEqualTo(SinkDelivery.AT_LEAST_ONCE);
    assertThat(settings.models()).isPresent();
    assertThat(settings.models().get().variants()).containsExactly("tin");
  }

  @Test
  void tfSessionSettingsReachEveryVariantAndBadOnesAreRefusedByName() {
    JobSettings defaults = JobSettings.from(Map.of());
    assertThat(defaults.table())
        .contains(
            Map.entry("tinstream.tf.device", "cpu"),
            Map.entry("tinstream.tf.intra-op-threads", "1"),
            Map.entry("tinstream.tf.inter-op-threads", "1"));
    assertThat(defaults.models().get().params("tin").device()).isEqualTo(TfDevice.CPU);

    JobSettings gpu =
        JobSettings.from(
            Map.of(
                "tinstream.models.variants", "tin,dare",
                "tinstream.tf.device", "gpu:0",
                "tinstream.tf.intra-op-threads", "0",
                "tinstream.tf.inter-op-threads", "2"));
    for (String variant : List.of("tin", "dare")) {
      ModelParams params = gpu.models().get().params(variant);
      assertThat(params.device()).isEqualTo(new TfDevice(true, 0));
      assertThat(params.threads()).isEqualTo(new ModelParams.Threads(0, 2));
    }
    // Later copies (soft-search window, plain history) keep the session settings.
    assertThat(gpu.models().get().withSoftSearchWindow(7).params("tin").device().gpu()).isTrue();

    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.tf.device", "gpu:x")))
        .hasMessageContaining("tinstream.tf.device: device must be 'cpu' or 'gpu:N'");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.tf.intra-op-threads", "-1")))
        .hasMessageContaining("tinstream.tf.intra-op-threads: must be >= 0");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.tf.inter-op-threads", "-2")))
        .hasMessageContaining("tinstream.tf.inter-op-threads: must be >= 0");
  }

  @Test
  void idRowAndTableSettingsReachEveryVariantAndBadOnesAreRefusedByName() {
    ModelSpecs defaults = JobSettings.from(Map.of()).models().orElseThrow();
    assertThat(defaults.params("tin").idRows()).isEqualTo(IdRowPolicy.COLLISIONLESS);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      assertThat(defaults.params("tin").rows(f))
          .isEqualTo(FieldEmbeddings.Settings.DEFAULT.rows().get(f));
    }

    ModelSpecs set =
        JobSettings.from(
                Map.of(
                    "tinstream.models.variants", "tin,dare",
                    "tinstream.models.id-rows", "hashed",
                    "tinstream.models.rows.advertiser", "100",
                    "tinstream.models.rows.item", "5000"))
            .models()
            .orElseThrow();
    for (String variant : List.of("tin", "dare")) {
      ModelParams p = set.params(variant);
      assertThat(p.idRows().mode()).isEqualTo(IdRowPolicy.Mode.HASHED);
      assertThat(p.rows(ModelParams.Field.ADVERTISER)).isEqualTo(100);
      assertThat(p.rows(ModelParams.Field.ITEM)).isEqualTo(5000);
    }
    ModelSpecs expiring =
        JobSettings.from(
                Map.of(
                    "tinstream.models.id-admission-count", "3",
                    "tinstream.models.id-expiry", "2 h"))
            .models()
            .orElseThrow();
    assertThat(expiring.params("tin").idRows())
        .isEqualTo(new IdRowPolicy(IdRowPolicy.Mode.COLLISIONLESS, 3, 7_200_000L));

    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.models.rows.spu", "1")))
        .hasMessageContaining("tinstream.models.rows.spu: must be >= 2");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.models.id-rows", "sparse")))
        .hasMessageContaining("tinstream.models.id-rows")
        .hasMessageContaining("'hashed' or 'collisionless'");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.models.id-admission-count", "0")))
        .hasMessageContaining("admission count");
  }

  @Test
  void theSameSettingsGiveTheSameTable() {
    Map<String, String> values =
        Map.of("tinstream.search.k", "32", "tinstream.models.variants", "tin,dare");
    assertThat(JobSettings.from(values).table()).isEqualTo(JobSettings.from(values).table());
    assertThat(JobSettings.from(values).table()).contains(Map.entry("tinstream.search.k", "32"));
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.search.k", "0")))
        .hasMessageContaining("tinstream.search.k: must be > 0");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.models.variants", "tin,nope")))
        .hasMessageContaining("tinstream.models.variants")
        .hasMessageContaining("unknown model variant 'nope'");
    assertThatThrownBy(
            () ->
                JobSettings.from(
                    Map.of("tinstream.topics.requests", "", "tinstream.models.variants", "tin")))
        .hasMessageContaining("tinstream.topics.requests: models need a request topic");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.topics.taxonomy", "")))
        .hasMessageContaining("tinstream.topics.taxonomy: a taxonomy is required");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.taxonomy.file", "/no/such.csv")))
        .hasMessageContaining("tinstream.taxonomy.file: taxonomy file not found");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.search.mode", "best")))
        .hasMessageContaining("tinstream.search.mode: unknown history selection 'best'");
    assertThatThrownBy(
            () -> JobSettings.from(Map.of("tinstream.event-time.max-future-skew", "0 s")))
        .hasMessageContaining("tinstream.event-time.max-future-skew: must be > 0");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.scoring.request-deadline", "0 s")))
        .hasMessageContaining("tinstream.scoring.request-deadline: must be > 0");
    assertThatThrownBy(
            () -> JobSettings.from(Map.of("tinstream.scoring.max-waiting-for-model", "0")))
        .hasMessageContaining("tinstream.scoring.max-waiting-for-model: must be > 0");
  }

  @Test
  void theScorerGetsItsQueueBoundAndRequestDeadline() {
    ScorerConfig defaults = JobSettings.from(Map.of()).scorer();
    assertThat(defaults.maxWaitingForModel()).isEqualTo(1_000);
    assertThat(defaults.requestDeadline().maxAgeMs()).isEqualTo(5_000);
    ScorerConfig set =
        JobSettings.from(
                Map.of(
                    "tinstream.scoring.max-waiting-for-model", "7",
                    "tinstream.scoring.request-deadline", "750 ms"))
            .scorer();
    assertThat(set.maxWaitingForModel()).isEqualTo(7);
    assertThat(set.requestDeadline().maxAgeMs()).isEqualTo(750);
  }

  @Test
  void scoreDeliveryIsReadByItsNameAndAnUnknownOneIsRejectedByKey() {
    JobSettings exactly = JobSettings.from(Map.of("tinstream.scoring.delivery", "exactly-once"));
    assertThat(exactly.scoreDelivery()).isEqualTo(SinkDelivery.EXACTLY_ONCE);
    assertThat(exactly.table()).contains(Map.entry("tinstream.scoring.delivery", "exactly-once"));
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.scoring.delivery", "twice")))
        .hasMessageContaining("tinstream.scoring.delivery")
        .hasMessageContaining("twice");
    Configuration conf = new Configuration();
    conf.setString("tinstream.scoring.delivery", "twice");
    assertThatThrownBy(() -> JobSettings.from(conf))
        .hasMessageContaining(
            "tinstream.scoring.delivery: expected one of [at-least-once, exactly-once], got"
                + " 'twice'");
  }

  @Test
  void startingOffsetsDefaultToCommittedAndAnUnknownOneIsRejectedByKey() {
    assertThat(JobSettings.from(Map.of()).kafka().startingOffsets())
        .isEqualTo(StartingOffsets.COMMITTED);
    assertThat(
            JobSettings.from(Map.of("tinstream.kafka.starting-offsets", "earliest"))
                .kafka()
                .startingOffsets())
        .isEqualTo(StartingOffsets.EARLIEST);
    Configuration conf = new Configuration();
    conf.setString("tinstream.kafka.starting-offsets", "yesterday");
    assertThatThrownBy(() -> JobSettings.from(conf))
        .hasMessageContaining(
            "tinstream.kafka.starting-offsets: expected one of [committed, earliest, latest], got"
                + " 'yesterday'");
  }

  @Test
  void emptyTopicsSwitchOptionalOutputsOff() {
    JobSettings ingestOnly =
        JobSettings.from(
            Map.of(
                "tinstream.models.variants", "",
                "tinstream.topics.requests", "",
                "tinstream.topics.probe-responses", ""));
    assertThat(ingestOnly.models()).isEmpty();
    assertThat(ingestOnly.topic(TinstreamOptions.REQUESTS_TOPIC)).isEmpty();
    assertThat(ingestOnly.topic(TinstreamOptions.PROBE_TOPIC)).isEmpty();
    assertThat(ingestOnly.topic(TinstreamOptions.EXAMPLES_TOPIC)).isEmpty();
    assertThat(ingestOnly.topic(TinstreamOptions.BEHAVIORS_TOPIC)).contains("behaviors");
  }
}
