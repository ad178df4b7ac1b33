package io.tinstream.streaming.kafka;

import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * How a Kafka sink delivers: by its configuration name, as {@code tinstream.*} options spell it.
 */
public enum SinkDelivery {
  /**
   * Idempotent producer, no transactions: a record is readable as soon as it is written; a restart
   * from a checkpoint may write records again.
   */
  AT_LEAST_ONCE("at-least-once", DeliveryGuarantee.AT_LEAST_ONCE),
  /**
   * Transactional: records become readable to read_committed consumers when a checkpoint commits.
   */
  EXACTLY_ONCE("exactly-once", DeliveryGuarantee.EXACTLY_ONCE);

  private final String configName;
  private final DeliveryGuarantee guarantee;

  SinkDelivery(String configName, DeliveryGuarantee guarantee) {
    this.configName = configName;
    this.guarantee = guarantee;
  }

  public DeliveryGuarantee guarantee() {
    return guarantee;
  }

  /** The configuration name: Flink parses and prints enum options through {@code toString()}. */
  @Override
  public String toString() {
    return configName;
  }
}
