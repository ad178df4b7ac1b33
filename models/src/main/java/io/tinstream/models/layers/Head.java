package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The MLP head and loss (MODELS.md "TIN layer", last paragraph): the interest vector concatenated
 * with {@code v_t} goes through an MLP with LeakyReLU hidden layers to a logit; the score is its
 * sigmoid and the loss binary cross-entropy, plus the layer's own term ({@link
 * InterestLayer#regularizer()}). Two-tower layers ({@link InterestLayer#outputsLogit()}) bring
 * their logit and skip the MLP.
 */
public record Head(Operand<TFloat32> logit, Operand<TFloat32> probability, Operand<TFloat32> loss) {
  /** Name of the score op: the SavedModel signature's output and the feed name of a scorer. */
  public static final String SCORE = "score";

  public static final String LOSS = "loss";

  /** {@code mlpLayers}: hidden widths of the MLP (MODELS.md: e.g. 200-80). */
  public record Settings(int[] mlpLayers) {
    public static final Settings DEFAULT = new Settings(new int[] {200, 80});

    public Settings {
      mlpLayers = mlpLayers.clone();
    }

    @Override
    public int[] mlpLayers() {
      return mlpLayers.clone();
    }

    public void validate() {
      if (mlpLayers.length == 0) {
        throw new IllegalArgumentException("mlpLayers must not be empty");
      }
      for (int h : mlpLayers) {
        if (h <= 0) {
          throw new IllegalArgumentException("mlp layer widths must be > 0");
        }
      }
    }
  }

  private static final String MLP = "mlp";
  private static final String OUTPUT = MLP + "_out";

  /** Builds the head on {@code interest} ({@code [B, layer.outputDim]}) and {@code vt}. */
  public static Head build(
      Ops tf,
      ParamStore store,
      ModelParams p,
      InterestLayer layer,
      Operand<TFloat32> interest,
      Operand<TFloat32> vt,
      Operand<TFloat32> label) {
    Operand<TFloat32> logit;
    if (layer.outputsLogit()) {
      logit = interest;
    } else {
      int width = layer.outputDim(p) + p.dim();
      Operand<TFloat32> x = tf.concat(List.of(interest, vt), tf.constant(1));
      logit = mlpLogit(tf, store, x, width, p.head().mlpLayers());
    }
    Operand<TFloat32> probability = tf.withName(SCORE).math.sigmoid(logit);
    // Sigmoid cross-entropy as softplus(x) - x*z (stable, gradients all registered).
    Operand<TFloat32> bce =
        tf.math.mean(
            tf.math.sub(tf.math.softplus(logit), tf.math.mul(logit, label)), tf.constant(0));
    Operand<TFloat32> regularizer = layer.regularizer();
    Operand<TFloat32> loss =
        tf.withName(LOSS).identity(regularizer == null ? bce : tf.math.add(bce, regularizer));
    return new Head(logit, probability, loss);
  }

  /** MLP with LeakyReLU hidden layers and a linear scalar output: returns logits {@code [B]}. */
  static Operand<TFloat32> mlpLogit(
      Ops tf, ParamStore store, Operand<TFloat32> x, int in, int[] hidden) {
    Operand<TFloat32> h = x;
    int width = in;
    for (int i = 0; i < hidden.length; i++) {
      h = GraphMath.leakyRelu(tf, GraphMath.dense(tf, store, hiddenName(i), h, width, hidden[i]));
      width = hidden[i];
    }
    Operand<TFloat32> out = GraphMath.dense(tf, store, OUTPUT, h, width, 1);
    return tf.reshape(out, tf.constant(new int[] {-1}));
  }

  /**
   * The same MLP over another input, on the variables an earlier {@link #build} created (LREA's
   * absorbed path scores with the weights its decompressed path trains).
   */
  public static Operand<TFloat32> probabilityWithExistingWeights(
      Ops tf,
      Map<String, ParamStore.DenseParam> dense,
      int hiddenLayers,
      Operand<TFloat32> interest,
      Operand<TFloat32> vt) {
    Operand<TFloat32> h = tf.concat(List.of(interest, vt), tf.constant(1));
    for (int i = 0; i < hiddenLayers; i++) {
      h = GraphMath.leakyRelu(tf, affine(tf, dense, hiddenName(i), h));
    }
    Operand<TFloat32> logit = tf.reshape(affine(tf, dense, OUTPUT, h), tf.constant(new int[] {-1}));
    return tf.withName(SCORE).math.sigmoid(logit);
  }

  /** Hidden layer {@code i}'s variables are {@code mlp_<i>_W}, {@code mlp_<i>_b}. */
  private static String hiddenName(int i) {
    return MLP + "_" + i;
  }

  private static Operand<TFloat32> affine(
      Ops tf, Map<String, ParamStore.DenseParam> dense, String name, Operand<TFloat32> x) {
    ParamStore.DenseParam w = dense.get(name + "_W");
    ParamStore.DenseParam b = dense.get(name + "_b");
    if (w == null || b == null) {
      throw new IllegalStateException("MLP head variable " + name + " not found");
    }
    return tf.math.add(tf.linalg.matMul(x, w.read()), b.read());
  }
}
