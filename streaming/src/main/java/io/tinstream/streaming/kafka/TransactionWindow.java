package io.tinstream.streaming.kafka;

import java.time.Duration;

/**
 * How long an exactly-once sink's Kafka transaction must stay open, and the check that its timeout
 * covers it. A transaction opens after one checkpoint and commits when the next one completes; if
 * the job goes down between the sink's pre-commit and that commit, the restored job commits it on
 * recovery. So it must outlive a checkpoint interval, a checkpoint that takes its full timeout, and
 * the downtime before recovery. Were the broker to abort it first (at the producer's {@code
 * transaction.timeout.ms}), that checkpoint's output would be lost while its input offsets are
 * committed: exactly-once broken silently.
 */
public record TransactionWindow(
    Duration checkpointInterval,
    Duration checkpointTimeout,
    Duration expectedDowntime,
    Duration transactionTimeout) {

  /** The broker's default {@code transaction.max.timeout.ms}: a longer producer timeout fails. */
  public static final Duration BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  /** The longest a transaction may have to stay open before it commits. */
  public Duration longestOpen() {
    return checkpointInterval.plus(checkpointTimeout).plus(expectedDowntime);
  }

  /** Whether the transaction timeout exceeds {@link #longestOpen()}. */
  public boolean holds() {
    return transactionTimeout.compareTo(longestOpen()) > 0;
  }
}
