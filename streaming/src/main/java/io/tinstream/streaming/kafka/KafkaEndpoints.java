package io.tinstream.streaming.kafka;

import io.tinstream.schemas.AvroCodec;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the job's Kafka sources and sinks (exactly-once unless asked otherwise) for one cluster.
 */
public final class KafkaEndpoints {

  /** Below the broker's default transaction.max.timeout.ms (15 min), above any checkpoint. */
  public static final int TRANSACTION_TIMEOUT_MS = 10 * 60 * 1000;

  /** Largest record the sinks write (full model snapshots); brokers must accept it too. */
  public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

  private final String bootstrapServers;
  private final String groupId;
  private final String transactionalIdPrefix;

  /**
   * @param transactionalIdPrefix prefix of the sinks' transactional ids; must differ between jobs
   *     that run at the same time against one cluster, or they fence each other
   */
  public KafkaEndpoints(String bootstrapServers, String groupId, String transactionalIdPrefix) {
    this.bootstrapServers = bootstrapServers;
    this.groupId = groupId;
    this.transactionalIdPrefix = transactionalIdPrefix;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** A source of undecoded values from the earliest offset; bounded at the latest if asked. */
  public KafkaSource<RawRecord> rawSource(String topic, boolean bounded) {
    var builder =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(new RawRecordDeserializer())
            // Only committed output of upstream transactional producers.
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /** An exactly-once sink of Avro records, visible to read_committed readers at checkpoints. */
  public <T extends SpecificRecordBase> KafkaSink<T> avroSink(
      String topic, SerializableSupplier<AvroCodec<T>> codec, SerializableFunction<T, String> key) {
    return avroSink(topic, codec, key, SinkDelivery.EXACTLY_ONCE);
  }

  /**
   * A sink of Avro records with the given delivery: transactional for exactly-once, otherwise an
   * idempotent producer (no duplicates from its own retries; a restart may still repeat records).
   */
  public <T extends SpecificRecordBase> KafkaSink<T> avroSink(
      String topic,
      SerializableSupplier<AvroCodec<T>> codec,
      SerializableFunction<T, String> key,
      SinkDelivery delivery) {
    Properties producer = new Properties();
    // Full model snapshots are a few MB.
    producer.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    var builder =
        KafkaSink.<T>builder()
            .setBootstrapServers(bootstrapServers)
            .setRecordSerializer(new AvroKafkaSerializer<>(topic, codec, key))
            .setDeliveryGuarantee(delivery.guarantee());
    if (delivery == SinkDelivery.EXACTLY_ONCE) {
      producer.setProperty(
          ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(TRANSACTION_TIMEOUT_MS));
      builder.setTransactionalIdPrefix(transactionalIdPrefix + "-" + topic);
    } else {
      producer.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      producer.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    }
    return builder.setKafkaProducerConfig(producer).build();
  }
}
