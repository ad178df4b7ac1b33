package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Creates the trainable variables of one graph and remembers how each is read, so the trainer can
 * take gradients w.r.t. the reads: dense weights are read whole (Adam), embedding tables only
 * through gathers (sparse Adagrad on the gathered rows). Variables are {@code VariableV2} so the
 * stock SavedModel saver covers them (STACK.md). Initial values come from a seeded Java {@link
 * Random} and live in the init scope.
 */
public final class ParamStore {

  /** A dense weight and its whole-tensor read. */
  public record DenseParam(
      String name, Variable<TFloat32> var, Operand<TFloat32> read, long[] shape) {
    public int size() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return Math.toIntExact(n);
    }
  }

  /** An embedding table and every gather taken from it. */
  public static final class TableParam {
    final String name;
    final Variable<TFloat32> var;
    final int rows;
    final int dim;
    final float initStd;
    final ModelParams.Field field;
    final List<Operand<TInt32>> ids = new ArrayList<>();
    final List<Operand<TFloat32>> gathered = new ArrayList<>();

    TableParam(
        String name,
        Variable<TFloat32> var,
        int rows,
        int dim,
        float initStd,
        ModelParams.Field field) {
      this.name = name;
      this.var = var;
      this.rows = rows;
      this.dim = dim;
      this.initStd = initStd;
      this.field = field;
    }

    public String name() {
      return name;
    }

    public int rows() {
      return rows;
    }

    public int dim() {
      return dim;
    }

    public Variable<TFloat32> var() {
      return var;
    }

    /** Standard deviation of the initial rows: what a reset row is drawn from again. */
    public float initStd() {
      return initStd;
    }

    /** The categorical field whose ids index this table; null for other tables (P_pos, ...). */
    public ModelParams.Field field() {
      return field;
    }
  }

  private final Random random;
  private final float identityNoise;
  private final Map<String, DenseParam> dense = new LinkedHashMap<>();
  private final Map<String, TableParam> tables = new LinkedHashMap<>();
  private final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();

  public ParamStore(long seed) {
    this(seed, 0f);
  }

  /**
   * @param identityNoise uniform noise in [-n, n] added to {@link #eye} initial values; tests use
   *     it to check projection math with weights that are not the identity
   */
  public ParamStore(long seed, float identityNoise) {
    this.random = new Random(seed);
    this.identityNoise = identityNoise;
  }

  public Map<String, DenseParam> dense() {
    return Collections.unmodifiableMap(dense);
  }

  public Map<String, TableParam> tables() {
    return Collections.unmodifiableMap(tables);
  }

  /**
   * Names an intermediate tensor a caller may fetch (e.g. TD-SASRec's per-user head vectors for
   * retrieval and caching); see {@code TfCtrModel#output}.
   */
  public void output(String name, Operand<TFloat32> value) {
    outputs.put(name, value);
  }

  public Map<String, Operand<TFloat32>> outputs() {
    return Collections.unmodifiableMap(outputs);
  }

  /** A dense weight with the given initial values (row-major). */
  public Operand<TFloat32> dense(Ops tf, String name, long[] shape, float[] init) {
    if (dense.containsKey(name) || tables.containsKey(name)) {
      throw new IllegalArgumentException("duplicate variable " + name);
    }
    Variable<TFloat32> v = tf.withName(name).variable(constant(tf.withInitScope(), shape, init));
    Operand<TFloat32> read = tf.withName(name + "_read").identity(v);
    dense.put(name, new DenseParam(name, v, read, shape.clone()));
    return read;
  }

  /** Glorot-uniform {@code [in, out]} matrix. */
  public Operand<TFloat32> glorot(Ops tf, String name, int in, int out) {
    float limit = (float) Math.sqrt(6.0 / (in + out));
    float[] w = new float[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (random.nextFloat() * 2f - 1f) * limit;
    }
    return dense(tf, name, new long[] {in, out}, w);
  }

  public Operand<TFloat32> zeros(Ops tf, String name, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return dense(tf, name, shape, new float[Math.toIntExact(n)]);
  }

  /** {@code d x d} identity: learned projections start as "no projection". */
  public Operand<TFloat32> eye(Ops tf, String name, int d) {
    float[] w = new float[d * d];
    for (int i = 0; i < d; i++) {
      w[i * d + i] = 1f;
    }
    for (int i = 0; i < w.length && identityNoise != 0f; i++) {
      w[i] += (random.nextFloat() * 2f - 1f) * identityNoise;
    }
    return dense(tf, name, new long[] {d, d}, w);
  }

  /** Creates (once) an embedding table with N(0, std) rows; row 0 starts at zero. */
  public void table(Ops tf, String name, int rows, int dim, float std) {
    table(tf, name, null, rows, dim, std);
  }

  /**
   * Creates (once) a table indexed by {@code field}'s rows (null: by something else): when the
   * field's id mapping hands a row to a new id, every such table resets that row.
   */
  public void table(Ops tf, String name, ModelParams.Field field, int rows, int dim, float std) {
    if (tables.containsKey(name)) {
      return;
    }
    if (dense.containsKey(name)) {
      throw new IllegalArgumentException("duplicate variable " + name);
    }
    float[] init = new float[rows * dim];
    for (int i = dim; i < init.length; i++) {
      init[i] = (float) (random.nextGaussian() * std);
    }
    Variable<TFloat32> v =
        tf.withName(name).variable(constant(tf.withInitScope(), new long[] {rows, dim}, init));
    tables.put(name, new TableParam(name, v, rows, dim, std, field));
  }

  /**
   * Gathers rows of a table; the gather is where the table's (sparse) gradient is taken. Rows of a
   * field's table come back zeroed where the id is the reserved row 0.
   */
  public Operand<TFloat32> lookup(Ops tf, String table, Operand<TInt32> rowIds) {
    TableParam t = tables.get(table);
    if (t == null) {
      throw new IllegalArgumentException("unknown table " + table);
    }
    Operand<TFloat32> g = tf.gather(t.var, rowIds, tf.constant(0));
    t.ids.add(rowIds);
    t.gathered.add(g);
    if (t.field == null) {
      return g;
    }
    // A field's reserved row (unknown, not yet admitted or expired ids) adds nothing and learns
    // nothing: trained, it would be one vector shared by every behavior whose field is unknown
    // (on data without side info, every behavior, in each of eight tables), updated from every
    // position of every batch and drowning the ids that carry information.
    Operand<TFloat32> known =
        tf.expandDims(
            tf.dtypes.cast(tf.math.notEqual(rowIds, tf.constant(0)), TFloat32.class),
            tf.constant(-1));
    return tf.math.mul(g, known);
  }

  static Operand<TFloat32> constant(Ops tf, long[] shape, float[] values) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
  }
}
