package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.TimerService;

/**
 * Completes a behavior's item fields from the taxonomy before it is stored, and holds back, at the
 * job's very first start only, the behaviors that arrive before the broadcast taxonomy's first
 * edge: stored with holes, they would keep them. A behavior waits at most {@code taxonomyWaitMs},
 * then is stored with what it has; afterwards the taxonomy is in checkpointed broadcast state.
 *
 * <p>Edges known when the job is built (a taxonomy file) are consulted when the broadcast state
 * lacks one, so a file taxonomy is complete from the first behavior on while broadcast edges still
 * trickle in.
 */
final class TaxonomyGate implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Behaviors of this user that arrived before any taxonomy edge, in arrival order. */
  static final ListStateDescriptor<BehaviorEvent> WAITING_FOR_TAXONOMY =
      new ListStateDescriptor<>("waiting-for-taxonomy", AvroTypeInfo.of(BehaviorEvent.class));

  static final ValueStateDescriptor<Long> WAITING_SINCE =
      new ValueStateDescriptor<>("waiting-for-taxonomy-since", Types.LONG);

  private static final long RETRY_MS = 100;

  private final long taxonomyWaitMs;
  private final HashMap<String, Long> preloaded;

  private transient ListState<BehaviorEvent> waiting;
  private transient ValueState<Long> waitingSince;

  /**
   * @param preloaded edges known when the job is built, keyed by {@link TaxonomyLookup#key}
   */
  TaxonomyGate(long taxonomyWaitMs, Map<String, Long> preloaded) {
    this.taxonomyWaitMs = taxonomyWaitMs;
    this.preloaded = new HashMap<>(preloaded);
  }

  void open(RuntimeContext ctx) {
    waiting = ctx.getListState(WAITING_FOR_TAXONOMY);
    waitingSince = ctx.getState(WAITING_SINCE);
  }

  /**
   * The behaviors to store now, in arrival order: {@code event} after any that waited before it, or
   * none when {@code event} must wait for the taxonomy itself.
   */
  List<BehaviorEvent> admit(
      BehaviorEvent event, ReadOnlyBroadcastState<String, Long> taxonomy, TimerService timers)
      throws Exception {
    if (taxonomyMissing(taxonomy) && needsTaxonomy(event.getItem())) {
      if (waitingSince.value() == null) {
        long now = timers.currentProcessingTime();
        waitingSince.update(now);
        timers.registerProcessingTimeTimer(now + RETRY_MS);
      }
      waiting.add(event);
      return List.of();
    }
    List<BehaviorEvent> admitted = release();
    admitted.add(event);
    return admitted;
  }

  /**
   * At a processing-time timer: the waiting behaviors, once the taxonomy has arrived or they have
   * waited long enough; otherwise none, and a retry is scheduled.
   */
  List<BehaviorEvent> onTimer(
      long timestamp, ReadOnlyBroadcastState<String, Long> taxonomy, TimerService timers)
      throws Exception {
    Long since = waitingSince.value();
    boolean waitedEnough = since == null || timestamp - since >= taxonomyWaitMs;
    if (!taxonomyMissing(taxonomy) || waitedEnough) {
      return release();
    }
    timers.registerProcessingTimeTimer(timestamp + RETRY_MS);
    return List.of();
  }

  /** The item with the fields the taxonomy knows filled in (the same instance if none). */
  ItemFields fill(ItemFields item, ReadOnlyBroadcastState<String, Long> taxonomy) throws Exception {
    return TaxonomyFill.fill(
        item,
        (kind, child) -> {
          String key = TaxonomyLookup.key(kind, child);
          Long parent = taxonomy.get(key);
          return parent != null ? parent : preloaded.get(key);
        });
  }

  private List<BehaviorEvent> release() throws Exception {
    List<BehaviorEvent> released = new ArrayList<>();
    Iterable<BehaviorEvent> parked = waiting.get();
    if (parked.iterator().hasNext()) {
      parked.forEach(released::add);
      waiting.clear();
      waitingSince.clear();
    }
    return released;
  }

  private boolean taxonomyMissing(ReadOnlyBroadcastState<String, Long> taxonomy) throws Exception {
    return preloaded.isEmpty() && !taxonomy.immutableEntries().iterator().hasNext();
  }

  private static boolean needsTaxonomy(ItemFields item) {
    return item.getCategoryL2() == null
        || item.getCategoryL1() == null
        || item.getProductId() == null
        || item.getSpuId() == null;
  }
}
