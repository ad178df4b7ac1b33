package io.tinstream.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The current key's {@link LreaEntry} in keyed state, with the {@link LreaRefreshPolicy}: {@link
 * #fresh} never hands out a stale entry (it rebuilds inline and says so).
 *
 * <p>Next to the entry a four-long tag (model run epoch, model version, trajectory length, appended
 * count) is kept, so the freshness check an appended behavior makes reads 32 bytes instead of
 * deserializing {@code 2·d·r} floats. An entry without a tag of that shape (restored from before
 * the tag existed, or from the two-long tag before epochs and appended counts) counts as missing
 * and is rebuilt.
 */
public final class LreaStore {
  public static final String STATE_NAME = "lrea-entry";
  public static final String TAG_STATE_NAME = "lrea-entry-tag";

  /** Longs in the current tag: epoch, version, length, appended count. */
  private static final int TAG_LONGS = 4;

  /** What {@link #fresh} found and did. */
  public record Lookup(LreaEntry entry, LreaRefreshPolicy.Freshness found, boolean rebuilt) {}

  private final ValueState<LreaEntry> state;
  private final ValueState<long[]> tag;
  private final LreaRefreshPolicy policy;

  private LreaStore(ValueState<LreaEntry> state, ValueState<long[]> tag, LreaRefreshPolicy policy) {
    this.state = state;
    this.tag = tag;
    this.policy = policy;
  }

  public static LreaStore create(RuntimeContext ctx, LreaRefreshPolicy policy) {
    return new LreaStore(ctx.getState(descriptor()), ctx.getState(tagDescriptor()), policy);
  }

  public static LreaStore create(KeyedStateStore store, LreaRefreshPolicy policy) {
    return new LreaStore(store.getState(descriptor()), store.getState(tagDescriptor()), policy);
  }

  static ValueStateDescriptor<long[]> tagDescriptor() {
    return new ValueStateDescriptor<>(
        TAG_STATE_NAME, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
  }

  public static ValueStateDescriptor<LreaEntry> descriptor() {
    return new ValueStateDescriptor<>(STATE_NAME, LreaEntrySerializer.INSTANCE);
  }

  public LreaRefreshPolicy policy() {
    return policy;
  }

  /** The stored entry, fresh or not; null if none. */
  public LreaEntry get() throws Exception {
    return state.value();
  }

  public void put(LreaEntry entry) throws Exception {
    state.update(entry);
    LreaEntry.Stamp st = entry.stamp();
    tag.update(
        new long[] {st.modelEpoch(), st.modelVersion(), st.trajectoryLength(), st.appendedCount()});
  }

  public void clear() {
    state.clear();
    tag.clear();
  }

  /**
   * Freshness of the stored entry for the model at this epoch and version and the user's current
   * trajectory length and appended count (tag only).
   */
  public LreaRefreshPolicy.Freshness check(
      long modelEpoch, long modelVersion, int trajectoryLength, long appendedCount)
      throws Exception {
    long[] t = tag.value();
    if (t == null || t.length != TAG_LONGS) {
      return LreaRefreshPolicy.Freshness.MISSING;
    }
    LreaEntry.Stamp built = new LreaEntry.Stamp(t[0], t[1], (int) t[2], t[3], Long.MIN_VALUE);
    return policy.check(built, modelEpoch, modelVersion, trajectoryLength, appendedCount);
  }

  /** Freshness of the stored entry for the rebuilder's model and the user's trajectory now. */
  public LreaRefreshPolicy.Freshness check(
      LreaRebuilder rebuilder, TrajectoryStore trajectory, long user) throws Exception {
    return check(
        rebuilder.modelEpoch(),
        rebuilder.modelVersion(),
        trajectory.size(user),
        trajectory.appendedCount(user));
  }

  /**
   * An entry usable for the rebuilder's model and the trajectory now: the stored one if fresh,
   * otherwise rebuilt now from {@code trajectory} and stored. {@code user} is the current key.
   */
  public Lookup fresh(LreaRebuilder rebuilder, TrajectoryStore trajectory, long user)
      throws Exception {
    LreaRefreshPolicy.Freshness f = check(rebuilder, trajectory, user);
    if (f.usable()) {
      return new Lookup(state.value(), f, false);
    }
    LreaEntry rebuilt = rebuilder.rebuild(trajectory.read(user), trajectory.appendedCount(user));
    put(rebuilt);
    return new Lookup(rebuilt, f, true);
  }
}
