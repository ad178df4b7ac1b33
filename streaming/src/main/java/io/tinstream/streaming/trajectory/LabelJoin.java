package io.tinstream.streaming.trajectory;

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
 * <p>An impression parks its example (target + the behaviors searched at impression time, so it
 * sees only the past) until a click or conversion of the same request and item makes it a positive,
 * or the window's event-time timer makes it a negative. A clicked impression leaves a marker until
 * its window closes, so a second click is told apart (duplicate) from one that comes after the
 * window (late). Everything an impression leaves in state is cleared by its timer.
 */
final class LabelJoin {

  static final MapStateDescriptor<String, TrainingExample> PENDING =
      new MapStateDescriptor<>(
          "pending-impressions", Types.STRING, AvroTypeInfo.of(TrainingExample.class));

  /** Clicked impressions → the end of their window; kept only to recognize duplicate clicks. */
  static final MapStateDescriptor<String, Long> CLICKED =
      new MapStateDescriptor<>("clicked-impressions", Types.STRING, Types.LONG);

  static final ValueStateDescriptor<Integer> PENDING_COUNT =
      new ValueStateDescriptor<>("pending-impression-count", Types.INT);

  private final long windowMs;
  private final int maxPending;
  private final MapState<String, TrainingExample> pending;
  private final MapState<String, Long> clicked;
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
    this.clicked = ctx.getMapState(CLICKED);
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

  /** Parks an unlabeled example until its window ends at impression time + window. */
  void onImpression(String key, TrainingExample unlabeled, TimerService timers) throws Exception {
    if (pending.contains(key) || clicked.contains(key)) {
      return; // the same impression again: the trajectory dedups it, so does the join
    }
    int count = pendingCount.value() == null ? 0 : pendingCount.value();
    if (count >= maxPending) {
      droppedImpressions.inc();
      return;
    }
    impressions.inc();
    pending.put(key, unlabeled);
    pendingCount.update(count + 1);
    timers.registerEventTimeTimer(windowEnd(unlabeled));
  }

  /** A click or conversion: the positive example, or null for a duplicate or late click. */
  TrainingExample onClick(String key) throws Exception {
    TrainingExample example = pending.get(key);
    if (example == null) {
      if (clicked.contains(key)) {
        duplicateClicks.inc();
      } else {
        lateClicks.inc();
      }
      return null;
    }
    pending.remove(key);
    decrementPending(1);
    clicked.put(key, windowEnd(example));
    positives.inc();
    example.setLabel(1f);
    return example;
  }

  /** Window ends up to {@code time}: negatives for what was not clicked; markers cleared. */
  List<TrainingExample> onWindowEnd(long time) throws Exception {
    List<TrainingExample> expired = new ArrayList<>();
    Iterator<Map.Entry<String, TrainingExample>> it = pending.iterator();
    while (it.hasNext()) {
      TrainingExample example = it.next().getValue();
      if (windowEnd(example) <= time) {
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

  private long windowEnd(TrainingExample example) {
    return example.getImpressionTime() + windowMs;
  }
}
