package io.tinstream.streaming.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain byte producers and read_committed consumers for feeders, drivers and tests. */
public final class KafkaClients {

  private KafkaClients() {}

  /**
   * An idempotent producer that waits for all replicas; callers check each send's future. One
   * request in flight per connection: on a starved machine (CI, a busy laptop) a timed-out request
   * retried behind others made the broker reject the producer's sequence numbers for good
   * (OutOfOrderSequenceException until delivery timed out), which one in flight rules out.
   */
  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    return producer(bootstrapServers, KafkaClientProperties.NONE);
  }

  /** {@link #producer(String)} with the cluster's client properties (security) over its own. */
  public static KafkaProducer<byte[], byte[]> producer(
      String bootstrapServers, KafkaClientProperties client) {
    return new KafkaProducer<>(
        client.over(
            Map.ofEntries(
                Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000),
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, 5),
                Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class),
                Map.entry(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))));
  }

  /** A consumer of committed records only, from the earliest offset, in a fresh group. */
  public static KafkaConsumer<byte[], byte[]> committedReader(String bootstrapServers) {
    return committedReader(bootstrapServers, KafkaClientProperties.NONE);
  }

  /** {@link #committedReader(String)} with the cluster's client properties over its own. */
  public static KafkaConsumer<byte[], byte[]> committedReader(
      String bootstrapServers, KafkaClientProperties client) {
    return new KafkaConsumer<>(
        client.over(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class)));
  }

  /** An admin client of the cluster, with its client properties. */
  public static Admin admin(String bootstrapServers, KafkaClientProperties client) {
    return Admin.create(
        client.over(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)));
  }

  /** Waits for every send; a failed send is an error, never a silently dropped record. */
  public static void awaitAll(List<Future<RecordMetadata>> sends) {
    try {
      for (Future<RecordMetadata> send : sends) {
        send.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a record could not be sent: " + e.getCause(), e);
    }
  }

  public static Future<RecordMetadata> send(
      KafkaProducer<byte[], byte[]> producer, String topic, byte[] key, byte[] value) {
    return producer.send(new ProducerRecord<>(topic, key, value));
  }

  /**
   * Polls {@code consumer} until {@code done} holds for what was read, or the timeout passes.
   *
   * @return everything read
   */
  public static List<ConsumerRecord<byte[], byte[]>> pollUntil(
      KafkaConsumer<byte[], byte[]> consumer,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
      Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(read) && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(read::add);
    }
    return read;
  }
}
