package io.tinstream.app.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * Model → serving freshness seen from outside the job: for every model version the trainer
 * published (its {@code createdAt}, read from the model-updates topic), how long until a response
 * was first scored by that version or a newer one (the response's own timestamp). A version
 * overtaken before any request used it is served when its successor is. The figure is exact per
 * version, and its resolution is the request interval.
 */
public final class ModelServingFreshness {

  private final TreeMap<Long, Long> createdAt = new TreeMap<>();
  private final TreeMap<Long, Long> firstServed = new TreeMap<>();

  /** A version the trainer published, with its wall-clock creation time. */
  public synchronized void published(long version, long createdAtMillis) {
    createdAt.putIfAbsent(version, createdAtMillis);
  }

  /** A response scored by {@code version} at {@code responseTimeMillis} (wall clock). */
  public synchronized void served(long version, long responseTimeMillis) {
    firstServed.merge(version, responseTimeMillis, Math::min);
  }

  /**
   * Records, into {@code into}, each version created in {@code [fromMillis, toMillis)} and served
   * since, at the time of its creation: wall clock {@code wallOrigin} is {@code nanoOrigin} on the
   * histogram's clock.
   */
  public synchronized void recordInto(
      WindowedLatencies into, long fromMillis, long toMillis, long wallOrigin, long nanoOrigin) {
    for (Map.Entry<Long, Long> v : createdAt.entrySet()) {
      long created = v.getValue();
      if (created < fromMillis || created >= toMillis) {
        continue;
      }
      Long served = null;
      for (Map.Entry<Long, Long> s : firstServed.tailMap(v.getKey(), true).entrySet()) {
        if (s.getValue() >= created && (served == null || s.getValue() < served)) {
          served = s.getValue();
        }
      }
      if (served != null) {
        into.record(nanoOrigin + (created - wallOrigin) * 1_000_000L, served - created);
      }
    }
  }
}
