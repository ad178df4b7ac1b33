package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.layers.DsiTinLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DSI-TIN's default groups (MODELS.md "DSI-TIN": temporal encodings; action type; everything else):
 * a group's attention weights move only with its own fields, while its output (the TR part, {@code
 * ẽ_i ⊙ ṽ_t}) moves with every field.
 */
class DsiGroupIsolationTest {
  static final int TEMPORAL = 0;
  static final int ACTION = 1;
  static final int SIDE_INFO = 2;
  static final int GROUPS = 3;

  /** A change of one field of every real behavior (or of every target), and its group. */
  record Perturbation(String field, int group, Changer change) {
    @Override
    public String toString() {
      return field;
    }
  }

  interface Changer {
    void apply(Batch b, ModelParams p, Random rnd);
  }

  /**
   * The temporal changes, then one per field (iterated, so a field added later is covered): every
   * behavior's, and the target's where it carries the field.
   */
  static final List<Perturbation> PERTURBATIONS = perturbations();

  private static List<Perturbation> perturbations() {
    List<Perturbation> all = new ArrayList<>();
    all.add(new Perturbation("position", TEMPORAL, (b, p, rnd) -> positions(b, p, rnd)));
    all.add(new Perturbation("time gap", TEMPORAL, (b, p, rnd) -> gaps(b, p, rnd)));
    for (ModelParams.Field f : ModelParams.Field.values()) {
      int group = f == ModelParams.Field.ACTION ? ACTION : SIDE_INFO;
      all.add(new Perturbation(f.key(), group, (b, p, rnd) -> ids(b.hist(f), b, p.rows(f), rnd)));
      if (f.onTarget()) {
        all.add(
            new Perturbation(
                "target " + f.key(),
                SIDE_INFO,
                (b, p, rnd) -> targets(b.target(f), p.rows(f), rnd)));
      }
    }
    return List.copyOf(all);
  }

  @Test
  void theDefaultGroupsAreTemporalActionAndEveryOtherField() {
    List<Set<DsiTinLayer.GroupField>> groups = DsiTinLayer.DEFAULT_GROUPS;
    assertThat(groups).hasSize(GROUPS);
    assertThat(groups.get(TEMPORAL)).containsExactly(DsiTinLayer.GroupField.TEMPORAL);
    assertThat(groups.get(ACTION))
        .containsExactly(DsiTinLayer.GroupField.of(ModelParams.Field.ACTION));
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (f != ModelParams.Field.ACTION) {
        assertThat(groups.get(SIDE_INFO)).contains(DsiTinLayer.GroupField.of(f));
      }
    }
    assertThat(groups.get(SIDE_INFO)).hasSize(ModelParams.Field.values().length - 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dsi_concat", "dsi_sum"})
  void eachGroupAttendsWithItsOwnFieldsAndRepresentsWithAll(String variant) {
    ModelParams p = TestBatches.tinyParams(variant);
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
      m.trainStep(TestBatches.random(new Random(2), 8, 6, 40)); // learned queries move off init
      Batch base = withEveryField(TestBatches.random(new Random(3), 8, 6, 40));
      for (Perturbation change : PERTURBATIONS) {
        Batch changed = withEveryField(TestBatches.random(new Random(3), 8, 6, 40));
        change.change().apply(changed, p, new Random(change.field().hashCode()));
        for (int g = 0; g < GROUPS; g++) {
          float[] alpha = m.output(DsiTinLayer.OUT_ALPHA_PREFIX + g, changed);
          float[] baseAlpha = m.output(DsiTinLayer.OUT_ALPHA_PREFIX + g, base);
          if (g == change.group()) {
            assertThat(alpha)
                .as("group %d attention after a %s change", g, change)
                .isNotEqualTo(baseAlpha);
          } else {
            assertThat(alpha)
                .as("group %d attention must not read %s", g, change)
                .containsExactly(baseAlpha);
          }
          assertThat(m.output(DsiTinLayer.OUT_INTEREST_PREFIX + g, changed))
              .as("group %d representation must read %s", g, change)
              .isNotEqualTo(m.output(DsiTinLayer.OUT_INTEREST_PREFIX + g, base));
        }
      }
    }
  }

  /** The batch with the fields {@link TestBatches#random} leaves unknown drawn too (seeded). */
  private static Batch withEveryField(Batch b) {
    Random rnd = new Random(11);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
        int[] column = b.hist(f);
        for (int i = 0; i < column.length; i++) {
          column[i] = rnd.nextInt(30);
        }
        if (f.onTarget()) {
          int[] target = b.target(f);
          for (int r = 0; r < target.length; r++) {
            target[r] = rnd.nextInt(30);
          }
        }
      }
    }
    return b;
  }

  /** Every real behavior's raw id moved to one that hashes to another row. */
  private static void ids(int[] column, Batch b, int rows, Random rnd) {
    forEachReal(b, i -> column[i] = otherId(column[i], rows, rnd));
  }

  private static void targets(int[] column, int rows, Random rnd) {
    for (int r = 0; r < column.length; r++) {
      column[r] = otherId(column[r], rows, rnd);
    }
  }

  private static int otherId(int id, int rows, Random rnd) {
    int v;
    do {
      v = rnd.nextInt(1000);
    } while (FeatureEncoding.hashRow(v, rows) == FeatureEncoding.hashRow(id, rows));
    return v;
  }

  private static void positions(Batch b, ModelParams p, Random rnd) {
    int buckets = p.positionBuckets();
    forEachReal(
        b,
        i -> {
          int old = FeatureEncoding.positionRow(b.histPosition[i], buckets);
          int v;
          do {
            v = 1 + rnd.nextInt(buckets + 2);
          } while (FeatureEncoding.positionRow(v, buckets) == old);
          b.histPosition[i] = v;
        });
  }

  private static void gaps(Batch b, ModelParams p, Random rnd) {
    int buckets = p.timeBuckets();
    forEachReal(
        b,
        i -> {
          int old = FeatureEncoding.timeBucket(b.histDeltaSec[i], buckets);
          float v;
          do {
            v = (float) Math.pow(2, rnd.nextInt(buckets + 2)) * 60f;
          } while (FeatureEncoding.timeBucket(v, buckets) == old);
          b.histDeltaSec[i] = v;
        });
  }

  private static void forEachReal(Batch b, java.util.function.IntConsumer slot) {
    for (int r = 0; r < b.size; r++) {
      for (int j = 0; j < b.lengths[r]; j++) {
        slot.accept(r * b.maxLen + j);
      }
    }
  }
}
