package io.tinstream.streaming.served;

import io.tinstream.streaming.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins, per request id, the candidates of a request, the scores it was answered with and the
 * labels of its impressions, and emits each labelled impression with the score it was served with.
 *
 * <p>Only requests whose candidates the trajectory operator kept (see {@link
 * io.tinstream.streaming.TinstreamOptions#SERVED_MAX_CANDIDATES}) are joined; the labels of other
 * impressions find no candidates and pass without touching state. A label that comes before the
 * request's scores (a slow or failed answer) waits for them until the request's state expires,
 * {@code retainMs} of processing time after the request was first seen (its impressions'
 * attribution window and some margin); one that never finds its scores is counted as unanswered.
 */
public final class ServedScoreJoin
    extends KeyedProcessFunction<String, ServedEvent, ServedOutcome> {
  private static final long serialVersionUID = 1L;

  private final long retainMs;

  private transient ValueState<ServedEvent> candidates;
  private transient ValueState<ServedEvent> scores;
  private transient ListState<ServedEvent> waiting;
  private transient Counter joined;
  private transient Counter unanswered;

  public ServedScoreJoin(long retainMs) {
    if (retainMs <= 0) {
      throw new IllegalArgumentException("retainMs must be > 0, got " + retainMs);
    }
    this.retainMs = retainMs;
  }

  @Override
  public void open(OpenContext openContext) {
    TypeInformation<ServedEvent> type = TypeInformation.of(ServedEvent.class);
    candidates =
        getRuntimeContext().getState(new ValueStateDescriptor<>("served-candidates", type));
    scores = getRuntimeContext().getState(new ValueStateDescriptor<>("served-scores", type));
    waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("served-waiting", type));
    joined = getRuntimeContext().getMetricGroup().counter(JobMetrics.SERVED_JOINED);
    unanswered = getRuntimeContext().getMetricGroup().counter(JobMetrics.SERVED_UNANSWERED);
  }

  @Override
  public void processElement(ServedEvent event, Context ctx, Collector<ServedOutcome> out)
      throws Exception {
    switch (event.kind) {
      case ServedEvent.CANDIDATES -> {
        if (candidates.value() == null && scores.value() == null) {
          expireLater(ctx);
        }
        candidates.update(event);
        emitWaiting(out);
      }
      case ServedEvent.SCORES -> {
        if (candidates.value() == null && scores.value() == null) {
          expireLater(ctx);
        }
        scores.update(event);
        emitWaiting(out);
      }
      case ServedEvent.OUTCOME -> {
        ServedEvent requested = candidates.value();
        if (requested == null) {
          return;
        }
        ServedEvent answered = scores.value();
        if (answered == null) {
          waiting.add(event);
        } else {
          emit(requested, answered, event, out);
        }
      }
      default -> throw new IllegalArgumentException("unknown served event kind " + event.kind);
    }
  }

  private void expireLater(Context ctx) {
    ctx.timerService()
        .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + retainMs);
  }

  private void emitWaiting(Collector<ServedOutcome> out) throws Exception {
    ServedEvent requested = candidates.value();
    ServedEvent answered = scores.value();
    if (requested == null || answered == null) {
      return;
    }
    List<ServedEvent> outcomes = new ArrayList<>();
    waiting.get().forEach(outcomes::add);
    if (outcomes.isEmpty()) {
      return;
    }
    for (ServedEvent outcome : outcomes) {
      emit(requested, answered, outcome, out);
    }
    waiting.clear();
  }

  private void emit(
      ServedEvent requested,
      ServedEvent answered,
      ServedEvent outcome,
      Collector<ServedOutcome> out) {
    // The ad server may show any of the candidates: the score is the one of the impressed item.
    for (int i = 0; i < requested.itemIds.length && i < answered.scores.length; i++) {
      if (requested.itemIds[i] == outcome.itemId) {
        joined.inc();
        out.collect(
            new ServedOutcome(
                answered.variant, answered.version, answered.scores[i], outcome.label));
        return;
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServedOutcome> out)
      throws Exception {
    for (ServedEvent ignored : waiting.get()) {
      unanswered.inc();
    }
    candidates.clear();
    scores.clear();
    waiting.clear();
  }
}
