package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.layers.DareLayer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DARE/TWIN soft search against a plain-Java reference from the model's own tables: which behaviors
 * are kept (the top K by attention-space relevance, not the first or the latest K), their attention
 * weights and the interest built from them.
 */
class DareTopKTest {
  static final int LEN = 8;
  static final int K = 3;
  static final int ROWS = 16;

  @ParameterizedTest
  @ValueSource(strings = {"dare", "dare-half", "twin"})
  void keepsExactlyTheTopKBehaviorsByAttentionRelevance(String variant) {
    ModelParams p = TestBatches.tinyParams(variant).toBuilder().maxHistoryLength(K).build();
    boolean shared = variant.equals("twin");
    Batch batch = TestBatches.random(new Random(4), ROWS, LEN, 40);
    try (TfCtrModel m = (TfCtrModel) ModelRegistry.build(p)) {
      ReferenceEmbeddings att =
          shared
              ? ReferenceEmbeddings.of(m, batch, "emb_", "")
              : ReferenceEmbeddings.of(
                  m, batch, DareLayer.ATTENTION_PREFIX, DareLayer.ATTENTION_PREFIX);
      ReferenceEmbeddings rep = ReferenceEmbeddings.of(m, batch, "emb_", "");
      int d = p.dim();
      float[] alpha = m.output(DareLayer.OUT_ALPHA, batch); // [B, K]
      float[] kept = m.output(DareLayer.OUT_REPRESENTATION, batch); // [B, K, d]
      int notTheFirstK = 0;
      for (int r = 0; r < ROWS; r++) {
        int len = batch.lengths[r];
        double[] relevance = new double[len];
        for (int j = 0; j < len; j++) {
          relevance[j] =
              ReferenceEmbeddings.dot(att.behaviors[r][j], att.targets[r])
                  / Math.sqrt(att.targets[r].length);
        }
        Integer[] byRelevance =
            IntStream.range(0, len)
                .boxed()
                .sorted(Comparator.comparingDouble(j -> -relevance[j]))
                .toArray(Integer[]::new);
        int keep = Math.min(K, len);
        if (len > K) {
          // No near-tie at the cut: the reference's top K is the only right answer.
          assertThat(relevance[byRelevance[K - 1]] - relevance[byRelevance[K]])
              .as("row %d relevance gap at the cut", r)
              .isGreaterThan(1e-4);
        }
        Set<Integer> want = new TreeSet<>(Arrays.asList(byRelevance).subList(0, keep));
        if (!want.equals(new TreeSet<>(IntStream.range(0, keep).boxed().toList()))) {
          notTheFirstK++;
        }
        double[][] representation = new double[len][d];
        for (int j = 0; j < len; j++) {
          for (int c = 0; c < d; c++) {
            representation[j][c] = rep.behaviors[r][j][c] * rep.targets[r][c];
          }
        }
        assertThat(keptIndices(kept, alpha, r, representation))
            .as("%s row %d (length %d): kept behaviors", variant, r, len)
            .isEqualTo(want);
        // α = softmax over the kept relevances; interest = Σ α_i (e^R_i ⊙ v^R_t).
        double max = want.stream().mapToDouble(j -> relevance[j]).max().orElse(0);
        double z = want.stream().mapToDouble(j -> Math.exp(relevance[j] - max)).sum();
        for (int c = 0; c < d; c++) {
          double ref = 0;
          for (int j : want) {
            ref += Math.exp(relevance[j] - max) / z * representation[j][c];
          }
          double got = 0;
          for (int k = 0; k < K; k++) {
            got += alpha[r * K + k] * kept[(r * K + k) * d + c];
          }
          assertThat(got).as("%s row %d interest[%d]", variant, r, c).isCloseTo(ref, within(1e-5));
        }
      }
      // The data really tells top-K from first-K (and from latest-K, its mirror).
      assertThat(notTheFirstK).isGreaterThan(ROWS / 3);
    }
  }

  /**
   * The behavior index of each kept slot with non-zero weight, found by its representation row
   * (random items and time gaps: no two behaviors of a row share one).
   */
  private static Set<Integer> keptIndices(
      float[] kept, float[] alpha, int r, double[][] representation) {
    int d = representation.length == 0 ? 0 : representation[0].length;
    Set<Integer> out = new TreeSet<>();
    for (int k = 0; k < K; k++) {
      if (alpha[r * K + k] == 0f) {
        continue; // padding kept because the row is shorter than K
      }
      int found = -1;
      for (int j = 0; j < representation.length && found < 0; j++) {
        boolean same = true;
        for (int c = 0; c < d; c++) {
          same &= Math.abs(kept[(r * K + k) * d + c] - representation[j][c]) < 1e-5;
        }
        found = same ? j : -1;
      }
      out.add(found);
    }
    return out;
  }
}
