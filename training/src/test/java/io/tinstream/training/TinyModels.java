package io.tinstream.training;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import java.util.Random;

/** Small real TF models and random batches on their vocabularies, for the training tests. */
public final class TinyModels {
  public static final String VARIANT = "tin";
  public static final int MAX_LEN = 6;
  private static final int ITEMS = 200;

  private TinyModels() {}

  /** A fresh model; every call with the same seed starts from the same weights. */
  public static CtrModel build() {
    return ModelRegistry.build(params().build());
  }

  /** The parameters of {@link #build}, for a test that changes one of them. */
  public static ModelParams.Builder params() {
    return ModelParams.builder()
        .variant(VARIANT)
        .dim(4)
        .rows(ModelParams.Field.ITEM, ITEMS)
        .rows(ModelParams.Field.CAT1, 8)
        .rows(ModelParams.Field.CAT2, 8)
        .rows(ModelParams.Field.CAT3, 8)
        .rows(ModelParams.Field.ACTION, 5)
        .rows(ModelParams.Field.SCENARIO, 4)
        .maxHistoryLength(MAX_LEN)
        .mlpLayers(8, 4)
        .seed(7);
  }

  /** A labelled batch whose items all come from {@code [fromItem, fromItem + 10)}. */
  public static Batch batch(long seed, int fromItem) {
    Random rnd = new Random(seed);
    int size = 8;
    Batch b = Batch.allocate(size, MAX_LEN, true);
    for (int r = 0; r < size; r++) {
      int len = 1 + rnd.nextInt(MAX_LEN);
      b.lengths[r] = len;
      for (int j = 0; j < MAX_LEN; j++) {
        int i = r * MAX_LEN + j;
        b.histItem[i] = fromItem + rnd.nextInt(10);
        b.histCat1[i] = rnd.nextInt(5);
        b.histCat2[i] = rnd.nextInt(5);
        b.histCat3[i] = rnd.nextInt(5);
        b.histAction[i] = rnd.nextInt(3);
        b.histScenario[i] = rnd.nextInt(2);
        b.histDeltaSec[i] = rnd.nextFloat() * 100_000f;
        b.histPosition[i] = j < len ? len - j : 0;
      }
      b.targetItem[r] = fromItem + rnd.nextInt(10);
      b.targetCat1[r] = rnd.nextInt(5);
      b.targetCat2[r] = rnd.nextInt(5);
      b.targetCat3[r] = rnd.nextInt(5);
      b.targetScenario[r] = rnd.nextInt(2);
      b.labels[r] = r % 2;
      b.userIds[r] = r;
    }
    return b;
  }

  /** A batch over every part of the vocabularies the training batches use, to compare scores. */
  public static Batch probe() {
    return batch(99, 0);
  }
}
