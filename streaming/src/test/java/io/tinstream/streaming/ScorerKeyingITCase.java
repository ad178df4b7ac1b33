package io.tinstream.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ItemFields;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.streaming.scoring.ScoringWorkTypeInfo;
import io.tinstream.training.features.RowHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's scorer keying on a MiniCluster at parallelism 2: Flink routes the keys through its key
 * groups, and both subtasks must receive work (keyed 0..p-1 directly, both went to one subtask).
 */
class ScorerKeyingITCase {

  private static final int PARALLELISM = 2;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(PARALLELISM)
              .build());

  @Test
  void requestsReachEveryScorerSubtask() throws Exception {
    Configuration conf = new Configuration();
    // The work type must never fall back to Kryo on its way to the scorer.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    List<ScoringWork> works = new ArrayList<>();
    for (long user = 1; user <= 20; user++) {
      works.add(work(user));
    }

    Set<Integer> subtasks = new HashSet<>();
    try (CloseableIterator<Integer> seen =
        env.fromData(works, ScoringWorkTypeInfo.INSTANCE)
            .keyBy(TinstreamJob.scorerKeys(PARALLELISM), Types.INT)
            .process(new SubtaskOf(), Types.INT)
            .setParallelism(PARALLELISM)
            .setMaxParallelism(TinstreamJob.SCORER_MAX_PARALLELISM)
            .executeAndCollect("scorer-keying")) {
      seen.forEachRemaining(subtasks::add);
    }

    assertThat(subtasks).containsExactlyInAnyOrder(0, 1);
  }

  /** Which subtask a request reached. */
  private static final class SubtaskOf extends KeyedProcessFunction<Integer, ScoringWork, Integer> {
    @Override
    public void processElement(ScoringWork work, Context ctx, Collector<Integer> out) {
      out.collect(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }
  }

  private static ScoringWork work(long user) {
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId("r-" + user)
            .setUserId(user)
            .setRequestTime(Instant.ofEpochMilli(1_700_000_000_000L))
            .setCandidates(List.of(ItemFields.newBuilder().setItemId(9L).build()))
            .build();
    return ScoringWork.of(request, 0L, 0, List.of(RowHistory.EMPTY));
  }
}
