package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.AppendResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store inside a real keyed operator on RocksDB, checking what is left in state. */
class TrajectoryStoreHarnessTest {
  private static final long USER = 7L;
  private static final long OTHER_USER = 8L;
  private static final long DAY = 86_400_000L;
  private static final long T0 = 1_700_000_000_000L;

  private final List<KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult>>
      harnesses = new ArrayList<>();

  /** Input of the test operator: a behavior and the user it belongs to. */
  record UserBehavior(long userId, Behavior behavior) {}

  /** The smallest operator that keeps a trajectory: append and report what happened. */
  static final class AppendFunction extends KeyedProcessFunction<Long, UserBehavior, AppendResult> {
    private final TrajectoryPolicy policy;
    private transient TrajectoryStore store;

    AppendFunction(TrajectoryPolicy policy) {
      this.policy = policy;
    }

    @Override
    public void open(OpenContext openContext) {
      store = TrajectoryStore.create(getRuntimeContext(), policy);
    }

    @Override
    public void processElement(UserBehavior in, Context ctx, Collector<AppendResult> out)
        throws Exception {
      out.collect(store.append(in.behavior()));
    }
  }

  @AfterEach
  void closeHarnesses() throws Exception {
    for (var harness : harnesses) {
      harness.close();
    }
  }

  @Test
  void appendsPerUserAndReadsBackOldestFirst() throws Exception {
    var harness = open(TrajectoryPolicy.defaults(), null);
    assertThat(harness.getOperator().getKeyedStateBackend().getClass().getName())
        .contains("RocksDB");
    Behavior first = behavior("a", T0);
    Behavior second = behavior("b", T0 + 20 * DAY);
    Behavior otherUsers = behavior("c", T0 + DAY);

    send(harness, USER, second);
    send(harness, USER, first);
    send(harness, OTHER_USER, otherUsers);

    assertThat(harness.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsOnly(Outcome.APPENDED);
    assertThat(harness.extractOutputValues())
        .extracting(AppendResult::firstForKey)
        .as("each user's first append, and only that, is first for its key")
        .containsExactly(true, false, true);
    assertThat(behaviors(harness, USER)).containsExactly(first, second);
    assertThat(behaviors(harness, OTHER_USER)).containsExactly(otherUsers);
    TrajectoryIndex index = store(harness, USER).index();
    assertThat(index.bucketCount()).isEqualTo(2);
    assertThat(index.totalCount()).isEqualTo(2);
    assertThat(index.maxEventTime()).isEqualTo(T0 + 20 * DAY);
  }

  @Test
  void dropsDuplicatesEvenWhenTheyArriveLate() throws Exception {
    var harness = open(TrajectoryPolicy.defaults(), null);
    Behavior original = behavior("a", T0);

    send(harness, USER, original);
    send(harness, USER, behavior("b", T0 + 30 * DAY));
    send(harness, USER, behavior("a", T0));
    // The same id at another time is another event.
    send(harness, USER, behavior("a", T0 + 1));

    assertThat(harness.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsExactly(Outcome.APPENDED, Outcome.APPENDED, Outcome.DUPLICATE, Outcome.APPENDED);
    assertThat(store(harness, USER).size()).isEqualTo(3);
    assertThat(behaviors(harness, USER)).first().isEqualTo(original);
  }

  @Test
  void insertsOutOfOrderEventsInPlaceAcrossBuckets() throws Exception {
    var harness = open(TrajectoryPolicy.builder().bucketWidthMs(DAY).build(), null);
    long[] arrival = {5, 1, 3, 2, 4, 0};
    for (long day : arrival) {
      send(harness, USER, behavior("e" + day, T0 + day * DAY + 17));
    }
    send(harness, USER, behavior("e3-again", T0 + 3 * DAY + 17));

    TrajectoryView view = store(harness, USER).read();
    assertThat(eventIds(view))
        .containsExactly(
            hash("e0"),
            hash("e1"),
            hash("e2"),
            hash("e3"),
            hash("e3-again"),
            hash("e4"),
            hash("e5"));
    assertThat(store(harness, USER).index().bucketCount()).isEqualTo(6);
  }

  @Test
  void retentionIsRelativeToTheUsersNewestEvent() throws Exception {
    TrajectoryPolicy policy =
        TrajectoryPolicy.builder().retentionMs(10 * DAY).bucketWidthMs(3 * DAY).build();
    var harness = open(policy, null);
    for (int day = 0; day <= 8; day++) {
      send(harness, USER, behavior("d" + day, T0 + day * DAY));
    }
    assertThat(store(harness, USER).size()).isEqualTo(9);

    // Newest moves to day 14: days 0..3 fall behind the horizon (day 4 is exactly on it and stays).
    send(harness, USER, behavior("d14", T0 + 14 * DAY));
    // Older than the horizon: refused without touching state.
    send(harness, USER, behavior("too-old", T0 + 2 * DAY));
    // Within the horizon but out of order: accepted.
    send(harness, USER, behavior("d5b", T0 + 5 * DAY + 1));

    List<AppendResult> results = harness.extractOutputValues();
    assertThat(results.get(9)).isEqualTo(new AppendResult(Outcome.APPENDED, 4));
    assertThat(results.get(10).outcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(results.get(11)).isEqualTo(new AppendResult(Outcome.APPENDED, 0));
    TrajectoryView view = store(harness, USER).read();
    assertThat(view.eventTime(0)).isEqualTo(T0 + 4 * DAY);
    assertThat(eventIds(view))
        .containsExactly(
            hash("d4"), hash("d5"), hash("d5b"), hash("d6"), hash("d7"), hash("d8"), hash("d14"));
    assertThat(store(harness, USER).index().totalCount()).isEqualTo(7);
    // Another user's old events are not affected by this user's clock.
    send(harness, OTHER_USER, behavior("x", T0));
    assertThat(store(harness, OTHER_USER).size()).isEqualTo(1);
  }

  @Test
  void theCapDropsTheOldestBehaviors() throws Exception {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().maxBehaviors(5).bucketWidthMs(DAY).build();
    var harness = open(policy, null);
    for (int i = 0; i < 12; i++) {
      // Two or three behaviors a day, so the cap cuts both whole chunks and inside a chunk.
      send(harness, USER, behavior("b" + i, T0 + i * (DAY / 3)));
    }

    TrajectoryView view = store(harness, USER).read();
    assertThat(view.size()).isEqualTo(5);
    assertThat(eventIds(view))
        .containsExactly(hash("b7"), hash("b8"), hash("b9"), hash("b10"), hash("b11"));
    assertThat(harness.extractOutputValues().stream().mapToInt(AppendResult::evicted).sum())
        .isEqualTo(7);
    TrajectoryIndex index = store(harness, USER).index();
    assertThat(index.totalCount()).isEqualTo(5);
    // Evicted chunks are removed from the map state, not left empty.
    assertThat(index.bucketCount()).isEqualTo(2);
    assertThat(chunkBuckets(harness, USER)).containsExactly(index.bucket(0), index.bucket(1));
  }

  @Test
  void restoresTheTrajectoryFromASnapshot() throws Exception {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().bucketWidthMs(DAY).build();
    var harness = open(policy, null);
    for (int i = 0; i < 20; i++) {
      send(harness, USER, behavior("s" + i, T0 + i * (DAY / 4)));
    }
    send(harness, OTHER_USER, behavior("o", T0));
    List<Behavior> before = behaviors(harness, USER);
    TrajectoryIndex indexBefore = store(harness, USER).index();
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

    var restored = open(policy, snapshot);

    assertThat(behaviors(restored, USER)).isEqualTo(before);
    assertThat(store(restored, USER).index()).isEqualTo(indexBefore);
    assertThat(store(restored, OTHER_USER).size()).isEqualTo(1);
    // Dedup still works against restored state, and appends continue where they left off.
    send(restored, USER, behavior("s3", T0 + 3 * (DAY / 4)));
    send(restored, USER, behavior("s20", T0 + 20 * (DAY / 4)));
    assertThat(restored.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsExactly(Outcome.DUPLICATE, Outcome.APPENDED);
    assertThat(store(restored, USER).size()).isEqualTo(21);
  }

  @Test
  void clearRemovesEverythingOfTheCurrentKey() throws Exception {
    var harness = open(TrajectoryPolicy.defaults(), null);
    send(harness, USER, behavior("a", T0));
    send(harness, OTHER_USER, behavior("b", T0));

    TrajectoryStore store = store(harness, USER);
    store.clear();

    assertThat(store.size()).isZero();
    assertThat(store.read().size()).isZero();
    assertThat(chunkBuckets(harness, USER)).isEmpty();
    assertThat(store(harness, OTHER_USER).size()).isEqualTo(1);
  }

  private KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> open(
      TrajectoryPolicy policy, OperatorSubtaskState restoreFrom) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AppendFunction(policy)),
            UserBehavior::userId,
            Types.LONG);
    harnesses.add(harness);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness,
      long user,
      Behavior behavior)
      throws Exception {
    harness.processElement(new UserBehavior(user, behavior), behavior.eventTime());
  }

  /** A store over the operator's own keyed state, positioned on {@code user}. */
  private static TrajectoryStore store(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user) {
    harness.getOperator().setCurrentKey(user);
    return TrajectoryStore.create(
        harness.getOperator().getKeyedStateStore(), TrajectoryPolicy.defaults());
  }

  private static List<Behavior> behaviors(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    TrajectoryView view = store(harness, user).read();
    List<Behavior> list = new ArrayList<>();
    for (int i = 0; i < view.size(); i++) {
      list.add(view.behavior(i));
    }
    return list;
  }

  private static List<Long> chunkBuckets(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    harness.getOperator().setCurrentKey(user);
    List<Long> buckets = new ArrayList<>();
    for (Long bucket :
        harness
            .getOperator()
            .getKeyedStateStore()
            .getMapState(TrajectoryStore.chunksDescriptor())
            .keys()) {
      buckets.add(bucket);
    }
    return buckets;
  }

  private static List<Integer> eventIds(TrajectoryView view) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < view.size(); i++) {
      ids.add(view.eventIdHash(i));
    }
    return ids;
  }

  private static int hash(String eventId) {
    return Behavior.hashEventId(eventId);
  }

  private static Behavior behavior(String eventId, long time) {
    return TestBehaviors.at(time).id(eventId).categories(1, 2, 3).item(time % 97).build();
  }
}
