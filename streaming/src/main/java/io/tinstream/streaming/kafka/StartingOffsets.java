package io.tinstream.streaming.kafka;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where a source starts reading when the job starts without a checkpoint (a restore always resumes
 * from the checkpoint's offsets), by its configuration name as {@code tinstream.*} options spell
 * it.
 */
public enum StartingOffsets {
  /**
   * The consumer group's committed offsets (the sources commit them at every completed checkpoint),
   * and the earliest offset of a partition the group has none for: a job started again without its
   * checkpoint goes on where the previous run's last checkpoint left off, instead of reading every
   * topic again.
   */
  COMMITTED("committed"),
  /** The earliest offset, whatever the group committed: a full replay. */
  EARLIEST("earliest"),
  /** The latest offset: only what is written after the start. */
  LATEST("latest");

  private final String configName;

  StartingOffsets(String configName) {
    this.configName = configName;
  }

  public OffsetsInitializer initializer() {
    return switch (this) {
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
  }

  /** The configuration name: Flink parses and prints enum options through {@code toString()}. */
  @Override
  public String toString() {
    return configName;
  }
}
