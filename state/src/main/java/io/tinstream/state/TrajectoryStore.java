package io.tinstream.state;

import io.tinstream.state.internal.BehaviorColumns;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * The trajectory of the current key (user) in keyed state: one {@link TrajectoryChunk} per time
 * bucket in a map state, plus a small {@link TrajectoryIndex}. Create it in an operator's {@code
 * open()}; every call works on the key Flink has set for the element being processed.
 *
 * <p>An append reads the index and the one chunk of the behavior's bucket, and touches older chunks
 * only when retention or the cap evicts from them; the full trajectory is only assembled by {@link
 * #read()}. Chunks are immutable and always written back with {@code put}.
 */
public final class TrajectoryStore {
  public static final String CHUNKS_STATE_NAME = "trajectory-chunks";
  public static final String INDEX_STATE_NAME = "trajectory-index";

  private final MapState<Long, TrajectoryChunk> chunks;
  private final ValueState<TrajectoryIndex> index;
  private final TrajectoryPolicy policy;

  private TrajectoryStore(
      MapState<Long, TrajectoryChunk> chunks,
      ValueState<TrajectoryIndex> index,
      TrajectoryPolicy policy) {
    this.chunks = chunks;
    this.index = index;
    this.policy = policy;
  }

  public static TrajectoryStore create(RuntimeContext ctx, TrajectoryPolicy policy) {
    return new TrajectoryStore(
        ctx.getMapState(chunksDescriptor()), ctx.getState(indexDescriptor()), policy);
  }

  /** For code that holds a {@link KeyedStateStore} rather than a runtime context. */
  public static TrajectoryStore create(KeyedStateStore store, TrajectoryPolicy policy) {
    return new TrajectoryStore(
        store.getMapState(chunksDescriptor()), store.getState(indexDescriptor()), policy);
  }

  /** Bucket to chunk. Bucket ids are non-negative, so RocksDB's key order is time order. */
  public static MapStateDescriptor<Long, TrajectoryChunk> chunksDescriptor() {
    return new MapStateDescriptor<>(
        CHUNKS_STATE_NAME, LongSerializer.INSTANCE, new TrajectoryChunkSerializer());
  }

  public static ValueStateDescriptor<TrajectoryIndex> indexDescriptor() {
    return new ValueStateDescriptor<>(INDEX_STATE_NAME, TrajectoryIndexSerializer.INSTANCE);
  }

  public TrajectoryPolicy policy() {
    return policy;
  }

  /**
   * Adds a behavior in event-time order unless it is a duplicate or older than the retention
   * horizon (relative to the newest event time of this user, including this behavior), then evicts
   * what retention and the cap require.
   */
  public AppendResult append(Behavior behavior) throws Exception {
    TrajectoryIndex current = currentIndex();
    long time = behavior.eventTime();
    if (!current.isEmpty() && time < current.maxEventTime() - policy.retentionMs()) {
      return AppendResult.EXPIRED;
    }
    long bucket = policy.bucketOf(time);
    TrajectoryChunk chunk = chunks.get(bucket);
    if (chunk == null) {
      chunk = TrajectoryChunk.EMPTY;
    } else if (chunk.containsEventId(behavior.eventIdHash(), time)) {
      return AppendResult.DUPLICATE;
    }
    chunks.put(bucket, chunk.withInserted(behavior));
    Eviction eviction = new Eviction(current.withAppended(bucket, time));
    eviction.dropBefore(eviction.index.maxEventTime() - policy.retentionMs());
    eviction.dropOldest(eviction.index.totalCount() - policy.maxBehaviors());
    index.update(eviction.index);
    return AppendResult.appended(eviction.evicted, current.isEmpty());
  }

  /** The whole trajectory, oldest first. */
  public TrajectoryView read() throws Exception {
    TrajectoryIndex current = currentIndex();
    BehaviorColumns all = new BehaviorColumns(current.totalCount());
    int at = 0;
    for (int i = 0; i < current.bucketCount(); i++) {
      TrajectoryChunk chunk = chunks.get(current.bucket(i));
      if (chunk == null || chunk.size() != current.count(i)) {
        throw new IllegalStateException(
            "Trajectory state is inconsistent: bucket "
                + current.bucket(i)
                + " should hold "
                + current.count(i)
                + " behaviors, found "
                + (chunk == null ? "no chunk" : chunk.size()));
      }
      BehaviorColumns.copy(chunk.columns(), 0, all, at, chunk.size());
      at += chunk.size();
    }
    return new TrajectoryView(all, at);
  }

  /** Behaviors held for the current key; reads only the index. */
  public int size() throws Exception {
    return currentIndex().totalCount();
  }

  /** The index of the current key (empty when nothing is held). */
  public TrajectoryIndex index() throws Exception {
    return currentIndex();
  }

  public void clear() {
    chunks.clear();
    index.clear();
  }

  private TrajectoryIndex currentIndex() throws Exception {
    TrajectoryIndex value = index.value();
    return value == null ? TrajectoryIndex.EMPTY : value;
  }

  /** Evictions of one append, oldest bucket first, keeping the index in step with the chunks. */
  private final class Eviction {
    TrajectoryIndex index;
    int evicted;

    Eviction(TrajectoryIndex index) {
      this.index = index;
    }

    /** Drops behaviors older than {@code cutoff}; reads a chunk only when one may be due. */
    void dropBefore(long cutoff) throws Exception {
      while (!index.isEmpty() && index.retainedSince() < cutoff) {
        long oldest = index.bucket(0);
        if (policy.bucketStart(oldest + 1) <= cutoff) {
          dropOldestBucket();
          continue;
        }
        TrajectoryChunk chunk = chunks.get(oldest);
        TrajectoryChunk kept = chunk.withoutBefore(cutoff);
        if (kept.isEmpty()) {
          dropOldestBucket();
        } else {
          replaceOldestBucket(chunk, kept);
        }
      }
    }

    void dropOldest(int excess) throws Exception {
      while (excess > 0) {
        int oldestCount = index.count(0);
        if (oldestCount <= excess) {
          excess -= oldestCount;
          dropOldestBucket();
        } else {
          TrajectoryChunk chunk = chunks.get(index.bucket(0));
          replaceOldestBucket(chunk, chunk.withoutOldest(excess));
          excess = 0;
        }
      }
    }

    private void dropOldestBucket() throws Exception {
      chunks.remove(index.bucket(0));
      evicted += index.count(0);
      index = index.withoutOldestBucket(policy);
    }

    private void replaceOldestBucket(TrajectoryChunk chunk, TrajectoryChunk kept) throws Exception {
      if (kept.size() != chunk.size()) {
        chunks.put(index.bucket(0), kept);
        evicted += chunk.size() - kept.size();
      }
      index = index.withOldestBucketTrimmed(kept.size(), kept.eventTime(0));
    }
  }
}
