package io.tinstream.streaming;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.state.AppendResult;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.state.TrajectoryStore;
import io.tinstream.state.TrajectoryView;
import io.tinstream.streaming.internal.TrajectoryInput;
import io.tinstream.streaming.taxonomy.TaxonomyFill;
import io.tinstream.streaming.taxonomy.TaxonomyLookup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-user trajectory operator: appends each user's behaviors to their trajectory in keyed
 * state (dedup, out-of-order insert, retention, cap: see {@link TrajectoryStore}), completes
 * missing item fields from the broadcast taxonomy, and answers probe requests with the searched
 * behaviors per candidate, taken strictly before the request time.
 */
public final class TrajectoryFunction
    extends KeyedBroadcastProcessFunction<Long, TrajectoryInput, TaxonomyEntry, ProbeResponse> {
  private static final long serialVersionUID = 1L;

  /** Taxonomy edges, keyed by {@link TaxonomyLookup#key}. */
  public static final MapStateDescriptor<String, Long> TAXONOMY =
      new MapStateDescriptor<>("taxonomy", Types.STRING, Types.LONG);

  /** Behaviors of this user that arrived before any taxonomy edge, in arrival order. */
  static final ListStateDescriptor<BehaviorEvent> WAITING_FOR_TAXONOMY =
      new ListStateDescriptor<>("waiting-for-taxonomy", AvroTypeInfo.of(BehaviorEvent.class));

  static final ValueStateDescriptor<Long> WAITING_SINCE =
      new ValueStateDescriptor<>("waiting-for-taxonomy-since", Types.LONG);

  private static final long RETRY_MS = 100;

  // The policy's fields, not the policy: a function must be serializable to ship to the cluster.
  private final long retentionMs;
  private final int maxBehaviors;
  private final long bucketWidthMs;
  private final SearchMode searchMode;
  private final int searchK;
  private final long taxonomyWaitMs;
  private final HashMap<String, Long> preloadedTaxonomy;

  private transient TrajectoryStore store;
  private transient ListState<BehaviorEvent> waitingForTaxonomy;
  private transient Counter appended;
  private transient Counter duplicates;
  private transient Counter expired;
  private transient Counter evicted;
  private transient Counter newUsers;
  private transient Counter probes;
  private transient ValueState<Long> waitingSince;

  /**
   * @param taxonomyWaitMs how long a behavior that needs the taxonomy waits for the first taxonomy
   *     edge to arrive before it is stored with what it has (only at the job's very first start:
   *     afterwards the taxonomy is in checkpointed broadcast state)
   * @param preloadedTaxonomy edges known when the job is built (from a file), keyed by {@link
   *     TaxonomyLookup#key}; consulted when the broadcast state lacks an edge, so a file taxonomy
   *     is complete from the first behavior on, while broadcast edges still trickle in
   */
  public TrajectoryFunction(
      TrajectoryPolicy policy,
      SearchMode searchMode,
      int searchK,
      long taxonomyWaitMs,
      Map<String, Long> preloadedTaxonomy) {
    if (searchK <= 0) {
      throw new IllegalArgumentException("search k must be > 0, got " + searchK);
    }
    if (taxonomyWaitMs < 0) {
      throw new IllegalArgumentException("taxonomy wait must be >= 0, got " + taxonomyWaitMs);
    }
    this.taxonomyWaitMs = taxonomyWaitMs;
    this.preloadedTaxonomy = new HashMap<>(preloadedTaxonomy);
    this.retentionMs = policy.retentionMs();
    this.maxBehaviors = policy.maxBehaviors();
    this.bucketWidthMs = policy.bucketWidthMs();
    this.searchMode = searchMode;
    this.searchK = searchK;
  }

  @Override
  public void open(OpenContext openContext) {
    store =
        TrajectoryStore.create(
            getRuntimeContext(), new TrajectoryPolicy(retentionMs, maxBehaviors, bucketWidthMs));
    waitingForTaxonomy = getRuntimeContext().getListState(WAITING_FOR_TAXONOMY);
    waitingSince = getRuntimeContext().getState(WAITING_SINCE);
    var metrics = getRuntimeContext().getMetricGroup();
    appended = metrics.counter("behaviorsAppended");
    duplicates = metrics.counter("behaviorsDuplicate");
    expired = metrics.counter("behaviorsExpired");
    evicted = metrics.counter("behaviorsEvicted");
    newUsers = metrics.counter("users");
    probes = metrics.counter("probesAnswered");
  }

  @Override
  public void processElement(TrajectoryInput in, ReadOnlyContext ctx, Collector<ProbeResponse> out)
      throws Exception {
    ReadOnlyBroadcastState<String, Long> taxonomy = ctx.getBroadcastState(TAXONOMY);
    if (in.event == null) {
      out.collect(probe(in.request));
    } else if (taxonomyMissing(taxonomy) && needsTaxonomy(in.event.getItem())) {
      // Startup race: the broadcast taxonomy may trail the first behaviors. Park them briefly
      // rather than store them with holes the taxonomy would have filled.
      if (waitingSince.value() == null) {
        long now = ctx.timerService().currentProcessingTime();
        waitingSince.update(now);
        ctx.timerService().registerProcessingTimeTimer(now + RETRY_MS);
      }
      waitingForTaxonomy.add(in.event);
    } else {
      flushWaiting(taxonomy);
      append(in.event, taxonomy);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProbeResponse> out)
      throws Exception {
    ReadOnlyBroadcastState<String, Long> taxonomy = ctx.getBroadcastState(TAXONOMY);
    Long since = waitingSince.value();
    boolean waitedEnough = since == null || timestamp - since >= taxonomyWaitMs;
    if (!taxonomyMissing(taxonomy) || waitedEnough) {
      flushWaiting(taxonomy);
    } else {
      ctx.timerService().registerProcessingTimeTimer(timestamp + RETRY_MS);
    }
  }

  private void flushWaiting(ReadOnlyBroadcastState<String, Long> taxonomy) throws Exception {
    Iterable<BehaviorEvent> waiting = waitingForTaxonomy.get();
    if (waiting.iterator().hasNext()) {
      for (BehaviorEvent event : waiting) {
        append(event, taxonomy);
      }
      waitingForTaxonomy.clear();
      waitingSince.clear();
    }
  }

  private boolean taxonomyMissing(ReadOnlyBroadcastState<String, Long> taxonomy) throws Exception {
    return preloadedTaxonomy.isEmpty() && !taxonomy.immutableEntries().iterator().hasNext();
  }

  private static boolean needsTaxonomy(ItemFields item) {
    return item.getCategoryL2() == null
        || item.getCategoryL1() == null
        || item.getProductId() == null
        || item.getSpuId() == null;
  }

  private void append(BehaviorEvent event, ReadOnlyBroadcastState<String, Long> taxonomy)
      throws Exception {
    ItemFields filled =
        TaxonomyFill.fill(
            event.getItem(),
            (kind, child) -> {
              String key = TaxonomyLookup.key(kind, child);
              Long parent = taxonomy.get(key);
              return parent != null ? parent : preloadedTaxonomy.get(key);
            });
    if (filled != event.getItem()) {
      event = BehaviorEvent.newBuilder(event).setItem(filled).build();
    }
    AppendResult result = store.append(Behavior.fromEvent(event));
    switch (result.outcome()) {
      case APPENDED -> {
        appended.inc();
        if (result.firstForKey()) {
          newUsers.inc();
        }
      }
      case DUPLICATE -> duplicates.inc();
      case EXPIRED -> expired.inc();
    }
    evicted.inc(result.evicted());
  }

  private ProbeResponse probe(AdRequest request) throws Exception {
    probes.inc();
    long time = request.getRequestTime().toEpochMilli();
    TrajectoryView view = store.read();
    TrajectoryView past = view.prefixBefore(time);
    List<BehaviorSequence> perCandidate = new ArrayList<>(request.getCandidates().size());
    for (ItemFields candidate : request.getCandidates()) {
      SearchTarget target = SearchTarget.of(candidate, request.getScenario(), time);
      perCandidate.add(past.toSequence(searchMode.search(past, target, searchK)));
    }
    return ProbeResponse.newBuilder()
        .setRequestId(request.getRequestId())
        .setUserId(request.getUserId())
        .setTrajectoryLength(view.size())
        .setSearchMode(searchMode.configName())
        .setPerCandidate(perCandidate)
        .build();
  }

  @Override
  public void processBroadcastElement(
      TaxonomyEntry entry, Context ctx, Collector<ProbeResponse> out) throws Exception {
    ctx.getBroadcastState(TAXONOMY)
        .put(TaxonomyLookup.key(entry.getKind(), entry.getChild()), entry.getParent());
  }
}
