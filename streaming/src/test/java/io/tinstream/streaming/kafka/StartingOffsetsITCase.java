package io.tinstream.streaming.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's sources on a real broker: they commit their offsets to the group at checkpoints, and a
 * job started again without a checkpoint, in the same group, goes on from those offsets by default
 * rather than reading the topic again; {@code earliest} replays it all.
 */
class StartingOffsetsITCase {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void aSecondJobOfTheGroupReadsOnlyWhatTheFirstDidNotCommitAndEarliestReadsItAll()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "offsets-" + run;
    String group = "it-" + run;
    KAFKA.broker().createTopics(1, List.of(topic));

    produce(topic, "a0", "a1", "a2", "a3", "a4");
    assertThat(read(topic, group, StartingOffsets.COMMITTED, 5, true))
        .as("no offsets committed yet: from the earliest")
        .containsExactly("a0", "a1", "a2", "a3", "a4");

    produce(topic, "b0", "b1", "b2");
    // One partition, read in order: a job that read the topic again would see a0 first.
    assertThat(read(topic, group, StartingOffsets.COMMITTED, 3, false))
        .as("the same group, started again without a checkpoint")
        .containsExactly("b0", "b1", "b2");

    assertThat(read(topic, group, StartingOffsets.EARLIEST, 8, false))
        .containsExactly("a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2");
  }

  private static void produce(String topic, String... values) {
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(KAFKA.broker().bootstrapServers())) {
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends =
          new ArrayList<>();
      for (String v : values) {
        sends.add(KafkaClients.send(producer, topic, null, v.getBytes(StandardCharsets.UTF_8)));
      }
      KafkaClients.awaitAll(sends);
    }
  }

  /**
   * The first {@code n} values a job of the sources' kind reads (checkpointing, so the values are
   * handed out after a checkpoint that covers them, and the source commits at it); then, if asked,
   * it waits until the group's committed offset covers them, and the job is cancelled.
   */
  private static List<String> read(
      String topic, String group, StartingOffsets from, int n, boolean awaitCommit)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
    KafkaEndpoints kafka =
        new KafkaEndpoints(KAFKA.broker().bootstrapServers(), group, "tx-" + group, from);
    CloseableIterator<String> values =
        env.fromSource(kafka.rawSource(topic, false), WatermarkStrategy.noWatermarks(), "source")
            .map(r -> new String(r.value, StandardCharsets.UTF_8))
            .returns(Types.STRING)
            .executeAndCollect("starting-offsets-" + from);
    try {
      List<String> read =
          CompletableFuture.supplyAsync(
                  () -> {
                    List<String> out = new ArrayList<>();
                    while (out.size() < n && values.hasNext()) {
                      out.add(values.next());
                    }
                    return out;
                  })
              .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      if (awaitCommit) {
        awaitCommitted(new TopicPartition(topic, 0), group, read.size());
      }
      return read;
    } finally {
      values.close();
    }
  }

  private static void awaitCommitted(TopicPartition partition, String group, long offset)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = KAFKA.broker().admin()) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        OffsetAndMetadata at = committed.get(partition);
        if (at != null && at.offset() >= offset) {
          return;
        }
        assertThat(System.nanoTime())
            .as("offset %d committed for %s", offset, group)
            .isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }
}
