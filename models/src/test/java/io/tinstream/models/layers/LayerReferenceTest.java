package io.tinstream.models.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Each interest layer against a plain-Java reference on tiny shapes (B=3, L=4, d=3). */
class LayerReferenceTest {
  static final int B = 3;
  static final int L = 4;
  static final int D = 3;
  static final int[] LENGTHS = {0, 2, 4};

  final Random rnd = new Random(5);
  final float[] e = randomArray(B * L * D);
  final float[] vt = randomArray(B * D);
  final float[] mask = maskOf(LENGTHS);

  private float[] randomArray(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  private static float[] maskOf(int[] lengths) {
    float[] m = new float[B * L];
    for (int b = 0; b < B; b++) {
      for (int j = 0; j < lengths[b]; j++) {
        m[b * L + j] = 1f;
      }
    }
    return m;
  }

  /** Runs a layer on constant inputs; returns the output and the store's weights by name. */
  private float[] run(
      InterestLayer layer, ModelParams p, float[] eIn, java.util.Map<String, float[]> weights) {
    return run(layer, p, eIn, weights, 0f);
  }

  private float[] run(
      InterestLayer layer,
      ModelParams p,
      float[] eIn,
      java.util.Map<String, float[]> weights,
      float identityNoise) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamStore store = new ParamStore(3, identityNoise);
      Operand<TFloat32> ein = tf.constant(Shape.of(B, L, D), DataBuffers.of(eIn, true, false));
      Operand<TFloat32> vin = tf.constant(Shape.of(B, D), DataBuffers.of(vt, true, false));
      Operand<TFloat32> min = tf.constant(Shape.of(B, L), DataBuffers.of(mask, true, false));
      Operand<TFloat32> out = layer.build(tf, store, p, new InterestLayer.Inputs(ein, vin, min));
      try (Session s = new Session(g)) {
        s.initialize();
        for (ParamStore.DenseParam dp : store.dense().values()) {
          try (Result r = s.runner().fetch(dp.read()).run()) {
            float[] w = new float[dp.size()];
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(w, false, false));
            weights.put(dp.name(), w);
          }
        }
        try (Result r = s.runner().fetch(out).run()) {
          float[] o = new float[Math.toIntExact(r.get(0).shape().size())];
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(o, false, false));
          return o;
        }
      }
    }
  }

  private static ModelParams params(boolean proj) {
    return ModelParams.builder().dim(D).projections(proj).dinAttentionHidden(5).build();
  }

  private static float[] matVec(float[] x, int off, float[] w) {
    // x[off..off+D) as a row vector times w [D, D]
    float[] y = new float[D];
    for (int c = 0; c < D; c++) {
      for (int k = 0; k < D; k++) {
        y[c] += x[off + k] * (w == null ? (k == c ? 1f : 0f) : w[k * D + c]);
      }
    }
    return y;
  }

  private float[] tinReference(float[] eIn, java.util.Map<String, float[]> w) {
    float[] out = new float[B * D];
    for (int b = 0; b < B; b++) {
      float[] q = matVec(vt, b * D, w.get("tin_W_q"));
      float[] u = matVec(vt, b * D, w.get("tin_W_u"));
      int len = LENGTHS[b];
      double[] logits = new double[len];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < len; i++) {
        float[] k = matVec(eIn, (b * L + i) * D, w.get("tin_W_k"));
        double dot = 0;
        for (int c = 0; c < D; c++) {
          dot += q[c] * k[c];
        }
        logits[i] = dot / Math.sqrt(D);
        max = Math.max(max, logits[i]);
      }
      double z = 0;
      for (int i = 0; i < len; i++) {
        z += Math.exp(logits[i] - max);
      }
      for (int i = 0; i < len; i++) {
        double alpha = Math.exp(logits[i] - max) / z;
        float[] v = matVec(eIn, (b * L + i) * D, w.get("tin_W_v"));
        for (int c = 0; c < D; c++) {
          out[b * D + c] += (float) (alpha * v[c] * u[c]);
        }
      }
    }
    return out;
  }

  @Test
  void tinIdentityMatchesReference() {
    java.util.Map<String, float[]> w = new java.util.HashMap<>();
    float[] got = run(new TinLayer(), params(false), e, w);
    assertThat(w).isEmpty();
    assertClose(got, tinReference(e, w));
    for (int c = 0; c < D; c++) {
      assertThat(got[c]).isEqualTo(0f); // empty history -> zero interest, not NaN
    }
  }

  @Test
  void tinProjectionsMatchReference() {
    java.util.Map<String, float[]> w = new java.util.HashMap<>();
    float[] got = run(new TinLayer(), params(true), e, w, 0.5f);
    assertThat(w).containsKeys("tin_W_q", "tin_W_k", "tin_W_v", "tin_W_u");
    assertThat(w.get("tin_W_q")[1]).isNotZero(); // not the identity: the projections are exercised
    assertClose(got, tinReference(e, w));
  }

  @Test
  void dinMatchesReference() {
    java.util.Map<String, float[]> w = new java.util.HashMap<>();
    float[] got = run(new DinLayer(), params(false), e, w);
    float[] w1 = w.get("din_att_0_W");
    float[] b1 = w.get("din_att_0_b");
    float[] w2 = w.get("din_att_out_W");
    float[] b2 = w.get("din_att_out_b");
    int h = b1.length;
    float[] ref = new float[B * D];
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < LENGTHS[b]; i++) {
        float[] x = new float[4 * D];
        for (int c = 0; c < D; c++) {
          float ei = e[(b * L + i) * D + c];
          float t = vt[b * D + c];
          x[c] = ei;
          x[D + c] = t;
          x[2 * D + c] = ei - t;
          x[3 * D + c] = ei * t;
        }
        double a = b2[0];
        for (int k = 0; k < h; k++) {
          double s = b1[k];
          for (int c = 0; c < 4 * D; c++) {
            s += x[c] * w1[c * h + k];
          }
          s = s > 0 ? s : GraphMath.LEAKY_ALPHA * s;
          a += s * w2[k];
        }
        for (int c = 0; c < D; c++) {
          ref[b * D + c] += (float) (a * e[(b * L + i) * D + c] / LENGTHS[b]);
        }
      }
    }
    assertClose(got, ref);
  }

  @Test
  void poolMatchesReference() {
    float[] got = run(new MeanPoolLayer(), params(false), e, new java.util.HashMap<>());
    float[] ref = new float[B * D];
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < LENGTHS[b]; i++) {
        for (int c = 0; c < D; c++) {
          ref[b * D + c] += e[(b * L + i) * D + c] / LENGTHS[b];
        }
      }
    }
    assertClose(got, ref);
  }

  @Test
  void paddedEmbeddingsNeverContribute() {
    float[] garbage = e.clone();
    for (int b = 0; b < B; b++) {
      for (int i = LENGTHS[b]; i < L; i++) {
        for (int c = 0; c < D; c++) {
          garbage[(b * L + i) * D + c] = 1e4f * (c + 1);
        }
      }
    }
    for (InterestLayer layer :
        new InterestLayer[] {new TinLayer(), new DinLayer(), new MeanPoolLayer()}) {
      float[] clean = run(layer, params(true), e, new java.util.HashMap<>());
      float[] dirty = run(layer, params(true), garbage, new java.util.HashMap<>());
      assertThat(dirty).as(layer.getClass().getSimpleName()).containsExactly(clean);
    }
  }

  private static void assertClose(float[] got, float[] ref) {
    assertThat(got).hasSameSizeAs(ref);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i])
          .as("index %d", i)
          .isCloseTo(ref[i], within(1e-4f + 1e-4f * Math.abs(ref[i])));
    }
  }
}
