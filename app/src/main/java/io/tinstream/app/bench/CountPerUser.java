package io.tinstream.app.bench;

import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The reference of the ingest benchmark: the cheapest useful keyed RocksDB job (one counter per
 * user), so the trajectory job's rate can be read as a ratio to what Flink + RocksDB + Kafka
 * decoding cost on their own.
 */
public final class CountPerUser extends KeyedProcessFunction<Long, BehaviorOrRequest, Long> {
  private static final long serialVersionUID = 1L;

  /** Events counted, so the bench times this job's progress like the trajectory job's. */
  public static final String EVENTS_COUNTED = "eventsCounted";

  private transient ValueState<Long> count;
  private transient Counter counted;

  @Override
  public void open(OpenContext openContext) {
    count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    counted = getRuntimeContext().getMetricGroup().counter(EVENTS_COUNTED);
  }

  @Override
  public void processElement(BehaviorOrRequest in, Context ctx, Collector<Long> out)
      throws Exception {
    Long c = count.value();
    count.update(c == null ? 1 : c + 1);
    counted.inc();
  }
}
