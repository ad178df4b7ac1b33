package io.tinstream.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
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
    assertThat(task.test().size()).isEqualTo(20);
    assertThat(task.train().size()).isEqualTo(50);
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
