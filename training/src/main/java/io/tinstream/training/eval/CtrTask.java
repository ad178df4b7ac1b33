package io.tinstream.training.eval;

import io.tinstream.models.Batch;
import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.Domain;
import io.tinstream.state.Behavior;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.data.PastPopularitySampler;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The offline next-behavior CTR task (MODELS.md, evaluation protocol), built from a
 * MovieLens-layout dataset. Per user, chronologically, every interaction is a positive target
 * paired with one negative target drawn by popularity among all users' interactions strictly before
 * the target's time, excluding the items of the user's interactions at or before the target's time
 * ({@link PastPopularitySampler}, seeded; a target with no such earlier item gets no negative).
 * Features are only the behaviors strictly before the target's time.
 *
 * <p>Split ({@link Split}): {@code PER_USER} (default) by time within each user: last {@link
 * #TEST_PER_USER} interactions to test, the {@link #VALID_PER_USER} before to validation, the rest
 * to train; users with fewer than {@link #MIN_INTERACTIONS_FOR_SPLIT} go to train only. {@code
 * GLOBAL_TIME}: with the N interactions of the data set sorted by time, {@code t_valid} is the time
 * of the one at index floor(N (1 - {@link #GLOBAL_VALID_FRACTION} - {@link #GLOBAL_TEST_FRACTION}))
 * and {@code t_test} that of the one at floor(N (1 - {@link #GLOBAL_TEST_FRACTION})); every
 * interaction at or after {@code t_test} goes to test, at or after {@code t_valid} (and before
 * {@code t_test}) to validation, the rest to train, for every user (ties at a boundary second fall
 * on the later side). In both splits a user's training interactions are a prefix of the user's
 * trajectory ({@link #trainPrefix}).
 */
public final class CtrTask {
  public static final int TEST_PER_USER = 5;
  public static final int VALID_PER_USER = 5;
  public static final int MIN_INTERACTIONS_FOR_SPLIT = 15;

  /** Fractions of the interactions (by time) in validation and test for {@code GLOBAL_TIME}. */
  public static final double GLOBAL_VALID_FRACTION = 0.1;

  public static final double GLOBAL_TEST_FRACTION = 0.1;

  /** How samples are split into train / validation / test (see the class javadoc). */
  public enum Split {
    PER_USER,
    GLOBAL_TIME
  }

  /** Constant scenario: MovieLens has one surface. */
  public static final int SCENARIO = 1;

  /** Examples in columnar form; {@code traj} indexes {@link CtrTask#trajectories()}. */
  public static final class Samples {
    private int size;
    int[] traj = new int[1024];
    int[] histEnd = new int[1024];
    int[] item = new int[1024];
    long[] timeSec = new long[1024];
    float[] label = new float[1024];

    void add(int t, int end, int it, long time, float y) {
      if (size == traj.length) {
        int n = size * 2;
        traj = Arrays.copyOf(traj, n);
        histEnd = Arrays.copyOf(histEnd, n);
        item = Arrays.copyOf(item, n);
        timeSec = Arrays.copyOf(timeSec, n);
        label = Arrays.copyOf(label, n);
      }
      traj[size] = t;
      histEnd[size] = end;
      item[size] = it;
      timeSec[size] = time;
      label[size] = y;
      size++;
    }

    public int size() {
      return size;
    }

    public float label(int i) {
      return label[i];
    }

    public int positives() {
      int p = 0;
      for (int i = 0; i < size; i++) {
        p += label[i] > 0.5f ? 1 : 0;
      }
      return p;
    }
  }

  private final List<Trajectory> trajectories;
  private final Map<Integer, int[]> itemCats;
  private final Samples train = new Samples();
  private final Samples valid = new Samples();
  private final Samples test = new Samples();
  private final int items;
  private final List<Integer> trainPrefix = new ArrayList<>();

  /** Per trajectory, the state module's view of it (built on first search). */
  private final Map<Integer, TrajectoryView> views = new HashMap<>();

  private CtrTask(List<Trajectory> trajectories, Map<Integer, int[]> itemCats, int items) {
    this.trajectories = trajectories;
    this.itemCats = itemCats;
    this.items = items;
  }

  /** Builds the task with the per-user split; {@code seed} drives negative sampling only. */
  public static CtrTask build(MovieLensDataset data, long seed) {
    return build(data, seed, Split.PER_USER);
  }

  /** Builds the task with {@code split}; {@code seed} drives negative sampling only. */
  public static CtrTask build(MovieLensDataset data, long seed, Split split) {
    List<MovieLensDataset.Rating> ratings = data.ratings();
    if (ratings.isEmpty()) {
      throw new IllegalArgumentException("dataset has no ratings: " + data.directory());
    }
    Map<Integer, int[]> cats = new HashMap<>();
    for (MovieLensDataset.Rating r : ratings) {
      cats.computeIfAbsent(
          r.movieId(), m -> new int[] {data.categoryL1(m), data.categoryL2(m), data.categoryL3(m)});
    }
    PastPopularitySampler negatives = PastPopularitySampler.of(ratings);
    long[] bounds = null;
    if (split == Split.GLOBAL_TIME) {
      long[] times = negatives.sortedTimes();
      int n = times.length;
      bounds =
          new long[] {
            times[(int) Math.floor(n * (1 - GLOBAL_VALID_FRACTION - GLOBAL_TEST_FRACTION))] / 1000L,
            times[(int) Math.floor(n * (1 - GLOBAL_TEST_FRACTION))] / 1000L
          };
    }
    List<Trajectory> trajs = new ArrayList<>();
    CtrTask task = new CtrTask(trajs, cats, cats.size());
    Random rnd = new Random(seed);
    int start = 0;
    while (start < ratings.size()) {
      int user = ratings.get(start).userId();
      int end = start;
      while (end < ratings.size() && ratings.get(end).userId() == user) {
        end++;
      }
      Trajectory t = trajectory(data, ratings.subList(start, end), cats);
      int ti = trajs.size();
      trajs.add(t);
      task.addUser(
          ti,
          t,
          bounds,
          negatives,
          new PastPopularitySampler.UserPast(ratings.subList(start, end)),
          rnd);
      start = end;
    }
    return task;
  }

  private static Trajectory trajectory(
      MovieLensDataset data, List<MovieLensDataset.Rating> rs, Map<Integer, int[]> cats) {
    int n = rs.size();
    int[] item = new int[n];
    int[] c1 = new int[n];
    int[] c2 = new int[n];
    int[] c3 = new int[n];
    int[] action = new int[n];
    int[] scenario = new int[n];
    long[] time = new long[n];
    for (int i = 0; i < n; i++) {
      MovieLensDataset.Rating r = rs.get(i);
      int[] c = cats.get(r.movieId());
      item[i] = r.movieId();
      c1[i] = c[0];
      c2[i] = c[1];
      c3[i] = c[2];
      // Action type = the rating in half stars (1..10): how the user reacted.
      action[i] = Math.round(r.rating() * 2f);
      scenario[i] = SCENARIO;
      time[i] = r.timestampMillis() / 1000L;
    }
    return new Trajectory(rs.get(0).userId(), item, c1, c2, c3, action, scenario, time);
  }

  /**
   * @param bounds null for the per-user split, else {t_valid, t_test} in seconds
   */
  private void addUser(
      int ti,
      Trajectory t,
      long[] bounds,
      PastPopularitySampler negatives,
      PastPopularitySampler.UserPast past,
      Random rnd) {
    int n = t.length();
    boolean split = n >= MIN_INTERACTIONS_FOR_SPLIT;
    int histEnd = 0; // behaviors [0, histEnd) are strictly before the current target's time
    int trainEnd = 0;
    for (int k = 0; k < n; k++) {
      while (t.timeSec()[histEnd] < t.timeSec()[k]) {
        histEnd++;
      }
      long time = t.timeSec()[k];
      Samples dest = train;
      if (bounds != null) {
        if (time >= bounds[1]) {
          dest = test;
        } else if (time >= bounds[0]) {
          dest = valid;
        }
      } else if (split && k >= n - TEST_PER_USER) {
        dest = test;
      } else if (split && k >= n - TEST_PER_USER - VALID_PER_USER) {
        dest = valid;
      }
      trainEnd += dest == train ? 1 : 0;
      dest.add(ti, histEnd, t.item()[k], time, 1f);
      int neg = negatives.sample(time * 1000L, past.upTo(time * 1000L), rnd);
      if (neg >= 0) {
        dest.add(ti, histEnd, neg, time, 0f);
      }
    }
    trainPrefix.add(trainEnd);
  }

  /** How many of the first interactions of trajectory {@code traj} are training targets. */
  public int trainPrefix(int traj) {
    return trainPrefix.get(traj);
  }

  public List<Trajectory> trajectories() {
    return trajectories;
  }

  public Samples train() {
    return train;
  }

  public Samples valid() {
    return valid;
  }

  public Samples test() {
    return test;
  }

  /** Trajectory index of sample {@code i}, and where its past ends. */
  public int trajectoryOf(Samples s, int i) {
    return s.traj[i];
  }

  public int historyEnd(Samples s, int i) {
    return s.histEnd[i];
  }

  public int itemOf(Samples s, int i) {
    return s.item[i];
  }

  public int items() {
    return items;
  }

  /**
   * Adds sample {@code i} with the history {@code selector} keeps of the behaviors strictly before
   * its target (the state module's view of the trajectory), each with its true position.
   */
  public void addTo(BatchBuilder a, Samples s, int i, HistorySelector selector) {
    Trajectory t = trajectories.get(s.traj[i]);
    int[] c = itemCats.get(s.item[i]);
    long time = s.timeSec[i] * 1000L;
    TrajectoryView past = view(s.traj[i]).prefixBefore(time);
    if (past.size() != s.histEnd[i]) {
      throw new IllegalStateException("view and task disagree on the past of a target");
    }
    int[] selected = selector.select(past, new SearchTarget(c[0], c[1], c[2], SCENARIO, time));
    a.add(
        RowHistory.selected(t, s.histEnd[i], selected),
        new BatchTarget(s.item[i], c[0], c[1], c[2], SCENARIO, time),
        s.label[i],
        t.userId());
  }

  /** The trajectory as the state module sees it (MovieLens ratings: action type RATE). */
  TrajectoryView view(int traj) {
    return views.computeIfAbsent(
        traj,
        ti -> {
          Trajectory t = trajectories.get(ti);
          List<Behavior> bs = new ArrayList<>(t.length());
          for (int j = 0; j < t.length(); j++) {
            bs.add(
                new Behavior(
                    j,
                    t.timeSec()[j] * 1000L,
                    (byte) Domain.CONTENT.ordinal(),
                    (byte) ActionType.RATE.ordinal(),
                    t.scenario()[j],
                    t.action()[j] / 2f,
                    t.item()[j],
                    Behavior.UNKNOWN,
                    Behavior.UNKNOWN,
                    Behavior.UNKNOWN,
                    t.cat1()[j],
                    t.cat2()[j],
                    t.cat3()[j],
                    Behavior.UNKNOWN,
                    Behavior.UNKNOWN,
                    Behavior.UNKNOWN));
          }
          return TrajectoryView.of(bs);
        });
  }

  /** Item id to its {L1, L2, L3} categories, for every item of the task. */
  public Map<Integer, int[]> itemCategories() {
    return java.util.Collections.unmodifiableMap(itemCats);
  }

  /** Batches of the latest {@code maxLen} behaviors over {@code order}, the last one partial. */
  public List<Batch> batches(Samples s, int[] order, int batchSize, int maxLen) {
    return batches(s, order, batchSize, new HistorySelector(HistorySelector.Kind.LATEST, maxLen));
  }

  /**
   * Batches over {@code order} (indices into {@code s}) of the histories {@code selector} keeps.
   */
  public List<Batch> batches(Samples s, int[] order, int batchSize, HistorySelector selector) {
    BatchBuilder a = new BatchBuilder(batchSize, selector.length());
    List<Batch> out = new ArrayList<>();
    for (int i : order) {
      addTo(a, s, i, selector);
      if (a.isFull()) {
        out.add(a.build());
      }
    }
    if (a.rows() > 0) {
      out.add(a.build());
    }
    return out;
  }

  static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }
}
