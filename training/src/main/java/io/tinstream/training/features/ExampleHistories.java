package io.tinstream.training.features;

import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a training example carries what each configured variant trains on, each selection once: the
 * plain selection as {@code history}; one latest-behaviors suffix as {@code recent}, as long as the
 * longest such need (lrea's L, the soft-search window), of which every such variant takes its own
 * newest part (the batch keeps the newest {@code maxLen}); every other selection (a stratified
 * sample, a second hard search) under its name in {@code selections}.
 */
public final class ExampleHistories {

  private ExampleHistories() {}

  /** Sets the example's histories for {@code histories}' variants from the impression's past. */
  public static TrainingExample.Builder write(
      TrainingExample.Builder example,
      VariantHistories histories,
      TrajectoryView past,
      SearchTarget target) {
    HistorySelector plain = histories.plain();
    example.setHistory(plain.sequence(past, target));
    int suffix = histories.longestLatestSuffix();
    example.setRecent(
        suffix == 0
            ? null
            : new HistorySelector(HistorySelector.Kind.LATEST, suffix).sequence(past, target));
    Map<String, BehaviorSequence> others = new LinkedHashMap<>();
    for (HistorySelector s : histories.otherSelections()) {
      others.put(s.toString(), s.sequence(past, target));
    }
    return example.setSelections(others);
  }

  /**
   * The behaviors {@code selector} kept for this example. An example written before its variant was
   * configured (or by an older schema) lacks them and falls back to its plain history.
   */
  public static BehaviorSequence of(
      TrainingExample example, HistorySelector selector, HistorySelector plain) {
    if (selector.equals(plain)) {
      return example.getHistory();
    }
    if (selector.isLatestSuffix()) {
      return example.getRecent() != null ? example.getRecent() : example.getHistory();
    }
    BehaviorSequence selected = example.getSelections().get(selector.toString());
    return selected != null ? selected : example.getHistory();
  }
}
