package io.tinstream.streaming.scoring;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How much work waits in one scorer subtask, per key of its keyed state: the requests and
 * candidates buffered for the next micro-batch, and among them those of each variant waiting for
 * its first model. The scorer updates it as work comes and goes; the gauges read it from the
 * metrics thread, which must not touch keyed state, hence a copy of the counts apart from it.
 */
final class WaitingWork {

  /** One key's counts; immutable, replaced whole. */
  record Tally(int requests, int candidates, Map<String, Integer> waitingForModel) {

    static final Tally EMPTY = new Tally(0, 0, Map.of());

    Tally {
      waitingForModel = Map.copyOf(waitingForModel);
    }

    int waitingForModel(String variant) {
      return waitingForModel.getOrDefault(variant, 0);
    }

    /**
     * With one more request of {@code candidates}, waiting for a first model of {@code variant}.
     */
    Tally plus(int candidates, String waitsForModelOf) {
      Map<String, Integer> waiting = waitingForModel;
      if (waitsForModelOf != null) {
        waiting = new HashMap<>(waitingForModel);
        waiting.merge(waitsForModelOf, 1, Integer::sum);
      }
      return new Tally(requests + 1, this.candidates + candidates, waiting);
    }
  }

  private final Map<Object, Tally> byKey = new ConcurrentHashMap<>();

  /** The counts of {@code key}, or null when not known (e.g. since a restore). */
  Tally of(Object key) {
    return byKey.get(key);
  }

  /** Kept when empty too: the scorer has one key per subtask (see {@link ScorerKeys}). */
  void set(Object key, Tally tally) {
    byKey.put(key, tally);
  }

  int requests() {
    return byKey.values().stream().mapToInt(Tally::requests).sum();
  }

  int candidates() {
    return byKey.values().stream().mapToInt(Tally::candidates).sum();
  }

  int waitingForModel(String variant) {
    return byKey.values().stream().mapToInt(t -> t.waitingForModel(variant)).sum();
  }
}
