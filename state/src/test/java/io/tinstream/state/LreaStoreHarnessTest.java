package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.LreaRefreshPolicy.Freshness;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LREA entry next to the trajectory in a real keyed operator on RocksDB: rebuilt on a model
 * version change and after N new behaviors, once per burst, never served stale.
 */
class LreaStoreHarnessTest {
  private static final long USER = 7L;
  private static final long OTHER_USER = 8L;
  private static final long T0 = 1_700_000_000_000L;
  private static final int N = 5;
  private static final long COALESCE_MS = 1_000L;
  private static final int D = 4;
  private static final int R = 3;
  private static final int L = 16;

  /** Shared with the operator instance the harness runs (not serialized in between). */
  static final AtomicLong MODEL_VERSION = new AtomicLong(1);

  static final AtomicInteger REBUILDS = new AtomicInteger();

  private final List<KeyedOneInputStreamOperatorTestHarness<Long, In, String>> harnesses =
      new ArrayList<>();

  /** A behavior to append, or (behavior null) a scoring request. */
  record In(long userId, Behavior behavior) {}

  /**
   * Plain-Java LREA compression with fixed weights, standing in for the model side (the state
   * module has no TF): e_i from the item id, {@code E_comp = E_sᵀ W_comp}, {@code E_aux = E_sᵀ
   * W_decompᵀ} over the latest L behaviors, row = recency. The TF implementation is tested in
   * training ({@code LreaEntryBuilderTest}).
   */
  static final class JavaRebuilder implements LreaRebuilder {
    @Override
    public long modelEpoch() {
      return 1L;
    }

    @Override
    public long modelVersion() {
      return MODEL_VERSION.get();
    }

    @Override
    public LreaEntry rebuild(TrajectoryView t, long appendedCount) {
      REBUILDS.incrementAndGet();
      float[] comp = new float[D * R];
      float[] aux = new float[D * R];
      float scale = 1f / MODEL_VERSION.get();
      for (int back = 0; back < Math.min(L, t.size()); back++) {
        long item = t.itemId(t.size() - 1 - back);
        for (int k = 0; k < D; k++) {
          float e = ((item * 31 + k * 7) % 11) / 11f * scale;
          for (int j = 0; j < R; j++) {
            comp[k * R + j] += e * ((back + j) % 3) / 3f;
            aux[k * R + j] += e * ((back * j + 1) % 4) / 4f;
          }
        }
      }
      return new LreaEntry(
          D, R, LreaEntry.Stamp.of(1L, MODEL_VERSION.get(), t, appendedCount), comp, aux);
    }
  }

  /** Appends behaviors, asks for a coalesced rebuild timer, serves requests from fresh entries. */
  static final class LreaFunction extends KeyedProcessFunction<Long, In, String> {
    private final LreaRefreshPolicy policy;
    private final TrajectoryPolicy trajectoryPolicy;
    private transient TrajectoryStore trajectory;
    private transient LreaStore lrea;
    private transient LreaRebuilder rebuilder;

    LreaFunction(LreaRefreshPolicy policy, TrajectoryPolicy trajectoryPolicy) {
      this.policy = policy;
      this.trajectoryPolicy = trajectoryPolicy;
    }

    @Override
    public void open(OpenContext openContext) {
      trajectory = TrajectoryStore.create(getRuntimeContext(), trajectoryPolicy);
      lrea = LreaStore.create(getRuntimeContext(), policy);
      rebuilder = new JavaRebuilder();
    }

    @Override
    public void processElement(In in, Context ctx, Collector<String> out) throws Exception {
      if (in.behavior() != null) {
        trajectory.append(ctx.getCurrentKey(), in.behavior());
        Freshness f = lrea.check(rebuilder, trajectory, ctx.getCurrentKey());
        if (!f.usable()) {
          ctx.timerService()
              .registerProcessingTimeTimer(
                  policy.coalescedTimerTime(ctx.timerService().currentProcessingTime()));
        }
        return;
      }
      LreaStore.Lookup l = lrea.fresh(rebuilder, trajectory, ctx.getCurrentKey());
      out.collect(
          "request "
              + l.found()
              + (l.rebuilt() ? " rebuilt" : "")
              + " v"
              + l.entry().modelVersion());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
        throws Exception {
      LreaStore.Lookup l = lrea.fresh(rebuilder, trajectory, ctx.getCurrentKey());
      if (l.rebuilt()) {
        out.collect("timer rebuilt " + l.found() + " at " + l.entry().trajectoryLength());
      }
    }
  }

  @BeforeEach
  void reset() {
    MODEL_VERSION.set(1);
    REBUILDS.set(0);
  }

  @AfterEach
  void closeHarnesses() throws Exception {
    for (var h : harnesses) {
      h.close();
    }
  }

  @Test
  void aBurstCostsOneRebuildAndNBehaviorsTriggerTheNext() throws Exception {
    var h = open(null);
    assertThat(h.getOperator().getKeyedStateBackend().getClass().getName()).contains("RocksDB");
    h.setProcessingTime(T0);
    for (int i = 0; i < 20; i++) {
      send(h, USER, i);
    }
    assertThat(REBUILDS.get()).as("nothing rebuilt inside the burst").isZero();
    assertThat(h.numProcessingTimeTimers()).as("one coalesced timer for the burst").isEqualTo(1);
    h.setProcessingTime(T0 + COALESCE_MS);
    assertThat(REBUILDS.get()).isEqualTo(1);
    assertThat(entry(h, USER).trajectoryLength()).isEqualTo(20);
    assertThat(h.numProcessingTimeTimers()).isZero();

    // N - 1 new behaviors: still fresh, no timer, no rebuild.
    for (int i = 20; i < 20 + N - 1; i++) {
      send(h, USER, i);
    }
    assertThat(h.numProcessingTimeTimers()).isZero();
    assertThat(store(h, USER).check(1L, 1, 20 + N - 1, 20 + N - 1)).isEqualTo(Freshness.FRESH);
    request(h, USER);
    assertThat(REBUILDS.get()).isEqualTo(1);

    // The N-th new behavior makes it stale; a burst on top still costs one rebuild.
    h.setProcessingTime(T0 + 5 * COALESCE_MS + 10);
    for (int i = 20 + N - 1; i < 20 + N + 7; i++) {
      send(h, USER, i);
    }
    assertThat(store(h, USER).check(1L, 1, 20 + N + 7, 20 + N + 7))
        .isEqualTo(Freshness.STALE_TRAJECTORY);
    assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
    h.setProcessingTime(T0 + 6 * COALESCE_MS);
    assertThat(REBUILDS.get()).isEqualTo(2);
    assertThat(entry(h, USER).trajectoryLength()).isEqualTo(20 + N + 7);
    assertThat(h.extractOutputValues())
        .containsExactly(
            "timer rebuilt MISSING at 20",
            "request FRESH v1",
            "timer rebuilt STALE_TRAJECTORY at 32");
  }

  @Test
  void atTheCapNNewBehaviorsStillMakeTheEntryStale() throws Exception {
    int cap = 8;
    var h = open(null, TrajectoryPolicy.builder().maxBehaviors(cap).build());
    h.setProcessingTime(T0);
    for (int i = 0; i < cap + 3; i++) {
      send(h, USER, i);
    }
    h.setProcessingTime(T0 + COALESCE_MS);
    assertThat(REBUILDS.get()).isEqualTo(1);
    LreaEntry built = entry(h, USER);
    assertThat(built.trajectoryLength()).isEqualTo(cap);

    // N more: each evicts the oldest, so the length stays at the cap.
    h.setProcessingTime(T0 + 5 * COALESCE_MS + 10);
    for (int i = cap + 3; i < cap + 3 + N; i++) {
      send(h, USER, i);
    }
    assertThat(h.numProcessingTimeTimers()).as("the N-th new behavior asks for a rebuild").isOne();
    h.setProcessingTime(T0 + 6 * COALESCE_MS);
    assertThat(REBUILDS.get()).isEqualTo(2);
    assertThat(entry(h, USER).trajectoryLength()).isEqualTo(cap);
    assertThat(entry(h, USER)).as("built from the newer behaviors").isNotEqualTo(built);
  }

  @Test
  void aModelVersionChangeIsNeverServedStale() throws Exception {
    var h = open(null);
    h.setProcessingTime(T0);
    send(h, USER, 1);
    send(h, OTHER_USER, 2);
    h.setProcessingTime(T0 + COALESCE_MS);
    assertThat(REBUILDS.get()).isEqualTo(2);
    LreaEntry before = entry(h, USER);

    MODEL_VERSION.set(2);
    assertThat(store(h, USER).check(1L, 2, 1, 1)).isEqualTo(Freshness.STALE_MODEL_VERSION);
    request(h, USER);
    request(h, USER);
    assertThat(REBUILDS.get()).as("rebuilt inline once, then fresh").isEqualTo(3);
    assertThat(entry(h, USER).modelVersion()).isEqualTo(2);
    assertThat(entry(h, USER)).isNotEqualTo(before);
    assertThat(entry(h, OTHER_USER).modelVersion())
        .as("other users rebuild when touched")
        .isEqualTo(1);
    assertThat(h.extractOutputValues())
        .containsExactly(
            "timer rebuilt MISSING at 1",
            "timer rebuilt MISSING at 1",
            "request STALE_MODEL_VERSION rebuilt v2",
            "request FRESH v2");
  }

  @Test
  void stateSizeIsTwoDrFloatsPlusAHeaderAndSurvivesRestore() throws Exception {
    var h = open(null);
    h.setProcessingTime(T0);
    for (int i = 0; i < 3; i++) {
      send(h, USER, i);
    }
    h.setProcessingTime(T0 + COALESCE_MS);
    LreaEntry e = entry(h, USER);
    assertThat(e.floats()).isEqualTo(2 * D * R);
    DataOutputSerializer out = new DataOutputSerializer(64);
    LreaEntrySerializer.INSTANCE.serialize(e, out);
    assertThat(out.length())
        .isGreaterThan(2 * D * R * Float.BYTES)
        .isLessThanOrEqualTo(2 * D * R * Float.BYTES + LreaEntrySerializer.MAX_HEADER_BYTES);
    assertThat(out.getCopyOfBuffer()[0])
        .as("format version in the bytes")
        .isEqualTo((byte) LreaEntrySerializer.CURRENT_VERSION);
    h.getOperator().setCurrentKey(USER);
    long[] tag = h.getOperator().getKeyedStateStore().getState(LreaStore.tagDescriptor()).value();
    assertThat(tag)
        .as("the 32-byte tag a behavior's check reads: epoch, version, length, appended")
        .containsExactly(1L, 1L, 3L, 3L);

    OperatorSubtaskState snapshot = h.snapshot(1L, T0 + 2 * COALESCE_MS);
    var restored = open(snapshot);
    assertThat(entry(restored, USER)).isEqualTo(e);
    request(restored, USER);
    assertThat(restored.extractOutputValues()).containsExactly("request FRESH v1");
    assertThat(REBUILDS.get()).isEqualTo(1);
  }

  private KeyedOneInputStreamOperatorTestHarness<Long, In, String> open(
      OperatorSubtaskState restoreFrom) throws Exception {
    return open(restoreFrom, TrajectoryPolicy.defaults());
  }

  private KeyedOneInputStreamOperatorTestHarness<Long, In, String> open(
      OperatorSubtaskState restoreFrom, TrajectoryPolicy trajectoryPolicy) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new LreaFunction(LreaRefreshPolicy.of(N, COALESCE_MS), trajectoryPolicy)),
            In::userId,
            Types.LONG);
    harnesses.add(h);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restoreFrom != null) {
      h.initializeState(restoreFrom);
    }
    h.open();
    return h;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<Long, In, String> h, long user, int i)
      throws Exception {
    Behavior b = TestBehaviors.at(T0 + i * 1000L).id("u" + user + "-" + i).item(100 + i).build();
    h.processElement(new In(user, b), b.eventTime());
  }

  private static void request(KeyedOneInputStreamOperatorTestHarness<Long, In, String> h, long user)
      throws Exception {
    h.processElement(new In(user, null), T0);
  }

  private static LreaStore store(
      KeyedOneInputStreamOperatorTestHarness<Long, In, String> h, long user) {
    h.getOperator().setCurrentKey(user);
    return LreaStore.create(
        h.getOperator().getKeyedStateStore(), LreaRefreshPolicy.of(N, COALESCE_MS));
  }

  private static LreaEntry entry(
      KeyedOneInputStreamOperatorTestHarness<Long, In, String> h, long user) throws Exception {
    return store(h, user).get();
  }
}
