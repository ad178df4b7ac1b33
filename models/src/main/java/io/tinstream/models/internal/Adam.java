package io.tinstream.models.internal;

import java.util.List;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam ({@code ApplyAdam}) on the dense weights. The bias-correction powers {@code β^t} are fed per
 * step rather than kept as variables, so the step count travels with the exported variables ({@link
 * VariableCodec}'s optimizer step) instead of hiding in the graph.
 */
final class Adam {
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPS = 1e-8f;

  /** First and second moment slots of one weight, and its update. */
  record Update(Variable<TFloat32> m, Variable<TFloat32> v, Op apply) {}

  private final float learningRate;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;

  Adam(Ops tf, float learningRate) {
    this.learningRate = learningRate;
    this.beta1Power =
        tf.withName("adam_beta1_power")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.beta2Power =
        tf.withName("adam_beta2_power")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  }

  /**
   * Creates the zero slots {@code <name>_adam_m}, {@code <name>_adam_v} and the update of {@code
   * param} by gradient {@code g}, built under {@code afterGradients}.
   */
  Update update(Ops tf, Ops afterGradients, ParamStore.DenseParam param, Output<TFloat32> g) {
    Ops init = tf.withInitScope();
    Variable<TFloat32> m =
        tf.withName(param.name() + "_adam_m")
            .variable(ParamStore.constant(init, param.shape(), new float[param.size()]));
    Variable<TFloat32> v =
        tf.withName(param.name() + "_adam_v")
            .variable(ParamStore.constant(init, param.shape(), new float[param.size()]));
    Op apply =
        afterGradients.train.applyAdam(
            param.var(),
            m,
            v,
            beta1Power,
            beta2Power,
            tf.constant(learningRate),
            tf.constant(BETA1),
            tf.constant(BETA2),
            tf.constant(EPS),
            g);
    return new Update(m, v, apply);
  }

  /** Feeds {@code β1^step}, {@code β2^step} of the step being run. */
  void feedStep(Session.Runner r, long step, List<Tensor> owned) {
    TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(BETA1, step));
    owned.add(b1);
    TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(BETA2, step));
    owned.add(b2);
    r.feed(beta1Power, b1);
    r.feed(beta2Power, b2);
  }
}
