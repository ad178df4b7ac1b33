package io.tinstream.models;

import io.tinstream.models.embedding.IdRowMappingsFormat;
import io.tinstream.models.embedding.MappingCounters;
import io.tinstream.models.internal.FeedEncoder;
import io.tinstream.models.internal.GraphInputs;
import io.tinstream.models.internal.Optimizer;
import io.tinstream.models.internal.ParamStore;
import io.tinstream.models.internal.TouchedRows;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.models.internal.VariableIo;
import io.tinstream.models.layers.FieldEmbeddings;
import io.tinstream.models.layers.Head;
import io.tinstream.models.layers.InterestLayer;
import io.tinstream.models.layers.ItemMatch;
import io.tinstream.models.layers.TemporalEncoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The shared graph of every variant, assembled from its parts: {@link FieldEmbeddings} summed per
 * behavior and target, the {@link TemporalEncoding} where the layer wants it, the variant's {@link
 * InterestLayer}, the {@link Head} (MLP, sigmoid, cross-entropy) and the {@link Optimizer} (Adam on
 * dense weights, sparse Adagrad on the rows a step gathered, so a step costs O(rows touched)).
 */
final class TfCtrModel implements CtrModel {
  private final ModelParams params;
  private final Graph graph;
  private final Session session;
  private final ParamStore store;
  private final GraphInputs inputs;
  private final Head head;
  private final Optimizer optimizer;
  private final VariableIo variables;
  private final TouchedRows touched;

  /** Null for a hashed model. */
  private final ModelIdRows idRows;

  private final FieldRows fieldRows;
  private final Random resetRandom;
  private long version;
  private long optimizerStep;

  TfCtrModel(ModelParams params, InterestLayer layer) {
    this.params = params;
    this.idRows = params.idRows().collisionless() ? new ModelIdRows(params) : null;
    this.fieldRows = idRows == null ? FieldRows.hashed(params) : idRows.serving();
    this.resetRandom = new Random(params.seed() ^ 0x5DEECE66DL);
    this.graph = new Graph();
    // Every op asks for the configured device; gradients and init ops follow through colocation,
    // and soft placement in sessionConfig keeps the graph runnable where that device is absent.
    Ops tf = Ops.create(graph).withDevice(params.device().spec());
    this.store = new ParamStore(params.seed());
    this.inputs = new GraphInputs(tf);
    InterestLayer.Features f = inputs.features();
    int d = params.dim();

    FieldEmbeddings fields = FieldEmbeddings.base(d);
    fields.create(tf, store, params);
    // Layers that embed the sequence themselves (DARE looks up representation rows of the kept
    // behaviors only) get no e_i: an unused gather would still be computed for its (zero) gradient.
    Operand<TFloat32> e = layer.usesBehaviorEmbeddings() ? fields.behaviors(tf, store, f) : null;
    if (e != null && params.itemMatch() && layer.takesItemMatch()) {
      e = ItemMatch.add(tf, store, f, e, d);
    }
    Operand<TFloat32> vt = fields.target(tf, store, f);
    Operand<TFloat32> eTilde = e;
    Operand<TFloat32> vTilde = vt;
    if (layer.temporalEncoding() && e != null) {
      TemporalEncoding temporal = TemporalEncoding.base(d);
      temporal.create(tf, store, params);
      eTilde = temporal.encodeBehaviors(tf, store, e, f.histPos(), f.histDt());
      vTilde = temporal.encodeTarget(tf, store, vt);
    }
    Operand<TFloat32> interest =
        layer.build(tf, store, params, new InterestLayer.Inputs(eTilde, vTilde, inputs.mask()), f);
    this.head = Head.build(tf, store, params, layer, interest, vt, inputs.label());
    this.optimizer = new Optimizer(tf, graph, store, head.loss(), params);
    this.variables = new VariableIo(tf, optimizer);
    this.touched = new TouchedRows(store.tables().values());

    this.session = new Session(graph, sessionConfig(params));
    session.initialize();
  }

  /**
   * The session settings of every model session (trainer, scorer, SavedModel loads): the thread
   * pools of {@link ModelParams#threads()} (0 = TF's own default) and soft placement, so a graph
   * placed on a GPU runs on the CPU where there is none, and ops without a GPU kernel (sparse
   * optimizer updates on int64 indices) fall back to the CPU where there is one.
   */
  static ConfigProto sessionConfig(ModelParams params) {
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setIntraOpParallelismThreads(params.threads().intraOp())
        .setInterOpParallelismThreads(params.threads().interOp())
        .build();
  }

  /** The session, graph and variables, for layers that add inference paths (LREA absorbed). */
  Session session() {
    return session;
  }

  Graph graph() {
    return graph;
  }

  /** Raw id -> table row of every feed of this model. */
  FieldRows fieldRows() {
    return fieldRows;
  }

  ParamStore store() {
    return store;
  }

  GraphInputs inputs() {
    return inputs;
  }

  Head head() {
    return head;
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
    FeedEncoder.Encoded enc =
        FeedEncoder.encode(params, batch, idRows == null ? fieldRows : idRows.training());
    if (idRows != null) {
      resetHandedOverRows(idRows.drainResets());
    }
    long step = optimizerStep + 1;
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = labelled(enc, batch, owned);
      optimizer.feedStep(r, step, owned);
      float l;
      try (Optimizer.Computed c = optimizer.compute(r, head.loss())) {
        l = c.loss;
        if (!c.finite) {
          // Nothing was assigned yet: the weights, slots, version and step count stay as they are.
          throw new NonFiniteStepException(name(), step, l);
        }
        optimizer.apply(session, c, step, owned);
      }
      optimizerStep = step;
      version++;
      touched.mark(enc, version);
      if (idRows != null) {
        idRows.recordVersion(version);
      }
      return l;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Rows the id mapping handed to new ids start from the initializer again in every table the field
   * indexes, with fresh Adagrad accumulators: a new id never inherits an expired id's vector.
   */
  private void resetHandedOverRows(Map<ModelParams.Field, int[]> rows) {
    for (Map.Entry<ModelParams.Field, int[]> e : rows.entrySet()) {
      for (ParamStore.TableParam t : store.tables().values()) {
        if (t.field() != e.getKey()) {
          continue;
        }
        float[] values = new float[e.getValue().length * t.dim()];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (resetRandom.nextGaussian() * t.initStd());
        }
        variables.writeRows(
            session,
            t.name(),
            e.getValue(),
            values,
            params.optimizer().adagradInitialAccumulator());
      }
    }
  }

  @Override
  public void advanceIdClock(long nowMs) {
    if (idRows != null) {
      idRows.advanceClock(nowMs);
    }
  }

  @Override
  public Map<ModelParams.Field, MappingCounters> idRowCounters() {
    return idRows == null ? Map.of() : idRows.counters();
  }

  @Override
  public int rowOf(ModelParams.Field field, int id) {
    return fieldRows.row(field, id);
  }

  private Session.Runner labelled(FeedEncoder.Encoded enc, Batch b, List<Tensor> owned) {
    TFloat32 labels = TFloat32.tensorOf(Shape.of(b.size), DataBuffers.of(b.labels, true, false));
    owned.add(labels);
    return inputs.feed(session.runner(), enc, owned).feed(inputs.label(), labels);
  }

  @Override
  public float[] score(Batch batch) {
    float[] out = fetch(head.probability(), batch);
    for (float v : out) {
      if (Float.isNaN(v)) {
        throw new IllegalStateException("model " + name() + " produced NaN scores");
      }
    }
    return out;
  }

  @Override
  public float loss(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch, fieldRows);
    List<Tensor> owned = new ArrayList<>();
    try (Result res = labelled(enc, batch, owned).fetch(head.loss()).run()) {
      return ((TFloat32) res.get(0)).getFloat();
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
    return fetch(out, batch);
  }

  /** {@code out} for an unlabelled batch, flattened row-major. */
  private float[] fetch(Operand<TFloat32> out, Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch, fieldRows);
    List<Tensor> owned = new ArrayList<>();
    try (Result res = inputs.feed(session.runner(), enc, owned).fetch(out).run()) {
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
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch, fieldRows);
    List<Tensor> owned = new ArrayList<>();
    try {
      return optimizer.gradients(labelled(enc, batch, owned), store);
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Names of every exported variable (weights and optimizer slots). */
  List<String> variableNames() {
    return variables.names();
  }

  /** Reads one variable as a flat row-major array. */
  float[] read(String name) {
    return variables.read(session, name);
  }

  /** Overwrites one variable (row-major values of its full shape). */
  void write(String name, float[] values) {
    variables.write(session, name, values);
  }

  @Override
  public byte[] exportVariables() {
    return variables.exportFull(
        session, name(), version, optimizerStep, idRows == null ? null : idRows.snapshot());
  }

  @Override
  public byte[] exportRowsSince(long sinceVersion) {
    return variables.exportRowsSince(
        session,
        touched,
        name(),
        version,
        sinceVersion,
        optimizerStep,
        idRows == null ? null : idRows.since(sinceVersion));
  }

  @Override
  public void importVariables(byte[] data) {
    VariableCodec.Snapshot s = variables.importInto(session, name(), data, this::importIdRows);
    this.version = s.version();
    this.optimizerStep = s.optimizerStep();
  }

  /** Takes the export's id mapping, or refuses an export whose ids were mapped another way. */
  private void importIdRows(VariableCodec.Snapshot s) {
    if (idRows == null && s.idRows() != null) {
      throw new IllegalArgumentException(
          "export of model " + name() + " maps ids collisionless; this model hashes them");
    }
    if (idRows != null && s.idRows() == null) {
      throw new IllegalArgumentException(
          "export of model "
              + name()
              + " carries no id mapping (hashed ids, or written before mappings); this model maps"
              + " ids collisionless: its rows would not match");
    }
    if (idRows != null) {
      idRows.importFrom(s.idRows(), s.version());
    }
  }

  @Override
  public void exportSavedModel(Path dir) throws IOException {
    SavedModelExport.write(
        dir,
        session,
        inputs,
        head.probability(),
        params,
        version,
        idRows == null ? null : IdRowMappingsFormat.snapshot(idRows.mappings(), false));
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
