package io.tinstream.models.layers;

import io.tinstream.models.ModelParams;
import io.tinstream.models.internal.ParamStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Stacked TIN (MODELS.md "Stacked TIN"): per layer {@code k^l = W^l_k ẽ}, {@code v^l = W^l_v ẽ};
 * layer 1 queries from the target ({@code q^1 = W^1_q ṽ_t}, {@code u^1 = W^1_u ṽ_t}), layer {@code
 * l > 1} from the previous output with a residual to the target ({@code q^l = W^l_q (h^{l-1} +
 * ṽ_t)}, same for {@code u^l}); {@code h^l = Σ_i softmax_i(q^l·k^l_i/√d)(v^l_i ⊙ u^l)}; output
 * {@code h^L}.
 *
 * <p>Projections follow {@link TinLayer.Settings#projections()} exactly as {@link TinLayer}
 * (identity by default, so STIN and TIN are compared with the same parametrization); layer 1 names
 * its weights {@code tin_W_*}: depth 1 is TIN, weight for weight.
 */
public final class StackedTinLayer implements InterestLayer {
  public static final int MAX_DEPTH = 4;

  private final int depth;

  public StackedTinLayer(int depth) {
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("STIN depth must be in 1.." + MAX_DEPTH + ": " + depth);
    }
    this.depth = depth;
  }

  public int depth() {
    return depth;
  }

  @Override
  public boolean temporalEncoding() {
    return true;
  }

  @Override
  public int outputDim(ModelParams p) {
    return p.dim();
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in) {
    Operand<TFloat32> vt = in.target();
    Operand<TFloat32> h = TinLayer.attend(tf, store, p, in, vt, "tin_W_");
    for (int l = 2; l <= depth; l++) {
      h = TinLayer.attend(tf, store, p, in, tf.math.add(h, vt), "stin" + l + "_W_"); // residual
    }
    return h;
  }
}
