package io.tinstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.layers.GraphMath;
import io.tinstream.models.layers.LreaLayer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LREA's decompressed (training) interest against a plain-Java evaluation of the formula the layer
 * documents (docs/lrea.md; MODELS.md "LREA" with its two deviations: target gates {@code q_h = E_t
 * W_q[h] + b_q[h]} and the per-virtual-behavior bias {@code b}):
 *
 * <pre>
 *   E_comp = E_sᵀ W_comp,  x_i = Σ_j W_decomp[j,i] c_j   (row i = the i-th most recent behavior)
 *   s_i    = Σ_h φ(x_i ⊙ q_h) · W_o[h] + Σ_j W_decomp[j,i] b_j
 *   LREA   = E_sᵀ s / max(n, 1)
 * </pre>
 *
 * with every weight replaced by mixed-sign random values, so each term and both LeakyReLU slopes
 * matter.
 */
class LreaDecompressedReferenceTest {
  static final int L = 5;
  static final int R = 3;
  static final int ROWS = 6;

  /** {@code fed}: the batch's window, up to L (shorter windows use the first rows of W). */
  @ParameterizedTest
  @ValueSource(ints = {L, L - 2})
  void decompressedInterestMatchesTheDocumentedFormula(int fed) {
    ModelParams p =
        TestBatches.tinyParams("lrea").toBuilder().maxHistoryLength(L).lreaRank(R).build();
    int d = p.dim();
    int h = LreaLayer.HEADS;
    try (TfCtrModel m = new TfCtrModel(p, new LreaLayer())) {
      Random rnd = new Random(13);
      for (String w :
          new String[] {
            "lrea_W_comp", "lrea_W_decomp_T", "lrea_W_q", "lrea_b_q", "lrea_W_o", "lrea_b_virtual"
          }) {
        float[] v = m.read(w);
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) rnd.nextGaussian();
        }
        m.write(w, v);
      }
      float[] wComp = m.read("lrea_W_comp"); // [L, r], row = recency
      float[] wDecompT = m.read("lrea_W_decomp_T"); // [L, r]
      float[] wQ = m.read("lrea_W_q"); // [d, H·d]
      float[] bQ = m.read("lrea_b_q"); // [H·d]
      float[] wO = m.read("lrea_W_o"); // [H·d, 1]
      float[] bV = m.read("lrea_b_virtual"); // [r]

      Batch batch = TestBatches.random(new Random(14), ROWS, fed, 30);
      // No temporal encoding: LREA's entry must not depend on the request time.
      ReferenceEmbeddings emb = ReferenceEmbeddings.of(m, batch, "emb_", null);
      float[] got = m.output(LreaLayer.OUT_DECOMPRESSED, batch);
      assertThat(got).hasSize(ROWS * d);
      for (int r = 0; r < ROWS; r++) {
        int n = batch.lengths[r];
        double[][] es = new double[n][]; // es[i] = the (i+1)-th most recent behavior
        for (int i = 0; i < n; i++) {
          es[i] = emb.behaviors[r][n - 1 - i];
        }
        double[][] comp = new double[d][R];
        for (int i = 0; i < n; i++) {
          for (int k = 0; k < d; k++) {
            for (int j = 0; j < R; j++) {
              comp[k][j] += es[i][k] * wComp[i * R + j];
            }
          }
        }
        double[][] q = new double[h][d];
        for (int head = 0; head < h; head++) {
          for (int k = 0; k < d; k++) {
            q[head][k] = bQ[head * d + k];
            for (int c = 0; c < d; c++) {
              q[head][k] += emb.targets[r][c] * wQ[c * h * d + head * d + k];
            }
          }
        }
        double[] want = new double[d];
        for (int i = 0; i < n; i++) {
          double s = 0;
          for (int k = 0; k < d; k++) {
            double x = 0;
            for (int j = 0; j < R; j++) {
              x += wDecompT[i * R + j] * comp[k][j];
            }
            for (int head = 0; head < h; head++) {
              double z = x * q[head][k];
              s += (z > 0 ? z : GraphMath.LEAKY_ALPHA * z) * wO[head * d + k];
            }
          }
          for (int j = 0; j < R; j++) {
            s += wDecompT[i * R + j] * bV[j];
          }
          for (int k = 0; k < d; k++) {
            want[k] += es[i][k] * s / Math.max(n, 1);
          }
        }
        for (int k = 0; k < d; k++) {
          assertThat(got[r * d + k])
              .as("row %d (length %d) interest[%d]", r, n, k)
              .isCloseTo((float) want[k], within(1e-5f + 1e-4f * (float) Math.abs(want[k])));
        }
      }
    }
  }
}
