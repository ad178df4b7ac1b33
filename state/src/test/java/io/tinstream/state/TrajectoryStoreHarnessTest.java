package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.AppendResult.Outcome;
import java.util.ArrayList;
import java.util.List;
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
    transient TrajectoryStore store;

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
      out.collect(store.append(in.userId(), in.behavior()));
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
    // Fewer than a chunk: all of it is still in the open segment, nothing sealed.
    assertThat(openSegment(harness, USER)).isEqualTo(2);
    assertThat(chunkKeys(harness, USER)).isEmpty();
    assertThat(fresh(harness, USER).index(USER).isEmpty()).isTrue();
  }

  @Test
  void sealsTheOpenSegmentEveryChunkSizeBehaviorsAndNeverRewritesSealedChunks() throws Exception {
    var harness = open(TrajectoryPolicy.builder().chunkSize(4).build(), null);
    for (int i = 0; i < 10; i++) {
      send(harness, USER, behavior("s" + i, T0 + i * 1_000L));
    }
    List<byte[]> sealedBefore = chunkBytes(harness, USER);

    send(harness, USER, behavior("s10", T0 + 10_000L));
    send(harness, USER, behavior("s11", T0 + 11_000L));

    assertThat(chunkKeys(harness, USER)).containsExactly(0L, 1L, 2L);
    assertThat(openSegment(harness, USER)).isZero();
    List<byte[]> sealedAfter = chunkBytes(harness, USER);
    assertThat(sealedAfter.subList(0, 2))
        .as("appends in order leave sealed chunks byte for byte as they were")
        .containsExactlyElementsOf(sealedBefore);
    TrajectoryIndex index = fresh(harness, USER).index(USER);
    assertThat(index.chunkCount()).isEqualTo(3);
    assertThat(index.firstTime(1)).isEqualTo(T0 + 4_000L);
    assertThat(index.lastTime(2)).isEqualTo(T0 + 11_000L);
    assertThat(fresh(harness, USER).size(USER)).isEqualTo(12);
  }

  @Test
  void dropsDuplicatesEvenWhenTheyArriveLate() throws Exception {
    var harness = open(TrajectoryPolicy.builder().chunkSize(2).build(), null);
    Behavior original = behavior("a", T0);

    send(harness, USER, original);
    send(harness, USER, behavior("b", T0 + 30 * DAY));
    send(harness, USER, behavior("c", T0 + 31 * DAY));
    // "a" is in a sealed chunk by now.
    send(harness, USER, behavior("a", T0));
    // The same id at another time is another event.
    send(harness, USER, behavior("a", T0 + 1));

    assertThat(harness.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsExactly(
            Outcome.APPENDED,
            Outcome.APPENDED,
            Outcome.APPENDED,
            Outcome.DUPLICATE,
            Outcome.APPENDED);
    assertThat(fresh(harness, USER).size(USER)).isEqualTo(4);
    assertThat(behaviors(harness, USER)).first().isEqualTo(original);
  }

  @Test
  void insertsOutOfOrderEventsInPlaceRewritingOnlyTheirChunk() throws Exception {
    var harness = open(TrajectoryPolicy.builder().chunkSize(2).build(), null);
    for (long day : new long[] {0, 2, 4, 6, 8, 10}) {
      send(harness, USER, behavior("e" + day, T0 + day * DAY));
    }
    List<byte[]> before = chunkBytes(harness, USER);

    // Falls into the second chunk (days 4 and 6).
    send(harness, USER, behavior("e5", T0 + 5 * DAY));
    // Older than everything: the first chunk.
    send(harness, USER, behavior("e-1", T0 - DAY));
    // Same time as e2: after it, in arrival order.
    send(harness, USER, behavior("e2-again", T0 + 2 * DAY));

    List<Integer> expected =
        List.of(
            hash("e-1"),
            hash("e0"),
            hash("e2"),
            hash("e2-again"),
            hash("e4"),
            hash("e5"),
            hash("e6"),
            hash("e8"),
            hash("e10"));
    assertThat(eventIds(operatorStore(harness).read(USER))).isEqualTo(expected);
    assertThat(eventIds(fresh(harness, USER).read(USER)))
        .as("what state holds, decoded afresh, is what the cache shows")
        .isEqualTo(expected);
    List<byte[]> after = chunkBytes(harness, USER);
    assertThat(after.get(2))
        .as("the chunk no insert fell into is untouched")
        .isEqualTo(before.get(2));
    assertThat(fresh(harness, USER).index(USER).count(1)).isEqualTo(3);
  }

  @Test
  void retentionIsRelativeToTheUsersNewestEvent() throws Exception {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().retentionMs(10 * DAY).chunkSize(3).build();
    var harness = open(policy, null);
    for (int day = 0; day <= 8; day++) {
      send(harness, USER, behavior("d" + day, T0 + day * DAY));
    }
    assertThat(fresh(harness, USER).size(USER)).isEqualTo(9);

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
    List<Integer> expected =
        List.of(
            hash("d4"), hash("d5"), hash("d5b"), hash("d6"), hash("d7"), hash("d8"), hash("d14"));
    assertThat(eventIds(operatorStore(harness).read(USER))).isEqualTo(expected);
    TrajectoryView view = fresh(harness, USER).read(USER);
    assertThat(view.eventTime(0)).isEqualTo(T0 + 4 * DAY);
    assertThat(eventIds(view)).isEqualTo(expected);
    assertThat(fresh(harness, USER).size(USER)).isEqualTo(7);
    // Days 0-2 were a whole chunk behind the horizon: gone from state, not just hidden.
    assertThat(chunkKeys(harness, USER)).containsExactly(1L, 2L);
    // Another user's old events are not affected by this user's clock.
    send(harness, OTHER_USER, behavior("x", T0));
    assertThat(fresh(harness, OTHER_USER).size(OTHER_USER)).isEqualTo(1);
  }

  @Test
  void theCapDropsTheOldestBehaviors() throws Exception {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().maxBehaviors(5).chunkSize(2).build();
    var harness = open(policy, null);
    for (int i = 0; i < 12; i++) {
      send(harness, USER, behavior("b" + i, T0 + i * (DAY / 3)));
    }

    List<Integer> expected = List.of(hash("b7"), hash("b8"), hash("b9"), hash("b10"), hash("b11"));
    assertThat(eventIds(operatorStore(harness).read(USER))).isEqualTo(expected);
    assertThat(eventIds(fresh(harness, USER).read(USER))).isEqualTo(expected);
    assertThat(harness.extractOutputValues().stream().mapToInt(AppendResult::evicted).sum())
        .isEqualTo(7);
    // Chunks whose every behavior is past the cap leave state (b6 waits for b7 to go too).
    TrajectoryIndex index = fresh(harness, USER).index(USER);
    assertThat(index.chunkCount()).isEqualTo(3);
    assertThat(chunkKeys(harness, USER)).containsExactly(index.key(0), index.key(1), index.key(2));
    // The append count keeps growing at the cap, the length does not.
    assertThat(fresh(harness, USER).appendedCount(USER)).isEqualTo(12);
  }

  @Test
  void restoresTheTrajectoryFromASnapshot() throws Exception {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().chunkSize(8).build();
    var harness = open(policy, null);
    for (int i = 0; i < 20; i++) {
      send(harness, USER, behavior("s" + i, T0 + i * (DAY / 4)));
    }
    send(harness, OTHER_USER, behavior("o", T0));
    List<Behavior> before = behaviors(harness, USER);
    TrajectoryIndex indexBefore = fresh(harness, USER).index(USER);
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

    var restored = open(policy, snapshot);

    assertThat(behaviors(restored, USER)).isEqualTo(before);
    assertThat(fresh(restored, USER).index(USER)).isEqualTo(indexBefore);
    assertThat(openSegment(restored, USER)).isEqualTo(4);
    assertThat(fresh(restored, OTHER_USER).size(OTHER_USER)).isEqualTo(1);
    // Dedup still works against restored state (sealed and open), appends continue.
    send(restored, USER, behavior("s3", T0 + 3 * (DAY / 4)));
    send(restored, USER, behavior("s18", T0 + 18 * (DAY / 4)));
    send(restored, USER, behavior("s20", T0 + 20 * (DAY / 4)));
    assertThat(restored.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsExactly(Outcome.DUPLICATE, Outcome.DUPLICATE, Outcome.APPENDED);
    assertThat(fresh(restored, USER).size(USER)).isEqualTo(21);
    assertThat(fresh(restored, USER).appendedCount(USER)).isEqualTo(21);
  }

  /** State written by the time-bucket layout (format 1 index, chunks keyed by bucket) restores. */
  @Test
  void readsAndExtendsATrajectoryStoredInTheBucketLayout() throws Exception {
    var harness = open(TrajectoryPolicy.builder().chunkSize(3).build(), null);
    harness.getOperator().setCurrentKey(USER);
    var state = harness.getOperator().getKeyedStateStore();
    // Two weekly buckets as the old layout kept them, and its index as format 1 restores it.
    long week = 7 * DAY;
    long firstBucket = T0 / week;
    state
        .getMapState(TrajectoryStore.chunksDescriptor())
        .put(firstBucket, TrajectoryChunk.of(behavior("w0", T0), behavior("w1", T0 + DAY)));
    state
        .getMapState(TrajectoryStore.chunksDescriptor())
        .put(firstBucket + 2, TrajectoryChunk.of(behavior("w2", T0 + 15 * DAY)));
    state
        .getState(TrajectoryStore.indexDescriptor())
        .update(
            new TrajectoryIndex(
                new long[] {firstBucket, firstBucket + 2},
                new int[] {2, 1},
                new long[2],
                new long[2],
                firstBucket + 3,
                3,
                false));

    send(harness, USER, behavior("w1", T0 + DAY));
    send(harness, USER, behavior("late", T0 + 2 * DAY));
    send(harness, USER, behavior("w3", T0 + 16 * DAY));

    assertThat(harness.extractOutputValues())
        .extracting(AppendResult::outcome)
        .containsExactly(Outcome.DUPLICATE, Outcome.APPENDED, Outcome.APPENDED);
    assertThat(eventIds(fresh(harness, USER).read(USER)))
        .containsExactly(hash("w0"), hash("w1"), hash("late"), hash("w2"), hash("w3"));
    TrajectoryIndex index = fresh(harness, USER).index(USER);
    assertThat(index.timesKnown()).as("times filled in on first load").isTrue();
    assertThat(index.key(0)).isEqualTo(firstBucket);
    assertThat(index.count(0)).isEqualTo(3);
    assertThat(index.lastTime(1)).isEqualTo(T0 + 15 * DAY);
  }

  @Test
  void clearRemovesEverythingOfTheCurrentKey() throws Exception {
    var harness = open(TrajectoryPolicy.builder().chunkSize(2).build(), null);
    for (int i = 0; i < 3; i++) {
      send(harness, USER, behavior("a" + i, T0 + i));
    }
    send(harness, OTHER_USER, behavior("b", T0));

    TrajectoryStore store = fresh(harness, USER);
    store.clear(USER);

    assertThat(store.size(USER)).isZero();
    assertThat(fresh(harness, USER).read(USER).size()).isZero();
    assertThat(chunkKeys(harness, USER)).isEmpty();
    assertThat(openSegment(harness, USER)).isZero();
    assertThat(fresh(harness, OTHER_USER).size(OTHER_USER)).isEqualTo(1);
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

  /**
   * A new store with the operator's policy over its keyed state, positioned on {@code user}: its
   * cache is empty, so it shows what state holds.
   */
  private static TrajectoryStore fresh(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user) {
    TrajectoryPolicy policy = operatorStore(harness).policy();
    harness.getOperator().setCurrentKey(user);
    return TrajectoryStore.create(harness.getOperator().getKeyedStateStore(), policy);
  }

  /** The operator's own store, whose cache served the appends. */
  private static TrajectoryStore operatorStore(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness) {
    harness.getOperator().setCurrentKey(USER);
    return ((AppendFunction)
            ((KeyedProcessOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
        .store;
  }

  private static List<Behavior> behaviors(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    TrajectoryView view = fresh(harness, user).read(user);
    List<Behavior> list = new ArrayList<>();
    for (int i = 0; i < view.size(); i++) {
      list.add(view.behavior(i));
    }
    return list;
  }

  private static List<Long> chunkKeys(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    harness.getOperator().setCurrentKey(user);
    List<Long> keys = new ArrayList<>();
    for (Long key :
        harness
            .getOperator()
            .getKeyedStateStore()
            .getMapState(TrajectoryStore.chunksDescriptor())
            .keys()) {
      keys.add(key);
    }
    return keys;
  }

  /** The sealed chunks as stored, oldest first. */
  private static List<byte[]> chunkBytes(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    harness.getOperator().setCurrentKey(user);
    var chunks =
        harness.getOperator().getKeyedStateStore().getMapState(TrajectoryStore.chunksDescriptor());
    TrajectoryChunkSerializer serializer = new TrajectoryChunkSerializer();
    List<byte[]> bytes = new ArrayList<>();
    for (Long key : chunkKeys(harness, user)) {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serializer.serialize(chunks.get(key), out);
      bytes.add(out.getCopyOfBuffer());
    }
    return bytes;
  }

  /** Behaviors in the open segment's list state. */
  private static int openSegment(
      KeyedOneInputStreamOperatorTestHarness<Long, UserBehavior, AppendResult> harness, long user)
      throws Exception {
    harness.getOperator().setCurrentKey(user);
    int n = 0;
    Iterable<TrajectoryChunk> open =
        harness
            .getOperator()
            .getKeyedStateStore()
            .getListState(TrajectoryStore.openDescriptor())
            .get();
    if (open != null) {
      for (TrajectoryChunk chunk : open) {
        n += chunk.size();
      }
    }
    return n;
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
