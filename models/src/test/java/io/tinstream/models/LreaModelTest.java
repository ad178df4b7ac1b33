package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** LREA on a real TF session: absorption exactness, the pair API and the non-negativity loss. */
class LreaModelTest {
  private static final int L = 6;
  private static final int R = 3;

  private static ModelParams params(float lambda) {
    return TestBatches.tinyParams("lrea").toBuilder()
        .maxHistoryLength(L)
        .lreaRank(R)
        .lreaLambda(lambda)
        .build();
  }

  private static LreaModel build(float lambda) {
    return build(params(lambda));
  }

  private static LreaModel build(ModelParams p) {
    CtrModel m = ModelRegistry.build(p);
    assertThat(m).isInstanceOf(LreaModel.class);
    return (LreaModel) m;
  }

  /** Random values in [lo, hi). */
  private static float[] uniform(Random rnd, int n, float lo, float hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = lo + rnd.nextFloat() * (hi - lo);
    }
    return a;
  }

  /**
   * Non-negative embeddings and W_comp make E_comp ≥ 0; W_decomp ≥ 0; the target gates W_q, b_q and
   * W_o have both signs, so LeakyReLU is active on negative inputs in both paths.
   */
  private static void makeAbsorbable(LreaModel m, Random rnd) {
    TfCtrModel t = m.delegate();
    for (String table :
        new String[] {
          "emb_item", "emb_cat1", "emb_cat2", "emb_cat3", "emb_action", "emb_scenario"
        }) {
      t.write(table, uniform(rnd, t.read(table).length, 0f, 0.2f));
    }
    t.write("lrea_W_comp", uniform(rnd, L * R, 0f, 0.5f));
    t.write("lrea_W_decomp_T", uniform(rnd, L * R, 0f, 1f));
    t.write("lrea_W_q", uniform(rnd, t.read("lrea_W_q").length, -1f, 1f));
    t.write("lrea_b_q", uniform(rnd, t.read("lrea_b_q").length, -1f, 1f));
    t.write("lrea_W_o", uniform(rnd, t.read("lrea_W_o").length, -1f, 1f));
  }

  @Test
  void absorbedEqualsDecompressedWhenDecompAndCompAreNonNegative() {
    Random rnd = new Random(3);
    try (LreaModel m = build(0.3f)) {
      makeAbsorbable(m, rnd);
      Batch b = TestBatches.random(rnd, 64, L, 40);
      float[][] s = m.scoreBoth(b);
      for (int i = 0; i < b.size; i++) {
        assertThat(s[0][i]).as("row %d", i).isCloseTo(s[1][i], within(1e-5f));
      }
      // Not a constant model: scores spread over the batch.
      float min = 1f;
      float max = 0f;
      for (float v : s[0]) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertThat(max - min).isGreaterThan(0.01f);
    }
  }

  @Test
  void pathsDifferOnceWDecompHasNegativeEntries() {
    Random rnd = new Random(4);
    try (LreaModel m = build(0.3f)) {
      makeAbsorbable(m, rnd);
      m.delegate().write("lrea_W_decomp_T", uniform(rnd, L * R, -1f, 1f));
      Batch b = TestBatches.random(rnd, 64, L, 40);
      float[][] s = m.scoreBoth(b);
      double gap = 0;
      for (int i = 0; i < b.size; i++) {
        gap += Math.abs(s[0][i] - s[1][i]);
      }
      assertThat(gap / b.size).isGreaterThan(1e-4);
    }
  }

  @Test
  void pairMatchesPlainJavaCompressionAndScoresLikeTheInGraphAbsorbedPath() {
    Random rnd = new Random(5);
    try (LreaModel m = build(0.3f)) {
      makeAbsorbable(m, rnd);
      m.delegate().write("lrea_W_decomp_T", uniform(rnd, L * R, -1f, 1f));
      Batch b = TestBatches.random(rnd, 8, L, 40);
      LreaModel.Pair[] pairs = m.buildPairs(b);
      ModelParams p = m.params();
      int d = p.dim();
      float[] wComp = m.delegate().read("lrea_W_comp");
      float[] wDecT = m.delegate().read("lrea_W_decomp_T");
      for (int u = 0; u < b.size; u++) {
        // Reference: slot j of a left-aligned history is the (len - j)-th most recent behavior.
        float[] comp = new float[d * R];
        float[] aux = new float[d * R];
        for (int j = 0; j < b.lengths[u]; j++) {
          float[] e = embedding(m, b, u * L + j);
          int row = b.lengths[u] - j - 1;
          for (int k = 0; k < d; k++) {
            for (int c = 0; c < R; c++) {
              comp[k * R + c] += e[k] * wComp[row * R + c];
              aux[k * R + c] += e[k] * wDecT[row * R + c];
            }
          }
        }
        assertThat(pairs[u].length()).isEqualTo(b.lengths[u]);
        for (int i = 0; i < d * R; i++) {
          assertThat(pairs[u].eComp()[i]).isCloseTo(comp[i], within(1e-4f));
          assertThat(pairs[u].eAux()[i]).isCloseTo(aux[i], within(1e-4f));
        }
      }
      // Scoring from the stored pair alone equals the in-graph absorbed score for the same row,
      // for several candidates at once (the pair broadcasts).
      float[] inGraph = m.score(b);
      for (int u = 0; u < b.size; u++) {
        Batch candidates = candidatesLike(b, u, 3);
        float[] fromPair = m.scoreFromPair(pairs[u], candidates);
        assertThat(fromPair).hasSize(3);
        for (float v : fromPair) {
          assertThat(v).isCloseTo(inGraph[u], within(1e-5f));
        }
      }
      assertThat(m.pairFloats()).isEqualTo(2 * d * R);
    }
  }

  @Test
  void nonNegativityLossShrinksTheGapWhileTraining() {
    Random data = new Random(11);
    Batch[] batches = new Batch[8];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = TestBatches.random(data, 64, L, 40);
    }
    double[] gaps = new double[2];
    float[] lambdas = {0f, 5f};
    for (int k = 0; k < 2; k++) {
      try (LreaModel m = build(params(lambdas[k]).toBuilder().learningRate(0.02f).build())) {
        // Start both runs from the same weights with negative W_decomp entries.
        m.delegate().write("lrea_W_decomp_T", uniform(new Random(9), L * R, -1f, 1f));
        for (int step = 0; step < 150; step++) {
          float loss = m.trainStep(batches[step % batches.length]);
          assertThat(loss).isFinite();
        }
        gaps[k] = m.meanScoreGap(java.util.List.of(batches));
        float minDecomp = Float.MAX_VALUE;
        for (float v : m.delegate().read("lrea_W_decomp_T")) {
          minDecomp = Math.min(minDecomp, v);
        }
        if (lambdas[k] > 0) {
          assertThat(minDecomp).isGreaterThan(-0.2f);
        }
      }
    }
    assertThat(gaps[1]).isLessThan(gaps[0]);
  }

  private static float[] embedding(LreaModel m, Batch b, int i) {
    ModelParams p = m.params();
    TfCtrModel t = m.delegate();
    int d = p.dim();
    float[] e = new float[d];
    add(
        e,
        t.read("emb_item"),
        FeatureEncoding.hashRow(b.histItem[i], p.rows(ModelParams.Field.ITEM)),
        d);
    add(
        e,
        t.read("emb_cat1"),
        FeatureEncoding.hashRow(b.histCat1[i], p.rows(ModelParams.Field.CAT1)),
        d);
    add(
        e,
        t.read("emb_cat2"),
        FeatureEncoding.hashRow(b.histCat2[i], p.rows(ModelParams.Field.CAT2)),
        d);
    add(
        e,
        t.read("emb_cat3"),
        FeatureEncoding.hashRow(b.histCat3[i], p.rows(ModelParams.Field.CAT3)),
        d);
    add(
        e,
        t.read("emb_action"),
        FeatureEncoding.hashRow(b.histAction[i], p.rows(ModelParams.Field.ACTION)),
        d);
    add(
        e,
        t.read("emb_scenario"),
        FeatureEncoding.hashRow(b.histScenario[i], p.rows(ModelParams.Field.SCENARIO)),
        d);
    return e;
  }

  private static void add(float[] e, float[] table, int row, int d) {
    for (int k = 0; k < d; k++) {
      e[k] += table[row * d + k];
    }
  }

  /** {@code n} candidate rows that repeat row {@code u}'s target, with empty histories. */
  private static Batch candidatesLike(Batch b, int u, int n) {
    Batch c = Batch.allocate(n, 1, false);
    for (int i = 0; i < n; i++) {
      c.targetItem[i] = b.targetItem[u];
      c.targetCat1[i] = b.targetCat1[u];
      c.targetCat2[i] = b.targetCat2[u];
      c.targetCat3[i] = b.targetCat3[u];
      c.targetScenario[i] = b.targetScenario[u];
    }
    return c;
  }
}
