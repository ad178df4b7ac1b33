package io.tinstream.streaming.kafka;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamOptions;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the job's Kafka sources and sinks (exactly-once unless asked otherwise) for one cluster.
 */
public final class KafkaEndpoints {

  /** Largest record the sinks write (full model snapshots); brokers must accept it too. */
  public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

  private final String bootstrapServers;
  private final String groupId;
  private final String transactionalIdPrefix;
  private final StartingOffsets startingOffsets;
  private final Duration transactionTimeout;
  private final KafkaClientProperties client;

  /**
   * With the sources starting from the group's committed offsets ({@link StartingOffsets}) and the
   * default transaction timeout ({@link TinstreamOptions#TRANSACTION_TIMEOUT}).
   */
  public KafkaEndpoints(String bootstrapServers, String groupId, String transactionalIdPrefix) {
    this(bootstrapServers, groupId, transactionalIdPrefix, StartingOffsets.COMMITTED);
  }

  /**
   * With the default transaction timeout ({@link TinstreamOptions#TRANSACTION_TIMEOUT}) and no
   * client properties (a plaintext cluster).
   */
  public KafkaEndpoints(
      String bootstrapServers,
      String groupId,
      String transactionalIdPrefix,
      StartingOffsets startingOffsets) {
    this(
        bootstrapServers,
        groupId,
        transactionalIdPrefix,
        startingOffsets,
        TinstreamOptions.TRANSACTION_TIMEOUT.defaultValue(),
        KafkaClientProperties.NONE);
  }

  /**
   * @param groupId consumer group of the sources, under which they commit their offsets
   * @param transactionalIdPrefix prefix of the sinks' transactional ids; must differ between jobs
   *     that run at the same time against one cluster, or they fence each other
   * @param startingOffsets where the sources start without a checkpoint
   * @param transactionTimeout transaction.timeout.ms of the exactly-once sinks; {@link JobSettings}
   *     checks it against the checkpoint timing ({@link TransactionWindow})
   * @param client the cluster's client properties (security), added to every source's consumer and
   *     every sink's producer
   */
  public KafkaEndpoints(
      String bootstrapServers,
      String groupId,
      String transactionalIdPrefix,
      StartingOffsets startingOffsets,
      Duration transactionTimeout,
      KafkaClientProperties client) {
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException(
          "the Kafka sources need a group id: they commit their offsets under it");
    }
    this.bootstrapServers = bootstrapServers;
    this.groupId = groupId;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.startingOffsets = java.util.Objects.requireNonNull(startingOffsets);
    this.transactionTimeout = java.util.Objects.requireNonNull(transactionTimeout);
    this.client = java.util.Objects.requireNonNull(client);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The client properties every source and sink of this cluster gets. */
  public KafkaClientProperties clientProperties() {
    return client;
  }

  public StartingOffsets startingOffsets() {
    return startingOffsets;
  }

  /** transaction.timeout.ms of the exactly-once sinks. */
  public Duration transactionTimeout() {
    return transactionTimeout;
  }

  /**
   * A source of undecoded values from the configured starting offsets ({@link StartingOffsets});
   * bounded at the latest if asked. It commits its offsets to the group at every completed
   * checkpoint: that is what a later start from committed offsets resumes from (the checkpoint, not
   * the commit, is what a restore uses).
   */
  public KafkaSource<RawRecord> rawSource(String topic, boolean bounded) {
    var builder =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setStartingOffsets(startingOffsets.initializer())
            .setProperty(KafkaSourceOptions.COMMIT_OFFSETS_ON_CHECKPOINT.key(), "true")
            .setDeserializer(new RawRecordDeserializer())
            // Only committed output of upstream transactional producers.
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES))
            .setProperties(client.toProperties());
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
          ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(transactionTimeout.toMillis()));
      builder.setTransactionalIdPrefix(transactionalIdPrefix + "-" + topic);
    } else {
      producer.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      producer.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    }
    return builder.setKafkaProducerConfig(client.addTo(producer)).build();
  }
}
