package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import io.tinstream.models.layers.InterestLayer;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph's placeholders, one per {@link FeedEncoder} column and named after it (the names are
 * the SavedModel signature's inputs), and how encoded batches are fed to them.
 */
public final class GraphInputs {
  private final Map<String, Placeholder<?>> byName = new LinkedHashMap<>();
  private final InterestLayer.Features features;
  private final Placeholder<TFloat32> mask;
  private final Placeholder<TFloat32> label;

  public GraphInputs(Ops tf) {
    Map<ModelParams.Field, Operand<TInt32>> hist = new EnumMap<>(ModelParams.Field.class);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      hist.put(f, ints(tf, FeedEncoder.hist(f), 2));
    }
    Operand<TInt32> hPos = ints(tf, FeedEncoder.HIST_POS, 2);
    Operand<TInt32> hDt = ints(tf, FeedEncoder.HIST_DT, 2);
    this.mask = floats(tf, FeedEncoder.MASK, Shape.of(-1, -1));
    Map<ModelParams.Field, Operand<TInt32>> target = new EnumMap<>(ModelParams.Field.class);
    for (ModelParams.Field f : ModelParams.Field.targetFields()) {
      target.put(f, ints(tf, FeedEncoder.target(f), 1));
    }
    Operand<TInt32> tSlot = ints(tf, FeedEncoder.TGT_CATEGORY_SLOT, 1);
    this.label = floats(tf, FeedEncoder.LABEL, Shape.of(-1));
    this.features = new InterestLayer.Features(hist, target, hPos, hDt, tSlot);
  }

  private Placeholder<TInt32> ints(Ops tf, String name, int rank) {
    Shape shape = rank == 2 ? Shape.of(-1, -1) : Shape.of(-1);
    Placeholder<TInt32> p = tf.withName(name).placeholder(TInt32.class, Placeholder.shape(shape));
    byName.put(name, p);
    return p;
  }

  private Placeholder<TFloat32> floats(Ops tf, String name, Shape shape) {
    Placeholder<TFloat32> p =
        tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(shape));
    byName.put(name, p);
    return p;
  }

  public InterestLayer.Features features() {
    return features;
  }

  public Placeholder<TFloat32> mask() {
    return mask;
  }

  public Placeholder<TFloat32> label() {
    return label;
  }

  /** Every placeholder by feed name, in creation order. */
  public Map<String, Placeholder<?>> all() {
    return Collections.unmodifiableMap(byName);
  }

  /** Feeds every encoded column; the tensors join {@code owned} for the caller to close. */
  public Session.Runner feed(Session.Runner r, FeedEncoder.Encoded enc, List<Tensor> owned) {
    return feed(r, enc, owned, name -> true);
  }

  /**
   * Feeds the encoded columns whose name passes {@code which}; every tensor joins {@code owned}.
   */
  public Session.Runner feed(
      Session.Runner r, FeedEncoder.Encoded enc, List<Tensor> owned, Predicate<String> which) {
    for (Map.Entry<String, Tensor> t : enc.tensors().entrySet()) {
      owned.add(t.getValue());
      Placeholder<?> ph = byName.get(t.getKey());
      if (ph != null && which.test(t.getKey())) {
        r.feed(ph, t.getValue());
      }
    }
    return r;
  }
}
