package io.tinstream.app.bench;

import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryChunk;
import io.tinstream.state.TrajectoryChunkSerializer;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.data.SyntheticTaxonomy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Single-threaded measurements of the state layout: serialized bytes per behavior and the cost of
 * reading a trajectory back and searching it, at a given length.
 */
final class TrajectoryLayoutBench {

  /** Latency percentiles of one trajectory length, in microseconds. */
  record SearchLatency(
      int length, double readP50, double readP99, double searchP50, double searchP99) {}

  private final TrajectoryPolicy policy = TrajectoryPolicy.defaults();
  private final TrajectoryChunkSerializer serializer = new TrajectoryChunkSerializer();

  /**
   * One synthetic user's trajectory of {@code length} behaviors, as stored: sealed chunks of the
   * policy's chunk size, oldest first (the open segment's remainder as a last, smaller chunk).
   */
  List<TrajectoryChunk> trajectory(int length, long seed) {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed =
        new SyntheticFeed(SyntheticFeed.Config.defaults(1, length, seed), taxonomy);
    List<Behavior> behaviors = new ArrayList<>();
    while (feed.hasNext()) {
      BehaviorEvent e = feed.next();
      // Stored events carry the taxonomy's fields; fill them as the job would.
      e.setItem(taxonomy.fullItem(e.getItem().getItemId()));
      behaviors.add(Behavior.fromEvent(e));
    }
    behaviors.sort(java.util.Comparator.comparingLong(Behavior::eventTime));
    List<TrajectoryChunk> chunks = new ArrayList<>();
    for (int from = 0; from < behaviors.size(); from += policy.chunkSize()) {
      int to = Math.min(behaviors.size(), from + policy.chunkSize());
      chunks.add(TrajectoryChunk.of(behaviors.subList(from, to).toArray(new Behavior[0])));
    }
    return chunks;
  }

  /** Serialized bytes per behavior over many users' trajectories. */
  double bytesPerBehavior(int users, int length) throws IOException {
    long bytes = 0;
    long behaviors = 0;
    DataOutputSerializer out = new DataOutputSerializer(1 << 16);
    for (int u = 0; u < users; u++) {
      for (TrajectoryChunk chunk : trajectory(length, u)) {
        out.clear();
        serializer.serialize(chunk, out);
        bytes += out.length();
        behaviors += chunk.size();
      }
    }
    return bytes / (double) behaviors;
  }

  /** Read (deserialize every chunk) and hierarchical search (K) latency at one length. */
  SearchLatency searchLatency(int length, int k, int repetitions) throws IOException {
    List<byte[]> stored = new ArrayList<>();
    List<Behavior> all = new ArrayList<>();
    DataOutputSerializer out = new DataOutputSerializer(1 << 16);
    for (TrajectoryChunk chunk : trajectory(length, 1)) {
      out.clear();
      serializer.serialize(chunk, out);
      stored.add(out.getCopyOfBuffer());
      all.addAll(chunk.behaviors());
    }
    TrajectoryView view = TrajectoryView.of(all);
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SplittableRandom random = new SplittableRandom(3);
    DataInputDeserializer in = new DataInputDeserializer();
    double[] read = new double[repetitions];
    double[] search = new double[repetitions];
    long sink = 0;
    for (int warm = 0; warm < 2; warm++) {
      for (int r = 0; r < repetitions; r++) {
        long t0 = System.nanoTime();
        for (byte[] bytes : stored) {
          in.setBuffer(bytes);
          sink += serializer.deserialize(in).size();
        }
        long t1 = System.nanoTime();
        long item = random.nextInt(taxonomy.items());
        SearchTarget target =
            SearchTarget.of(taxonomy.fullItem(item), 1, view.eventTime(view.size() - 1) + 1);
        sink += SearchStage.hierarchicalHardSearch(view, target, k).length;
        long t2 = System.nanoTime();
        read[r] = (t1 - t0) / 1e3;
        search[r] = (t2 - t1) / 1e3;
      }
    }
    if (sink == 42) {
      System.out.print(""); // keeps the JIT from discarding the measured work
    }
    return new SearchLatency(
        length,
        percentile(read, 50),
        percentile(read, 99),
        percentile(search, 50),
        percentile(search, 99));
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
