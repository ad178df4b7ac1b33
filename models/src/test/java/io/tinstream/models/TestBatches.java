package io.tinstream.models;

import java.util.Random;

/** Random batches on tiny vocabularies for tests. */
final class TestBatches {
  private TestBatches() {}

  static ModelParams tinyParams(String variant) {
    return ModelParams.builder()
        .variant(variant)
        .dim(4)
        .rows(ModelParams.Field.ITEM, 40)
        .rows(ModelParams.Field.CAT1, 8)
        .rows(ModelParams.Field.CAT2, 8)
        .rows(ModelParams.Field.CAT3, 8)
        .rows(ModelParams.Field.ACTION, 5)
        .rows(ModelParams.Field.SCENARIO, 4)
        .positionBuckets(6)
        .timeBuckets(8)
        .mlpLayers(8, 4)
        .dinAttentionHidden(6)
        .embeddingInitStd(0.3f)
        .seed(7)
        .build();
  }

  /** Random batch; row 0 always has an empty history. */
  static Batch random(Random rnd, int size, int maxLen, int items) {
    Batch b = Batch.allocate(size, maxLen, true);
    for (int r = 0; r < size; r++) {
      int len = r == 0 ? 0 : 1 + rnd.nextInt(maxLen);
      b.lengths[r] = len;
      for (int j = 0; j < maxLen; j++) {
        int i = r * maxLen + j;
        b.histItem[i] = rnd.nextInt(items);
        b.histCat1[i] = rnd.nextInt(5);
        b.histCat2[i] = rnd.nextInt(5);
        b.histCat3[i] = rnd.nextInt(5);
        b.histAction[i] = rnd.nextInt(3);
        b.histScenario[i] = rnd.nextInt(2);
        b.histDeltaSec[i] = rnd.nextFloat() * 100_000f;
        b.histPosition[i] = j < len ? len - j : 0;
      }
      b.targetItem[r] = rnd.nextInt(items);
      b.targetCat1[r] = rnd.nextInt(5);
      b.targetCat2[r] = rnd.nextInt(5);
      b.targetCat3[r] = rnd.nextInt(5);
      b.targetScenario[r] = rnd.nextInt(2);
      b.labels[r] = rnd.nextBoolean() ? 1f : 0f;
      b.userIds[r] = r;
    }
    return b;
  }

  /** AUC by pair counting (ties count half); tiny reference for model tests. */
  static double auc(float[] scores, float[] labels) {
    double pairs = 0;
    double good = 0;
    for (int i = 0; i < scores.length; i++) {
      if (labels[i] != 1f) {
        continue;
      }
      for (int j = 0; j < scores.length; j++) {
        if (labels[j] != 0f) {
          continue;
        }
        pairs++;
        if (scores[i] > scores[j]) {
          good++;
        } else if (scores[i] == scores[j]) {
          good += 0.5;
        }
      }
    }
    return good / pairs;
  }
}
