package io.tinstream.models;

import io.tinstream.models.embedding.MappingCounters;
import io.tinstream.models.internal.ParamStore;
import io.tinstream.models.internal.VariableCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trainable CTR model bound to one TF graph and session. Not thread-safe: one caller at a time
 * (one model per operator instance).
 */
public interface CtrModel extends AutoCloseable {

  /** Variant name from the registry ({@code pool}, {@code din}, {@code tin}, ...). */
  String name();

  ModelParams params();

  /** Number of optimizer steps applied (or the version of the last imported full snapshot). */
  long version();

  /**
   * One optimizer step on the batch (needs labels); returns the mean loss before the update. Throws
   * {@link NonFiniteStepException}, having changed nothing, when the loss, a gradient or an updated
   * weight would not be finite.
   */
  float trainStep(Batch batch);

  /** Click probabilities, one per example; never NaN (throws instead). */
  float[] score(Batch batch);

  /**
   * A named intermediate tensor of the graph (registered by the layer with {@link
   * ParamStore#output}), flattened row-major; e.g. {@code user_heads} of TD-SASRec.
   */
  default float[] output(String name, Batch batch) {
    throw new UnsupportedOperationException("model " + name() + " exposes no outputs");
  }

  /** Mean loss without updating anything. */
  float loss(Batch batch);

  /**
   * All trainable variables and optimizer slots in the versioned format of {@link VariableCodec}.
   */
  byte[] exportVariables();

  /**
   * Dense variables plus only the embedding rows (and their Adagrad slots) touched by steps after
   * {@code sinceVersion}.
   */
  byte[] exportRowsSince(long sinceVersion);

  /**
   * Moves the clock of the id mappings (admission times, expiry) to {@code nowMs}, the event time
   * of the data trained on next, and expires ids not trained on for the configured time. Nothing
   * for hashed models.
   */
  default void advanceIdClock(long nowMs) {}

  /**
   * The row of {@code field}'s table this model gives raw id {@code rawId} now (the reserved row
   * for unknown, unadmitted or expired ids), without observing it.
   */
  default int rowOf(ModelParams.Field field, int rawId) {
    return FieldRows.hashed(params()).row(field, rawId);
  }

  /**
   * Admissions, refusals, evictions and live rows of each field's id mapping; empty when hashed.
   */
  default Map<ModelParams.Field, MappingCounters> idRowCounters() {
    return Map.of();
  }

  /** Imports a full snapshot or a delta produced by a model with the same params. */
  void importVariables(byte[] data);

  /** Writes a SavedModel (tag {@code serve}, signature {@code serving_default}) to {@code dir}. */
  void exportSavedModel(Path dir) throws IOException;

  @Override
  void close();
}
