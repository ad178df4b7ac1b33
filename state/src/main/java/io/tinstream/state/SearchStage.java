package io.tinstream.state;

import io.tinstream.schemas.ActionType;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;

/**
 * The search stage of {@code MODELS.md}: picks up to {@code k} behaviors of a trajectory for a
 * model to attend to. Every method returns indices into the view in ascending (chronological)
 * order, without duplicates, of length {@code min(k, view.size())}, and is deterministic. It runs
 * in a few linear scans over primitive columns.
 *
 * <p>Search considers the whole view it is given; pass {@code view.prefixBefore(target.time())} to
 * see only the past of a request. A category of {@link Behavior#UNKNOWN} matches nothing, not even
 * another unknown one.
 */
public final class SearchStage {
  /** Action types that count as strong interest in hierarchical search: click and conversion. */
  public static final Set<ActionType> DEFAULT_STRONG_ACTIONS =
      Set.copyOf(EnumSet.of(ActionType.CLICK, ActionType.CONVERSION));

  /** Category level SIM's hard search matches on ("same category"). */
  public static final CategoryLevel DEFAULT_SIM_LEVEL = CategoryLevel.L1;

  private SearchStage() {}

  /**
   * {@link #hierarchicalHardSearch(TrajectoryView, SearchTarget, int, Set)} with click and
   * conversion as strong actions.
   */
  public static int[] hierarchicalHardSearch(TrajectoryView view, SearchTarget target, int k) {
    return hierarchicalHardSearch(view, target, k, DEFAULT_STRONG_ACTIONS);
  }

  /**
   * Hierarchical hard search: behaviors of the target's L3 category, most recent first; if fewer
   * than {@code k}, those of its L2, then its L1; then behaviors whose action type is strong or
   * whose scenario is the target's; finally the latest remaining ones.
   */
  public static int[] hierarchicalHardSearch(
      TrajectoryView view, SearchTarget target, int k, Set<ActionType> strongActionTypes) {
    Selection selection = new Selection(view, k);
    selection.takeCategory(view, CategoryLevel.L3, target.categoryL3());
    selection.takeCategory(view, CategoryLevel.L2, target.categoryL2());
    selection.takeCategory(view, CategoryLevel.L1, target.categoryL1());
    selection.takeStrongOrSameScenario(view, actionTypeMask(strongActionTypes), target.scenario());
    selection.takeLatest();
    return selection.chronological();
  }

  /** SIM hard search at {@link #DEFAULT_SIM_LEVEL}. */
  public static int[] simHardSearch(TrajectoryView view, SearchTarget target, int k) {
    return simHardSearch(view, target, k, DEFAULT_SIM_LEVEL);
  }

  /** SIM hard search: behaviors of the target's category at one level, then the latest. */
  public static int[] simHardSearch(
      TrajectoryView view, SearchTarget target, int k, CategoryLevel level) {
    Selection selection = new Selection(view, k);
    selection.takeCategory(view, level, target.category(level));
    selection.takeLatest();
    return selection.chronological();
  }

  /** The {@code k} most recent behaviors. */
  public static int[] latestK(TrajectoryView view, int k) {
    checkK(k);
    int n = Math.min(k, view.size());
    int[] indices = new int[n];
    for (int i = 0; i < n; i++) {
      indices[i] = view.size() - n + i;
    }
    return indices;
  }

  /**
   * Category-wise stratified sampling (matching stage). Every category present at {@code level} is
   * a stratum and gets an equal share of {@code k}; a stratum smaller than its share gives the rest
   * back, which is shared again among the others; what cannot be shared equally goes one behavior
   * each to the largest strata (ties: the stratum with the more recent behavior). Inside a stratum
   * the most recent behaviors are taken. Behaviors of unknown category belong to no stratum; they
   * are used, most recent first, only when the known ones are fewer than {@code k}.
   */
  public static int[] stratifiedSample(TrajectoryView view, int k, CategoryLevel level) {
    int[] categories = view.categoryColumn(level);
    int base = view.offset();
    Strata strata = Strata.of(categories, base, view.size());
    int[] quota = strata.quotas(k);
    Selection selection = new Selection(view, k);
    int[] taken = new int[strata.count()];
    for (int i = view.size() - 1; i >= 0 && !selection.full(); i--) {
      int s = strata.of(categories[base + i]);
      if (s >= 0 && taken[s] < quota[s]) {
        taken[s]++;
        selection.take(i);
      }
    }
    selection.takeLatest();
    return selection.chronological();
  }

  private static int actionTypeMask(Set<ActionType> actionTypes) {
    int mask = 0;
    for (ActionType type : actionTypes) {
      mask |= 1 << type.ordinal();
    }
    return mask;
  }

  private static void checkK(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
  }

  /** Indices picked so far, in picking order, with a membership mask against duplicates. */
  private static final class Selection {
    private final int size;
    // Row of the view's columns that is view index 0: columns are indexed base + i.
    private final int base;
    // One bit per behavior: a search allocates L/8 bytes, not L.
    private final long[] picked;
    private final int[] indices;
    private int count;

    Selection(TrajectoryView view, int k) {
      checkK(k);
      this.size = view.size();
      this.base = view.offset();
      this.picked = new long[(size + 63) >>> 6];
      this.indices = new int[Math.min(k, size)];
    }

    boolean full() {
      return count == indices.length;
    }

    boolean isPicked(int i) {
      return (picked[i >>> 6] & (1L << i)) != 0;
    }

    void take(int i) {
      picked[i >>> 6] |= 1L << i;
      indices[count++] = i;
    }

    /**
     * Most recent first, the not yet picked behaviors whose category at {@code level} equals {@code
     * category}: through the view's category index when it has one (work ∝ what is taken),
     * otherwise by a scan of the column.
     */
    void takeCategory(TrajectoryView view, CategoryLevel level, int category) {
      if (category == Behavior.UNKNOWN) {
        return;
      }
      CategoryIndex index = view.categoryIndex();
      if (index != null) {
        CategoryIndex.Rows rows = index.rows(level, category);
        if (rows == null) {
          return;
        }
        for (int j = rows.countBelow(base + size) - 1; j >= 0 && !full(); j--) {
          int i = rows.get(j) - base;
          if (i < 0) {
            return;
          }
          if (!isPicked(i)) {
            take(i);
          }
        }
        return;
      }
      int[] column = view.categoryColumn(level);
      for (int i = size - 1; i >= 0 && !full(); i--) {
        if (!isPicked(i) && column[base + i] == category) {
          take(i);
        }
      }
    }

    void takeStrongOrSameScenario(TrajectoryView view, int strongMask, int scenario) {
      byte[] actionTypes = view.columns().actionTypes;
      int[] scenarios = view.columns().scenarios;
      for (int i = size - 1; i >= 0 && !full(); i--) {
        byte action = actionTypes[base + i];
        boolean strong = action < 32 && (strongMask & (1 << action)) != 0;
        if (!isPicked(i) && (strong || scenarios[base + i] == scenario)) {
          take(i);
        }
      }
    }

    void takeLatest() {
      for (int i = size - 1; i >= 0 && !full(); i--) {
        if (!isPicked(i)) {
          take(i);
        }
      }
    }

    int[] chronological() {
      int[] result = Arrays.copyOf(indices, count);
      Arrays.sort(result);
      return result;
    }
  }

  /** The known categories of a trajectory, sorted, with the number of behaviors in each. */
  private static final class Strata {
    private final int[] categories;
    private final int[] sizes;
    private final int[] latest;

    private Strata(int[] categories, int[] sizes, int[] latest) {
      this.categories = categories;
      this.sizes = sizes;
      this.latest = latest;
    }

    /** Strata of view indices {@code [0, size)}, which are {@code column[base + i]}. */
    static Strata of(int[] column, int base, int size) {
      int[] known = new int[size];
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (column[base + i] != Behavior.UNKNOWN) {
          known[n++] = column[base + i];
        }
      }
      Arrays.sort(known, 0, n);
      int distinct = 0;
      for (int i = 0; i < n; i++) {
        if (i == 0 || known[i] != known[i - 1]) {
          known[distinct++] = known[i];
        }
      }
      Strata strata =
          new Strata(Arrays.copyOf(known, distinct), new int[distinct], new int[distinct]);
      for (int i = 0; i < size; i++) {
        int s = strata.of(column[base + i]);
        if (s >= 0) {
          strata.sizes[s]++;
          strata.latest[s] = i;
        }
      }
      return strata;
    }

    int count() {
      return categories.length;
    }

    /** Stratum of a category, or -1 for the unknown category. */
    int of(int category) {
      return category == Behavior.UNKNOWN
          ? -1
          : Math.max(-1, Arrays.binarySearch(categories, category));
    }

    /**
     * Water-filling: visit strata from smallest to largest; each takes its equal share of what is
     * left, or its whole size when smaller. The remainder that cannot be split equally goes one
     * each to the largest strata.
     */
    int[] quotas(int k) {
      int c = count();
      int[] quota = new int[c];
      // Smallest first; among equal sizes the one with the older latest behavior first, so the
      // largest and most recent strata come last and receive the remainder. Boxes once per
      // stratum, not per behavior.
      Integer[] order = new Integer[c];
      for (int s = 0; s < c; s++) {
        order[s] = s;
      }
      Arrays.sort(
          order, Comparator.<Integer>comparingInt(s -> sizes[s]).thenComparingInt(s -> latest[s]));
      int remaining = k;
      for (int pos = 0; pos < c && remaining > 0; pos++) {
        int s = order[pos];
        int left = c - pos;
        int share = remaining / left;
        if (sizes[s] <= share) {
          quota[s] = sizes[s];
          remaining -= sizes[s];
          continue;
        }
        // Every stratum from here on is at least as large as the share.
        int extra = remaining - share * left;
        for (int rest = pos; rest < c; rest++) {
          quota[order[rest]] = share + (rest >= c - extra ? 1 : 0);
        }
        break;
      }
      return quota;
    }
  }
}
