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

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.value = value;
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
