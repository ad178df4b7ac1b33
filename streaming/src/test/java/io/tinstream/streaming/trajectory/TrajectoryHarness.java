package io.tinstream.streaming.trajectory;

import io.tinstream.streaming.scoring.ScoringWork;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** A single-subtask harness around a {@link TrajectoryFunction} on RocksDB keyed state. */
final class TrajectoryHarness {

  private TrajectoryHarness() {}

  /** Opened, optionally restored from {@code snapshot} (null for a fresh start). */
  static KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      open(TrajectoryFunction function, OperatorSubtaskState snapshot) throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                function, List.of(TrajectoryFunction.TAXONOMY, SnapshotFollower.SNAPSHOTS)),
            BehaviorOrRequest::userId,
            Types.LONG,
            1,
            1,
            0);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    // The broadcast log holds whole model snapshots: more than the default 5 MiB in memory.
    harness.setCheckpointStorage(
        new org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage(64 << 20));
    if (snapshot != null) {
      harness.initializeState(snapshot);
    }
    harness.open();
    return harness;
  }
}
