package io.tinstream.training.features;

import io.tinstream.models.layers.InterestLayer;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.state.CategoryLevel;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which behaviors of a user's past a model is fed for one target (MODELS.md "Search stage"): the
 * latest {@code length}, a hierarchical or SIM hard search keeping {@code K = length}, a
 * category-stratified sample of {@code length}, or the soft-search window, the latest {@code
 * length} behaviors in which the layer itself keeps its top K (DARE, TWIN). The offline task and
 * the online trajectory operator both select through this type, so a variant sees the same kind of
 * history in evaluation and in production.
 */
public record HistorySelector(Kind kind, int length) implements Serializable {

  /** The selections, by their configuration names. */
  public enum Kind {
    LATEST("latest"),
    HIERARCHICAL_SEARCH("hierarchical"),
    SIM_SEARCH("sim"),
    STRATIFIED("stratified"),
    SOFT_SEARCH_WINDOW("soft-search-window");

    private final String configName;

    Kind(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }
  }

  public HistorySelector {
    if (kind == null || length <= 0) {
      throw new IllegalArgumentException("a selection needs a kind and a length > 0: " + length);
    }
  }

  /** A selection by its configuration name ({@code hierarchical}, {@code sim}, ...). */
  public static HistorySelector parse(String name, int length) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Kind k : Kind.values()) {
      if (k.configName.equals(n)) {
        return new HistorySelector(k, length);
      }
    }
    throw new IllegalArgumentException(
        "unknown history selection '"
            + name
            + "', expected one of "
            + Arrays.stream(Kind.values()).map(Kind::configName).toList());
  }

  /**
   * What a layer declaring {@code need} is fed: its own search with {@code K = k}, or for a soft
   * search the latest {@code max(window, k)} behaviors; a layer without a need of its own gets
   * {@code plain} with {@code K = k} (offline the latest, online the job's configured search).
   */
  public static HistorySelector forNeed(InterestLayer.History need, int k, int window, Kind plain) {
    return switch (need) {
      case DEPLOYMENT_DEFAULT -> new HistorySelector(plain, k);
      case LATEST -> new HistorySelector(Kind.LATEST, k);
      case HIERARCHICAL_SEARCH -> new HistorySelector(Kind.HIERARCHICAL_SEARCH, k);
      case SIM_SEARCH -> new HistorySelector(Kind.SIM_SEARCH, k);
      case STRATIFIED -> new HistorySelector(Kind.STRATIFIED, k);
      case FULL -> new HistorySelector(Kind.SOFT_SEARCH_WINDOW, Math.max(window, k));
    };
  }

  public String configName() {
    return kind.configName;
  }

  /** Whether candidates of one request get different behaviors (only the hard searches). */
  public boolean dependsOnTarget() {
    return kind == Kind.HIERARCHICAL_SEARCH || kind == Kind.SIM_SEARCH;
  }

  /**
   * Whether the selection is the latest {@link #length()} behaviors: then it is a suffix of any
   * longer latest selection, and one stored suffix serves every such variant.
   */
  public boolean isLatestSuffix() {
    return kind == Kind.LATEST || kind == Kind.SOFT_SEARCH_WINDOW;
  }

  /**
   * Indices into {@code past} of the kept behaviors, chronological; {@code target} may be null for
   * a selection that does not {@linkplain #dependsOnTarget() depend on it}.
   */
  public int[] select(TrajectoryView past, SearchTarget target) {
    return switch (kind) {
      case LATEST, SOFT_SEARCH_WINDOW -> SearchStage.latestK(past, length);
      case HIERARCHICAL_SEARCH -> SearchStage.hierarchicalHardSearch(past, target, length);
      case SIM_SEARCH -> SearchStage.simHardSearch(past, target, length);
      case STRATIFIED -> SearchStage.stratifiedSample(past, length, CategoryLevel.L1);
    };
  }

  /** The selected behaviors as the stream carries them, each with its true position. */
  public BehaviorSequence sequence(TrajectoryView past, SearchTarget target) {
    int[] indices = select(past, target);
    BehaviorSequence sequence = past.toSequence(indices);
    List<Integer> positions = new ArrayList<>(indices.length);
    for (int index : indices) {
      positions.add(past.size() - index);
    }
    sequence.setPositions(positions);
    return sequence;
  }

  @Override
  public String toString() {
    return configName() + ":" + length;
  }
}
