package io.tinstream.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CtrTaskTest {

  @Test
  void splitsPerUserByTimeAndPairsEveryPositiveWithANegative(@TempDir Path tmp) throws Exception {
    CtrTask task =
        CtrTask.build(MovieLensDataset.load(TinyMovieLens.write(tmp.resolve("ml"), 3)), 5);
    // users 1,2: 20 interactions -> 10 train, 5 valid, 5 test positives; user 3: 5 -> train only
    assertThat(task.test().positives()).isEqualTo(10);
    assertThat(task.valid().positives()).isEqualTo(10);
    assertThat(task.train().positives()).isEqualTo(25);
    // a negative for every positive that has an allowed item rated earlier by anyone
    assertThat(task.test().size() - task.test().positives())
        .isEqualTo(targetsWithAnAllowedEarlierItem(task, task.test()));
    assertThat(task.train().size() - task.train().positives())
        .isEqualTo(targetsWithAnAllowedEarlierItem(task, task.train()))
        .isGreaterThan(15);
    assertThat(task.trainPrefix(0)).isEqualTo(10);
    assertThat(task.trainPrefix(2)).isEqualTo(5);
    checkNoLeakage(task, task.train());
    checkNoLeakage(task, task.valid());
    checkNoLeakage(task, task.test());
  }

  @Test
  void sameTimestampBehaviorIsNotAFeature(@TempDir Path tmp) throws Exception {
    CtrTask task =
        CtrTask.build(MovieLensDataset.load(TinyMovieLens.write(tmp.resolve("ml"), 2)), 5);
    CtrTask.Samples s = task.train();
    // user 1's positives in order: the 4th (k=3) shares the 3rd's timestamp, so both see 2
    int[] ends = new int[5];
    int p = 0;
    for (int i = 0; i < s.size() && p < 5; i++) {
      if (s.traj[i] == 0 && s.label[i] == 1f) {
        ends[p++] = s.histEnd[i];
      }
    }
    assertThat(ends).containsExactly(0, 1, 2, 2, 4);
  }

  @Test
  void movieLensSmallTaskHasTheIssueSplit() {
    String dir = System.getProperty("tinstream.movielens.dir");
    assertThat(dir).as("system property tinstream.movielens.dir (set by surefire)").isNotNull();
    assertThat(Files.isDirectory(Path.of(dir))).as("MovieLens directory %s", dir).isTrue();
    CtrTask task = CtrTask.build(MovieLensDataset.load(Path.of(dir)), 42);
    assertThat(task.trajectories()).hasSize(610);
    assertThat(task.test().positives()).isEqualTo(610 * 5);
    assertThat(task.valid().positives()).isEqualTo(610 * 5);
    assertThat(task.train().positives() + task.valid().positives() + task.test().positives())
        .isEqualTo(100_836);
    checkNoLeakage(task, task.test());
  }

  @Test
  void negativesWereRatedBeforeTheTargetAndNotByTheUserTiny(@TempDir Path tmp) throws Exception {
    for (CtrTask.Split split : CtrTask.Split.values()) {
      CtrTask task =
          CtrTask.build(MovieLensDataset.load(TinyMovieLens.write(tmp.resolve("ml"), 3)), 5, split);
      for (CtrTask.Samples s : List.of(task.train(), task.valid(), task.test())) {
        checkNegatives(task, s);
      }
    }
  }

  @Test
  void negativesWereRatedBeforeTheTargetAndNotByTheUserMovieLens() {
    CtrTask task =
        CtrTask.build(
            MovieLensDataset.load(Path.of(System.getProperty("tinstream.movielens.dir"))), 42);
    for (CtrTask.Samples s : List.of(task.train(), task.valid(), task.test())) {
      checkNegatives(task, s);
    }
    // all but the few test targets among the very first ratings of the data get a negative
    assertThat(task.test().size() - task.test().positives())
        .isEqualTo(targetsWithAnAllowedEarlierItem(task, task.test()))
        .isGreaterThan(task.test().positives() * 99 / 100);
  }

  @Test
  void globalTimeSplitCutsAtTheTimeQuantiles(@TempDir Path tmp) throws Exception {
    MovieLensDataset data = MovieLensDataset.load(TinyMovieLens.write(tmp.resolve("ml"), 3));
    CtrTask task = CtrTask.build(data, 5, CtrTask.Split.GLOBAL_TIME);
    long[] times =
        data.ratings().stream().mapToLong(r -> r.timestampMillis() / 1000).sorted().toArray();
    int n = times.length; // 45
    long validFrom = times[(int) Math.floor(n * 0.8)];
    long testFrom = times[(int) Math.floor(n * 0.9)];
    for (int i = 0; i < task.train().size(); i++) {
      assertThat(task.train().timeSec[i]).isLessThan(validFrom);
    }
    for (int i = 0; i < task.valid().size(); i++) {
      assertThat(task.valid().timeSec[i]).isGreaterThanOrEqualTo(validFrom).isLessThan(testFrom);
    }
    for (int i = 0; i < task.test().size(); i++) {
      assertThat(task.test().timeSec[i]).isGreaterThanOrEqualTo(testFrom);
    }
    long inTest = Arrays.stream(times).filter(t -> t >= testFrom).count();
    long inValid = Arrays.stream(times).filter(t -> t >= validFrom && t < testFrom).count();
    assertThat(task.test().positives()).isEqualTo(inTest).isPositive();
    assertThat(task.valid().positives()).isEqualTo(inValid).isPositive();
    assertThat(task.train().positives()).isEqualTo(n - inTest - inValid);
    int prefixes = 0;
    for (int ti = 0; ti < task.trajectories().size(); ti++) {
      Trajectory t = task.trajectories().get(ti);
      int p = task.trainPrefix(ti);
      prefixes += p;
      for (int j = 0; j < t.length(); j++) {
        assertThat(t.timeSec()[j] < validFrom).isEqualTo(j < p);
      }
    }
    assertThat(prefixes).isEqualTo(task.train().positives());
    checkNoLeakage(task, task.test());
  }

  /**
   * Every negative was rated by someone strictly before its target, and never by the user up to
   * then.
   */
  private static void checkNegatives(CtrTask task, CtrTask.Samples s) {
    Map<Integer, Long> firstRated = new HashMap<>();
    for (Trajectory t : task.trajectories()) {
      for (int j = 0; j < t.length(); j++) {
        firstRated.merge(t.item()[j], t.timeSec()[j], Math::min);
      }
    }
    int negatives = 0;
    for (int i = 0; i < s.size(); i++) {
      if (s.label[i] != 0f) {
        continue;
      }
      negatives++;
      long time = s.timeSec[i];
      assertThat(firstRated.get(s.item[i]))
          .as("first rating of negative %d for a target at %d", s.item[i], time)
          .isLessThan(time);
      Trajectory t = task.trajectories().get(s.traj[i]);
      for (int j = 0; j < t.length() && t.timeSec()[j] <= time; j++) {
        assertThat(t.item()[j]).as("negative in the user's past").isNotEqualTo(s.item[i]);
      }
    }
    assertThat(negatives).isPositive();
  }

  /** Positives of {@code s} with an item rated before them by anyone that the user had not. */
  private static int targetsWithAnAllowedEarlierItem(CtrTask task, CtrTask.Samples s) {
    int count = 0;
    for (int i = 0; i < s.size(); i++) {
      if (s.label[i] != 1f) {
        continue;
      }
      long time = s.timeSec[i];
      Set<Integer> mine = new HashSet<>();
      Trajectory own = task.trajectories().get(s.traj[i]);
      for (int j = 0; j < own.length() && own.timeSec()[j] <= time; j++) {
        mine.add(own.item()[j]);
      }
      boolean any = false;
      for (Trajectory t : task.trajectories()) {
        for (int j = 0; j < t.length() && !any; j++) {
          any = t.timeSec()[j] < time && !mine.contains(t.item()[j]);
        }
      }
      count += any ? 1 : 0;
    }
    return count;
  }

  private static void checkNoLeakage(CtrTask task, CtrTask.Samples s) {
    for (int i = 0; i < s.size(); i++) {
      Trajectory t = task.trajectories().get(s.traj[i]);
      long time = s.timeSec[i];
      for (int j = 0; j < s.histEnd[i]; j++) {
        assertThat(t.timeSec()[j]).isLessThan(time);
      }
      if (s.histEnd[i] < t.length()) {
        assertThat(t.timeSec()[s.histEnd[i]]).isGreaterThanOrEqualTo(time);
      }
      if (s.label[i] == 0f) {
        Set<Integer> seen = new HashSet<>();
        for (int j = 0; j < t.length() && t.timeSec()[j] <= time; j++) {
          seen.add(t.item()[j]);
        }
        // the negative was never interacted with up to (and including) the target's time
        assertThat(seen).doesNotContain(s.item[i]);
      }
    }
  }
}
