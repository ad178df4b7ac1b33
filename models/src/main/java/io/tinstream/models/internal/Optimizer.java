package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The training step of a model: gradients of the loss w.r.t. every dense read ({@link Adam}) and
 * every table gather ({@link SparseAdagrad} on the gathered rows only), and one {@code train} op
 * that applies them all.
 */
public final class Optimizer {
  /**
   * {@code learningRate}: Adam's, of the dense weights; {@code embeddingLearningRate} and {@code
   * adagradInitialAccumulator}: sparse Adagrad's, of the embedding tables.
   */
  public record Settings(
      float learningRate, float embeddingLearningRate, float adagradInitialAccumulator) {
    public static final Settings DEFAULT = new Settings(1e-3f, 0.05f, 0.1f);

    public void validate() {
      if (!(learningRate > 0 && embeddingLearningRate > 0)) {
        throw new IllegalArgumentException("learning rates must be > 0");
      }
      if (!(adagradInitialAccumulator > 0)) {
        throw new IllegalArgumentException("adagradInitialAccumulator must be > 0");
      }
    }
  }

  /** A dense weight with its Adam slots. */
  public record DenseSlots(
      ParamStore.DenseParam param, Variable<TFloat32> m, Variable<TFloat32> v) {}

  /** An embedding table with its Adagrad accumulator. */
  public record TableSlots(ParamStore.TableParam table, Variable<TFloat32> accum) {}

  private final Adam adam;
  private final Op trainOp;
  private final List<DenseSlots> dense = new ArrayList<>();
  private final List<TableSlots> tables = new ArrayList<>();

  /** Gradient outputs by name: dense weights, tables' summed rows and {@code <table>/rows}. */
  private final Map<String, Output<?>> gradients = new LinkedHashMap<>();

  public Optimizer(
      Ops tf, Graph graph, ParamStore store, Operand<TFloat32> loss, ModelParams params) {
    List<Output<?>> xs = new ArrayList<>();
    for (ParamStore.DenseParam dp : store.dense().values()) {
      xs.add(dp.read().asOutput());
    }
    for (ParamStore.TableParam t : store.tables().values()) {
      for (Operand<TFloat32> g : t.gathered) {
        xs.add(g.asOutput());
      }
    }
    Output<?>[] grads = graph.addGradients(loss.asOutput(), xs.toArray(new Output<?>[0]));
    Settings settings = params.optimizer();
    this.adam = new Adam(tf, settings.learningRate());
    SparseAdagrad adagrad =
        new SparseAdagrad(settings.embeddingLearningRate(), settings.adagradInitialAccumulator());
    // Ref variables alias their reads: no apply may run before every gradient (which still reads
    // the pre-step weights) is computed, or backprop would see partially updated weights.
    List<Operation> gradOps = new ArrayList<>();
    for (Output<?> g : grads) {
      gradOps.add(g.op());
    }
    Ops afterGradients = tf.withControlDependencyOps(gradOps);
    List<Op> applies = new ArrayList<>();
    int gi = 0;
    for (ParamStore.DenseParam dp : store.dense().values()) {
      Output<TFloat32> g = floats(grads[gi++]);
      gradients.put(dp.name(), g);
      Adam.Update u = adam.update(tf, afterGradients, dp, g);
      applies.add(u.apply());
      dense.add(new DenseSlots(dp, u.m(), u.v()));
    }
    for (ParamStore.TableParam t : store.tables().values()) {
      List<Output<TFloat32>> tableGrads = new ArrayList<>();
      for (int k = 0; k < t.gathered.size(); k++) {
        tableGrads.add(floats(grads[gi++]));
      }
      SparseAdagrad.Update u = adagrad.update(tf, afterGradients, t, tableGrads);
      gradients.put(t.name() + "/rows", u.rows().asOutput());
      gradients.put(t.name(), u.rowGrads().asOutput());
      applies.add(u.apply());
      tables.add(new TableSlots(t, u.accum()));
    }
    this.trainOp = tf.withControlDependencies(applies).withName("train").noOp();
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> floats(Output<?> o) {
    return (Output<TFloat32>) o;
  }

  public Op trainOp() {
    return trainOp;
  }

  public List<DenseSlots> dense() {
    return List.copyOf(dense);
  }

  public List<TableSlots> tables() {
    return List.copyOf(tables);
  }

  /** Feeds what the step numbered {@code step} (1 = the first) needs besides the batch. */
  public void feedStep(Session.Runner r, long step, List<Tensor> owned) {
    adam.feedStep(r, step, owned);
  }

  /**
   * Test hook: runs {@code r} (fed with a labelled batch) for the gradients of the mean loss, as
   * dense arrays; embedding tables are scattered from their per-row sums into a zero {@code [rows,
   * d]} array.
   */
  public Map<String, float[]> gradients(Session.Runner r, ParamStore store) {
    List<String> keys = new ArrayList<>(gradients.keySet());
    for (String k : keys) {
      r.fetch(gradients.get(k));
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result res = r.run()) {
      for (int i = 0; i < keys.size(); i++) {
        String k = keys.get(i);
        if (k.endsWith("/rows")) {
          continue;
        }
        ParamStore.TableParam t = store.tables().get(k);
        if (t == null) {
          float[] g = new float[Math.toIntExact(res.get(i).shape().size())];
          ((TFloat32) res.get(i)).copyTo(DataBuffers.of(g, false, false));
          out.put(k, g);
        } else {
          TInt32 rows = (TInt32) res.get(keys.indexOf(k + "/rows"));
          TFloat32 rg = (TFloat32) res.get(i);
          float[] dense = new float[t.rows() * t.dim()];
          for (long j = 0; j < rows.shape().size(); j++) {
            int row = rows.getInt(j);
            for (int c = 0; c < t.dim(); c++) {
              dense[row * t.dim() + c] += rg.getFloat(j, c);
            }
          }
          out.put(k, dense);
        }
      }
    }
    return out;
  }
}
