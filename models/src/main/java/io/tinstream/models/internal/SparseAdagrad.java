package io.tinstream.models.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unique;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Sparse Adagrad ({@code SparseApplyAdagrad}) on an embedding table: the gradients w.r.t. every
 * gather of the table are summed per distinct row (unique + segment sum) and only those rows are
 * updated, so a step costs O(rows touched), not O(table).
 */
final class SparseAdagrad {
  static final float EPS = 1e-7f;

  /**
   * The accumulator slot, the distinct rows and their summed gradients, and the update, which takes
   * rows and gradients from the placeholders {@code rowsIn} and {@code gradsIn}.
   */
  record Update(
      Variable<TFloat32> accum,
      Operand<TInt32> rows,
      Operand<TFloat32> rowGrads,
      Placeholder<TInt32> rowsIn,
      Placeholder<TFloat32> gradsIn,
      Op apply) {}

  private final float learningRate;
  private final float initialAccumulator;

  SparseAdagrad(float learningRate, float initialAccumulator) {
    this.learningRate = learningRate;
    this.initialAccumulator = initialAccumulator;
  }

  /**
   * Creates the slot {@code <name>_adagrad} and the update of {@code table} from {@code grads}, the
   * gradients of its gathers in lookup order.
   */
  /**
   * Whether the step would leave the touched rows and their accumulators finite:
   * SparseApplyAdagradV2's formula (a += g², w -= g·lr / (√a + ε)) on copies, {@code w}, {@code a}
   * and {@code g} being the touched rows of every table (and their accumulators and summed
   * gradients) flattened and concatenated, so the check costs O(rows touched) in a few ops. A
   * non-finite gradient makes a non-finite, so it needs no check of its own.
   */
  Operand<TBool> finite(Ops tf, Operand<TFloat32> w, Operand<TFloat32> a, Operand<TFloat32> g) {
    Operand<TFloat32> a1 = tf.math.add(a, tf.math.square(g));
    Operand<TFloat32> w1 =
        tf.math.sub(
            w,
            tf.math.div(
                tf.math.mul(g, tf.constant(learningRate)),
                tf.math.add(tf.math.sqrt(a1), tf.constant(EPS))));
    return Optimizer.allFinite(tf, tf.concat(List.of(w1, a1), tf.constant(0)));
  }

  Update update(Ops tf, ParamStore.TableParam table, List<Output<TFloat32>> grads) {
    List<Operand<TInt32>> ids = new ArrayList<>();
    List<Operand<TFloat32>> gs = new ArrayList<>();
    for (int k = 0; k < grads.size(); k++) {
      ids.add(tf.reshape(table.ids.get(k), tf.constant(new int[] {-1})));
      gs.add(tf.reshape(grads.get(k), tf.constant(new int[] {-1, table.dim()})));
    }
    Operand<TInt32> allIds = ids.size() == 1 ? ids.get(0) : tf.concat(ids, tf.constant(0));
    Operand<TFloat32> allGrads = gs.size() == 1 ? gs.get(0) : tf.concat(gs, tf.constant(0));
    Unique<TInt32, TInt32> uniq = tf.unique(allIds, tf.constant(new int[] {0}));
    Operand<TFloat32> rowGrads =
        tf.math.unsortedSegmentSum(allGrads, uniq.idx(), tf.size(uniq.y()));
    float[] acc0 = new float[table.rows() * table.dim()];
    Arrays.fill(acc0, initialAccumulator);
    Variable<TFloat32> accum =
        tf.withName(table.name() + "_adagrad")
            .variable(
                ParamStore.constant(
                    tf.withInitScope(), new long[] {table.rows(), table.dim()}, acc0));
    Operand<TInt32> rows = uniq.y();
    Placeholder<TInt32> rowsIn =
        tf.withName(table.name() + "_rows_in")
            .placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> gradsIn =
        tf.withName(table.name() + "_grad_in")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, table.dim())));
    Op apply =
        tf.train.sparseApplyAdagrad(
            table.var(), accum, tf.constant(learningRate), tf.constant(EPS), gradsIn, rowsIn);
    return new Update(accum, rows, rowGrads, rowsIn, gradsIn, apply);
  }
}
