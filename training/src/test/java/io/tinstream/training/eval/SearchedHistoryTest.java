package io.tinstream.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.layers.InterestLayer;
import io.tinstream.training.batch.Trajectory;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.features.HistorySelector;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval task feeds search models the state module's search over the whole past. */
class SearchedHistoryTest {

  @Test
  void hardSearchTakesTheTargetsCategoryFromTheWholePastWithTruePositions(@TempDir Path tmp)
      throws Exception {
    CtrTask task = CtrTask.build(MovieLensDataset.load(TinyMovieLens.write(tmp, 4)), 1);
    int k = 3;
    CtrTask.Samples s = task.test();
    List<Batch> latest = task.batches(s, CtrTask.identity(s.size()), 64, k);
    List<Batch> sim =
        task.batches(
            s,
            CtrTask.identity(s.size()),
            64,
            new HistorySelector(HistorySelector.Kind.SIM_SEARCH, k));
    Batch l = latest.get(0);
    Batch h = sim.get(0);
    int differs = 0;
    for (int r = 0; r < h.size; r++) {
      assertThat(h.lengths[r]).isEqualTo(l.lengths[r]); // K behaviors either way
      int sameCat = 0;
      for (int j = 0; j < h.lengths[r]; j++) {
        int i = r * k + j;
        sameCat += h.histCat1[i] == h.targetCat1[r] ? 1 : 0;
        if (j > 0) {
          assertThat(h.histPosition[i]).isLessThan(h.histPosition[i - 1]); // chronological
        }
        if (h.histItem[i] != l.histItem[i]) {
          differs++;
        }
      }
      // SIM takes every same-category behavior of the past (most recent first) before the latest.
      Trajectory t = task.trajectories().get(task.trajectoryOf(s, r));
      int available = 0;
      for (int j = 0; j < task.historyEnd(s, r); j++) {
        available += t.cat1()[j] == h.targetCat1[r] ? 1 : 0;
      }
      assertThat(sameCat).isEqualTo(Math.min(k, available));
      // Positions are true distances to the target, not 1..K.
      for (int j = 0; j < h.lengths[r]; j++) {
        int i = r * k + j;
        int pos = h.histPosition[i];
        assertThat(t.item()[task.historyEnd(s, r) - pos]).isEqualTo(h.histItem[i]);
      }
    }
    assertThat(differs).as("search must differ from latest-K somewhere").isPositive();
  }

  @Test
  void everySearchingModelIsRegisteredWithItsHistory() {
    assertThat(ModelRegistry.layer("sim").history()).isEqualTo(InterestLayer.History.SIM_SEARCH);
    assertThat(ModelRegistry.layer("tin-hard-search").history())
        .isEqualTo(InterestLayer.History.HIERARCHICAL_SEARCH);
    assertThat(ModelRegistry.layer("dare").history()).isEqualTo(InterestLayer.History.FULL);
    assertThat(ModelRegistry.layer("twin").history()).isEqualTo(InterestLayer.History.FULL);
    assertThat(ModelRegistry.layer("td-sasrec").history())
        .isEqualTo(InterestLayer.History.STRATIFIED);
    assertThat(ModelRegistry.layer("sasrec-latest").history())
        .isEqualTo(InterestLayer.History.LATEST);
    assertThat(ModelRegistry.layer("lrea").history()).isEqualTo(InterestLayer.History.LATEST);
    assertThat(ModelRegistry.layer("tin").history())
        .isEqualTo(InterestLayer.History.DEPLOYMENT_DEFAULT);
    assertThat(ModelParams.builder().build().categorySlots()).isPositive();
  }
}
