package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.embedding.IdRowPolicy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfCtrModelTest {

  @Test
  void everyVariantScoresFiniteIncludingEmptyHistory() {
    for (String v : new String[] {"pool", "din", "tin"}) {
      try (CtrModel m = ModelRegistry.build(TestBatches.tinyParams(v))) {
        Batch b = TestBatches.random(new Random(1), 6, 5, 30);
        assertThat(b.lengths[0]).isZero();
        float[] s = m.score(b);
        assertThat(s).hasSize(6);
        for (float x : s) {
          assertThat(x).isBetween(0f, 1f);
        }
        float loss = m.trainStep(b);
        assertThat(Float.isFinite(loss)).isTrue();
        assertThat(m.version()).isEqualTo(1);
      }
    }
  }

  @Test
  void unknownVariantIsAClearError() {
    assertThatThrownBy(() -> ModelRegistry.build(TestBatches.tinyParams("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown model 'nope'");
  }

  @Test
  void everyFieldsReservedRowStaysZeroThroughTraining() {
    // TestBatches leave the side-info fields unknown: each of their tables is gathered at its
    // reserved row on every behavior and target of every step.
    for (String v : new String[] {"tin", "dsi_concat", "dare"}) {
      try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(TestBatches.tinyParams(v))) {
        Random rnd = new Random(4);
        for (int i = 0; i < 5; i++) {
          m.trainStep(TestBatches.random(rnd, 8, 5, 30));
        }
        for (String name : m.variableNames()) {
          if (name.startsWith("emb_") && !name.contains("/")) {
            float[] t = m.read(name);
            int d = m.params().dim();
            assertThat(Arrays.copyOf(t, d)).as("%s %s row 0", v, name).containsOnly(0f);
          }
        }
      }
    }
  }

  @Test
  void paddedPositionsChangeNothing() {
    for (String v : new String[] {"pool", "din", "tin"}) {
      try (CtrModel m = ModelRegistry.build(TestBatches.tinyParams(v))) {
        Batch a = TestBatches.random(new Random(3), 6, 5, 30);
        Batch b = TestBatches.random(new Random(3), 6, 5, 30);
        Random rnd = new Random(99);
        for (int r = 0; r < b.size; r++) {
          for (int j = b.lengths[r]; j < b.maxLen; j++) {
            int i = r * b.maxLen + j;
            b.histItem[i] = rnd.nextInt(30);
            b.histCat1[i] = rnd.nextInt(5);
            b.histAction[i] = rnd.nextInt(3);
            b.histDeltaSec[i] = rnd.nextFloat() * 1e6f;
            b.histPosition[i] = 1 + rnd.nextInt(5);
          }
        }
        assertThat(m.score(b)).containsExactly(m.score(a));
        // and a real position does matter (the test can fail)
        b.histItem[1 * b.maxLen] = (b.histItem[1 * b.maxLen] + 7) % 30;
        assertThat(m.score(b)[1]).isNotEqualTo(m.score(a)[1]);
      }
    }
  }

  @Test
  void sparseUpdateTouchesOnlyGatheredRows() {
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(TestBatches.tinyParams("tin"))) {
      Batch b = TestBatches.random(new Random(5), 4, 3, 30);
      Map<String, float[]> before = Map.of("emb_item", m.read("emb_item"));
      m.trainStep(b);
      float[] after = m.read("emb_item");
      boolean[] used = new boolean[40];
      used[0] = true;
      for (int r = 0; r < b.size; r++) {
        used[FeatureEncoding.hashRow(b.targetItem[r], 40)] = true;
        for (int j = 0; j < b.lengths[r]; j++) {
          used[FeatureEncoding.hashRow(b.histItem[r * b.maxLen + j], 40)] = true;
        }
      }
      int changed = 0;
      for (int row = 0; row < 40; row++) {
        boolean same = true;
        for (int c = 0; c < 4; c++) {
          same &= before.get("emb_item")[row * 4 + c] == after[row * 4 + c];
        }
        if (!used[row]) {
          assertThat(same).as("untouched row %d unchanged", row).isTrue();
        } else if (!same) {
          changed++;
        }
      }
      assertThat(changed).isGreaterThan(3);
    }
  }

  @Test
  void exportImportGivesIdenticalScoresAndDeltasCatchUp() {
    Random rnd = new Random(11);
    try (CtrModel a = ModelRegistry.build(TestBatches.tinyParams("tin"));
        CtrModel b =
            ModelRegistry.build(TestBatches.tinyParams("tin").toBuilder().seed(99).build())) {
      Batch probe = TestBatches.random(new Random(12), 8, 5, 30);
      for (int i = 0; i < 5; i++) {
        a.trainStep(TestBatches.random(rnd, 8, 5, 30));
      }
      assertThat(b.score(probe)).isNotEqualTo(a.score(probe));
      b.importVariables(a.exportVariables());
      assertThat(b.score(probe)).containsExactly(a.score(probe));
      assertThat(b.version()).isEqualTo(5);
      long v0 = a.version();
      for (int i = 0; i < 3; i++) {
        a.trainStep(TestBatches.random(rnd, 8, 5, 30));
      }
      byte[] delta = a.exportRowsSince(v0);
      assertThat(delta.length).isLessThan(a.exportVariables().length);
      b.importVariables(delta);
      assertThat(b.score(probe)).containsExactly(a.score(probe));
      // both continue identically (optimizer slots came along)
      Batch next = TestBatches.random(new Random(13), 8, 5, 30);
      assertThat(b.trainStep(next)).isEqualTo(a.trainStep(next));
      assertThat(b.score(probe)).containsExactly(a.score(probe));
    }
  }

  @Test
  void importRejectsOtherVariantAndNewerFormat() {
    try (CtrModel a = ModelRegistry.build(TestBatches.tinyParams("tin"));
        CtrModel b = ModelRegistry.build(TestBatches.tinyParams("din"))) {
      byte[] bytes = a.exportVariables();
      assertThatThrownBy(() -> b.importVariables(bytes)).hasMessageContaining("from model 'tin'");
      bytes[7] = 9; // format version int, big-endian low byte
      assertThatThrownBy(() -> a.importVariables(bytes)).hasMessageContaining("format version 9");
    }
  }

  @Test
  void aFullSnapshotWithTablesOfAnotherRowCountIsRefusedAndChangesNothing() {
    try (CtrModel a = ModelRegistry.build(TestBatches.tinyParams("tin"));
        CtrModel moreItems =
            ModelRegistry.build(
                TestBatches.tinyParams("tin").toBuilder()
                    .rows(ModelParams.Field.ITEM, 60)
                    .seed(99)
                    .build())) {
      Batch probe = TestBatches.random(new Random(5), 4, 6, 40);
      float[] before = a.score(probe);
      byte[] other = moreItems.exportVariables(); // same dense shapes, a longer item table
      assertThatThrownBy(() -> a.importVariables(other))
          .hasMessageContaining("emb_item holds 240 values, not 160");
      assertThat(a.score(probe)).as("no dense weight overwritten first").containsExactly(before);
      byte[] own = a.exportVariables();
      byte[] trailing = java.util.Arrays.copyOf(own, own.length + 1);
      assertThatThrownBy(() -> a.importVariables(trailing)).hasMessageContaining("corrupt");
    }
  }

  @Test
  void savedModelReloadScoresIdentically(@TempDir Path dir) throws Exception {
    for (IdRowPolicy ids : new IdRowPolicy[] {IdRowPolicy.HASHED, IdRowPolicy.COLLISIONLESS}) {
      savedModelReloadScoresIdentically(dir.resolve(ids.mode().name()), ids);
    }
  }

  private static void savedModelReloadScoresIdentically(Path dir, IdRowPolicy ids)
      throws Exception {
    ModelParams params = TestBatches.tinyParams("tin").toBuilder().idRows(ids).build();
    try (CtrModel m = ModelRegistry.build(params)) {
      Random rnd = new Random(21);
      for (int i = 0; i < 3; i++) {
        m.trainStep(TestBatches.random(rnd, 8, 5, 30));
      }
      Batch probe = TestBatches.random(new Random(22), 8, 5, 30);
      Path out = dir.resolve("sm");
      m.exportSavedModel(out);
      try (SavedModelScorer s = SavedModelScorer.load(out)) {
        assertThat(s.modelName()).isEqualTo("tin");
        assertThat(s.modelVersion()).isEqualTo(3);
        assertThat(s.score(probe)).containsExactly(m.score(probe));
      }
    }
  }

  @Test
  void stepWithNonFiniteLabelsIsSkippedBeforeAnythingIsApplied() {
    // Labels are the batch's only float input the graph reads as is (time gaps are bucketed).
    for (String v : new String[] {"pool", "din", "tin"}) {
      try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(TestBatches.tinyParams(v))) {
        Random rnd = new Random(11);
        m.trainStep(TestBatches.random(rnd, 8, 5, 30)); // non-zero Adam and Adagrad slots
        byte[] before = m.exportVariables();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
          Batch b = TestBatches.random(rnd, 8, 5, 30);
          b.labels[3] = bad;
          assertThatThrownBy(() -> m.trainStep(b))
              .isInstanceOf(NonFiniteStepException.class)
              .hasMessageContaining("model " + v);
          assertThat(m.exportVariables()).isEqualTo(before);
          assertThat(m.version()).isEqualTo(1);
        }
        // and the next finite batch trains as step 2
        assertThat(Float.isFinite(m.trainStep(TestBatches.random(rnd, 8, 5, 30)))).isTrue();
        assertThat(m.version()).isEqualTo(2);
      }
    }
  }

  @Test
  void stepWhoseUpdateWouldOverflowIsSkippedThoughLossAndGradientsAreFinite() {
    ModelParams tiny = TestBatches.tinyParams("tin");
    // An infinite learning rate: Adam (dense) or Adagrad (tables) would write ±Inf or NaN
    // (Inf·0) weights from a finite loss and finite gradients, so only the check of the weights
    // the step would write can catch it.
    for (ModelParams p :
        new ModelParams[] {
          tiny.toBuilder().learningRate(Float.POSITIVE_INFINITY).build(),
          tiny.toBuilder().embeddingLearningRate(Float.POSITIVE_INFINITY).build()
        }) {
      try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
        Batch b = TestBatches.random(new Random(12), 8, 5, 30);
        assertThat(Float.isFinite(m.loss(b))).isTrue();
        for (float[] g : m.gradients(b).values()) {
          for (float x : g) {
            assertThat(Float.isFinite(x)).isTrue();
          }
        }
        byte[] before = m.exportVariables();
        assertThatThrownBy(() -> m.trainStep(b)).isInstanceOf(NonFiniteStepException.class);
        assertThat(m.exportVariables()).isEqualTo(before);
        assertThat(m.version()).isZero();
      }
    }
  }
}
