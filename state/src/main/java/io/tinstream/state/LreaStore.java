package io.tinstream.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * The current key's {@link LreaEntry} in keyed state, with the {@link LreaRefreshPolicy}: {@link
 * #fresh} never hands out a stale entry (it rebuilds inline and says so).
 */
public final class LreaStore {
  public static final String STATE_NAME = "lrea-entry";

  /** What {@link #fresh} found and did. */
  public record Lookup(LreaEntry entry, LreaRefreshPolicy.Freshness found, boolean rebuilt) {}

  private final ValueState<LreaEntry> state;
  private final LreaRefreshPolicy policy;

  private LreaStore(ValueState<LreaEntry> state, LreaRefreshPolicy policy) {
    this.state = state;
    this.policy = policy;
  }

  public static LreaStore create(RuntimeContext ctx, LreaRefreshPolicy policy) {
    return new LreaStore(ctx.getState(descriptor()), policy);
  }

  public static LreaStore create(KeyedStateStore store, LreaRefreshPolicy policy) {
    return new LreaStore(store.getState(descriptor()), policy);
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
  }

  public void clear() {
    state.clear();
  }

  /** Freshness of the stored entry for this model version and trajectory length. */
  public LreaRefreshPolicy.Freshness check(long modelVersion, int trajectoryLength)
      throws Exception {
    return policy.check(state.value(), modelVersion, trajectoryLength);
  }

  /**
   * An entry usable for the rebuilder's model version and the trajectory's current length: the
   * stored one if fresh, otherwise rebuilt now from {@code trajectory} and stored.
   */
  public Lookup fresh(LreaRebuilder rebuilder, TrajectoryStore trajectory) throws Exception {
    LreaEntry current = state.value();
    LreaRefreshPolicy.Freshness f =
        policy.check(current, rebuilder.modelVersion(), trajectory.size());
    if (f.usable()) {
      return new Lookup(current, f, false);
    }
    LreaEntry rebuilt = rebuilder.rebuild(trajectory.read());
    state.update(rebuilt);
    return new Lookup(rebuilt, f, true);
  }
}
