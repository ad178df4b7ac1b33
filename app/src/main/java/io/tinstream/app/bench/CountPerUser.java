package io.tinstream.app.bench;

import io.tinstream.streaming.trajectory.BehaviorOrRequest;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The reference of the ingest benchmark: the cheapest useful keyed RocksDB job (one counter per
 * user), so the trajectory job's rate can be read as a ratio to what Flink + RocksDB + Kafka
 * decoding cost on their own.
 */
public final class CountPerUser extends KeyedProcessFunction<Long, BehaviorOrRequest, Long> {
  private static final long serialVersionUID = 1L;

  private transient ValueState<Long> count;

  @Override
  public void open(OpenContext openContext) {
    count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
  }

  @Override
  public void processElement(BehaviorOrRequest in, Context ctx, Collector<Long> out)
      throws Exception {
    Long c = count.value();
    count.update(c == null ? 1 : c + 1);
  }
}
