package io.tinstream.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.training.data.MovieLensDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemKnnTest {

  /**
   * Ten ratings, split by global time: the first eight train, user 4's movie 1 validation, its
   * movie 2 test. Training adjacencies: (1,2) twice, (2,3), (2,4), (5,6); counts n1 = n2 = 2.
   */
  @Test
  void cosineOfAdjacentTrainingPairsScoresTheLatestBehaviors(@TempDir Path dir) throws Exception {
    StringBuilder movies = new StringBuilder("movieId,title,genres\n");
    for (int m = 1; m <= 6; m++) {
      movies.append(m).append(",M").append(m).append(" (2000),Drama\n");
    }
    Files.writeString(dir.resolve("movies.csv"), movies);
    Files.writeString(
        dir.resolve("ratings.csv"),
        "userId,movieId,rating,timestamp\n"
            + "1,1,4.0,100\n1,2,4.0,110\n1,3,4.0,120\n"
            + "2,1,4.0,130\n2,2,4.0,140\n2,4,4.0,150\n"
            + "3,5,4.0,160\n3,6,4.0,170\n"
            + "4,1,4.0,180\n4,2,4.0,190\n");
    CtrTask task = CtrTask.build(MovieLensDataset.load(dir), 3, CtrTask.Split.GLOBAL_TIME);
    assertThat(task.train().positives()).isEqualTo(8);
    assertThat(task.test().positives()).isEqualTo(1);

    ItemKnn knn = ItemKnn.fit(task);
    assertThat(knn.similarity(1, 2)).isCloseTo(1.0, within(1e-9));
    assertThat(knn.similarity(2, 1)).isCloseTo(1.0, within(1e-9));
    // user 4's (1,2) is not training: n2 stays 2, so 1/sqrt(2), not 1/sqrt(3)
    assertThat(knn.similarity(2, 3)).isCloseTo(1 / Math.sqrt(2), within(1e-9));
    assertThat(knn.similarity(5, 6)).isCloseTo(1.0, within(1e-9));
    assertThat(knn.similarity(1, 3)).isZero();
    assertThat(knn.similarity(3, 4)).isZero();

    CtrTask.Samples test = task.test();
    for (int i = 0; i < test.size(); i++) {
      // the history of user 4's test target is [1]: positive 2 scores sim(2,1), any negative 0
      double expected = test.label[i] == 1f ? 1.0 : 0.0;
      assertThat(knn.score(test, i)).isCloseTo(expected, within(1e-9));
    }
    OfflineEvaluator.Run run = ItemKnn.run(task);
    assertThat(run.model()).isEqualTo(ItemKnn.NAME);
    assertThat(run.test().auc()).isEqualTo(1.0);
    assertThat(run.valid().auc()).isEqualTo(0.5); // empty history: every score is 0
    assertThat(run.test().logLoss()).isNaN();
  }
}
