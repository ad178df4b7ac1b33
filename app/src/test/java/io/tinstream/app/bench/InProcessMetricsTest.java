package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/** The bench reads a running local job's counters live, through a real Flink local cluster. */
class InProcessMetricsTest {

  private static final long EVENTS = 1_000;
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  /** Counts what it maps and holds the last element until the test has read the counter. */
  static final class Counting extends RichMapFunction<Long, Long> {
    private transient Counter counter;

    @Override
    public void open(OpenContext context) {
      counter = getRuntimeContext().getMetricGroup().counter("benchCounted");
    }

    @Override
    public Long map(Long value) throws Exception {
      counter.inc();
      if (value == EVENTS) {
        RELEASE.await(60, TimeUnit.SECONDS);
      }
      return value;
    }
  }

  @Test
  void countersOfARunningJobAreReadInThisJvm() throws Exception {
    Configuration conf = new Configuration();
    InProcessMetrics.enable(conf);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.fromSequence(1, EVENTS)
        .map(new Counting())
        .name("bench-counting")
        .sinkTo(new DiscardingSink<>());
    JobClient client = env.executeAsync("in-process-metrics-test");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long seen = 0;
      while (seen < EVENTS && System.nanoTime() < deadline) {
        seen = InProcessMetrics.counterSum("bench-counting", "benchCounted");
        Thread.sleep(50);
      }
      assertThat(seen).isEqualTo(EVENTS);
      assertThat(InProcessMetrics.counterSum("no-such-operator", "benchCounted")).isZero();
    } finally {
      RELEASE.countDown();
      client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    }
  }
}
