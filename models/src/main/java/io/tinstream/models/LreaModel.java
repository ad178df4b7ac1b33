package io.tinstream.models;

import io.tinstream.models.embedding.MappingCounters;
import io.tinstream.models.internal.FeedEncoder;
import io.tinstream.models.layers.Head;
import io.tinstream.models.layers.LreaLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The {@code lrea} model: trains on the decompressed path (MODELS.md "LREA", training path) and
 * scores through the absorbed path (inference), which needs per user only the pair {@code (E_comp,
 * E_aux)} — {@code 2·d·r} floats — and the number of behaviors it was built from.
 *
 * <p>Online use (what the stream calls):
 *
 * <pre>
 *   LreaModel.Pair pair = lrea.buildPair(historyBatch);      // one user's trajectory, O(L·d·r)
 *   float[] p = lrea.scoreFromPair(pair, candidates);        // target columns only, O(r·d) each
 * </pre>
 *
 * {@link #score(Batch)} (used by {@code eval}) computes the pair in-graph from the batch's
 * histories and scores through the same absorbed ops; {@link #scoreDecompressed} is the training
 * path's score. Not thread-safe, like every {@link CtrModel}.
 */
public final class LreaModel implements CtrModel {

  /**
   * A user's absorbed pair: {@code E_comp} and {@code E_aux}, each {@code [d, r]} row-major, and
   * the number of real behaviors they were built from (the divisor of the interest, capped at
   * {@code L} by the model's history window).
   */
  public record Pair(int dim, int rank, float[] eComp, float[] eAux, int length) {
    public Pair {
      if (eComp.length != dim * rank || eAux.length != dim * rank) {
        throw new IllegalArgumentException(
            "E_comp and E_aux must have d*r = " + dim * rank + " floats");
      }
      if (length < 0) {
        throw new IllegalArgumentException("length must be >= 0, got " + length);
      }
    }
  }

  private final TfCtrModel delegate;
  private final LreaLayer layer;
  private final Operand<TFloat32> absorbedProb;
  private final Operand<TFloat32> decompressedProb;

  LreaModel(TfCtrModel delegate, LreaLayer layer) {
    this.delegate = delegate;
    this.layer = layer;
    // Same placement as the model it extends (see TfCtrModel).
    Ops tf =
        Ops.create(delegate.graph())
            .withDevice(delegate.params().device().spec())
            .withSubScope("lrea_absorbed");
    // The model's MLP head, rebuilt on the absorbed interest with the same variables.
    this.absorbedProb =
        Head.probabilityWithExistingWeights(
            tf,
            delegate.store().dense(),
            delegate.params().head().mlpLayers().length,
            layer.absorbedInterest(),
            layer.target());
    this.decompressedProb = delegate.head().probability();
  }

  /** LREA rank {@code r}. */
  public int rank() {
    return delegate.params().lrea().rank();
  }

  /** Embedding dim {@code d}. */
  public int dim() {
    return delegate.params().dim();
  }

  /** Floats kept per user: {@code 2·d·r}. */
  public int pairFloats() {
    return 2 * dim() * rank();
  }

  /**
   * Builds {@code (E_comp, E_aux)} for every row of {@code histories} from its behaviors (the
   * latest {@code maxHistoryLength}, oldest first, as any {@link Batch}); target columns are
   * ignored.
   */
  public Pair[] buildPairs(Batch histories) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params(), histories, delegate.fieldRows());
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r =
          delegate
              .inputs()
              .feed(
                  delegate.session().runner(),
                  enc,
                  owned,
                  name -> name.startsWith("hist_") || name.equals(FeedEncoder.MASK));
      try (Result res = r.fetch(layer.eComp()).fetch(layer.eAux()).run()) {
        int d = dim();
        int rk = rank();
        float[] comp = new float[histories.size * d * rk];
        float[] aux = new float[comp.length];
        ((TFloat32) res.get(0)).copyTo(DataBuffers.of(comp, false, false));
        ((TFloat32) res.get(1)).copyTo(DataBuffers.of(aux, false, false));
        Pair[] out = new Pair[histories.size];
        int per = d * rk;
        for (int b = 0; b < histories.size; b++) {
          float[] c = new float[per];
          float[] a = new float[per];
          System.arraycopy(comp, b * per, c, 0, per);
          System.arraycopy(aux, b * per, a, 0, per);
          out[b] = new Pair(d, rk, c, a, histories.lengths[b]);
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** {@link #buildPairs} for a single-row batch. */
  public Pair buildPair(Batch oneUser) {
    if (oneUser.size != 1) {
      throw new IllegalArgumentException("buildPair takes one user, got " + oneUser.size);
    }
    return buildPairs(oneUser)[0];
  }

  /**
   * Click probabilities of every candidate (the target columns of {@code candidates}; histories are
   * not read) for the user whose pair this is: the raw trajectory is not needed.
   */
  public float[] scoreFromPair(Pair pair, Batch candidates) {
    if (pair.dim() != dim() || pair.rank() != rank()) {
      throw new IllegalArgumentException(
          "pair is d="
              + pair.dim()
              + ", r="
              + pair.rank()
              + "; this model is d="
              + dim()
              + ", r="
              + rank());
    }
    FeedEncoder.Encoded enc = FeedEncoder.encode(params(), candidates, delegate.fieldRows());
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r =
          delegate
              .inputs()
              .feed(delegate.session().runner(), enc, owned, name -> name.startsWith("tgt_"));
      // One [1, d, r] pair broadcasts over the candidates in the absorbed ops.
      Shape shape = Shape.of(1, dim(), rank());
      TFloat32 comp =
          own(owned, TFloat32.tensorOf(shape, DataBuffers.of(pair.eComp(), true, false)));
      TFloat32 aux = own(owned, TFloat32.tensorOf(shape, DataBuffers.of(pair.eAux(), true, false)));
      TFloat32 count =
          own(
              owned,
              TFloat32.tensorOf(
                  Shape.of(1, 1),
                  DataBuffers.of(
                      new float[] {
                        Math.max(1, Math.min(pair.length(), params().maxHistoryLength()))
                      },
                      true,
                      false)));
      r.feed(layer.eComp(), comp).feed(layer.eAux(), aux).feed(layer.count(), count);
      try (Result res = r.fetch(absorbedProb).run()) {
        return checked(res, candidates.size);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Absorbed-path probabilities (the inference path). */
  @Override
  public float[] score(Batch batch) {
    return scoreBoth(batch)[0];
  }

  /** Decompressed (training) path probabilities. */
  public float[] scoreDecompressed(Batch batch) {
    return scoreBoth(batch)[1];
  }

  /** {@code [absorbed, decompressed]} probabilities in one session run. */
  public float[][] scoreBoth(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params(), batch, delegate.fieldRows());
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = delegate.inputs().feed(delegate.session().runner(), enc, owned);
      try (Result res = r.fetch(absorbedProb).fetch(decompressedProb).run()) {
        float[] abs = new float[batch.size];
        float[] dec = new float[batch.size];
        ((TFloat32) res.get(0)).copyTo(DataBuffers.of(abs, false, false));
        ((TFloat32) res.get(1)).copyTo(DataBuffers.of(dec, false, false));
        requireNoNaN(abs);
        requireNoNaN(dec);
        return new float[][] {abs, dec};
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Mean {@code |absorbed − decompressed|} probability over all rows of the batches. */
  public double meanScoreGap(List<Batch> batches) {
    double sum = 0;
    long n = 0;
    for (Batch b : batches) {
      float[][] s = scoreBoth(b);
      for (int i = 0; i < b.size; i++) {
        sum += Math.abs(s[0][i] - s[1][i]);
      }
      n += b.size;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private float[] checked(Result res, int n) {
    float[] out = new float[n];
    ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
    requireNoNaN(out);
    return out;
  }

  private void requireNoNaN(float[] xs) {
    for (float v : xs) {
      if (Float.isNaN(v)) {
        throw new IllegalStateException("model " + name() + " produced NaN scores");
      }
    }
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  /** Test hook: the underlying model (variables by name). */
  TfCtrModel delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ModelParams params() {
    return delegate.params();
  }

  @Override
  public long version() {
    return delegate.version();
  }

  @Override
  public float trainStep(Batch batch) {
    return delegate.trainStep(batch);
  }

  @Override
  public float loss(Batch batch) {
    return delegate.loss(batch);
  }

  @Override
  public byte[] exportVariables() {
    return delegate.exportVariables();
  }

  @Override
  public byte[] exportRowsSince(long sinceVersion) {
    return delegate.exportRowsSince(sinceVersion);
  }

  @Override
  public void advanceIdClock(long nowMs) {
    delegate.advanceIdClock(nowMs);
  }

  @Override
  public int rowOf(ModelParams.Field field, int rawId) {
    return delegate.rowOf(field, rawId);
  }

  @Override
  public Map<ModelParams.Field, MappingCounters> idRowCounters() {
    return delegate.idRowCounters();
  }

  @Override
  public void importVariables(byte[] data) {
    delegate.importVariables(data);
  }

  /** Writes the training graph's SavedModel (its {@code score} is the decompressed path). */
  @Override
  public void exportSavedModel(Path dir) throws IOException {
    delegate.exportSavedModel(dir);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
