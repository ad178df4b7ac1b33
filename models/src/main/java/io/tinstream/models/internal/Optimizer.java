package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The training step of a model: gradients of the loss w.r.t. every dense read ({@link Adam}) and
 * every table gather ({@link SparseAdagrad} on the gathered rows only), and one {@code train} op
 * that applies them all.
 *
 * <p>A step is two session runs. The first ({@link #compute}) fetches the loss, the gradients and
 * one flag: whether the loss, every gradient and every weight and slot the step would write are
 * finite (the updates are recomputed on copies, densely for the small dense weights and on the
 * touched rows for the tables). The second ({@link #apply}) runs the stock apply ops on the fetched
 * gradients, fed back through placeholders, and only when the flag is set. Checking inside one run
 * would need graph control flow around stateful ops, and checking after the apply would need a
 * pre-step copy of every weight to restore; two runs cost one more session call, no copies and no
 * second backprop, and a skipped step leaves every variable bit-identical.
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
  private final Op applyOp;
  private final Operand<TBool> finite;
  private final List<Feed<?>> applyInputs = new ArrayList<>();
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
    // Flattened, concatenated copies for the finiteness check (see Adam.finite, SparseAdagrad
    // .finite): a constant number of check ops per step, whatever the number of weights.
    List<Operand<TFloat32>> w = new ArrayList<>();
    List<Operand<TFloat32>> m = new ArrayList<>();
    List<Operand<TFloat32>> v = new ArrayList<>();
    List<Operand<TFloat32>> g = new ArrayList<>();
    List<Op> applies = new ArrayList<>();
    int gi = 0;
    for (ParamStore.DenseParam dp : store.dense().values()) {
      Output<TFloat32> grad = floats(grads[gi++]);
      gradients.put(dp.name(), grad);
      Adam.Update u = adam.update(tf, dp);
      w.add(flat(tf, dp.var()));
      m.add(flat(tf, u.m()));
      v.add(flat(tf, u.v()));
      g.add(flat(tf, grad));
      applyInputs.add(new Feed<>(u.grad(), grad));
      applies.add(u.apply());
      dense.add(new DenseSlots(dp, u.m(), u.v()));
    }
    List<Operand<TFloat32>> rowsW = new ArrayList<>();
    List<Operand<TFloat32>> rowsA = new ArrayList<>();
    List<Operand<TFloat32>> rowsG = new ArrayList<>();
    for (ParamStore.TableParam t : store.tables().values()) {
      List<Output<TFloat32>> tableGrads = new ArrayList<>();
      for (int k = 0; k < t.gathered.size(); k++) {
        tableGrads.add(floats(grads[gi++]));
      }
      SparseAdagrad.Update u = adagrad.update(tf, t, tableGrads);
      gradients.put(t.name() + "/rows", u.rows().asOutput());
      gradients.put(t.name(), u.rowGrads().asOutput());
      rowsW.add(flat(tf, tf.gather(t.var(), u.rows(), tf.constant(0))));
      rowsA.add(flat(tf, tf.gather(u.accum(), u.rows(), tf.constant(0))));
      rowsG.add(flat(tf, u.rowGrads()));
      applyInputs.add(new Feed<>(u.rowsIn(), u.rows().asOutput()));
      applyInputs.add(new Feed<>(u.gradsIn(), u.rowGrads().asOutput()));
      applies.add(u.apply());
      tables.add(new TableSlots(t, u.accum()));
    }
    List<Operand<TBool>> finite = new ArrayList<>();
    finite.add(allFinite(tf, loss));
    if (!w.isEmpty()) {
      finite.add(adam.finite(tf, concat(tf, w), concat(tf, m), concat(tf, v), concat(tf, g)));
    }
    if (!rowsW.isEmpty()) {
      finite.add(adagrad.finite(tf, concat(tf, rowsW), concat(tf, rowsA), concat(tf, rowsG)));
    }
    this.finite =
        tf.withName("step_finite").reduceAll(tf.stack(finite), tf.constant(new int[] {0}));
    this.applyOp = tf.withControlDependencies(applies).withName("train").noOp();
  }

  private static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new int[] {-1}));
  }

  private static Operand<TFloat32> concat(Ops tf, List<Operand<TFloat32>> xs) {
    return xs.size() == 1 ? xs.get(0) : tf.concat(xs, tf.constant(0));
  }

  /** Whether every element of {@code x} is finite (true for an empty {@code x}). */
  static Operand<TBool> allFinite(Ops tf, Operand<TFloat32> x) {
    return tf.reduceAll(
        tf.math.isFinite(tf.reshape(x, tf.constant(new int[] {-1}))), tf.constant(new int[] {0}));
  }

  /** A placeholder of the apply run and the output of the compute run that fills it. */
  private record Feed<T extends TType>(Placeholder<T> in, Output<T> from) {}

  /**
   * What the compute run of a step fetched: the loss, whether the step would keep everything
   * finite, and the gradients the apply run takes. Owns the fetched tensors.
   */
  public static final class Computed implements AutoCloseable {
    private final Result result;
    private final int inputsAt;
    public final float loss;
    public final boolean finite;

    private Computed(Result result, int inputsAt) {
      this.result = result;
      this.inputsAt = inputsAt;
      this.loss = ((TFloat32) result.get(0)).getFloat();
      this.finite = ((TBool) result.get(1)).getBoolean();
    }

    @Override
    public void close() {
      result.close();
    }
  }

  /**
   * The first run of a step: {@code r}, fed with a labelled batch and {@link #feedStep}, computes
   * the loss, every gradient and the finiteness of loss, gradients and the weights and slots the
   * step would write. Nothing is assigned, so a non-finite step can be skipped bit-exactly.
   */
  public Computed compute(Session.Runner r, Operand<TFloat32> loss) {
    r.fetch(loss).fetch(finite);
    for (Feed<?> f : applyInputs) {
      r.fetch(f.from());
    }
    return new Computed(r.run(), 2);
  }

  /**
   * The second run: applies the gradients {@code c} computed (fed back, not recomputed: the tensors
   * are passed as they are, so the extra cost is one session call and no backprop). Ref variables
   * alias their reads, but this run reads no weight besides the apply ops' own, so no gradient can
   * see a partially updated weight.
   */
  public void apply(Session session, Computed c, long step, List<Tensor> owned) {
    Session.Runner r = session.runner();
    feedStep(r, step, owned);
    for (int i = 0; i < applyInputs.size(); i++) {
      r.feed(applyInputs.get(i).in(), c.result.get(c.inputsAt + i));
    }
    r.addTarget(applyOp).run().close();
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> floats(Output<?> o) {
    return (Output<TFloat32>) o;
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
