package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tinstream.models.internal.VariableCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every categorical field of MODELS.md "Notation" reaches the score: for each {@link
 * ModelParams.Field} (iterated, so a field added later cannot be left out), moving that field of
 * every behavior to an id of another row changes every row's score, and so does moving that field
 * of the target, for every field the target carries.
 */
class EveryFieldReachesTheScoreTest {
  static final int SIZE = 6;
  static final int MAX_LEN = 5;

  @ParameterizedTest
  @ValueSource(strings = {"tin", "dsi_concat", "din"})
  void eachBehaviorAndTargetFieldChangesTheScore(String variant) {
    ModelParams p = params(variant);
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
      m.trainStep(batch(new Random(4)));
      Batch base = batch(new Random(5));
      float[] before = m.score(base);
      for (ModelParams.Field f : ModelParams.Field.values()) {
        Batch changed = batch(new Random(5));
        moveToOtherRows(m, f, changed.hist(f), i -> isReal(changed, i));
        float[] after = m.score(changed);
        for (int r = 0; r < SIZE; r++) {
          assertThat(after[r])
              .as("%s: score of row %d after changing behavior field %s", variant, r, f)
              .isNotEqualTo(before[r]);
        }
        if (f.onTarget()) {
          Batch target = batch(new Random(5));
          moveToOtherRows(m, f, target.target(f), i -> true);
          float[] afterTarget = m.score(target);
          for (int r = 0; r < SIZE; r++) {
            assertThat(afterTarget[r])
                .as("%s: score of row %d after changing target field %s", variant, r, f)
                .isNotEqualTo(before[r]);
          }
        }
      }
    }
  }

  /**
   * A snapshot of a model that had only the first six tables still imports into a model with all of
   * them: the tables it has are taken, the others keep their initial values.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tin", "dsi_concat"})
  void aSnapshotWithoutTheLaterTablesImportsAndLeavesThemAsInitialized(String variant) {
    ModelParams p = params(variant);
    try (TfCtrModel trained = (TfCtrModel) ModelRegistry.build(p);
        TfCtrModel fresh = (TfCtrModel) ModelRegistry.build(p.toBuilder().seed(99).build())) {
      trained.trainStep(batch(new Random(4)));
      trained.trainStep(batch(new Random(6)));
      VariableCodec.Snapshot full = VariableCodec.decode(trained.exportVariables());
      Map<String, VariableCodec.Rows> older = new LinkedHashMap<>(full.tables());
      for (ModelParams.Field f : ModelParams.Field.values()) {
        if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
          assertThat(older.remove("emb_" + f.key())).as("table of %s", f).isNotNull();
        }
      }
      Map<String, float[]> initial = new LinkedHashMap<>();
      for (ModelParams.Field f : ModelParams.Field.values()) {
        initial.put(f.key(), fresh.read("emb_" + f.key()));
      }

      fresh.importVariables(
          VariableCodec.encode(
              new VariableCodec.Snapshot(
                  true,
                  full.variant(),
                  full.version(),
                  full.baseVersion(),
                  full.optimizerStep(),
                  full.dense(),
                  older,
                  full.idRows())));

      assertThat(fresh.version()).isEqualTo(trained.version());
      for (ModelParams.Field f : ModelParams.Field.values()) {
        float[] now = fresh.read("emb_" + f.key());
        if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
          assertThat(now).as("%s keeps its initial rows", f).containsExactly(initial.get(f.key()));
        } else {
          assertThat(now).as("%s is imported", f).containsExactly(trained.read("emb_" + f.key()));
        }
      }
      assertThat(fresh.score(batch(new Random(8)))).doesNotContain(Float.NaN);
    }
  }

  /** Tiny tables: small enough to build fast, large enough that ids seldom share rows. */
  static ModelParams params(String variant) {
    ModelParams.Builder b = TestBatches.tinyParams(variant).toBuilder();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
        b.rows(f, f == ModelParams.Field.DOMAIN ? 5 : 16);
      }
    }
    return b.build();
  }

  /** A batch with every field of every behavior and target known; every row has behaviors. */
  static Batch batch(Random rnd) {
    Batch b = Batch.allocate(SIZE, MAX_LEN, true);
    for (int r = 0; r < SIZE; r++) {
      int len = 1 + rnd.nextInt(MAX_LEN);
      b.lengths[r] = len;
      for (int j = 0; j < MAX_LEN; j++) {
        int i = r * MAX_LEN + j;
        for (ModelParams.Field f : ModelParams.Field.values()) {
          b.hist(f)[i] = rnd.nextInt(ids(f));
        }
        b.histDeltaSec[i] = rnd.nextFloat() * 100_000f;
        b.histPosition[i] = j < len ? len - j : 0;
      }
      for (ModelParams.Field f : ModelParams.Field.targetFields()) {
        b.target(f)[r] = rnd.nextInt(ids(f));
      }
      b.labels[r] = r % 2;
      b.userIds[r] = r;
    }
    return b;
  }

  /** How many raw ids a field draws from (a small domain for the small ones). */
  static int ids(ModelParams.Field f) {
    return switch (f) {
      case ACTION_DETAIL -> FeatureEncoding.ACTION_DETAIL_BUCKETS;
      case DOMAIN -> 3;
      default -> 1000;
    };
  }

  static boolean isReal(Batch b, int i) {
    return i % b.maxLen < b.lengths[i / b.maxLen];
  }

  /** Moves each selected raw id of {@code column} to one whose row in the model differs. */
  static void moveToOtherRows(
      TfCtrModel m, ModelParams.Field f, int[] column, java.util.function.IntPredicate which) {
    FieldRows rows = m.fieldRows();
    Random rnd = new Random(f.ordinal());
    IntUnaryOperator other =
        id -> {
          for (int tries = 0; tries < 10_000; tries++) {
            int v = rnd.nextInt(ids(f));
            int row = rows.row(f, v);
            if (row != FeatureEncoding.RESERVED_ROW && row != rows.row(f, id)) {
              return v;
            }
          }
          return fail("no id of " + f + " with another row than " + id);
        };
    for (int i = 0; i < column.length; i++) {
      if (which.test(i)) {
        column[i] = other.applyAsInt(column[i]);
      }
    }
  }
}
