package io.tinstream.models.layers;

import io.tinstream.models.CategorySlots;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.internal.ParamStore;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The part of a model that turns a behavior sequence and a target into an interest vector. New
 * variants (DARE, DSI-TIN, STIN, LREA, ...) implement this and register in {@link ModelRegistry}.
 */
public interface InterestLayer {

  /** Inputs: behaviors {@code [B, L, d]}, target {@code [B, d]}, mask {@code [B, L]} (1 = real). */
  record Inputs(Operand<TFloat32> behaviors, Operand<TFloat32> target, Operand<TFloat32> mask) {}

  /** Whether behaviors and target arrive with the target-aware temporal encoding added. */
  boolean temporalEncoding();

  /** Width of the interest vector. */
  int outputDim(ModelParams p);

  /** Builds the interest vector {@code [B, outputDim]}; must be finite for an all-zero mask. */
  Operand<TFloat32> build(Ops tf, ParamStore store, ModelParams p, Inputs in);

  /**
   * Table rows of every input column ({@code [B, L]} for behaviors, {@code [B]} for the target),
   * for layers that embed fields themselves (DARE's attention tables, DSI field groups, TdPE/dPE):
   * {@code hist} has every field, {@code target} every field the target carries ({@link
   * ModelParams.Field#onTarget}). {@code targetCategorySlot} is the per-target-category slot of
   * {@link CategorySlots}.
   */
  record Features(
      Map<ModelParams.Field, Operand<TInt32>> hist,
      Map<ModelParams.Field, Operand<TInt32>> target,
      Operand<TInt32> histPos,
      Operand<TInt32> histDt,
      Operand<TInt32> targetCategorySlot) {

    public Features {
      hist = Collections.unmodifiableMap(new EnumMap<>(hist));
      target = Collections.unmodifiableMap(new EnumMap<>(target));
      for (ModelParams.Field f : ModelParams.Field.values()) {
        if (!hist.containsKey(f) || f.onTarget() != target.containsKey(f)) {
          throw new IllegalArgumentException("features of field " + f + " missing or misplaced");
        }
      }
    }

    /** Rows of a behavior field, {@code [B, L]}. */
    public Operand<TInt32> hist(ModelParams.Field f) {
      return hist.get(f);
    }

    /** Rows of a target field, {@code [B]}; throws for a field the target does not carry. */
    public Operand<TInt32> target(ModelParams.Field f) {
      Operand<TInt32> t = target.get(f);
      if (t == null) {
        throw new IllegalArgumentException("the target carries no " + f);
      }
      return t;
    }

    public Operand<TInt32> histItem() {
      return hist(ModelParams.Field.ITEM);
    }

    public Operand<TInt32> targetItem() {
      return target(ModelParams.Field.ITEM);
    }
  }

  /** Which behaviors of the trajectory the caller feeds as the sequence (see the eval task). */
  enum History {
    /**
     * No need of its own (TIN, DIN, DSI, STIN, ...): offline the latest {@code maxHistoryLength}
     * behaviors, online the job's configured search (TIN is deployed over the hard-searched K).
     */
    DEPLOYMENT_DEFAULT,
    /** The latest {@code maxHistoryLength} behaviors, wherever the model runs. */
    LATEST,
    /** Hierarchical hard search (state module's {@code SearchStage}), {@code K = maxLen}. */
    HIERARCHICAL_SEARCH,
    /** SIM one-level category hard search, {@code K = maxLen}. */
    SIM_SEARCH,
    /** Category-stratified sample (matching), {@code K = maxLen}. */
    STRATIFIED,
    /** The whole trajectory before the target (up to a search window); the layer searches it. */
    FULL
  }

  /** Layers that embed fields themselves; the default delegates to the summed embeddings. */
  default Operand<TFloat32> build(
      Ops tf, ParamStore store, ModelParams p, Inputs in, Features features) {
    return build(tf, store, p, in);
  }

  /**
   * False when the layer never reads {@link Inputs#behaviors()}: the model then does not embed the
   * (possibly long) sequence at all and passes {@code null}.
   */
  default boolean usesBehaviorEmbeddings() {
    return true;
  }

  /**
   * Whether the behaviors may carry the item-match term ({@link
   * io.tinstream.models.ModelParams#itemMatch()}): false for target-decoupled layers, whose
   * behaviors are encoded once per user, before any target is known.
   */
  default boolean takesItemMatch() {
    return usesBehaviorEmbeddings();
  }

  /** True when {@link #build} returns the logit {@code [B]} itself (two-tower models), no MLP. */
  default boolean outputsLogit() {
    return false;
  }

  default History history() {
    return History.DEPLOYMENT_DEFAULT;
  }

  /**
   * A term added to the training loss (e.g. LREA's {@code λ·L_nonneg}), available after {@link
   * #build}; {@code null} for none.
   */
  default Operand<TFloat32> regularizer() {
    return null;
  }
}
