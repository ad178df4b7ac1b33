package io.tinstream.state;

import io.tinstream.state.internal.BehaviorColumns;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * The trajectory of a user in keyed state, laid out so that an append costs the same whatever the
 * trajectory's length:
 *
 * <ul>
 *   <li>an <b>open segment</b>, a list state the newest behaviors are appended to (RocksDB merges
 *       the append; nothing is read or rewritten), sealed every {@link
 *       TrajectoryPolicy#chunkSize()} behaviors into
 *   <li><b>sealed chunks</b>, immutable columnar {@link TrajectoryChunk}s in a map state under
 *       ascending keys, which an append never touches, except the one chunk an out-of-order
 *       behavior falls into;
 *   <li>an <b>index</b> of the sealed chunks (count and time range each, see {@link
 *       TrajectoryIndex}), written only when a chunk is sealed, changed or dropped.
 * </ul>
 *
 * <p>Every method works on the user Flink has set as the current key; {@code user} must be that
 * key, and names the user's entry in a bounded per-instance cache of decoded trajectories ({@link
 * TrajectoryCache}) that is kept in step with every write. A user not in the cache is decoded from
 * state once; after that, deduplication, reads and search cost no state access at all. Retention
 * and the cap are exact for readers: behaviors past either are hidden at once and leave state with
 * their whole chunk.
 *
 * <p>A {@link TrajectoryView} from {@link #read} shares the cache's columns: use it before the next
 * append for the same user.
 */
public final class TrajectoryStore {
  public static final String CHUNKS_STATE_NAME = "trajectory-chunks";
  public static final String INDEX_STATE_NAME = "trajectory-index";
  public static final String OPEN_STATE_NAME = "trajectory-open";

  /**
   * About 100 bytes a row (columns and category index): 4,000,000 rows are some 400 MB of heap per
   * operator instance, room for 200+ users of 10^4 behaviors each. Uniform traffic over more
   * trajectories than fit makes a least-recently-used cache miss almost always, so size it to the
   * active users, not below.
   */
  public static final long DEFAULT_CACHE_ROWS = 4_000_000L;

  private final MapState<Long, TrajectoryChunk> chunks;
  private final ValueState<TrajectoryIndex> index;
  private final ListState<TrajectoryChunk> open;
  private final TrajectoryPolicy policy;
  private final TrajectoryCache cache;

  private TrajectoryStore(
      MapState<Long, TrajectoryChunk> chunks,
      ValueState<TrajectoryIndex> index,
      ListState<TrajectoryChunk> open,
      TrajectoryPolicy policy,
      long cacheRows) {
    this.chunks = chunks;
    this.index = index;
    this.open = open;
    this.policy = policy;
    this.cache = new TrajectoryCache(cacheRows);
  }

  /**
   * @param cacheRows rows of decoded trajectories this instance keeps in memory at most
   */
  public static TrajectoryStore create(
      RuntimeContext ctx, TrajectoryPolicy policy, long cacheRows) {
    return new TrajectoryStore(
        ctx.getMapState(chunksDescriptor()),
        ctx.getState(indexDescriptor()),
        ctx.getListState(openDescriptor()),
        policy,
        cacheRows);
  }

  public static TrajectoryStore create(RuntimeContext ctx, TrajectoryPolicy policy) {
    return create(ctx, policy, DEFAULT_CACHE_ROWS);
  }

  /** For code that holds a {@link KeyedStateStore} rather than a runtime context. */
  public static TrajectoryStore create(
      KeyedStateStore store, TrajectoryPolicy policy, long cacheRows) {
    return new TrajectoryStore(
        store.getMapState(chunksDescriptor()),
        store.getState(indexDescriptor()),
        store.getListState(openDescriptor()),
        policy,
        cacheRows);
  }

  public static TrajectoryStore create(KeyedStateStore store, TrajectoryPolicy policy) {
    return create(store, policy, DEFAULT_CACHE_ROWS);
  }

  /** Chunk key to sealed chunk. Keys ascend with time, so RocksDB's key order is time order. */
  public static MapStateDescriptor<Long, TrajectoryChunk> chunksDescriptor() {
    return new MapStateDescriptor<>(
        CHUNKS_STATE_NAME, LongSerializer.INSTANCE, new TrajectoryChunkSerializer());
  }

  public static ValueStateDescriptor<TrajectoryIndex> indexDescriptor() {
    return new ValueStateDescriptor<>(INDEX_STATE_NAME, TrajectoryIndexSerializer.INSTANCE);
  }

  /** The open segment: one single-behavior chunk per append, in arrival order. */
  public static ListStateDescriptor<TrajectoryChunk> openDescriptor() {
    return new ListStateDescriptor<>(OPEN_STATE_NAME, new TrajectoryChunkSerializer());
  }

  public TrajectoryPolicy policy() {
    return policy;
  }

  /**
   * Adds a behavior in event-time order unless it is a duplicate or older than the retention
   * horizon (relative to the newest event time of this user, including this behavior), then hides
   * what retention and the cap require.
   */
  public AppendResult append(long user, Behavior behavior) throws Exception {
    CachedTrajectory t = load(user);
    long time = behavior.eventTime();
    if (!t.isEmpty() && time < t.newestTime() - policy.retentionMs()) {
      return AppendResult.EXPIRED;
    }
    if (t.containsVisible(behavior.eventIdHash(), time, policy)) {
      return AppendResult.DUPLICATE;
    }
    boolean firstForKey = t.isEmpty();
    int visibleBefore = t.visibleCount(policy);
    if (t.belongsToOpenSegment(time)) {
      open.add(TrajectoryChunk.of(behavior));
      t.insertOpen(behavior);
      if (t.openCount() >= policy.chunkSize()) {
        long key = t.index().nextKey();
        chunks.put(key, t.sealOpenSegment());
        open.clear();
        index.update(t.index());
      }
    } else {
      int c = t.index().chunkFor(time);
      long key = t.index().key(c);
      chunks.put(key, t.insertIntoChunk(c, behavior));
      index.update(t.index());
    }
    int evicted = visibleBefore + 1 - t.visibleCount(policy);
    dropHiddenChunks(t);
    cache.put(user, t);
    return AppendResult.appended(evicted, firstForKey);
  }

  /** The visible trajectory, oldest first. */
  public TrajectoryView read(long user) throws Exception {
    return load(user).view(policy);
  }

  /** Behaviors visible for the user. */
  public int size(long user) throws Exception {
    return load(user).visibleCount(policy);
  }

  /**
   * Behaviors ever appended for the user (duplicates and expired ones not counted): unlike {@link
   * #size}, this keeps growing at the cap, so it tells whether anything changed since a count was
   * taken.
   */
  public long appendedCount(long user) throws Exception {
    return load(user).appendedCount();
  }

  /** The sealed-chunk index of the user (empty when nothing is sealed). */
  public TrajectoryIndex index(long user) throws Exception {
    return load(user).index();
  }

  public void clear(long user) {
    chunks.clear();
    index.clear();
    open.clear();
    cache.remove(user);
  }

  /** Cache lookups answered from memory. */
  public long cacheHits() {
    return cache.hits();
  }

  /** Cache lookups that decoded the user's trajectory from state. */
  public long cacheMisses() {
    return cache.misses();
  }

  /** Rows of decoded trajectories held in memory. */
  public long cachedRows() {
    return cache.rows();
  }

  /** Sealed chunks whose every behavior is hidden leave state, with their index entry. */
  private void dropHiddenChunks(CachedTrajectory t) throws Exception {
    boolean dropped = false;
    while (!t.index().isEmpty() && t.index().count(0) <= t.visibleFrom(policy)) {
      chunks.remove(t.index().key(0));
      t.dropOldestChunk();
      dropped = true;
    }
    if (dropped) {
      index.update(t.index());
    }
  }

  private CachedTrajectory load(long user) throws Exception {
    CachedTrajectory cached = cache.get(user);
    if (cached != null) {
      return cached;
    }
    CachedTrajectory t = decode();
    cache.put(user, t);
    return t;
  }

  /** Reads every sealed chunk and the open segment of the current key. */
  private CachedTrajectory decode() throws Exception {
    TrajectoryIndex idx = index.value();
    if (idx == null) {
      idx = TrajectoryIndex.EMPTY;
    }
    List<TrajectoryChunk> openRows = new ArrayList<>();
    int openCount = 0;
    Iterable<TrajectoryChunk> appended = open.get();
    if (appended != null) {
      for (TrajectoryChunk chunk : appended) {
        openRows.add(chunk);
        openCount += chunk.size();
      }
    }
    int n = idx.chunkCount();
    BehaviorColumns rows = new BehaviorColumns(idx.sealedCount() + openCount + 16);
    long[] first = new long[n];
    long[] last = new long[n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      TrajectoryChunk chunk = chunks.get(idx.key(i));
      if (chunk == null || chunk.size() != idx.count(i)) {
        throw new IllegalStateException(
            "Trajectory state is inconsistent: chunk "
                + idx.key(i)
                + " should hold "
                + idx.count(i)
                + " behaviors, found "
                + (chunk == null ? "no chunk" : chunk.size()));
      }
      BehaviorColumns.copy(chunk.columns(), 0, rows, at, chunk.size());
      first[i] = chunk.eventTime(0);
      last[i] = chunk.eventTime(chunk.size() - 1);
      at += chunk.size();
    }
    if (!idx.timesKnown()) {
      // Restored from the bucket layout: its buckets are sealed chunks from now on.
      idx = idx.withTimes(first, last);
      index.update(idx);
    }
    CachedTrajectory t = new CachedTrajectory(idx, rows, at);
    // Appended in arrival order; inserting each after its equal times restores the cache's order.
    for (TrajectoryChunk chunk : openRows) {
      for (int i = 0; i < chunk.size(); i++) {
        t.insertOpen(chunk.behavior(i));
      }
    }
    return t;
  }
}
