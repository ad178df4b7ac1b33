package io.tinstream.streaming.kafka;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record value as it arrived, with where it came from: decoding happens in the job (not in
 * the source) so that a record that fails to decode can go to the dead-letter topic unchanged.
 */
public final class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public byte[] value;

  /**
   * The Kafka record timestamp (when it was produced; negative if the record has none). Carried
   * here because the stream's own timestamp is the event time the source assigns.
   */
  public long kafkaTimestamp = -1;

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, byte[] value) {
    this(topic, partition, offset, value, -1);
  }

  public RawRecord(String topic, int partition, long offset, byte[] value, long kafkaTimestamp) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.value = value;
    this.kafkaTimestamp = kafkaTimestamp;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r
        && partition == r.partition
        && offset == r.offset
        && Objects.equals(topic, r.topic)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
