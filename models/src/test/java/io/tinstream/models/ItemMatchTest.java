package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The item-match term lets a model learn "the ad's own item is in the history" from a few thousand
 * examples, which summed field embeddings cannot: every behavior here shares the target's
 * categories (as a hard search by category returns them), so only item identity separates clicks.
 */
class ItemMatchTest {
  private static final int LEN = 16;
  private static final int BATCH = 128;

  @Test
  void aModelWithTheItemMatchLearnsItemIdentityOneWithoutItDoesNot() {
    double with = aucAfterTraining(true);
    double without = aucAfterTraining(false);

    assertThat(with).as("AUC with the item match").isGreaterThan(0.9);
    assertThat(without).as("AUC without it (negative control)").isLessThan(0.7);
  }

  @Test
  void theTermIsAnInputOfTargetAwareLayersOnlyAndIsSavedWithTheWeights() {
    ModelParams tin = params("tin", true);
    try (CtrModel m = ModelRegistry.build(tin)) {
      assertThat(m.params().itemMatch()).isTrue();
    }
    assertThat(ModelRegistry.layer("tin").takesItemMatch()).isTrue();
    assertThat(ModelRegistry.layer("lrea").takesItemMatch()).isFalse();
    assertThat(ModelRegistry.layer("td-sasrec").takesItemMatch()).isFalse();
    assertThat(
            io.tinstream.models.internal.ModelParamsIO.fromProperties(
                    io.tinstream.models.internal.ModelParamsIO.toProperties(tin, 0))
                .itemMatch())
        .isTrue();
  }

  private static double aucAfterTraining(boolean itemMatch) {
    Random random = new Random(5);
    try (CtrModel model = ModelRegistry.build(params("tin", itemMatch))) {
      for (int step = 0; step < 800; step++) {
        model.trainStep(batch(random));
      }
      Batch test = batch(new Random(99));
      return TestBatches.auc(model.score(test), test.labels);
    }
  }

  private static ModelParams params(String variant, boolean itemMatch) {
    return ModelParams.builder()
        .variant(variant)
        .maxHistoryLength(LEN)
        .seed(3)
        .embeddingLearningRate(0.5f)
        .itemMatch(itemMatch)
        .threads(1, 1)
        .build();
  }

  /** Half the rows hold the target's item once among {@code LEN} behaviors; those are clicked. */
  private static Batch batch(Random random) {
    Batch b = Batch.allocate(BATCH, LEN, true);
    for (int r = 0; r < BATCH; r++) {
      int target = 1 + random.nextInt(20_000);
      int c1 = random.nextInt(20);
      int c2 = random.nextInt(100);
      int c3 = random.nextInt(200);
      boolean clicked = random.nextBoolean();
      int planted = random.nextInt(LEN);
      b.lengths[r] = LEN;
      for (int j = 0; j < LEN; j++) {
        int i = r * LEN + j;
        b.histItem[i] = clicked && j == planted ? target : 1 + random.nextInt(20_000);
        b.histCat1[i] = c1;
        b.histCat2[i] = c2;
        b.histCat3[i] = c3;
        b.histAction[i] = random.nextInt(4);
        b.histScenario[i] = 1;
        b.histDeltaSec[i] = (LEN - j) * 60f;
        b.histPosition[i] = LEN - j;
      }
      b.targetItem[r] = target;
      b.targetCat1[r] = c1;
      b.targetCat2[r] = c2;
      b.targetCat3[r] = c3;
      b.targetScenario[r] = 1;
      b.labels[r] = clicked ? 1f : 0f;
      b.userIds[r] = r;
    }
    return b;
  }
}
