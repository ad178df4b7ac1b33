package io.tinstream.models.internal;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
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

  /** First and second moment slots of one weight, and its update by the gradient fed to grad. */
  record Update(Variable<TFloat32> m, Variable<TFloat32> v, Placeholder<TFloat32> grad, Op apply) {}

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
   * Creates the zero slots {@code <name>_adam_m}, {@code <name>_adam_v} and the update, which takes
   * the gradient from a placeholder (so it applies the gradient {@link #finite} saw, without
   * recomputing it).
   */
  Update update(Ops tf, ParamStore.DenseParam param) {
    Ops init = tf.withInitScope();
    Variable<TFloat32> m =
        tf.withName(param.name() + "_adam_m")
            .variable(ParamStore.constant(init, param.shape(), new float[param.size()]));
    Variable<TFloat32> v =
        tf.withName(param.name() + "_adam_v")
            .variable(ParamStore.constant(init, param.shape(), new float[param.size()]));
    Placeholder<TFloat32> grad =
        tf.withName(param.name() + "_grad_in")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(param.shape())));
    Op apply =
        tf.train.applyAdam(
            param.var(),
            m,
            v,
            beta1Power,
            beta2Power,
            tf.constant(learningRate),
            tf.constant(BETA1),
            tf.constant(BETA2),
            tf.constant(EPS),
            grad);
    return new Update(m, v, grad, apply);
  }

  /**
   * Whether the step by gradients {@code g} would leave weights {@code w} and slots {@code m},
   * {@code v} finite: ApplyAdam's own formula (m += (g - m)(1-β1), v += (g² - v)(1-β2), w -= m·lr_t
   * / (√v + ε), lr_t = lr·√(1-β2^t)/(1-β1^t)) on copies, so a learning rate or moment that
   * overflows shows while the variables are still untouched. The operands are every dense weight
   * flattened and concatenated: a few ops per step instead of a dozen per weight. A non-finite
   * gradient makes m non-finite, so it needs no check of its own.
   */
  Operand<TBool> finite(
      Ops tf, Operand<TFloat32> w, Operand<TFloat32> m, Operand<TFloat32> v, Operand<TFloat32> g) {
    Operand<TFloat32> m1 = tf.math.add(m, tf.math.mul(tf.math.sub(g, m), tf.constant(1f - BETA1)));
    Operand<TFloat32> v1 =
        tf.math.add(v, tf.math.mul(tf.math.sub(tf.math.square(g), v), tf.constant(1f - BETA2)));
    Operand<TFloat32> lrT =
        tf.math.div(
            tf.math.mul(
                tf.constant(learningRate), tf.math.sqrt(tf.math.sub(tf.constant(1f), beta2Power))),
            tf.math.sub(tf.constant(1f), beta1Power));
    Operand<TFloat32> w1 =
        tf.math.sub(
            w, tf.math.div(tf.math.mul(m1, lrT), tf.math.add(tf.math.sqrt(v1), tf.constant(EPS))));
    return Optimizer.allFinite(tf, tf.concat(List.of(w1, m1, v1), tf.constant(0)));
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
