package io.tinstream.training.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Draws a negative item by popularity among the interactions strictly before a time, by any user,
 * rejecting the items a given user already had (MODELS.md, evaluation protocol). The one place the
 * negative rule lives: the offline CTR task and the MovieLens replay both draw from it.
 *
 * <p>Why not popularity over the whole data set: a negative could then be a movie nobody had rated
 * yet at the target's time, which a model tells apart from the positive by the era of the history
 * alone (about 30% of test negatives on ml-latest-small were such).
 *
 * <p>How: the interactions are kept sorted by time, so those before {@code t} are a prefix; a
 * uniformly random interaction of that prefix has item {@code i} with probability count(i before t)
 * / |prefix|. Items in the excluded set are rejected and redrawn, at most {@link #MAX_TRIES} times;
 * then the draw falls back to an exact scan of the prefix (pick uniformly among the prefix's
 * interactions whose item is not excluded), so the result has exactly the conditional distribution
 * either way. The scan only runs when the excluded items hold nearly all of the prefix, which
 * happens when the prefix is short. Returns -1 when no interaction before {@code t} has an allowed
 * item (the very first interactions of the data set): callers skip the negative.
 */
public final class PastPopularitySampler {
  public static final int MAX_TRIES = 100;

  /**
   * The items a user is excluded from getting as a negative for a target at time t: every item of
   * the user's interactions at or before t (the past, the target, and whatever the user rated in
   * the same second, which would be a false negative). Walks the user's time-ordered interactions
   * forward, so targets must come in non-decreasing time.
   */
  public static final class UserPast {
    private final List<MovieLensDataset.Rating> ratings;
    private final Set<Integer> items = new HashSet<>();
    private int next;

    /** {@code ratings}: one user's interactions in time order. */
    public UserPast(List<MovieLensDataset.Rating> ratings) {
      this.ratings = ratings;
    }

    /** The items of the user's interactions at or before {@code timeMillis} (a live view). */
    public Set<Integer> upTo(long timeMillis) {
      while (next < ratings.size() && ratings.get(next).timestampMillis() <= timeMillis) {
        items.add(ratings.get(next++).movieId());
      }
      return Collections.unmodifiableSet(items);
    }
  }

  private final long[] timeMillis; // ascending
  private final int[] item; // item of the interaction at the same position

  private PastPopularitySampler(long[] timeMillis, int[] item) {
    this.timeMillis = timeMillis;
    this.item = item;
  }

  /** The sampler over every rating of a MovieLens-layout dataset. */
  public static PastPopularitySampler of(List<MovieLensDataset.Rating> ratings) {
    int n = ratings.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Stable over the dataset's (user, time, movie) order, so the draws are reproducible.
    Arrays.sort(order, (a, b) -> Long.compare(time(ratings, a), time(ratings, b)));
    long[] times = new long[n];
    int[] items = new int[n];
    for (int i = 0; i < n; i++) {
      MovieLensDataset.Rating r = ratings.get(order[i]);
      times[i] = r.timestampMillis();
      items[i] = r.movieId();
    }
    return new PastPopularitySampler(times, items);
  }

  private static long time(List<MovieLensDataset.Rating> ratings, int i) {
    return ratings.get(i).timestampMillis();
  }

  /** Number of interactions strictly before {@code timeMillis}. */
  public int countBefore(long timeMillis) {
    int lo = 0;
    int hi = this.timeMillis.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (this.timeMillis[mid] < timeMillis) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Interaction times in ascending order (a copy). */
  public long[] sortedTimes() {
    return timeMillis.clone();
  }

  /**
   * A negative for a target at {@code timeMillis}: an item drawn by popularity among the
   * interactions strictly before that time, not in {@code excluded} (the caller passes {@link
   * UserPast#upTo} of the target's time); -1 when there is none.
   */
  public int sample(long timeMillis, Set<Integer> excluded, RandomGenerator rnd) {
    int before = countBefore(timeMillis);
    if (before == 0) {
      return -1;
    }
    for (int tries = 0; tries < MAX_TRIES; tries++) {
      int candidate = item[rnd.nextInt(before)];
      if (!excluded.contains(candidate)) {
        return candidate;
      }
    }
    int allowed = 0;
    for (int i = 0; i < before; i++) {
      allowed += excluded.contains(item[i]) ? 0 : 1;
    }
    if (allowed == 0) {
      return -1;
    }
    int pick = rnd.nextInt(allowed);
    for (int i = 0; i < before; i++) {
      if (!excluded.contains(item[i]) && pick-- == 0) {
        return item[i];
      }
    }
    throw new AssertionError("unreachable: " + allowed + " allowed interactions counted");
  }
}
