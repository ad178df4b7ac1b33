package io.tinstream.models;

import io.tinstream.models.internal.FeedEncoder;
import io.tinstream.models.internal.ModelParamsIO;
import io.tinstream.models.internal.ParamStore;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.models.layers.GraphMath;
import io.tinstream.models.layers.InterestLayer;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unique;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The shared graph of every variant: field embeddings summed per behavior, optional target-aware
 * temporal encoding, the variant's {@link InterestLayer}, an MLP head and sigmoid cross-entropy.
 * Dense weights train with Adam ({@code ApplyAdam}); embedding tables with sparse Adagrad on the
 * gathered rows only (gradient w.r.t. the gather outputs, unique + segment sum, {@code
 * SparseApplyAdagrad}), so a step costs O(rows touched).
 */
final class TfCtrModel implements CtrModel {
  static final float ADAM_BETA1 = 0.9f;
  static final float ADAM_BETA2 = 0.999f;
  static final float ADAM_EPS = 1e-8f;
  static final float ADAGRAD_EPS = 1e-7f;

  /** Which feed columns index which table (for touched-row tracking). */
  private static final Map<String, String[]> TABLE_FEEDS = new LinkedHashMap<>();

  static {
    TABLE_FEEDS.put("emb_item", new String[] {FeedEncoder.HIST_ITEM, FeedEncoder.TGT_ITEM});
    TABLE_FEEDS.put("emb_cat1", new String[] {FeedEncoder.HIST_CAT1, FeedEncoder.TGT_CAT1});
    TABLE_FEEDS.put("emb_cat2", new String[] {FeedEncoder.HIST_CAT2, FeedEncoder.TGT_CAT2});
    TABLE_FEEDS.put("emb_cat3", new String[] {FeedEncoder.HIST_CAT3, FeedEncoder.TGT_CAT3});
    TABLE_FEEDS.put("emb_action", new String[] {FeedEncoder.HIST_ACTION});
    TABLE_FEEDS.put(
        "emb_scenario", new String[] {FeedEncoder.HIST_SCENARIO, FeedEncoder.TGT_SCENARIO});
    TABLE_FEEDS.put("P_pos", new String[] {FeedEncoder.HIST_POS});
    TABLE_FEEDS.put("P_dt", new String[] {FeedEncoder.HIST_DT});
  }

  private final ModelParams params;
  private final Graph graph;
  private final Session session;
  private final ParamStore store;
  private final Map<String, Placeholder<?>> inputs = new LinkedHashMap<>();
  private final Operand<TFloat32> logit;
  private final Operand<TFloat32> prob;
  private final Operand<TFloat32> loss;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;
  private final Op trainOp;
  private final Map<String, Output<?>> gradients = new LinkedHashMap<>();

  /** Every variable by export name, with its read, its import placeholder and assign op. */
  private final Map<String, VarIo> vars = new LinkedHashMap<>();

  private final Map<String, TableIo> tableIo = new LinkedHashMap<>();
  private final Map<String, long[]> lastTouched = new LinkedHashMap<>();
  private long version;
  private long optimizerStep;

  private record VarIo(
      Variable<TFloat32> var,
      Operand<TFloat32> read,
      Placeholder<TFloat32> value,
      Operand<TFloat32> assign,
      long[] shape) {}

  private record TableIo(
      ParamStore.TableParam table,
      Variable<TFloat32> accum,
      Placeholder<TInt32> rows,
      Operand<TFloat32> gatherValues,
      Operand<TFloat32> gatherAccum,
      Placeholder<TFloat32> newValues,
      Placeholder<TFloat32> newAccum,
      Operand<TFloat32> scatterValues,
      Operand<TFloat32> scatterAccum) {}

  TfCtrModel(ModelParams params, InterestLayer layer) {
    this.params = params;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);
    this.store = new ParamStore(params.seed());
    int d = params.dim();
    float std = params.embeddingInitStd();

    Operand<TInt32> hItem = intInput(tf, FeedEncoder.HIST_ITEM, 2);
    Operand<TInt32> hC1 = intInput(tf, FeedEncoder.HIST_CAT1, 2);
    Operand<TInt32> hC2 = intInput(tf, FeedEncoder.HIST_CAT2, 2);
    Operand<TInt32> hC3 = intInput(tf, FeedEncoder.HIST_CAT3, 2);
    Operand<TInt32> hAct = intInput(tf, FeedEncoder.HIST_ACTION, 2);
    Operand<TInt32> hScn = intInput(tf, FeedEncoder.HIST_SCENARIO, 2);
    Operand<TInt32> hPos = intInput(tf, FeedEncoder.HIST_POS, 2);
    Operand<TInt32> hDt = intInput(tf, FeedEncoder.HIST_DT, 2);
    Placeholder<TFloat32> mask =
        tf.withName(FeedEncoder.MASK)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
    inputs.put(FeedEncoder.MASK, mask);
    Operand<TInt32> tItem = intInput(tf, FeedEncoder.TGT_ITEM, 1);
    Operand<TInt32> tC1 = intInput(tf, FeedEncoder.TGT_CAT1, 1);
    Operand<TInt32> tC2 = intInput(tf, FeedEncoder.TGT_CAT2, 1);
    Operand<TInt32> tC3 = intInput(tf, FeedEncoder.TGT_CAT3, 1);
    Operand<TInt32> tScn = intInput(tf, FeedEncoder.TGT_SCENARIO, 1);
    Operand<TInt32> tSlot = intInput(tf, FeedEncoder.TGT_CATEGORY_SLOT, 1);
    Placeholder<TFloat32> label =
        tf.withName(FeedEncoder.LABEL).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    inputs.put(FeedEncoder.LABEL, label);

    store.table(tf, "emb_item", params.rows(ModelParams.Field.ITEM), d, std);
    store.table(tf, "emb_cat1", params.rows(ModelParams.Field.CAT1), d, std);
    store.table(tf, "emb_cat2", params.rows(ModelParams.Field.CAT2), d, std);
    store.table(tf, "emb_cat3", params.rows(ModelParams.Field.CAT3), d, std);
    store.table(tf, "emb_action", params.rows(ModelParams.Field.ACTION), d, std);
    store.table(tf, "emb_scenario", params.rows(ModelParams.Field.SCENARIO), d, std);

    // e_i: field embeddings of a behavior, summed (MODELS.md "Notation"). Layers that embed the
    // sequence themselves (DARE looks up representation rows of the kept behaviors only) skip it:
    // an unused gather would still be computed for its (zero) gradient.
    Operand<TFloat32> e =
        !layer.usesBehaviorEmbeddings()
            ? null
            : sumAll(
                tf,
                store.lookup(tf, "emb_item", hItem),
                store.lookup(tf, "emb_cat1", hC1),
                store.lookup(tf, "emb_cat2", hC2),
                store.lookup(tf, "emb_cat3", hC3),
                store.lookup(tf, "emb_action", hAct),
                store.lookup(tf, "emb_scenario", hScn));
    // v_t: the target's item fields and scenario.
    Operand<TFloat32> vt =
        sumAll(
            tf,
            store.lookup(tf, "emb_item", tItem),
            store.lookup(tf, "emb_cat1", tC1),
            store.lookup(tf, "emb_cat2", tC2),
            store.lookup(tf, "emb_cat3", tC3),
            store.lookup(tf, "emb_scenario", tScn));
    Operand<TFloat32> eTilde = e;
    Operand<TFloat32> vTilde = vt;
    if (layer.temporalEncoding() && e != null) {
      // Target-aware temporal encoding: ẽ_i = e_i + P_pos[pos_i] + P_dt[bucket_i], ṽ_t = v_t +
      // P_pos[0] + P_dt[0].
      store.table(tf, "P_pos", params.positionBuckets(), d, std);
      store.table(tf, "P_dt", params.timeBuckets(), d, std);
      eTilde = sumAll(tf, e, store.lookup(tf, "P_pos", hPos), store.lookup(tf, "P_dt", hDt));
      Operand<TInt32> zero = tf.constant(new int[] {0});
      vTilde = sumAll(tf, vt, store.lookup(tf, "P_pos", zero), store.lookup(tf, "P_dt", zero));
    }
    InterestLayer.Features features =
        new InterestLayer.Features(
            hItem, hC1, hC2, hC3, hAct, hScn, hPos, hDt, tItem, tC1, tC2, tC3, tScn, tSlot);
    Operand<TFloat32> interest =
        layer.build(tf, store, params, new InterestLayer.Inputs(eTilde, vTilde, mask), features);
    if (layer.outputsLogit()) {
      this.logit = interest;
    } else {
      int inDim = layer.outputDim(params) + d;
      Operand<TFloat32> head = tf.concat(List.of(interest, vt), tf.constant(1));
      this.logit = GraphMath.mlpLogit(tf, store, "mlp", head, inDim, params.mlpLayers());
    }
    this.prob = tf.withName(FeedEncoder.SCORE).math.sigmoid(logit);
    // Sigmoid cross-entropy as softplus(x) - x*z (stable, gradients all registered).
    Operand<TFloat32> bce =
        tf.math.mean(
            tf.math.sub(tf.math.softplus(logit), tf.math.mul(logit, label)), tf.constant(0));
    // A layer's own loss term (LREA's non-negativity penalty) joins the objective here.
    Operand<TFloat32> regularizer = layer.regularizer();
    this.loss =
        tf.withName("loss").identity(regularizer == null ? bce : tf.math.add(bce, regularizer));

    // ---- gradients and optimizer ----
    List<Output<?>> xs = new ArrayList<>();
    for (ParamStore.DenseParam dp : store.dense().values()) {
      xs.add(dp.read().asOutput());
    }
    for (ParamStore.TableParam t : store.tables().values()) {
      for (Operand<TFloat32> g : t.gathered()) {
        xs.add(g.asOutput());
      }
    }
    Output<?>[] grads = graph.addGradients(loss.asOutput(), xs.toArray(new Output<?>[0]));
    this.beta1Power =
        tf.withName("adam_beta1_power")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.beta2Power =
        tf.withName("adam_beta2_power")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    // Ref variables alias their reads: no apply may run before every gradient (which still reads
    // the pre-step weights) is computed, or backprop would see partially updated weights.
    List<org.tensorflow.Operation> gradOps = new ArrayList<>();
    for (Output<?> g : grads) {
      gradOps.add(g.op());
    }
    Ops opt = tf.withControlDependencyOps(gradOps);
    List<Op> applies = new ArrayList<>();
    int gi = 0;
    Ops init = tf.withInitScope();
    for (ParamStore.DenseParam dp : store.dense().values()) {
      @SuppressWarnings("unchecked")
      Output<TFloat32> g = (Output<TFloat32>) grads[gi++];
      gradients.put(dp.name(), g);
      Variable<TFloat32> m =
          tf.withName(dp.name() + "_adam_m")
              .variable(ParamStore.constant(init, dp.shape(), new float[dp.size()]));
      Variable<TFloat32> v =
          tf.withName(dp.name() + "_adam_v")
              .variable(ParamStore.constant(init, dp.shape(), new float[dp.size()]));
      applies.add(
          opt.train.applyAdam(
              dp.var(),
              m,
              v,
              beta1Power,
              beta2Power,
              tf.constant(params.learningRate()),
              tf.constant(ADAM_BETA1),
              tf.constant(ADAM_BETA2),
              tf.constant(ADAM_EPS),
              g));
      addVarIo(tf, dp.name(), dp.var(), dp.shape());
      addVarIo(tf, dp.name() + "/adam_m", m, dp.shape());
      addVarIo(tf, dp.name() + "/adam_v", v, dp.shape());
    }
    for (ParamStore.TableParam t : store.tables().values()) {
      List<Operand<TInt32>> ids = new ArrayList<>();
      List<Operand<TFloat32>> gs = new ArrayList<>();
      for (int k = 0; k < t.gathered().size(); k++) {
        @SuppressWarnings("unchecked")
        Output<TFloat32> g = (Output<TFloat32>) grads[gi++];
        ids.add(tf.reshape(t.ids().get(k), tf.constant(new int[] {-1})));
        gs.add(tf.reshape(g, tf.constant(new int[] {-1, t.dim()})));
      }
      Operand<TInt32> allIds = ids.size() == 1 ? ids.get(0) : tf.concat(ids, tf.constant(0));
      Operand<TFloat32> allGrads = gs.size() == 1 ? gs.get(0) : tf.concat(gs, tf.constant(0));
      Unique<TInt32, TInt32> uniq = tf.unique(allIds, tf.constant(new int[] {0}));
      Operand<TFloat32> rowGrads =
          tf.math.unsortedSegmentSum(allGrads, uniq.idx(), tf.size(uniq.y()));
      gradients.put(t.name() + "/rows", uniq.y());
      gradients.put(t.name(), rowGrads.asOutput());
      float[] acc0 = new float[t.rows() * t.dim()];
      java.util.Arrays.fill(acc0, params.adagradInitialAccumulator());
      Variable<TFloat32> accum =
          tf.withName(t.name() + "_adagrad")
              .variable(ParamStore.constant(init, new long[] {t.rows(), t.dim()}, acc0));
      applies.add(
          opt.train.sparseApplyAdagrad(
              t.var(),
              accum,
              tf.constant(params.embeddingLearningRate()),
              tf.constant(ADAGRAD_EPS),
              rowGrads,
              uniq.y()));
      addTableIo(tf, t, accum);
      lastTouched.put(t.name(), filled(t.rows(), -1L));
    }
    this.trainOp = tf.withControlDependencies(applies).withName("train").noOp();

    ConfigProto config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(params.intraOpThreads())
            .setInterOpParallelismThreads(params.interOpThreads())
            .build();
    this.session = new Session(graph, config);
    session.initialize();
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private Operand<TInt32> intInput(Ops tf, String name, int rank) {
    Shape shape = rank == 2 ? Shape.of(-1, -1) : Shape.of(-1);
    Placeholder<TInt32> p = tf.withName(name).placeholder(TInt32.class, Placeholder.shape(shape));
    inputs.put(name, p);
    return p;
  }

  @SafeVarargs
  private static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32>... xs) {
    Operand<TFloat32> s = xs[0];
    for (int i = 1; i < xs.length; i++) {
      s = tf.math.add(s, xs[i]);
    }
    return s;
  }

  private void addVarIo(Ops tf, String name, Variable<TFloat32> var, long[] shape) {
    Ops io = tf.withSubScope("io");
    Placeholder<TFloat32> ph = io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    vars.put(name, new VarIo(var, io.identity(var), ph, io.assign(var, ph), shape));
  }

  private void addTableIo(Ops tf, ParamStore.TableParam t, Variable<TFloat32> accum) {
    Ops io = tf.withSubScope("io");
    long[] shape = {t.rows(), t.dim()};
    addVarIo(tf, t.name(), t.var(), shape);
    addVarIo(tf, t.name() + "/adagrad", accum, shape);
    Placeholder<TInt32> rows = io.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> nv =
        io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.dim())));
    Placeholder<TFloat32> na =
        io.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t.dim())));
    tableIo.put(
        t.name(),
        new TableIo(
            t,
            accum,
            rows,
            io.gather(t.var(), rows, io.constant(0)),
            io.gather(accum, rows, io.constant(0)),
            nv,
            na,
            io.scatterUpdate(t.var(), rows, nv),
            io.scatterUpdate(accum, rows, na)));
  }

  /** The session, graph and variables, for layers that add inference paths (LREA absorbed). */
  Session session() {
    return session;
  }

  Graph graph() {
    return graph;
  }

  ParamStore store() {
    return store;
  }

  Placeholder<?> input(String name) {
    return inputs.get(name);
  }

  @Override
  public String name() {
    return params.variant();
  }

  @Override
  public ModelParams params() {
    return params;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public float trainStep(Batch batch) {
    if (batch.labels == null) {
      throw new IllegalArgumentException("trainStep needs labels");
    }
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch);
    long step = optimizerStep + 1;
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = feed(enc, owned);
      r.feed(inputs.get(FeedEncoder.LABEL), own(owned, labelTensor(batch)));
      r.feed(beta1Power, own(owned, TFloat32.scalarOf((float) Math.pow(ADAM_BETA1, step))));
      r.feed(beta2Power, own(owned, TFloat32.scalarOf((float) Math.pow(ADAM_BETA2, step))));
      float l;
      try (Result res = r.addTarget(trainOp).fetch(loss).run()) {
        l = ((TFloat32) res.get(0)).getFloat();
      }
      if (!Float.isFinite(l)) {
        throw new IllegalStateException("non-finite training loss " + l + " at step " + step);
      }
      optimizerStep = step;
      version++;
      markTouched(enc);
      return l;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private void markTouched(FeedEncoder.Encoded enc) {
    for (Map.Entry<String, long[]> e : lastTouched.entrySet()) {
      long[] touched = e.getValue();
      touched[0] = version; // target temporal rows / padding row
      String[] feeds = TABLE_FEEDS.get(e.getKey());
      if (feeds == null) {
        // A layer's own table (DARE attention, dPE per-category, ...): which rows a step touched
        // is not tracked per feed, so deltas conservatively carry all of its rows.
        java.util.Arrays.fill(touched, version);
        continue;
      }
      for (String f : feeds) {
        for (int row : enc.ints.get(f)) {
          touched[row] = version;
        }
      }
    }
  }

  private Session.Runner feed(FeedEncoder.Encoded enc, List<Tensor> owned) {
    Session.Runner r = session.runner();
    for (Map.Entry<String, Tensor> t : enc.tensors().entrySet()) {
      owned.add(t.getValue());
      r.feed(inputs.get(t.getKey()), t.getValue());
    }
    return r;
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  private static TFloat32 labelTensor(Batch b) {
    return TFloat32.tensorOf(Shape.of(b.size), DataBuffers.of(b.labels, true, false));
  }

  @Override
  public float[] score(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch);
    List<Tensor> owned = new ArrayList<>();
    try (Result res = feed(enc, owned).fetch(prob).run()) {
      float[] out = new float[batch.size];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
      for (float v : out) {
        if (Float.isNaN(v)) {
          throw new IllegalStateException("model " + name() + " produced NaN scores");
        }
      }
      return out;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Override
  public float loss(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch);
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = feed(enc, owned);
      r.feed(inputs.get(FeedEncoder.LABEL), own(owned, labelTensor(batch)));
      try (Result res = r.fetch(loss).run()) {
        return ((TFloat32) res.get(0)).getFloat();
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Override
  public float[] output(String name, Batch batch) {
    Operand<TFloat32> out = store.outputs().get(name);
    if (out == null) {
      throw new IllegalArgumentException(
          "model " + name() + " has no output '" + name + "'; it has " + store.outputs().keySet());
    }
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch);
    List<Tensor> owned = new ArrayList<>();
    try (Result res = feed(enc, owned).fetch(out).run()) {
      float[] a = new float[Math.toIntExact(res.get(0).shape().size())];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(a, false, false));
      return a;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Test hook: gradients of the mean loss for one batch, as dense arrays (embedding tables
   * scattered from their per-row sums into a zero {@code [rows, d]} array).
   */
  Map<String, float[]> gradients(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch);
    List<Tensor> owned = new ArrayList<>();
    Map<String, float[]> out = new LinkedHashMap<>();
    try {
      Session.Runner r = feed(enc, owned);
      r.feed(inputs.get(FeedEncoder.LABEL), own(owned, labelTensor(batch)));
      List<String> keys = new ArrayList<>(gradients.keySet());
      for (String k : keys) {
        r.fetch(gradients.get(k));
      }
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
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Names of every exported variable (weights and optimizer slots). */
  List<String> variableNames() {
    return new ArrayList<>(vars.keySet());
  }

  /** Reads one variable as a flat row-major array. */
  float[] read(String name) {
    VarIo io = vars.get(name);
    if (io == null) {
      throw new IllegalArgumentException("unknown variable " + name);
    }
    try (Result res = session.runner().fetch(io.read()).run()) {
      float[] a = new float[Math.toIntExact(res.get(0).shape().size())];
      ((TFloat32) res.get(0)).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  }

  /** Overwrites one variable (row-major values of its full shape). */
  void write(String name, float[] values) {
    VarIo io = vars.get(name);
    if (io == null) {
      throw new IllegalArgumentException("unknown variable " + name);
    }
    try (TFloat32 t =
        TFloat32.tensorOf(Shape.of(io.shape()), DataBuffers.of(values, true, false))) {
      session.runner().feed(io.value(), t).addTarget(io.assign()).run();
    }
  }

  @Override
  public byte[] exportVariables() {
    Map<String, VariableCodec.Dense> dense = new LinkedHashMap<>();
    Map<String, VariableCodec.Rows> tables = new LinkedHashMap<>();
    for (Map.Entry<String, VarIo> e : vars.entrySet()) {
      String n = e.getKey();
      if (tableIo.containsKey(n) || n.endsWith("/adagrad")) {
        continue;
      }
      dense.put(n, new VariableCodec.Dense(e.getValue().shape(), read(n)));
    }
    for (TableIo t : tableIo.values()) {
      String n = t.table().name();
      tables.put(n, new VariableCodec.Rows(t.table().dim(), null, read(n), read(n + "/adagrad")));
    }
    return VariableCodec.encode(
        new VariableCodec.Snapshot(true, name(), version, -1L, optimizerStep, dense, tables));
  }

  @Override
  public byte[] exportRowsSince(long sinceVersion) {
    Map<String, VariableCodec.Dense> dense = new LinkedHashMap<>();
    for (Map.Entry<String, VarIo> e : vars.entrySet()) {
      String n = e.getKey();
      if (tableIo.containsKey(n) || n.endsWith("/adagrad")) {
        continue;
      }
      dense.put(n, new VariableCodec.Dense(e.getValue().shape(), read(n)));
    }
    Map<String, VariableCodec.Rows> tables = new LinkedHashMap<>();
    for (TableIo t : tableIo.values()) {
      long[] touched = lastTouched.get(t.table().name());
      int count = 0;
      for (long v : touched) {
        if (v > sinceVersion) {
          count++;
        }
      }
      int[] rows = new int[count];
      int k = 0;
      for (int r = 0; r < touched.length; r++) {
        if (touched[r] > sinceVersion) {
          rows[k++] = r;
        }
      }
      int dim = t.table().dim();
      float[] values = new float[count * dim];
      float[] accum = new float[count * dim];
      if (count > 0) {
        try (TInt32 idx = TInt32.tensorOf(Shape.of(count), DataBuffers.of(rows, true, false));
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
      tables.put(t.table().name(), new VariableCodec.Rows(dim, rows, values, accum));
    }
    return VariableCodec.encode(
        new VariableCodec.Snapshot(
            false, name(), version, sinceVersion, optimizerStep, dense, tables));
  }

  @Override
  public void importVariables(byte[] data) {
    VariableCodec.Snapshot s = VariableCodec.decode(data);
    if (!s.variant().equals(name())) {
      throw new IllegalArgumentException(
          "export is from model '" + s.variant() + "', this model is '" + name() + "'");
    }
    // Validate everything before writing anything.
    for (Map.Entry<String, VariableCodec.Dense> e : s.dense().entrySet()) {
      VarIo io = vars.get(e.getKey());
      if (io == null || !java.util.Arrays.equals(io.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException(
            "variable " + e.getKey() + " missing or of another shape");
      }
    }
    for (Map.Entry<String, VariableCodec.Rows> e : s.tables().entrySet()) {
      TableIo t = tableIo.get(e.getKey());
      if (t == null || t.table().dim() != e.getValue().dim()) {
        throw new IllegalArgumentException("table " + e.getKey() + " missing or of another dim");
      }
      int[] rows = e.getValue().rows();
      if (rows != null) {
        for (int r : rows) {
          if (r < 0 || r >= t.table().rows()) {
            throw new IllegalArgumentException("row " + r + " out of range in " + e.getKey());
          }
        }
      }
    }
    for (Map.Entry<String, VariableCodec.Dense> e : s.dense().entrySet()) {
      write(e.getKey(), e.getValue().values());
    }
    for (Map.Entry<String, VariableCodec.Rows> e : s.tables().entrySet()) {
      TableIo t = tableIo.get(e.getKey());
      VariableCodec.Rows r = e.getValue();
      if (r.rows() == null) {
        write(e.getKey(), r.values());
        write(e.getKey() + "/adagrad", r.accum());
      } else if (r.rows().length > 0) {
        int n = r.rows().length;
        try (TInt32 idx = TInt32.tensorOf(Shape.of(n), DataBuffers.of(r.rows(), true, false));
            TFloat32 v =
                TFloat32.tensorOf(Shape.of(n, r.dim()), DataBuffers.of(r.values(), true, false));
            TFloat32 a =
                TFloat32.tensorOf(Shape.of(n, r.dim()), DataBuffers.of(r.accum(), true, false))) {
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
    }
    this.version = s.version();
    this.optimizerStep = s.optimizerStep();
  }

  @Override
  public void exportSavedModel(Path dir) throws IOException {
    Signature.Builder sig =
        Signature.builder().key(Signature.DEFAULT_KEY).methodName("tensorflow/serving/predict");
    for (Map.Entry<String, Placeholder<?>> e : inputs.entrySet()) {
      if (!e.getKey().equals(FeedEncoder.LABEL)) {
        sig.input(e.getKey(), e.getValue());
      }
    }
    sig.output(FeedEncoder.SCORE, prob);
    SavedModelBundle.exporter(dir.toString())
        .withTags(SavedModelBundle.DEFAULT_TAG)
        .withSession(session)
        .withSignature(sig.build())
        .export();
    try (Writer w = Files.newBufferedWriter(dir.resolve(SavedModelScorer.PARAMS_FILE))) {
      ModelParamsIO.toProperties(params, version).store(w, "tinstream model params");
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
