package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.streaming.JobMetrics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;

/**
 * Joins one user's ad impressions with their clicks inside an attribution window of event time.
 *
 * <p>An impression parks itself (the event only, a hundred bytes or so) until its window's
 * event-time timer fires; a click or conversion of the same request and item inside the window
 * marks it clicked. At the window's end the caller builds its example from the trajectory as it is
 * then, keeping only behaviors strictly before the impression (so it sees only the past, including
 * behaviors of that past that arrived late), and the example leaves with its label, positive or
 * negative: examples reach training in impression-time order with both classes mixed, as they
 * occurred, rather than positives first in bursts. Building the example at the end rather than at
 * the impression keeps its histories out of state: they were most of what a pending impression cost
 * to write, checkpoint and read back.
 *
 * <p>A click that arrives before its impression (another partition, another path) is held for one
 * window and labels the impression if it comes; a click held that long without one, like a click
 * after its impression's window, is counted as unmatched. A second click of a clicked impression is
 * counted as a duplicate.
 *
 * <p>Each window end keeps the list of keys due at it, so closing a window touches only what closes
 * ({@code O(closed)}), never all pending impressions. Pending impressions are capped per user, so
 * the state is bounded.
 */
final class LabelJoin {

  /** Builds a closed impression's example from the trajectory before it. */
  interface ExampleBuilder {
    TrainingExample unlabeled(BehaviorEvent impression) throws Exception;
  }

  static final MapStateDescriptor<String, BehaviorEvent> PENDING =
      new MapStateDescriptor<>(
          "pending-impression-events", Types.STRING, AvroTypeInfo.of(BehaviorEvent.class));

  /**
   * Where impressions waited as whole examples before they waited as events: still read, so
   * impressions pending in a checkpoint taken then close with their label after a restore.
   */
  static final MapStateDescriptor<String, TrainingExample> LEGACY_PENDING =
      new MapStateDescriptor<>(
          "pending-impressions", Types.STRING, AvroTypeInfo.of(TrainingExample.class));

  /** Clicked pending impressions → the end of their window. */
  static final MapStateDescriptor<String, Long> CLICKED =
      new MapStateDescriptor<>("clicked-impressions", Types.STRING, Types.LONG);

  /** Clicks without their impression yet → the end of their hold. */
  static final MapStateDescriptor<String, Long> EARLY_CLICKS =
      new MapStateDescriptor<>("early-clicks", Types.STRING, Types.LONG);

  /** Window end → the impression keys (and {@value #EARLY} + key of held clicks) due then. */
  static final MapStateDescriptor<Long, List<String>> DUE =
      new MapStateDescriptor<>("label-windows-due", Types.LONG, Types.LIST(Types.STRING));

  static final ValueStateDescriptor<Integer> PENDING_COUNT =
      new ValueStateDescriptor<>("pending-impression-count", Types.INT);

  /** Marks a due entry that ends a held click's wait rather than an impression's window. */
  private static final String EARLY = "!";

  private final long windowMs;
  private final int maxPending;
  private final MapState<String, BehaviorEvent> pending;
  private final MapState<String, TrainingExample> legacyPending;
  private final MapState<String, Long> clicked;
  private final MapState<String, Long> earlyClicks;
  private final MapState<Long, List<String>> due;
  private final ValueState<Integer> pendingCount;
  private final Counter impressions;
  private final Counter positives;
  private final Counter negatives;
  private final Counter duplicateClicks;
  private final Counter lateClicks;
  private final Counter droppedImpressions;

  LabelJoin(RuntimeContext ctx, long windowMs, int maxPending) {
    this.windowMs = windowMs;
    this.maxPending = maxPending;
    this.pending = ctx.getMapState(PENDING);
    this.legacyPending = ctx.getMapState(LEGACY_PENDING);
    this.clicked = ctx.getMapState(CLICKED);
    this.earlyClicks = ctx.getMapState(EARLY_CLICKS);
    this.due = ctx.getMapState(DUE);
    this.pendingCount = ctx.getState(PENDING_COUNT);
    MetricGroup metrics = ctx.getMetricGroup();
    this.impressions = metrics.counter(JobMetrics.IMPRESSIONS);
    this.positives = metrics.counter(JobMetrics.POSITIVES);
    this.negatives = metrics.counter(JobMetrics.NEGATIVES);
    this.duplicateClicks = metrics.counter(JobMetrics.DUPLICATE_CLICKS);
    this.lateClicks = metrics.counter(JobMetrics.LATE_CLICKS);
    this.droppedImpressions = metrics.counter(JobMetrics.IMPRESSIONS_OVER_PENDING_CAP);
  }

  static String key(String requestId, long itemId) {
    return requestId + "|" + itemId;
  }

  /** Parks an impression until its window ends at impression time + window. */
  void onImpression(String key, BehaviorEvent impression, TimerService timers) throws Exception {
    if (pending.contains(key)) {
      return; // the same impression again: the trajectory dedups it, so does the join
    }
    int count = pendingCount.value() == null ? 0 : pendingCount.value();
    if (count >= maxPending) {
      droppedImpressions.inc();
      return;
    }
    impressions.inc();
    long end = impression.getEventTime().toEpochMilli() + windowMs;
    pending.put(key, impression);
    pendingCount.update(count + 1);
    if (earlyClicks.contains(key)) {
      earlyClicks.remove(key);
      clicked.put(key, end);
    }
    addDue(end, key, timers);
  }

  /** A click or conversion at event time {@code time}: marks its impression clicked. */
  void onClick(String key, long time, TimerService timers) throws Exception {
    if (clicked.contains(key) || earlyClicks.contains(key)) {
      duplicateClicks.inc();
    } else if (pending.contains(key) || legacyPending.contains(key)) {
      clicked.put(key, time);
    } else {
      long end = time + windowMs;
      earlyClicks.put(key, end);
      addDue(end, EARLY + key, timers);
    }
  }

  /**
   * The window end at {@code time} fired: the examples whose window ends then, labelled, in
   * impression order; held clicks whose wait ends then are counted as unmatched.
   */
  List<TrainingExample> onWindowEnd(long time, ExampleBuilder examples) throws Exception {
    List<String> keys = due.get(time);
    if (keys == null) {
      return onWindowEndWithoutDueList(time);
    }
    due.remove(time);
    List<TrainingExample> closed = new ArrayList<>(keys.size());
    for (String key : keys) {
      if (key.startsWith(EARLY)) {
        String clickKey = key.substring(EARLY.length());
        if (earlyClicks.contains(clickKey)) {
          earlyClicks.remove(clickKey);
          lateClicks.inc();
        }
        continue;
      }
      BehaviorEvent impression = pending.get(key);
      TrainingExample example;
      if (impression != null) {
        example = examples.unlabeled(impression);
        pending.remove(key);
      } else {
        example = legacyPending.get(key);
        if (example == null) {
          continue;
        }
        legacyPending.remove(key);
      }
      boolean positive = clicked.contains(key);
      example.setLabel(positive ? 1f : 0f);
      (positive ? positives : negatives).inc();
      clicked.remove(key);
      closed.add(example);
    }
    decrementPending(closed.size());
    return closed;
  }

  /**
   * Timers registered before window ends kept their due lists: scan the (legacy) pending examples
   * once, as the join used to, so state restored from then still closes its windows.
   */
  private List<TrainingExample> onWindowEndWithoutDueList(long time) throws Exception {
    List<TrainingExample> expired = new ArrayList<>();
    Iterator<Map.Entry<String, TrainingExample>> it = legacyPending.iterator();
    while (it.hasNext()) {
      TrainingExample example = it.next().getValue();
      if (example.getImpressionTime() + windowMs <= time) {
        example.setLabel(0f);
        expired.add(example);
        it.remove();
      }
    }
    decrementPending(expired.size());
    negatives.inc(expired.size());
    Iterator<Map.Entry<String, Long>> marks = clicked.iterator();
    while (marks.hasNext()) {
      if (marks.next().getValue() <= time) {
        marks.remove();
      }
    }
    return expired;
  }

  private void addDue(long end, String key, TimerService timers) throws Exception {
    List<String> keys = due.get(end);
    if (keys == null) {
      keys = new ArrayList<>(1);
      timers.registerEventTimeTimer(end);
    }
    keys.add(key);
    due.put(end, keys);
  }

  private void decrementPending(int n) throws Exception {
    if (n == 0) {
      return;
    }
    int left = (pendingCount.value() == null ? 0 : pendingCount.value()) - n;
    if (left <= 0) {
      pendingCount.clear();
    } else {
      pendingCount.update(left);
    }
  }
}
