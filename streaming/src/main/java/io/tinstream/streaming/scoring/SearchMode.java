package io.tinstream.streaming.scoring;

import io.tinstream.state.CategoryLevel;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import java.util.Arrays;
import java.util.Locale;

/** Which search of the search stage answers a probe, by its configuration name. */
public enum SearchMode {
  HIERARCHICAL,
  SIM,
  STRATIFIED,
  LATEST;

  public static SearchMode parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown search mode '" + name + "', expected one of " + Arrays.toString(values()));
    }
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Indices of the kept behaviors, chronological. */
  public int[] search(TrajectoryView view, SearchTarget target, int k) {
    return switch (this) {
      case HIERARCHICAL -> SearchStage.hierarchicalHardSearch(view, target, k);
      case SIM -> SearchStage.simHardSearch(view, target, k);
      case STRATIFIED -> SearchStage.stratifiedSample(view, k, CategoryLevel.L1);
      case LATEST -> SearchStage.latestK(view, k);
    };
  }
}
