package io.tinstream.models.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Every variable of a model by export name (dense weights {@code w}, {@code w/adam_m}, {@code
 * w/adam_v}; tables {@code t}, {@code t/adagrad}) with the ops that read, overwrite, gather and
 * scatter it, and the exports and imports in the {@link VariableCodec} format built from them.
 */
public final class VariableIo {
  private static final String ADAGRAD_SUFFIX = "/adagrad";

  private record Var(
      Variable<TFloat32> var,
      Operand<TFloat32> read,
      Placeholder<TFloat32> value,
      Operand<TFloat32> assign,
      long[] shape) {}

  /** Row-wise access to a table and its accumulator, for deltas. */
  private record TableRows(
      ParamStore.TableParam table,
      Placeholder<TInt32> rows,
      Operand<TFloat32> gatherValues,
      Operand<TFloat32> gatherAccum,
      Placeholder<TFloat32> newValues,
      Placeholder<TFloat32> newAccum,
      Operand<TFloat32> scatterValues,
      Operand<TFloat32> scatterAccum) {}

  private final Map<String, Var> vars = new LinkedHashMap<>();
  private final Map<String, TableRows> tables = new LinkedHashMap<>();

  /** Builds the I/O ops (scope {@code io}) of every weight and slot the optimizer holds. */
  public VariableIo(Ops tf, Optimizer optimizer) {
    Ops io = tf.withSubScope("io");
    for (Optimizer.DenseSlots s : optimizer.dense()) {
      ParamStore.DenseParam dp = s.param();
      add(io, dp.name(), dp.var(), dp.shape());
      add(io, dp.name() + "/adam_m", s.m(), dp.shape());
      add(io, dp.name() + "/adam_v", s.v(), dp.shape());
    }
    for (Optimizer.TableSlots s : optimizer.tables()) {
      ParamStore.TableParam t = s.table();
      long[] shape = {t.rows(), t.dim()};
      add(io, t.name(), t.var(), shape);
      add(io, t.name() + ADAGRAD_SUFFIX, s.accum(), shape);
      Placeholder<TInt32> rows = io.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> nv =
          io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.dim())));
      Placeholder<TFloat32> na =
          io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.dim())));
      tables.put(
          t.name(),
          new TableRows(
              t,
              rows,
              io.gather(t.var(), rows, io.constant(0)),
              io.gather(s.accum(), rows, io.constant(0)),
              nv,
              na,
              io.scatterUpdate(t.var(), rows, nv),
              io.scatterUpdate(s.accum(), rows, na)));
    }
  }

  private void add(Ops io, String name, Variable<TFloat32> var, long[] shape) {
    Placeholder<TFloat32> ph = io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    vars.put(name, new Var(var, io.identity(var), ph, io.assign(var, ph), shape));
  }

  /** Names of every exported variable (weights and optimizer slots). */
  public List<String> names() {
    return new ArrayList<>(vars.keySet());
  }

  /** Reads one variable as a flat row-major array. */
  public float[] read(Session session, String name) {
    Var v = known(name);
    try (Result res = session.runner().fetch(v.read()).run()) {
      float[] a = new float[Math.toIntExact(res.get(0).shape().size())];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  }

  /** Overwrites one variable (row-major values of its full shape). */
  public void write(Session session, String name, float[] values) {
    Var v = known(name);
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(v.shape()), DataBuffers.of(values, true, false))) {
      session.runner().feed(v.value(), t).addTarget(v.assign()).run();
    }
  }

  private Var known(String name) {
    Var v = vars.get(name);
    if (v == null) {
      throw new IllegalArgumentException("unknown variable " + name);
    }
    return v;
  }

  /**
   * Overwrites {@code rows} of table {@code name} with {@code values} ({@code rows.length x dim})
   * and their Adagrad accumulators with {@code accum}: a row handed to a new id starts over.
   */
  public void writeRows(Session session, String name, int[] rows, float[] values, float accum) {
    TableRows t = tables.get(name);
    if (t == null) {
      throw new IllegalArgumentException("unknown table " + name);
    }
    int n = rows.length;
    if (n == 0) {
      return;
    }
    float[] acc = new float[n * t.table().dim()];
    Arrays.fill(acc, accum);
    scatter(session, t, rows, values, acc);
  }

  /** Overwrites {@code rows} of a table and of its accumulator ({@code rows.length x dim} each). */
  private static void scatter(
      Session session, TableRows t, int[] rows, float[] values, float[] accum) {
    int n = rows.length;
    int dim = t.table().dim();
    try (TInt32 idx = TInt32.tensorOf(Shape.of(n), DataBuffers.of(rows, true, false));
        TFloat32 v = TFloat32.tensorOf(Shape.of(n, dim), DataBuffers.of(values, true, false));
        TFloat32 a = TFloat32.tensorOf(Shape.of(n, dim), DataBuffers.of(accum, true, false))) {
      session
          .runner()
          .feed(t.rows(), idx)
          .feed(t.newValues(), v)
          .feed(t.newAccum(), a)
          .addTarget(t.scatterValues())
          .addTarget(t.scatterAccum())
          .run();
    }
  }

  /** Every dense weight and slot whole: both export kinds carry them. */
  private Map<String, VariableCodec.Dense> denseValues(Session session) {
    Map<String, VariableCodec.Dense> dense = new LinkedHashMap<>();
    for (Map.Entry<String, Var> e : vars.entrySet()) {
      String n = e.getKey();
      if (tables.containsKey(n) || n.endsWith(ADAGRAD_SUFFIX)) {
        continue;
      }
      dense.put(n, new VariableCodec.Dense(e.getValue().shape(), read(session, n)));
    }
    return dense;
  }

  /** A full snapshot: every variable and slot. */
  public byte[] exportFull(
      Session session, String variant, long version, long optimizerStep, byte[] idRows) {
    Map<String, VariableCodec.Rows> rows = new LinkedHashMap<>();
    for (TableRows t : tables.values()) {
      String n = t.table().name();
      rows.put(
          n,
          new VariableCodec.Rows(
              t.table().dim(), null, read(session, n), read(session, n + ADAGRAD_SUFFIX)));
    }
    return VariableCodec.encode(
        new VariableCodec.Snapshot(
            true, variant, version, -1L, optimizerStep, denseValues(session), rows, idRows));
  }

  /** A delta: dense variables whole, table rows only where {@code touched} after {@code since}. */
  public byte[] exportRowsSince(
      Session session,
      TouchedRows touched,
      String variant,
      long version,
      long sinceVersion,
      long optimizerStep,
      byte[] idRows) {
    Map<String, VariableCodec.Dense> dense = denseValues(session);
    Map<String, VariableCodec.Rows> rows = new LinkedHashMap<>();
    for (TableRows t : tables.values()) {
      int[] ids = touched.since(t.table().name(), sinceVersion);
      int count = ids.length;
      int dim = t.table().dim();
      float[] values = new float[count * dim];
      float[] accum = new float[count * dim];
      if (count > 0) {
        try (TInt32 idx = TInt32.tensorOf(Shape.of(count), DataBuffers.of(ids, true, false));
            Result res =
                session
                    .runner()
                    .feed(t.rows(), idx)
                    .fetch(t.gatherValues())
                    .fetch(t.gatherAccum())
                    .run()) {
          ((TFloat32) res.get(0)).copyTo(DataBuffers.of(values, false, false));
          ((TFloat32) res.get(1)).copyTo(DataBuffers.of(accum, false, false));
        }
      }
      rows.put(t.table().name(), new VariableCodec.Rows(dim, ids, values, accum));
    }
    return VariableCodec.encode(
        new VariableCodec.Snapshot(
            false, variant, version, sinceVersion, optimizerStep, dense, rows, idRows));
  }

  /**
   * Imports a full snapshot or a delta of model {@code variant}, after validating all of it (a bad
   * export changes nothing); returns it for its version and optimizer step.
   */
  public VariableCodec.Snapshot importInto(Session session, String variant, byte[] data) {
    return importInto(session, variant, data, s -> {});
  }

  /**
   * As {@link #importInto(Session, String, byte[])}; {@code check} sees the decoded export after
   * the variables are validated and before any is written, and may refuse it by throwing.
   */
  public VariableCodec.Snapshot importInto(
      Session session, String variant, byte[] data, Consumer<VariableCodec.Snapshot> check) {
    VariableCodec.Snapshot s = VariableCodec.decode(data);
    if (!s.variant().equals(variant)) {
      throw new IllegalArgumentException(
          "export is from model '" + s.variant() + "', this model is '" + variant + "'");
    }
    for (Map.Entry<String, VariableCodec.Dense> e : s.dense().entrySet()) {
      Var v = vars.get(e.getKey());
      if (v == null || !Arrays.equals(v.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException(
            "variable " + e.getKey() + " missing or of another shape");
      }
    }
    for (Map.Entry<String, VariableCodec.Rows> e : s.tables().entrySet()) {
      TableRows t = tables.get(e.getKey());
      if (t == null || t.table().dim() != e.getValue().dim()) {
        throw new IllegalArgumentException("table " + e.getKey() + " missing or of another dim");
      }
      int[] rows = e.getValue().rows();
      long whole = (long) t.table().rows() * t.table().dim();
      if (rows == null && e.getValue().values().length != whole) {
        // Checked here, not left to the write: a failed write would leave the dense weights
        // already overwritten.
        throw new IllegalArgumentException(
            "table "
                + e.getKey()
                + " holds "
                + e.getValue().values().length
                + " values, not "
                + whole);
      }
      if (rows != null) {
        for (int r : rows) {
          if (r < 0 || r >= t.table().rows()) {
            throw new IllegalArgumentException("row " + r + " out of range in " + e.getKey());
          }
        }
      }
    }
    check.accept(s);
    for (Map.Entry<String, VariableCodec.Dense> e : s.dense().entrySet()) {
      write(session, e.getKey(), e.getValue().values());
    }
    for (Map.Entry<String, VariableCodec.Rows> e : s.tables().entrySet()) {
      TableRows t = tables.get(e.getKey());
      VariableCodec.Rows r = e.getValue();
      if (r.rows() == null) {
        write(session, e.getKey(), r.values());
        write(session, e.getKey() + ADAGRAD_SUFFIX, r.accum());
      } else if (r.rows().length > 0) {
        scatter(session, t, r.rows(), r.values(), r.accum());
      }
    }
    return s;
  }
}
