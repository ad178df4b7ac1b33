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
 * <p>Next to the entry a two-long tag (model version, trajectory length) is kept, so the freshness
 * check an appended behavior makes reads 16 bytes instead of deserializing {@code 2·d·r} floats. An
 * entry without a tag (restored from before the tag existed) counts as missing and is rebuilt.
 */
public final class LreaStore {
  public static final String STATE_NAME = "lrea-entry";
  public static final String TAG_STATE_NAME = "lrea-entry-tag";

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
    tag.update(new long[] {entry.modelVersion(), entry.trajectoryLength()});
  }

  public void clear() {
    state.clear();
    tag.clear();
  }

  /** Freshness of the stored entry for this model version and trajectory length (tag only). */
  public LreaRefreshPolicy.Freshness check(long modelVersion, int trajectoryLength)
      throws Exception {
    long[] t = tag.value();
    return t == null
        ? LreaRefreshPolicy.Freshness.MISSING
        : policy.check(t[0], (int) t[1], modelVersion, trajectoryLength);
  }

  /**
   * An entry usable for the rebuilder's model version and the trajectory's current length: the
   * stored one if fresh, otherwise rebuilt now from {@code trajectory} and stored. {@code user} is
   * the current key.
   */
  public Lookup fresh(LreaRebuilder rebuilder, TrajectoryStore trajectory, long user)
      throws Exception {
    LreaRefreshPolicy.Freshness f = check(rebuilder.modelVersion(), trajectory.size(user));
    if (f.usable()) {
      return new Lookup(state.value(), f, false);
    }
    LreaEntry rebuilt = rebuilder.rebuild(trajectory.read(user));
    put(rebuilt);
    return new Lookup(rebuilt, f, true);
  }
}
