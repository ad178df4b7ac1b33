package io.tinstream.models.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unique;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Sparse Adagrad ({@code SparseApplyAdagrad}) on an embedding table: the gradients w.r.t. every
 * gather of the table are summed per distinct row (unique + segment sum) and only those rows are
 * updated, so a step costs O(rows touched), not O(table).
 */
final class SparseAdagrad {
  static final float EPS = 1e-7f;

  /** The accumulator slot, the distinct rows and their summed gradients, and the update. */
  record Update(
      Variable<TFloat32> accum, Operand<TInt32> rows, Operand<TFloat32> rowGrads, Op apply) {}

  private final float learningRate;
  private final float initialAccumulator;

  SparseAdagrad(float learningRate, float initialAccumulator) {
    this.learningRate = learningRate;
    this.initialAccumulator = initialAccumulator;
  }

  /**
   * Creates the slot {@code <name>_adagrad} and the update of {@code table} from {@code grads}, the
   * gradients of its gathers in lookup order; the update is built under {@code afterGradients}.
   */
  Update update(
      Ops tf, Ops afterGradients, ParamStore.TableParam table, List<Output<TFloat32>> grads) {
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
    Op apply =
        afterGradients.train.sparseApplyAdagrad(
            table.var(), accum, tf.constant(learningRate), tf.constant(EPS), rowGrads, uniq.y());
    return new Update(accum, uniq.y(), rowGrads, apply);
  }
}
