package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.streaming.kafka.TransactionWindow;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** A failure that returns on every restart must stop the job, not loop it. */
class JobEnvironmentTest {

  @Test
  void jobsRestartAtMostThreeTimesInFiveMinutesAndTolerateThreeFailedCheckpoints() {
    Configuration conf = JobEnvironment.configuration(JobSettings.from(Map.of()));

    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("failure-rate");
    assertThat(
            conf.get(
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL))
        .isEqualTo(3);
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(conf.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isEqualTo(3);
    // The benchmarks' configuration gets the same bounds.
    Configuration bench = JobEnvironment.configuration("file:///tmp/x", 2);
    assertThat(bench.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("failure-rate");
    assertThat(
            bench.get(
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL))
        .isEqualTo(3);
    assertThat(bench.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isEqualTo(3);
  }

  @Test
  void theBoundsAreSettingsAndReachTheJob() {
    JobSettings settings =
        JobSettings.from(
            Map.of(
                TinstreamOptions.RESTART_MAX_FAILURES.key(), "7",
                TinstreamOptions.RESTART_FAILURE_INTERVAL.key(), "1 min",
                TinstreamOptions.RESTART_DELAY.key(), "0 s",
                TinstreamOptions.CHECKPOINT_TOLERABLE_FAILURES.key(), "5"));
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);

    assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY))
        .isEqualTo("failure-rate");
    assertThat(
            env.getConfiguration()
                .get(
                    RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL))
        .isEqualTo(7);
    assertThat(
            env.getConfiguration()
                .get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL))
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(5);
  }

  @Test
  void invalidBoundsNameTheSetting() {
    assertThatThrownBy(
            () -> JobSettings.from(Map.of(TinstreamOptions.RESTART_MAX_FAILURES.key(), "0")))
        .hasMessageContaining("tinstream.restart.max-failures: must be > 0");
    assertThatThrownBy(
            () ->
                JobSettings.from(
                    Map.of(TinstreamOptions.CHECKPOINT_TOLERABLE_FAILURES.key(), "-1")))
        .hasMessageContaining("tinstream.checkpoint-tolerable-failures: must be >= 0");
  }

  @Test
  void theDefaultTransactionTimeoutCoversACheckpointAndARestartAndTheBrokerAllowsIt() {
    JobSettings settings = JobSettings.from(Map.of());
    StreamExecutionEnvironment env = JobEnvironment.submitted(settings);

    assertThat(env.getCheckpointConfig().getCheckpointTimeout())
        .isEqualTo(Duration.ofMinutes(3).toMillis());
    assertThat(settings.kafka().transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.transactionWindow().holds()).isTrue();
    assertThat(settings.kafka().transactionTimeout())
        .isLessThanOrEqualTo(TransactionWindow.BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT);
    assertThat(
            JobEnvironment.configuration("file:///tmp/x", 2)
                .get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
        .isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void aTransactionTimeoutTheCheckpointTimingCanOutlastIsRefusedNamingTheSettings() {
    assertThatThrownBy(
            () ->
                JobSettings.from(
                    Map.of(
                        TinstreamOptions.CHECKPOINT_TIMEOUT.key(), "5 min",
                        TinstreamOptions.EXPECTED_DOWNTIME.key(), "5 min")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tinstream.kafka.transaction-timeout: must exceed tinstream.checkpoint-interval +"
                + " tinstream.checkpoint-timeout + tinstream.expected-downtime (5 s + 5 min + 5"
                + " min = 605 s), or the broker may abort a transaction before its checkpoint"
                + " commits it; got 10 min");
    // Exactly equal is refused too: the broker's abort and the commit would race.
    assertThatThrownBy(
            () ->
                JobSettings.from(
                    Map.of(
                        TinstreamOptions.CHECKPOINT_INTERVAL.key(), "1 min",
                        TinstreamOptions.CHECKPOINT_TIMEOUT.key(), "4 min",
                        TinstreamOptions.TRANSACTION_TIMEOUT.key(), "10 min")))
        .hasMessageStartingWith("tinstream.kafka.transaction-timeout: must exceed");
    // A longer timeout makes the same timing valid.
    assertThat(
            JobSettings.from(
                    Map.of(
                        TinstreamOptions.CHECKPOINT_TIMEOUT.key(), "5 min",
                        TinstreamOptions.TRANSACTION_TIMEOUT.key(), "14 min"))
                .kafka()
                .transactionTimeout())
        .isEqualTo(Duration.ofMinutes(14));
  }

  @Test
  void anExpectedDowntimeShorterThanTheRestartDelayIsRefused() {
    assertThatThrownBy(
            () ->
                JobSettings.from(
                    Map.of(
                        TinstreamOptions.RESTART_DELAY.key(), "1 min",
                        TinstreamOptions.EXPECTED_DOWNTIME.key(), "30 s")))
        .hasMessage(
            "tinstream.expected-downtime: must be at least tinstream.restart.delay (1 min): a"
                + " restart waits that long before recovery, got 30 s");
  }
}
