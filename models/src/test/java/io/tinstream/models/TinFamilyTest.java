package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.internal.ParamStore;
import io.tinstream.models.layers.DareLayer;
import io.tinstream.models.layers.DecoupledPeLayer;
import io.tinstream.models.layers.InterestLayer;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.models.layers.StackedTinLayer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The TIN-family variants beyond TIN itself: shapes, masking, DARE isolation, TD-SASRec heads,
 * STIN-1 = TIN, TdPE/dPE (the top-K itself: {@link DareTopKTest}).
 */
class TinFamilyTest {
  static final List<String> MODELS =
      List.of(
          "sim",
          "tin-hard-search",
          "twin",
          "dare",
          "dare-half",
          "dsi_sum",
          "dsi_concat",
          "tdpe",
          "dpe",
          "stin-1",
          "stin-2",
          "stin-3",
          "stin-4",
          "td-sasrec",
          "sasrec",
          "sasrec-latest");

  static ModelParams params(String variant) {
    // K = 3 < L = 6: DARE/TWIN really drop behaviors.
    return TestBatches.tinyParams(variant).toBuilder().maxHistoryLength(3).categorySlots(4).build();
  }

  private static float[] scramblePadding(Batch b, Random rnd) {
    for (int r = 0; r < b.size; r++) {
      for (int j = b.lengths[r]; j < b.maxLen; j++) {
        int i = r * b.maxLen + j;
        b.histItem[i] = rnd.nextInt(40);
        b.histCat1[i] = rnd.nextInt(5);
        b.histAction[i] = rnd.nextInt(3);
        b.histDeltaSec[i] = rnd.nextFloat() * 1000f;
        b.histPosition[i] = 1 + rnd.nextInt(5);
      }
    }
    return null;
  }

  @Test
  void everyModelIsRegisteredTrainsAndIgnoresPadding() {
    for (String name : MODELS) {
      assertThat(ModelRegistry.names()).contains(name);
      Random rnd = new Random(11);
      Batch batch = TestBatches.random(rnd, 8, 6, 40);
      try (CtrModel m = ModelRegistry.build(params(name))) {
        float[] s = m.score(batch);
        assertThat(s).as(name).hasSize(8);
        for (float v : s) {
          assertThat(v).as(name).isBetween(0f, 1f);
        }
        scramblePadding(batch, rnd);
        assertThat(m.score(batch)).as(name + " padding must not matter").containsExactly(s);
        float first = m.trainStep(batch);
        float last = first;
        for (int i = 0; i < 30; i++) {
          last = m.trainStep(batch);
        }
        assertThat(last).as(name + " fits a fixed batch").isLessThan(first);
        assertThat(m.score(batch)).as(name).doesNotContain(Float.NaN);
      }
    }
  }

  @Test
  void dareGradientsAreIsolatedAndTwinsAreNot() {
    Batch batch = TestBatches.random(new Random(3), 8, 6, 40);
    // K = L: every behavior is kept, so perturbing A can only reorder the kept set, which the
    // comparison ignores (with K < L, A legitimately changes which behaviors are kept).
    ModelParams all = params("dare").toBuilder().maxHistoryLength(6).build();
    try (TfCtrModel dare = (TfCtrModel) ModelRegistry.build(all);
        TfCtrModel twin =
            (TfCtrModel) ModelRegistry.build(all.toBuilder().variant("twin").build())) {
      float[] alpha = dare.output(DareLayer.OUT_ALPHA, batch);
      float[] rep = dare.output(DareLayer.OUT_REPRESENTATION, batch);
      // Perturb every attention table: the representation path must not move at all.
      for (String t : List.of("item", "cat1", "cat2", "cat3", "action", "P_pos", "P_dt")) {
        perturb(dare, DareLayer.ATTENTION_PREFIX + t, 0.5f);
      }
      assertThat(keptRows(dare.output(DareLayer.OUT_REPRESENTATION, batch), 8, 6))
          .isEqualTo(keptRows(rep, 8, 6));
      assertThat(dare.output(DareLayer.OUT_ALPHA, batch)).isNotEqualTo(alpha);
      float[] alpha2 = dare.output(DareLayer.OUT_ALPHA, batch);
      float[] rep2 = dare.output(DareLayer.OUT_REPRESENTATION, batch);
      // Perturb every representation table: attention must not move at all.
      for (String t : List.of("emb_item", "emb_cat1", "emb_cat2", "emb_action", "P_pos", "P_dt")) {
        perturb(dare, t, 0.5f);
      }
      assertThat(dare.output(DareLayer.OUT_ALPHA, batch)).containsExactly(alpha2);
      assertThat(dare.output(DareLayer.OUT_REPRESENTATION, batch)).isNotEqualTo(rep2);
      // Both tables do learn: the loss has gradient w.r.t. each (A only through α).
      Map<String, float[]> g = dare.gradients(batch);
      assertThat(maxAbs(g.get("dare_A_item"))).isGreaterThan(0f);
      assertThat(maxAbs(g.get("emb_item"))).isGreaterThan(0f);
      // The attention table is narrower only in dare-half.
      assertThat(g.get("dare_A_item")).hasSize(40 * 4);

      // TWIN shares one table: perturbing it moves attention and representation together.
      float[] tAlpha = twin.output(DareLayer.OUT_ALPHA, batch);
      float[] tRep = twin.output(DareLayer.OUT_REPRESENTATION, batch);
      perturb(twin, "emb_item", 0.5f);
      assertThat(twin.output(DareLayer.OUT_ALPHA, batch)).isNotEqualTo(tAlpha);
      assertThat(twin.output(DareLayer.OUT_REPRESENTATION, batch)).isNotEqualTo(tRep);
    }
    try (TfCtrModel half = (TfCtrModel) ModelRegistry.build(params("dare-half"))) {
      assertThat(half.read("dare_A_item")).hasSize(40 * 2);
    }
  }

  @Test
  void dareAttentionIsADistributionOverTheKeptBehaviors() {
    Batch batch = TestBatches.random(new Random(4), 8, 6, 40);
    try (TfCtrModel dare = (TfCtrModel) ModelRegistry.build(params("dare"))) {
      float[] alpha = dare.output(DareLayer.OUT_ALPHA, batch);
      int k = 3;
      assertThat(alpha).hasSize(8 * k);
      for (int r = 0; r < 8; r++) {
        float sum = 0;
        for (int j = 0; j < k; j++) {
          sum += alpha[r * k + j];
        }
        // Rows with >= 1 behavior are a distribution over the kept ones; the empty row is 0.
        assertThat(sum).isCloseTo(batch.lengths[r] == 0 ? 0f : 1f, within(1e-5f));
      }
    }
  }

  @Test
  void tdSasRecScoreUsesOnlyTheTargetCategoryHead() {
    ModelParams p = params("td-sasrec");
    Batch batch = TestBatches.random(new Random(5), 8, 6, 40);
    java.util.Arrays.fill(batch.targetCat1, 2);
    int slot = CategorySlots.slot(2, p.categorySlots());
    int heads = p.categorySlots() + 1;
    int d = p.dim();
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
      m.trainStep(batch);
      float[] s = m.score(batch);
      float[] w = m.read(SasRecLayer.HEADS_W);
      assertThat(w).hasSize(d * heads * d);
      Random rnd = new Random(9);
      float[] other = w.clone();
      for (int row = 0; row < d; row++) {
        for (int h = 0; h < heads; h++) {
          if (h != slot) {
            for (int c = 0; c < d; c++) {
              other[row * heads * d + h * d + c] += (float) rnd.nextGaussian();
            }
          }
        }
      }
      m.write(SasRecLayer.HEADS_W, other);
      assertThat(m.score(batch)).containsExactly(s);
      float[] own = other.clone();
      for (int row = 0; row < d; row++) {
        own[row * heads * d + slot * d] += 1f;
      }
      m.write(SasRecLayer.HEADS_W, own);
      assertThat(m.score(batch)).isNotEqualTo(s);
      // The retrieval path agrees with the graph: u_slot · e_a + b through the cached heads.
      float[] users = m.output(SasRecLayer.OUT_USER_HEADS, batch);
      float[] ads = m.output(SasRecLayer.OUT_AD_VECTOR, batch);
      float b = m.read("sas_b")[0];
      float[] probs = m.score(batch);
      for (int r = 0; r < batch.size; r++) {
        UserHeadCache cache =
            new UserHeadCache(
                m.version(),
                batch.lengths[r],
                heads,
                java.util.Arrays.copyOfRange(users, r * heads * d, (r + 1) * heads * d));
        float logit = cache.score(slot, ads, r * d) + b;
        assertThat(probs[r]).isCloseTo((float) (1 / (1 + Math.exp(-logit))), within(1e-5f));
        assertThat(cache.isFreshFor(m.version(), batch.lengths[r])).isTrue();
        assertThat(cache.isFreshFor(m.version() + 1, batch.lengths[r])).isFalse();
      }
    }
  }

  @Test
  void stackedTinDepthOneIsTinOnTheSameWeights() {
    ModelParams tinP = params("tin").toBuilder().projections(true).build();
    Batch batch = TestBatches.random(new Random(6), 8, 6, 40);
    try (TfCtrModel tin = (TfCtrModel) ModelRegistry.build(tinP);
        TfCtrModel stin1 =
            (TfCtrModel) ModelRegistry.build(tinP.toBuilder().variant("stin-1").build());
        TfCtrModel stin2 =
            (TfCtrModel) ModelRegistry.build(tinP.toBuilder().variant("stin-2").build())) {
      Random rnd = new Random(8);
      for (String w : List.of("tin_W_q", "tin_W_u", "tin_W_k", "tin_W_v")) {
        float[] v = tin.read(w);
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) rnd.nextGaussian() * 0.3f;
        }
        tin.write(w, v);
      }
      tin.trainStep(batch); // every table and MLP weight moves away from its init
      assertThat(stin1.variableNames()).containsExactlyInAnyOrderElementsOf(tin.variableNames());
      for (String n : tin.variableNames()) {
        stin1.write(n, tin.read(n));
      }
      float[] a = tin.score(batch);
      float[] b = stin1.score(batch);
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).isCloseTo(a[i], within(1e-6f));
      }
      for (String n : tin.variableNames()) {
        stin2.write(n, tin.read(n));
      }
      assertThat(stin2.score(batch)).isNotEqualTo(a); // layer 2 re-queries with h^1 + ṽ_t
    }
  }

  @Test
  void tdpeUsesOnePerCategoryTargetRowAndDpePerCategoryTablesOnBothSides() {
    ModelParams tdpeP = params("tdpe");
    Batch batch = TestBatches.random(new Random(7), 8, 6, 40);
    java.util.Arrays.fill(batch.targetCat1, 1);
    int slot = CategorySlots.slot(1, tdpeP.categorySlots());
    int d = tdpeP.dim();
    int slots = tdpeP.categorySlots() + 1;
    try (TfCtrModel tdpe = (TfCtrModel) ModelRegistry.build(tdpeP)) {
      Map<String, float[]> g = tdpe.gradients(batch);
      float[] p0 = g.get(DecoupledPeLayer.TDPE_TARGET_TABLE);
      assertThat(p0).hasSize(slots * d);
      for (int row = 0; row < slots; row++) {
        float m = maxAbs(java.util.Arrays.copyOfRange(p0, row * d, (row + 1) * d));
        if (row == slot) {
          assertThat(m).isGreaterThan(0f);
        } else {
          assertThat(m).isZero();
        }
      }
      // Behaviors share P_pos/P_dt; the target no longer uses their row 0.
      float[] pos = g.get("P_pos");
      assertThat(maxAbs(java.util.Arrays.copyOfRange(pos, 0, d))).isZero();
      assertThat(maxAbs(pos)).isGreaterThan(0f);
    }
    ModelParams dpeP = params("dpe");
    int pb = dpeP.positionBuckets();
    int tb = dpeP.timeBuckets();
    try (TfCtrModel dpe = (TfCtrModel) ModelRegistry.build(dpeP)) {
      Map<String, float[]> g = dpe.gradients(batch);
      assertThat(g).doesNotContainKeys("P_pos", "P_dt");
      float[] pos = g.get(DecoupledPeLayer.DPE_POS_TABLE);
      float[] dt = g.get(DecoupledPeLayer.DPE_DT_TABLE);
      assertThat(pos).hasSize(slots * pb * d);
      assertThat(dt).hasSize(slots * tb * d);
      for (int row = 0; row < slots * pb; row++) {
        float m = maxAbs(java.util.Arrays.copyOfRange(pos, row * d, (row + 1) * d));
        if (row / pb != slot) {
          assertThat(m).as("P_pos row %d of another category", row).isZero();
        }
      }
      // The target's row 0 and behavior rows of its category both learn.
      assertThat(maxAbs(java.util.Arrays.copyOfRange(pos, slot * pb * d, (slot * pb + 1) * d)))
          .isGreaterThan(0f);
      assertThat(
              maxAbs(java.util.Arrays.copyOfRange(pos, (slot * pb + 1) * d, (slot + 1) * pb * d)))
          .isGreaterThan(0f);
      for (int row = 0; row < slots * tb; row++) {
        if (row / tb != slot) {
          assertThat(maxAbs(java.util.Arrays.copyOfRange(dt, row * d, (row + 1) * d))).isZero();
        }
      }
    }
  }

  /** Per batch row, the multiset of kept {@code [d]} vectors (order-free). */
  private static List<List<String>> keptRows(float[] x, int b, int k) {
    int d = x.length / (b * k);
    List<List<String>> out = new java.util.ArrayList<>();
    for (int r = 0; r < b; r++) {
      List<String> rows = new java.util.ArrayList<>();
      for (int j = 0; j < k; j++) {
        int o = (r * k + j) * d;
        rows.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(x, o, o + d)));
      }
      java.util.Collections.sort(rows);
      out.add(rows);
    }
    return out;
  }

  @Test
  void searchAndTwoTowerModelsServeFromASavedModel(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    Batch batch = TestBatches.random(new Random(12), 8, 6, 40);
    for (String name : List.of("dare-half", "td-sasrec", "dpe")) {
      try (CtrModel m = ModelRegistry.build(params(name))) {
        m.trainStep(batch);
        java.nio.file.Path dir = tmp.resolve(name);
        m.exportSavedModel(dir);
        try (SavedModelScorer s = SavedModelScorer.load(dir)) {
          assertThat(s.params().categorySlots()).isEqualTo(4);
          float[] want = m.score(batch);
          float[] got = s.score(batch);
          for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as(name).isCloseTo(want[i], within(1e-6f));
          }
        }
      }
    }
  }

  @Test
  void stackedTinTwoMatchesAPlainJavaReference() {
    int b = 2;
    int l = 3;
    int d = 3;
    Random rnd = new Random(21);
    float[] e = new float[b * l * d];
    float[] vt = new float[b * d];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < vt.length; i++) {
      vt[i] = (float) rnd.nextGaussian();
    }
    float[] mask = {1, 1, 0, 1, 1, 1}; // row 0 has 2 behaviors
    ModelParams p = TestBatches.tinyParams("stin-2").toBuilder().dim(d).build();
    float[] got;
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      InterestLayer.Inputs in =
          new InterestLayer.Inputs(
              tf.constant(
                  org.tensorflow.ndarray.Shape.of(b, l, d),
                  org.tensorflow.ndarray.buffer.DataBuffers.of(e, true, false)),
              tf.constant(
                  org.tensorflow.ndarray.Shape.of(b, d),
                  org.tensorflow.ndarray.buffer.DataBuffers.of(vt, true, false)),
              tf.constant(
                  org.tensorflow.ndarray.Shape.of(b, l),
                  org.tensorflow.ndarray.buffer.DataBuffers.of(mask, true, false)));
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> out =
          new StackedTinLayer(2).build(tf, new ParamStore(1), p, in);
      try (org.tensorflow.Session s = new org.tensorflow.Session(g);
          org.tensorflow.Result r = s.runner().fetch(out).run()) {
        got = new float[b * d];
        ((org.tensorflow.types.TFloat32) r.get(0))
            .copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(got, false, false));
      }
    }
    for (int r = 0; r < b; r++) {
      double[] q = new double[d];
      for (int c = 0; c < d; c++) {
        q[c] = vt[r * d + c];
      }
      double[] h = null;
      for (int layer = 1; layer <= 2; layer++) {
        double[] query = q.clone();
        if (layer > 1) {
          for (int c = 0; c < d; c++) {
            query[c] = h[c] + vt[r * d + c]; // residual query
          }
        }
        double[] logit = new double[l];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < l; i++) {
          if (mask[r * l + i] == 0) {
            continue;
          }
          for (int c = 0; c < d; c++) {
            logit[i] += query[c] * e[(r * l + i) * d + c];
          }
          logit[i] /= Math.sqrt(d);
          max = Math.max(max, logit[i]);
        }
        double z = 0;
        for (int i = 0; i < l; i++) {
          z += mask[r * l + i] == 0 ? 0 : Math.exp(logit[i] - max);
        }
        h = new double[d];
        for (int i = 0; i < l; i++) {
          if (mask[r * l + i] == 0) {
            continue;
          }
          double alpha = Math.exp(logit[i] - max) / z;
          for (int c = 0; c < d; c++) {
            h[c] += alpha * e[(r * l + i) * d + c] * query[c];
          }
        }
      }
      for (int c = 0; c < d; c++) {
        assertThat(got[r * d + c]).isCloseTo((float) h[c], within(1e-5f));
      }
    }
  }

  private static void perturb(TfCtrModel m, String var, float scale) {
    float[] v = m.read(var);
    Random rnd = new Random(var.hashCode());
    for (int i = 0; i < v.length; i++) {
      v[i] += (float) rnd.nextGaussian() * scale;
    }
    m.write(var, v);
  }

  private static float maxAbs(float[] a) {
    float m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
