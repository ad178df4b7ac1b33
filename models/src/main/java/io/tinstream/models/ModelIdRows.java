package io.tinstream.models;

import io.tinstream.models.embedding.IdRowMapping;
import io.tinstream.models.embedding.IdRowMappings;
import io.tinstream.models.embedding.IdRowMappingsFormat;
import io.tinstream.models.embedding.MappingCounters;
import io.tinstream.models.embedding.RowsToReset;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The collisionless id -> row mappings of one model, one per {@link ModelParams.Field}, and what
 * ties them to model versions: training feeds observe ids (admission, the rows to reset before the
 * step), scoring feeds only read, and exports carry the mapping at the model's version (a snapshot
 * in a full export, the rows changed since the base version in a delta) so every replica maps an id
 * to the trainer's row at that version. Not thread-safe, like the model that owns it.
 */
final class ModelIdRows {
  /**
   * Model versions remembered with the mapping version they had: a delta since an older version
   * carries the whole mapping instead (still correct, only larger).
   */
  private static final int VERSIONS_KEPT = 4096;

  private final ModelParams params;
  private IdRowMappings mappings;
  private final Map<ModelParams.Field, IdRowMapping> byField =
      new EnumMap<>(ModelParams.Field.class);
  private final Map<ModelParams.Field, RowsToReset> resets = new EnumMap<>(ModelParams.Field.class);
  private final NavigableMap<Long, Long> mappingVersionAt = new TreeMap<>();
  private static final long SWEEPS_PER_EXPIRY = 16;

  private long clockMs;
  private long lastSweepMs = Long.MIN_VALUE / 2;

  /** A replica of {@code mappings} (a SavedModel's) that only maps ids. */
  ModelIdRows(ModelParams params, IdRowMappings mappings) {
    this.params = params;
    use(mappings);
  }

  ModelIdRows(ModelParams params) {
    this.params = params;
    IdRowMappings.Builder b = IdRowMappings.builder();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      b.field(name(f), params.idRows().configFor(params.rows(f)));
    }
    use(b.build());
    mappingVersionAt.put(0L, 0L);
  }

  private static String name(ModelParams.Field f) {
    return f.name().toLowerCase(Locale.ROOT);
  }

  private void use(IdRowMappings m) {
    for (ModelParams.Field f : ModelParams.Field.values()) {
      IdRowMapping field = m.field(name(f));
      if (field.rows() != params.rows(f)) {
        throw new IllegalArgumentException(
            "id mapping of field "
                + name(f)
                + " has "
                + field.rows()
                + " rows, this model's table "
                + params.rows(f));
      }
    }
    this.mappings = m;
    for (ModelParams.Field f : ModelParams.Field.values()) {
      byField.put(f, m.field(name(f)));
      resets.put(f, new RowsToReset());
    }
  }

  /** Read-only rows: ids without a row of their own (never trained on) use the reserved row. */
  FieldRows serving() {
    return (field, id) -> byField.get(field).row(id);
  }

  /**
   * Rows of a training feed: each id is observed at the model's clock, admitted when it qualifies;
   * rows handed over from an expired id are collected for {@link #drainResets}.
   */
  FieldRows training() {
    return (field, id) -> byField.get(field).observe(id, clockMs, resets.get(field));
  }

  /** Per field, the rows to reinitialize before the step that observed them runs. */
  Map<ModelParams.Field, int[]> drainResets() {
    Map<ModelParams.Field, int[]> out = new EnumMap<>(ModelParams.Field.class);
    resets.forEach(
        (f, r) -> {
          if (!r.isEmpty()) {
            out.put(f, r.drain());
          }
        });
    return out;
  }

  /**
   * Moves the clock of admissions and expiry to {@code nowMs} (never back) and frees the rows of
   * ids unseen for longer than the expiry; a freed row is reset when it is handed out again.
   */
  void advanceClock(long nowMs) {
    if (nowMs > clockMs) {
      clockMs = nowMs;
    }
    long expiry = params.idRows().expiryMs();
    // A sweep reads every row: once per sixteenth of the expiry, so an id keeps its row for at
    // most 1/16 longer than configured, not once per training step.
    if (expiry > 0 && clockMs - lastSweepMs >= Math.max(1L, expiry / SWEEPS_PER_EXPIRY)) {
      mappings.expire(clockMs);
      lastSweepMs = clockMs;
    }
  }

  /** Remembers the mapping version the model has at {@code modelVersion}. */
  void recordVersion(long modelVersion) {
    mappingVersionAt.put(modelVersion, mappings.version());
    while (mappingVersionAt.size() > VERSIONS_KEPT) {
      mappingVersionAt.pollFirstEntry();
    }
  }

  /** The whole mapping with its admission counts: a full export, a trainer's checkpoint. */
  byte[] snapshot() {
    return IdRowMappingsFormat.snapshot(mappings, true);
  }

  /** What brings a replica at {@code sinceModelVersion} to this mapping. */
  byte[] since(long sinceModelVersion) {
    Map.Entry<Long, Long> at = mappingVersionAt.floorEntry(sinceModelVersion);
    if (at == null) {
      return IdRowMappingsFormat.snapshot(mappings, false);
    }
    return IdRowMappingsFormat.delta(mappings, at.getValue());
  }

  /**
   * Takes the mapping of an export: a snapshot replaces this one, a delta is applied (a replica
   * that missed changes is refused, changing nothing).
   */
  void importFrom(byte[] bytes, long modelVersion) {
    if (IdRowMappingsFormat.isSnapshot(bytes)) {
      use(IdRowMappingsFormat.readSnapshot(bytes));
      mappingVersionAt.clear();
    } else {
      IdRowMappingsFormat.applyDelta(mappings, bytes);
    }
    recordVersion(modelVersion);
  }

  /** Admissions, refusals, evictions and live rows per field. */
  Map<ModelParams.Field, MappingCounters> counters() {
    Map<ModelParams.Field, MappingCounters> out = new EnumMap<>(ModelParams.Field.class);
    byField.forEach((f, m) -> out.put(f, m.counters()));
    return out;
  }

  /** The row the mapping gives {@code id} now, without observing it. */
  int row(ModelParams.Field field, int id) {
    return byField.get(field).row(id);
  }

  IdRowMappings mappings() {
    return mappings;
  }

  long heapBytes() {
    return mappings.heapBytes();
  }
}
