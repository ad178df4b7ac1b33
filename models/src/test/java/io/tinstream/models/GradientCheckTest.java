package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.layers.InterestLayer;
import io.tinstream.models.layers.LreaLayer;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The graph's analytic gradients against central finite differences of the loss, for every model
 * the registry builds (a model registered later is covered without touching this test). The graph
 * is float32 only, so coordinates are checked one at a time with a relative tolerance.
 */
class GradientCheckTest {
  /** Batch window; DARE keeps {@link #KEPT} of it, so its top-K really drops behaviors. */
  static final int LEN = 4;

  static final int KEPT = 3;

  /** Float32 loss noise over a {@code 2·1e-3} step: up to 5e-4 measured (twin, shared tables). */
  static final double ABS_TOL = 1e-3;

  static final double REL_TOL = 0.02;

  static Stream<Arguments> variants() {
    Stream<Arguments> plain = ModelRegistry.names().stream().map(v -> Arguments.of(v, false));
    // Learned projections change the math of the TIN block (and of the layers built on it).
    Stream<Arguments> projected = Stream.of("tin", "stin-2").map(v -> Arguments.of(v, true));
    return Stream.concat(plain, projected);
  }

  @ParameterizedTest(name = "{0} projections={1}")
  @MethodSource("variants")
  void gradientsMatchFiniteDifferences(String variant, boolean projections) {
    InterestLayer layer = ModelRegistry.layer(variant);
    ModelParams p = params(variant, layer).projections(projections).build();
    // LREA's penalty on E_comp deliberately stops its gradient before the embedding tables
    // (docs/lrea.md, second deviation), so with λ > 0 only its dense weights see the true slope;
    // the tables are checked with λ = 0 below.
    Predicate<String> checked =
        layer instanceof LreaLayer ? name -> !name.startsWith("emb_") : name -> true;
    checkGradients(p, layer, checked);
  }

  @Test
  void lreaWithoutItsPenaltyMatchesFiniteDifferencesEverywhere() {
    LreaLayer layer = new LreaLayer();
    checkGradients(params("lrea", layer).lreaLambda(0f).build(), layer, name -> true);
  }

  private static ModelParams.Builder params(String variant, InterestLayer layer) {
    return TestBatches.tinyParams(variant).toBuilder()
        // LREA's window is the whole fed sequence; DARE keeps K of it.
        .maxHistoryLength(layer instanceof LreaLayer ? LEN : KEPT)
        .categorySlots(4)
        .lreaRank(2);
  }

  private static void checkGradients(ModelParams p, InterestLayer layer, Predicate<String> which) {
    // The training graph itself (for lrea, ModelRegistry wraps it in the absorbed scorer).
    try (TfCtrModel m = new TfCtrModel(p, layer)) {
      Batch b = TestBatches.random(new Random(31), 5, LEN, 30);
      // Away from the initial point, where identity projections and zero biases hide terms.
      m.trainStep(TestBatches.random(new Random(40), 5, LEN, 30));
      Map<String, float[]> grads = m.gradients(b);
      Random pick = new Random(32);
      int nonZero = 0;
      for (Map.Entry<String, float[]> e : grads.entrySet()) {
        String name = e.getKey();
        if (!which.test(name)) {
          continue;
        }
        float[] g = e.getValue();
        float[] w = m.read(name);
        for (int idx : coordinates(g, pick, m.store().tables().containsKey(name))) {
          double fd = centralDifference(m, b, name, w, idx, 1e-3f);
          // A LeakyReLU or top-K boundary inside the step biases it: retry with a smaller one.
          if (Math.abs(g[idx] - fd) > tolerance(fd)) {
            fd = centralDifference(m, b, name, w, idx, 2.5e-4f);
          }
          assertThat((double) g[idx])
              .as("%s d loss / d %s[%d]", p.variant(), name, idx)
              .isCloseTo(fd, within(tolerance(fd)));
          nonZero += Math.abs(fd) > 10 * ABS_TOL ? 1 : 0;
        }
      }
      // The check must compare real slopes, not only zeros against zeros.
      assertThat(nonZero).as("coordinates with a clearly non-zero slope").isGreaterThan(5);
    }
  }

  private static double tolerance(double fd) {
    return ABS_TOL + REL_TOL * Math.abs(fd);
  }

  /**
   * The largest gradient, a random non-zero one and, in a dense weight (which every batch reads), a
   * random one anywhere: a zero there must be a true zero. A random table row is almost always one
   * the batch never reads, so tables skip it.
   */
  private static int[] coordinates(float[] g, Random pick, boolean table) {
    int best = 0;
    int nonZeros = 0;
    for (int i = 0; i < g.length; i++) {
      if (Math.abs(g[i]) > Math.abs(g[best])) {
        best = i;
      }
      nonZeros += g[i] != 0f ? 1 : 0;
    }
    int someNonZero = best;
    if (nonZeros > 0) {
      int skip = pick.nextInt(nonZeros);
      for (int i = 0; i < g.length; i++) {
        if (g[i] != 0f && skip-- == 0) {
          someNonZero = i;
          break;
        }
      }
    }
    return table
        ? new int[] {best, someNonZero}
        : new int[] {best, someNonZero, pick.nextInt(g.length)};
  }

  static double centralDifference(
      TfCtrModel m, Batch b, String name, float[] w, int idx, float eps) {
    float orig = w[idx];
    w[idx] = orig + eps;
    m.write(name, w);
    double lp = m.loss(b);
    w[idx] = orig - eps;
    m.write(name, w);
    double lm = m.loss(b);
    w[idx] = orig;
    m.write(name, w);
    return (lp - lm) / (2.0 * eps);
  }
}
